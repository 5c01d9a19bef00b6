"""org.access, the one module deciding who sees and does what on which branch (the matrix in its docstring
and in docs/rules.md), checked rule by rule and through the admin over HTTP."""

import pytest
from django.core import mail
from django.urls import reverse

from appointments.models import Appointment
from calls.models import Call
from org import access
from org.models import Customer, Staff
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.calls import CallFactory
from tests.factories.org import CustomerFactory, UserFactory


def _shown_fields(response) -> set[str]:
    return {name for _title, block in response.context["adminform"].fieldsets for name in block["fields"]}


def _customers(user) -> set[str]:
    return set(access.scoped(Customer.objects.all(), access.customer_q(user)).values_list("name", flat=True))


def test_branch_ids_none_means_every_branch_and_no_role_means_none(anna, ada, mitte):
    assert access.branch_ids_for(anna.user) == {mitte.pk}
    assert access.branch_ids_for(ada.user) is None
    assert access.branch_ids_for(UserFactory(username="stranger@acme.test")) == set()


def test_a_customer_belongs_to_the_branches_of_their_activity_and_a_new_one_to_everybody(
    anna, max_manager, ada, nora, mitte, nord, haircut
):
    CallbackRequestFactory(branch=nord, customer=CustomerFactory(name="Nord Callback"))
    CallFactory(branch=nord, customer=CustomerFactory(name="Nord Call"))
    AppointmentFactory(branch=mitte, service=haircut, customer=CustomerFactory(name="Mitte Termin"))
    CustomerFactory(name="Neu")

    assert _customers(anna.user) == _customers(max_manager.user) == {"Mitte Termin", "Neu"}
    assert _customers(nora.user) == {"Nord Callback", "Nord Call", "Neu"}
    assert _customers(ada.user) == {"Nord Callback", "Nord Call", "Mitte Termin", "Neu"}


def test_a_call_on_the_central_number_belongs_to_the_branch_it_led_to(anna, nora, mitte):
    central = CallFactory(branch=None)
    CallbackRequestFactory(branch=mitte, call=central)

    def calls(user):
        return set(access.scoped(Call.objects.all(), access.call_q(user)))

    assert calls(anna.user) == {central}
    assert calls(nora.user) == set()


def test_staff_see_only_themselves_managers_their_branches_people_admins_everyone(
    anna, ben, max_manager, ada, nora
):
    def staff(user):
        return set(access.scoped(Staff.objects.all(), access.staff_q(user)))

    assert staff(anna.user) == {anna}
    assert staff(max_manager.user) == {anna, ben, max_manager, ada}
    assert staff(ada.user) == {anna, ben, max_manager, ada, nora}


def test_who_may_manage_and_act_for_a_person(anna, ben, max_manager, ada, nora):
    assert access.may_manage_staff(max_manager.user, anna)
    assert not access.may_manage_staff(max_manager.user, nora)
    assert access.may_manage_staff(ada.user, nora)
    assert not access.may_manage_staff(anna.user, anna)
    assert access.may_act_for_staff(anna.user, anna)
    assert not access.may_act_for_staff(anna.user, ben)


def test_costs_and_the_webhook_inbox_are_for_admins(anna, max_manager, ada):
    assert [access.may_see_costs(p.user) for p in (anna, max_manager, ada)] == [False, False, True]
    assert [access.may_read_webhook_inbox(p.user) for p in (anna, max_manager, ada)] == [False, False, True]


@pytest.mark.parametrize("role", ["anna", "max_manager"])
def test_another_branchs_appointment_cannot_be_cancelled_and_its_customer_hears_nothing(
    request, as_user, nord, role
):
    appointment = AppointmentFactory(branch=nord)
    client = as_user(request.getfixturevalue(role))
    url = reverse("admin:appointments_appointment_cancel_appointment", args=[appointment.pk])

    response = client.post(url, {"reason": "Nicht meine Filiale"})

    assert response.status_code == 404
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CONFIRMED
    assert mail.outbox == []


def test_staff_list_shows_staff_only_their_own_load(as_user, anna, ben):
    listed = as_user(anna).get(reverse("admin:org_staff_changelist")).context["cl"].result_list

    assert list(listed) == [anna]


def test_call_costs_are_not_shown_to_a_manager(as_user, max_manager, ada, mitte):
    call = CallFactory(branch=mitte, converted_cost_cents=1092, cost_currency="EUR")
    listing, detail = (
        reverse("admin:calls_call_changelist"),
        reverse("admin:calls_call_change", args=[call.pk]),
    )

    assert "10,92 EUR" not in as_user(max_manager).get(listing).content.decode()
    assert "10,92 EUR" in as_user(ada).get(listing).content.decode()  # German: Ada's language
    assert "converted_cost_cents" not in _shown_fields(as_user(max_manager).get(detail))
    assert "converted_cost_cents" in _shown_fields(as_user(ada).get(detail))
    assert as_user(max_manager).get(reverse("admin:calls_call_usage")).status_code == 403
