"""What the admin walks share: one object of every branch-bound model at a branch, and every URL of the admin.

The branch walk (test_branch_scoping_walk.py) makes the objects at another branch and looks for leaks; the
German crawl (test_german_everywhere.py) makes them at the visitor's own branch and reads every page.
"""

from datetime import date

from django.contrib import admin
from django.urls import URLPattern, reverse
from django.utils import timezone

from appointments.models import SlotHold
from callbacks.models import CallbackEscalation
from integrations.models import WebhookEvent
from notifications.models import EventType, NotificationDelivery
from org.models import Branch, Staff
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.calls import CallFactory, FunctionInvocationFactory
from tests.factories.org import AbsenceFactory, CustomerFactory, ServiceFactory
from tests.factories.policies import ModificationFactory, PolicyFactory


def objects_at(branch: Branch, person: Staff, marker: str) -> dict[str, object]:
    """One object of every branch-bound model at `branch` (`person` works there), keyed by model label;
    `marker` is in every name and text of them."""
    massage = ServiceFactory(name=f"{marker}massage", branches=[branch])
    customer = CustomerFactory(name=f"Zelda {marker}kundin", phone="+4930999001", email="zelda@example.test")
    call = CallFactory(
        branch=branch, customer=customer, summary=f"{marker} summary", transcript=f"{marker} words"
    )
    FunctionInvocationFactory(call=call, name="check_customer", arguments={"name": f"{marker}kundin"})
    callback = AssignedCallbackFactory(
        branch=branch,
        assigned_to=person,
        customer=customer,
        customer_name=customer.name,
        notes=f"{marker} notes",
        call=call,
    )
    CallbackRequestFactory(branch=branch, customer_name=f"Offen {marker}", phone="+4930999003")
    appointment = AppointmentFactory(
        branch=branch, service=massage, staff=person, customer=customer, call=call
    )
    appointment.notes = f"{marker} appointment"
    appointment.save(update_fields=["notes"])
    objects = {
        "org.Branch": branch,
        "org.Staff": person,
        "org.Service": massage,
        "org.Customer": customer,
        "calls.Call": call,
        "callbacks.CallbackRequest": callback,
        "callbacks.CallbackEscalation": CallbackEscalation.objects.create(
            callback=callback, reason="manual", to_staff=person, notes=f"{marker} escalation"
        ),
        "appointments.Appointment": appointment,
        "appointments.SlotHold": SlotHold.objects.create(
            reservation_uid=f"{marker}-hold",
            event_type_id=99,
            service=massage,
            branch=branch,
            customer=customer,
            starts_at=appointment.starts_at,
            expires_at=appointment.starts_at,
        ),
        "policies.AppointmentModification": ModificationFactory(
            appointment=appointment, reason=f"{marker} cancelled", fee_amount=10, fee_currency="EUR"
        ),
        "notifications.NotificationDelivery": NotificationDelivery.objects.create(
            event_type=EventType.objects.get(key="appointment.created"),
            channel="email",
            customer=customer,
            branch=branch,
            appointment=appointment,
            address="zelda@example.test",
            subject=f"{marker} confirmation",
            body=f"{marker} body",
            status="failed",
            not_before=timezone.now(),
        ),
    }
    objects["integrations.WebhookEvent"] = WebhookEvent.objects.create(
        source="retell",
        event="call_analyzed",
        external_id=f"{marker}-call",
        body={"call": {"call_id": f"{marker}-call", "transcript": f"{marker} words"}},
        status="processed",
    )
    objects["policies.PolicyConfiguration"] = PolicyFactory(branch=branch, settings={"hours_before": 48})
    PolicyFactory(staff=person, settings={"hours_before": 12})
    objects["org.Absence"] = AbsenceFactory(
        staff=person, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), note=f"{marker} leave"
    )
    return objects


def admin_urls(model_admin: admin.ModelAdmin, obj, urlconf: str | None = None) -> list[str]:
    """Every named URL of the admin class: those of no object, and those of `obj` when given."""
    site = model_admin.admin_site.name
    urls = []
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        name = f"{site}:{pattern.name}"
        converters = set(pattern.pattern.converters)
        if not pattern.pattern.regex.groups:
            urls.append(reverse(name, urlconf=urlconf))
        elif obj is not None and converters and converters <= {"object_id", "pk"}:
            urls.append(reverse(name, urlconf=urlconf, kwargs={key: obj.pk for key in converters}))
        elif obj is not None and pattern.name.endswith("_simple_history") and obj.history.exists():
            urls.append(reverse(name, urlconf=urlconf, args=[obj.pk, obj.history.first().history_id]))
    return sorted(set(urls))


def custom_views(objects: dict[str, object]) -> list[str]:
    """The dashboard, the activity list, and the views that take a branch or an object as a parameter."""
    branch, appointment = objects["org.Branch"], objects["appointments.Appointment"]
    day = f"?branch={branch.pk}&day={appointment.starts_at.date().isoformat()}"
    return [
        reverse("admin:index"),
        "/admin/?period=week",
        reverse("admin:company_activity"),
        reverse("admin:appointments_appointment_day_view") + day,
        reverse("admin:policies_policyconfiguration_preview") + f"?appointment={appointment.pk}",
        reverse("admin:callbacks_callbackrequest_live"),
    ]
