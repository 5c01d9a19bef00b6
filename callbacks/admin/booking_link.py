"""The callback page's "Book appointment" link to the appointments' booking screen.

The two apps do not import each other: the link carries what the booking screen needs to know about the
callback (signed for this user, `common.booking_origin`). The callback page has already decided that the
user may see the callback; which branches they may book at is the booking screen's decision.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from callbacks.models import CallbackRequest
from common.booking_origin import origin_token


def booking_link(request: HttpRequest, callback: CallbackRequest) -> str:
    """The booking screen for an open callback, with its wishes filled in; "" when nothing is to book."""
    if not callback.is_open or callback.deleted_at is not None:
        return ""
    if not request.user.has_perm("appointments.add_appointment"):
        return ""
    facts = {
        "callback": callback.pk,
        "customer": callback.customer_id,
        "name": callback.customer_name or (callback.customer.name if callback.customer_id else ""),
        "phone": callback.phone.as_e164 if callback.phone else "",
        "email": callback.customer_email,
        "branch": callback.branch_id,
        "service": callback.service_id,
        "staff": callback.preferred_staff_id,
    }
    token = origin_token(user_id=request.user.pk, facts=facts)
    return f"{reverse('admin:appointments_appointment_add')}?{urlencode({'origin': token})}"
