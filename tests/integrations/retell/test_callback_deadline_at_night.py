"""A callback requested by phone at night: its clock starts at the branch's opening (signed Retell)."""

from datetime import datetime

import pytest
from django_tenants.utils import tenant_context

from callbacks.models import CallbackRequest
from tests.integrations.retell.conftest import BERLIN

pytestmark = pytest.mark.django_db


def test_a_caller_at_night_is_promised_a_call_by_the_end_of_the_next_business_day(acme, call_function, clock):
    clock.move_to(datetime(2026, 3, 4, 23, 0, tzinfo=BERLIN), tick=False)  # Wednesday night, Mitte closed
    reply = call_function("request_callback", {"reason": "Frage zur Rechnung"}, call_id="call_night")
    assert (reply["ok"], reply["status"]) == (True, "created")
    # Before, the clock time was kept: "bis Donnerstag, 5. März um 23:00 Uhr", while the branch is closed.
    assert reply["message"] == "Vielen Dank. Wir rufen Sie bis Donnerstag, 5. März um 18:00 Uhr zurück."
    with tenant_context(acme.company):
        callback = CallbackRequest.objects.get()
    assert (callback.priority, callback.expires_at) == ("normal", datetime(2026, 3, 5, 18, 0, tzinfo=BERLIN))
