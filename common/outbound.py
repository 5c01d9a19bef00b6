"""The one guard on requests the server makes to addresses it did not choose itself (SSRF).

Every outgoing HTTP client (Cal.com, Twilio, Slack webhooks) is built with `GuardedTransport`. Before
each request the host is resolved once, every address is checked, and the connection goes to exactly the
address that was checked (the URL's host stays in the Host header and in TLS SNI/certificate checks), so a
DNS answer that changes between the check and the connect (rebinding) cannot reach an internal address.

With `OUTBOUND_ALLOW_PRIVATE_NETWORKS` (development and tests, where the stand-ins listen on 127.0.0.1)
requests pass unchanged.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx
from django.conf import settings

REFUSED_ADDRESS = "Outgoing request to {host} refused: it resolves to a non-public address ({address})."
UNRESOLVABLE = "Outgoing request to {host} refused: the name does not resolve ({error})."

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(httpx.ConnectError):
    """The destination is not a public internet address: no connection was made.

    A `ConnectError`, so a caller that treats "could not connect" as a failed delivery or an unreachable
    integration does so here too; callers that know better (no point retrying) catch it first.
    """


class NonPublicAddress(OutboundRefused):
    """The name resolves, but only to addresses we never connect to: retrying cannot change that
    (a name that does not resolve may resolve later, so that stays a plain `OutboundRefused`)."""


def is_public_address(address: IPAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved and unspecified addresses are all refused;
    an IPv4-mapped IPv6 address is judged by its IPv4 part."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve_public_address(host: str, port: int) -> str:
    """The first address `host` resolves to, provided every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(UNRESOLVABLE.format(host=host, error=exc)) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not is_public_address(address):
            raise NonPublicAddress(REFUSED_ADDRESS.format(host=host, address=address))
    return str(addresses[0])


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that connects only to public addresses, pinned to the one it checked."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS:
            _pin_to_public_address(request)
        return super().handle_request(request)


def _pin_to_public_address(request: httpx.Request) -> None:
    host = request.url.host
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    address = resolve_public_address(host, port)
    if request.url.scheme == "https":
        request.extensions = {**request.extensions, "sni_hostname": host}
    # The Host header was set from the original URL when the request was built and is kept.
    request.url = request.url.copy_with(host=address)


def guarded_client(**kwargs) -> httpx.Client:
    """An httpx client whose every request (redirects included) goes through the guard."""
    return httpx.Client(transport=GuardedTransport(), **kwargs)
