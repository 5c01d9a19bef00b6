"""Onboarding from the platform admin: a new company, its first admin, and their invitation by email.

The first admin gets no password from us. They get a link to set one themselves, on their company's own
host, made with Django's password-reset tokens: it expires after PASSWORD_RESET_TIMEOUT and works once
(the token hashes the password, so setting one spends it).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlunsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import tenant_context
from simple_history.models import HistoricalRecords

from common.audit import acting_as
from tenants.models import Company, Domain
from tenants.services import company_provision

logger = logging.getLogger(__name__)

TENANT_URLCONF = "config.urls_tenant"


def company_onboard(
    *,
    company: Company,
    admin_name: str,
    admin_email: str,
    scheme: str,
    port: int | None,
    actor: str = "platform",
) -> str:
    """Complete a company just saved (its schema exists): its host, its first admin, their invitation.

    The email leaves when the surrounding transaction commits, so a company that is rolled back invites
    nobody. `actor` names the platform admin in the company's audit trail. Returns the invitation link.
    """
    own_host = company.domains.order_by("-is_primary", "id").values_list("domain", flat=True).first()
    company_provision(slug=company.schema_name, name=company.name, domain=own_host)
    with tenant_context(company), _as_platform(actor):
        from org.services import staff_ensure

        staff, _created = staff_ensure(email=admin_email, name=admin_name, role="admin")
        link = invitation_link(company=company, user=staff.user, scheme=scheme, port=port)
    transaction.on_commit(
        lambda: invitation_send(company=company, name=admin_name, email=admin_email, link=link)
    )
    return link


@contextmanager
def _as_platform(actor: str) -> Iterator[None]:
    """The platform admin is no user of the company's schema: history names them as an actor only."""
    context = HistoricalRecords.context
    request = getattr(context, "request", None)
    context.request = None
    try:
        with acting_as(actor):
            yield
    finally:
        if request is None:
            del context.request
        else:
            context.request = request


def company_host(company: Company) -> str:
    """The company's primary host name (where its staff log in)."""
    domain = Domain.objects.filter(tenant=company).order_by("-is_primary", "id").first()
    return domain.domain if domain else f"{company.slug}.{settings.BASE_DOMAIN}"


def invitation_link(*, company: Company, user: AbstractBaseUser, scheme: str, port: int | None) -> str:
    """The set-password link for `user` (a user of `company`'s schema), on the company's own host."""
    path = reverse(
        "password_set",
        urlconf=TENANT_URLCONF,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    netloc = company_host(company) if port in (None, 80, 443) else f"{company_host(company)}:{port}"
    return urlunsplit((scheme, netloc, path, "", ""))


def invitation_send(*, company: Company, name: str, email: str, link: str) -> bool:
    """Email the invitation in the company's language; False (and logged) when the mail server refuses."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    context = {"company": company.name, "name": name, "link": link, "days": days, "email": email}
    with translation.override(company.language):
        subject = render_to_string("tenants/invitation_subject.txt", context).strip()
        body = render_to_string("tenants/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [email])
    except OSError:  # smtplib's errors are OSErrors, as are refused connections
        logger.exception("Invitation to %s for company %s not sent", email, company.slug)
        return False
    return True


def invitations_resend(*, company: Company, scheme: str, port: int | None) -> tuple[list[str], list[str]]:
    """Invite again each active admin of `company` who has not chosen a password yet (a lost or expired
    invitation), at once. Returns the addresses sent to, and those the mail server refused."""
    with tenant_context(company):
        from org.models import Staff

        admins = Staff.objects.filter(role="admin", is_active=True, user__is_active=True).select_related(
            "user"
        )
        pending = [
            (staff, invitation_link(company=company, user=staff.user, scheme=scheme, port=port))
            for staff in admins
            if not staff.user.has_usable_password()
        ]
    sent, refused = [], []
    for staff, link in pending:
        ok = invitation_send(company=company, name=staff.name, email=staff.email, link=link)
        (sent if ok else refused).append(staff.email)
    return sent, refused
