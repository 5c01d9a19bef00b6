"""Single and bulk assign offer only people who can take the callback(s): everyone offered can be chosen."""

from django.utils import timezone

from callbacks.models import CallbackRequest
from org.roles import Role
from tests.admin.conftest import changelist_url
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import AbsenceFactory
from tests.personas import acme_person


def select(callbacks_) -> dict:
    return {"_selected_action": [str(callback.pk) for callback in callbacks_]}


def people_who_cannot(mitte, nord) -> None:
    """One person per reason not to be offered at Mitte."""
    today = timezone.localdate()
    absent = acme_person("Abwesend", Role.STAFF, mitte)
    AbsenceFactory(staff=absent, starts_on=today, ends_on=today)
    acme_person("Inaktiv", Role.STAFF, mitte, is_active=False)
    acme_person("Nimmt nicht", Role.STAFF, mitte, accepts_callbacks=False)
    acme_person("Voll", Role.STAFF, mitte, max_open_callbacks=0)
    acme_person("Nord", Role.STAFF, nord)


def test_single_assign_offers_only_people_who_can_take_it_and_each_can(
    as_user, max_manager, anna, mitte, nord
):
    people_who_cannot(mitte, nord)
    acme_person("Bea", Role.STAFF, mitte)
    client = as_user(max_manager)
    callback = CallbackRequestFactory(branch=mitte)
    url = f"/admin/callbacks/callbackrequest/{callback.pk}/assign/"

    offered = list(client.get(url).context["form"].fields["staff"].queryset)

    assert {person.name for person in offered} == {"Anna", "Bea"}
    for person in offered:
        fresh = CallbackRequestFactory(branch=mitte)
        response = client.post(f"/admin/callbacks/callbackrequest/{fresh.pk}/assign/", {"staff": person.pk})
        assert response.status_code == 302
        assert CallbackRequest.objects.get(pk=fresh.pk).assigned_to == person


def test_bulk_assign_does_not_offer_someone_who_already_holds_a_selected_callback(
    as_user, ada, anna, mitte, nord
):
    people_who_cannot(mitte, nord)
    bea = acme_person("Bea", Role.STAFF, mitte)
    selected = [AssignedCallbackFactory(branch=mitte, assigned_to=anna), CallbackRequestFactory(branch=mitte)]
    client = as_user(ada)

    page = client.post(changelist_url(), {"action": "bulk_assign", **select(selected)})
    offered = {person.name for person in page.context["form"].fields["staff"].queryset}

    assert offered == {"Bea"}  # Anna already has the first one: assigning it to her again would fail
    client.post(
        changelist_url(), {"action": "bulk_assign", "apply": "1", "staff": bea.pk, **select(selected)}
    )
    assert {
        callback.assigned_to for callback in CallbackRequest.objects.filter(pk__in=[c.pk for c in selected])
    } == {bea}
