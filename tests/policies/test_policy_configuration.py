"""Policies are validated on save: one target of the right kind, one live policy per target and type."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from policies import models as policy_models
from policies import rules, services
from policies.models import PolicyConfiguration, TargetType
from policies.rules import PolicyType
from tests.factories.org import BranchFactory, ServiceFactory, StaffFactory
from tests.factories.policies import STANDARD_TIERS, PolicyFactory

pytestmark = pytest.mark.django_db


def test_a_policy_is_stored_with_its_settings(company):
    branch = BranchFactory()

    policy = services.policy_set(
        policy_type="cancellation",
        branch=branch,
        settings={"hours_before": 24, "fee": {"kind": "tiered", "tiers": STANDARD_TIERS}},
    )

    policy.refresh_from_db()
    assert (policy.target_type, policy.branch, policy.settings["hours_before"]) == (
        TargetType.BRANCH,
        branch,
        24,
    )
    assert str(policy) == f"cancellation · branch {branch}"


def test_setting_a_policy_twice_updates_the_live_one(company):
    service = ServiceFactory()
    first = services.policy_set(policy_type="reschedule", service=service, settings={"hours_before": 2})

    second = services.policy_set(policy_type="reschedule", service=service, settings={"hours_before": 5})

    assert second.pk == first.pk
    assert PolicyConfiguration.objects.live().get().settings == {"hours_before": 5}


def test_a_policy_naming_two_targets_is_refused(company):
    with pytest.raises(ValidationError) as caught:
        services.policy_set(
            policy_type="cancellation", branch=BranchFactory(), staff=StaffFactory(), settings={}
        )

    assert caught.value.messages == [str(services.ONE_TARGET_ONLY)]


def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(company):
    with pytest.raises(ValidationError) as caught:
        services.policy_set(policy_type="cancellation", settings={"hours_before": -2, "fee": {"kind": "x"}})

    assert caught.value.message_dict["settings"] == [
        f"hours_before: {rules.NEGATIVE}",
        f"fee.kind: {rules.UNKNOWN_FEE_KIND}",
    ]
    assert not PolicyConfiguration.objects.exists()


def test_a_branch_policy_must_name_its_branch(company):
    policy = PolicyConfiguration(target_type=TargetType.BRANCH, policy_type=PolicyType.CANCELLATION)

    with pytest.raises(ValidationError) as caught:
        services.policy_save(policy=policy)

    assert caught.value.message_dict == {"branch": [policy_models.TARGET_MISSING % {"target": "branch"}]}


def test_a_company_policy_cannot_name_a_staff_member(company):
    policy = PolicyConfiguration(
        target_type=TargetType.COMPANY, policy_type="cancellation", staff=StaffFactory()
    )

    with pytest.raises(ValidationError) as caught:
        services.policy_save(policy=policy)

    assert list(caught.value.message_dict) == ["staff"]


def test_the_database_refuses_a_target_that_does_not_match_its_type(company):
    policy = PolicyConfiguration(
        target_type=TargetType.SERVICE, policy_type="cancellation", branch=BranchFactory()
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_a_second_live_policy_for_the_same_target_and_type_is_refused(anna):
    PolicyFactory(staff=anna, settings={"hours_before": 2})

    with pytest.raises(ValidationError) as caught:
        PolicyFactory(staff=anna, settings={"hours_before": 3})

    assert caught.value.messages == [
        policy_models.DUPLICATE_LIVE_POLICY % {"target": "staff member Anna", "policy_type": "cancellation"}
    ]


def test_the_database_enforces_one_live_company_policy_per_type(company):
    PolicyFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyConfiguration.objects.create(target_type=TargetType.COMPANY, policy_type="cancellation")


def test_the_same_target_may_have_one_policy_of_each_type(company):
    branch = BranchFactory()
    PolicyFactory(branch=branch, policy_type=PolicyType.CANCELLATION)
    PolicyFactory(branch=branch, policy_type=PolicyType.RESCHEDULE)

    assert PolicyConfiguration.objects.live().filter(branch=branch).count() == 2


def test_a_deleted_policy_stays_on_record_and_makes_room_for_a_new_one(company):
    old = PolicyFactory(settings={"hours_before": 2})

    services.policy_delete(policy=old)
    new = PolicyFactory(settings={"hours_before": 3})

    old.refresh_from_db()
    assert old.deleted_at is not None
    assert list(PolicyConfiguration.objects.live()) == [new]


def test_a_deleted_policy_cannot_be_deleted_again(company):
    policy = services.policy_delete(policy=PolicyFactory())

    with pytest.raises(ValidationError) as caught:
        services.policy_delete(policy=policy)

    assert caught.value.messages == [str(services.ALREADY_DELETED)]


def test_a_deleted_policy_can_be_restored_unless_replaced_meanwhile(company):
    old = services.policy_delete(policy=PolicyFactory(settings={"hours_before": 2}))
    services.policy_restore(policy=old)
    assert old.is_live

    services.policy_delete(policy=old)
    PolicyFactory(settings={"hours_before": 3})
    with pytest.raises(ValidationError):
        services.policy_restore(policy=old)


def test_a_policy_can_only_override_one_of_the_same_type(company):
    reschedule = PolicyFactory(policy_type=PolicyType.RESCHEDULE)

    with pytest.raises(ValidationError) as caught:
        PolicyFactory(branch=BranchFactory(), overrides=reschedule)

    assert caught.value.message_dict == {"overrides": [str(policy_models.OVERRIDES_OTHER_TYPE)]}


def test_an_override_chain_cannot_loop(company):
    company_policy = PolicyFactory()
    branch_policy = PolicyFactory(branch=BranchFactory(), overrides=company_policy)

    company_policy.overrides = branch_policy
    with pytest.raises(ValidationError) as caught:
        services.policy_save(policy=company_policy)

    assert caught.value.message_dict == {"overrides": [str(policy_models.OVERRIDES_ITSELF)]}


def test_a_deleted_policy_cannot_be_overridden(company):
    gone = services.policy_delete(policy=PolicyFactory())

    with pytest.raises(ValidationError) as caught:
        PolicyFactory(branch=BranchFactory(), overrides=gone)

    assert caught.value.message_dict == {"overrides": [str(policy_models.OVERRIDES_DELETED)]}


def test_every_policy_change_is_announced(company):
    from common.events import subscribe, unsubscribe

    seen = []
    subscribe("policy.*", seen.append)
    try:
        policy = PolicyFactory()
        services.policy_delete(policy=policy)
    finally:
        unsubscribe("policy.*", seen.append)

    assert [(e.name, e["policy"]) for e in seen] == [("policy.saved", policy), ("policy.deleted", policy)]
