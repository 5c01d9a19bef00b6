"""One HTTP POST to a provider, with network failures sorted into "retry" and "outcome unknown"."""

import httpx

from common.outbound import OutboundRefused, guarded_client
from notifications.channels.base import DeliveryError

REFUSED = "{provider} was not contacted: {error}"
UNREACHABLE = "{provider} could not be reached: {error}"
OUTCOME_UNKNOWN = (
    "No answer from {provider} after the message was sent ({error}); not retried to avoid a duplicate."
)


def provider_post(provider: str, url: str, **kwargs) -> httpx.Response:
    """A refused or timed-out connection never delivered anything, so it may be retried; a failure
    after the request went out may have delivered the message, so it must not be sent again. An address
    the outbound guard refuses will be refused again: permanent."""
    try:
        with guarded_client() as client:
            return client.post(url, **kwargs)
    except OutboundRefused as exc:
        message = REFUSED.format(provider=provider, error=exc)
        raise DeliveryError(message, permanent=True, code="refused_address") from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise DeliveryError(UNREACHABLE.format(provider=provider, error=exc), code="unreachable") from exc
    except httpx.TransportError as exc:
        message = OUTCOME_UNKNOWN.format(provider=provider, error=exc)
        raise DeliveryError(message, ambiguous=True, code="outcome_unknown") from exc
