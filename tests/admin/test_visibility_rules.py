"""callbacks.visibility, the role scope every screen uses (also usable by APIs and exports)."""

import pytest
from django.utils import timezone

from callbacks import visibility

SEES = {
    "anna": {"anna_own", "mitte_open", "overdue"},
    "max_manager": {"anna_own", "ben_own", "mitte_open", "overdue"},
    "ada": {"anna_own", "ben_own", "mitte_open", "nord_open", "nord_nora", "overdue"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_visible_callbacks_and_can_see_agree(request, callbacks, role):
    user = request.getfixturevalue(role).user

    visible = set(visibility.visible_callbacks(user).values_list("pk", flat=True))

    assert visible == {callbacks[key].pk for key in SEES[role]}
    assert {key for key, cb in callbacks.items() if visibility.can_see(user, cb)} == SEES[role]


def test_deleted_callbacks_are_for_managers_to_act_on(anna, max_manager, callbacks):
    callback = callbacks["mitte_open"]
    callback.deleted_at = timezone.now()
    callback.save()

    assert not visibility.can_act_on(anna.user, callback)
    assert visibility.can_act_on(max_manager.user, callback)


def test_inactive_staff_and_strangers_see_nothing(anna, callbacks):
    from tests.factories.org import UserFactory

    anna.is_active = False
    anna.save()

    assert not visibility.visible_callbacks(anna.user).exists()
    assert not visibility.visible_callbacks(UserFactory(username="stranger@acme.test")).exists()


def test_visible_staff_per_role(anna, ben, nora, max_manager, ada):
    assert set(visibility.visible_staff(anna.user)) == {anna}
    assert set(visibility.visible_staff(max_manager.user)) == {anna, ben, max_manager, ada}
    assert nora in set(visibility.visible_staff(ada.user))
