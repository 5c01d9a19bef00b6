"""The policy engine, and every change to policies and to the record of appointment changes.

The phone agent, the admin and the Cal.com webhooks all ask the same two questions (``can_cancel``,
``can_reschedule``) and, once a change has happened, write it down with ``record_modification``; quotas are
counted from those rows. The verdict itself comes from the pure rules in policies/rules.py.

Usage from the appointments app::

    check = can_cancel(appointment, at=now, by=actor)          # before changing anything
    if not check.allowed: ... refuse, or let a manager override ...
    ... cancel ...
    record_modification(appointment=appointment, check=check, by=actor, reason=...)

A booking stores ``policy_snapshot_for(branch=..., service=..., staff=...)`` on the appointment; later checks
are judged by that snapshot unless the company setting POLICY_ALWAYS_CURRENT is true.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.conf import company_setting
from common.events import emit
from org import roles
from org.models import Customer, Staff
from policies.models import (
    ActorType,
    AppointmentModification,
    JudgedBy,
    ModificationType,
    PolicyConfiguration,
    TargetType,
)
from policies.rules import (
    CENT,
    REASON_NEW_START_IN_PAST,
    REASON_NOT_CHANGEABLE,
    Decision,
    DecisionCode,
    Level,
    Money,
    PolicySettingsError,
    PolicyType,
    Reason,
    decide,
    notice_hours,
)
from policies.selectors import (
    ResolvedPolicy,
    Targets,
    policy_cache_invalidate_on_commit,
    policy_resolve,
    quota_used,
)

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1
OVERRIDABLE = (DecisionCode.DEADLINE_MISSED, DecisionCode.QUOTA_EXCEEDED)

MANAGER_REQUIRED = _("Only a manager can override the policy or waive a fee.")
WAIVE_REASON_REQUIRED = _("Say why the fee is being waived.")
NOTHING_TO_OVERRIDE = _("The policy allows this change; there is nothing to override.")
CANNOT_OVERRIDE = _("This refusal cannot be overridden: %(reason)s")
NO_FEE_TO_WAIVE = _("There is no fee to waive.")
ALREADY_WAIVED = _("The fee has already been waived.")
CHECK_FOR_ANOTHER_APPOINTMENT = _("This policy check was made for another appointment.")
STAFF_ACTOR_NEEDS_STAFF = _("A change made by staff must name the staff member.")
ONE_TARGET_ONLY = _("A policy applies to the company, or to one branch, service or staff member.")
ALREADY_DELETED = _("This policy has already been deleted.")
NOT_DELETED = _("This policy is not deleted.")


# --------------------------------------------------------------------------- who acts


@dataclass(frozen=True)
class Actor:
    """Who asks or acts: a staff member, the customer, the phone agent or the system (Cal.com, tasks)."""

    type: ActorType
    staff: Staff | None = None

    @classmethod
    def of(cls, by: Actor | Staff | str | None) -> Actor:
        """Accept what callers naturally have: an Actor, a Staff, an actor type name, or None (system)."""
        if isinstance(by, Actor):
            return by
        if isinstance(by, Staff):
            return cls(ActorType.STAFF, by)
        if by is None:
            return cls(ActorType.SYSTEM)
        actor_type = ActorType(by)
        if actor_type is ActorType.STAFF:
            raise ValidationError(STAFF_ACTOR_NEEDS_STAFF)
        return cls(actor_type)

    @property
    def is_manager(self) -> bool:
        return roles.is_manager(self.staff)


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True)
class PolicyCheck:
    """The engine's answer about one change to one appointment, at one moment."""

    appointment_id: int
    modification_type: ModificationType
    allowed: bool
    code: DecisionCode
    why: Reason
    fee: Money
    fee_if_forced: Money
    policy: ResolvedPolicy
    judged_by: JudgedBy
    quota_limit: int | None
    quota_used: int
    notice: timedelta
    at: datetime
    new_starts_at: datetime | None = None
    can_override: bool = False

    @property
    def reason(self) -> str:
        """Why, in plain words, in the language active now (``why.text_in("de")`` for another one)."""
        return str(self.why)

    @property
    def remaining_quota(self) -> int | None:
        """Changes of this kind still allowed, counting this one (None = unlimited)."""
        return None if self.quota_limit is None else max(0, self.quota_limit - self.quota_used)

    @property
    def level(self) -> Level:
        return self.policy.level

    @property
    def policy_id(self) -> int | None:
        return self.policy.policy_id

    @property
    def overridable(self) -> bool:
        return not self.allowed and self.code in OVERRIDABLE

    def to_json(self) -> dict[str, Any]:
        """For the phone agent and the API."""
        return {
            "allowed": self.allowed,
            "code": str(self.code),
            "reason": str(self.reason),
            "fee": self.fee.to_json(),
            "fee_if_forced": self.fee_if_forced.to_json(),
            "policy": {"level": str(self.level), "id": self.policy_id, "judged_by": str(self.judged_by)},
            "remaining_quota": self.remaining_quota,
            "hours_notice": str(notice_hours(self.notice).quantize(CENT)),
        }


def can_cancel(
    appointment: Any, at: datetime | None = None, by: Actor | Staff | str | None = None
) -> PolicyCheck:
    """May this appointment be cancelled now, and at what cost?"""
    return _check(appointment, ModificationType.CANCEL, at=at or timezone.now(), by=Actor.of(by))


def can_reschedule(
    appointment: Any,
    new_start: datetime,
    at: datetime | None = None,
    by: Actor | Staff | str | None = None,
) -> PolicyCheck:
    """May this appointment be moved to ``new_start`` now, and at what cost?

    The notice that counts is the one before the *current* start; the new time only has to be in the future.
    """
    return _check(
        appointment,
        ModificationType.RESCHEDULE,
        at=at or timezone.now(),
        by=Actor.of(by),
        new_start=new_start,
    )


def _check(
    appointment: Any,
    modification_type: ModificationType,
    *,
    at: datetime,
    by: Actor,
    new_start: datetime | None = None,
) -> PolicyCheck:
    policy_type = modification_type.policy_type
    policy, judged_by = policy_in_force(appointment, policy_type)
    notice = real_time_between(at, appointment.starts_at)
    decision = decide(
        policy.rules,
        notice=notice,
        price=_price_of(appointment),
        currency=appointment.currency,
        quota_used=quota_used(appointment=appointment, policy_type=policy_type, at=at),
    )
    decision = _refusal_by_state(appointment, decision, new_start, at) or decision
    return PolicyCheck(
        appointment_id=appointment.pk,
        modification_type=modification_type,
        allowed=decision.allowed,
        code=decision.code,
        why=decision.why,
        fee=decision.fee,
        fee_if_forced=decision.fee_if_forced,
        policy=policy,
        judged_by=judged_by,
        quota_limit=decision.quota_limit,
        quota_used=decision.quota_used,
        notice=notice,
        at=at,
        new_starts_at=new_start,
        can_override=by.is_manager and not decision.allowed and decision.code in OVERRIDABLE,
    )


def real_time_between(start: datetime, end: datetime) -> timedelta:
    """Elapsed time, also across a DST change.

    Python subtracts two datetimes that share a tzinfo on the wall clock: Berlin 11:00 Saturday → 11:00
    Sunday would be 24 h on the night the clocks go forward, not the real 23 h.
    """
    return end.astimezone(UTC) - start.astimezone(UTC)


def _refusal_by_state(appointment: Any, decision: Decision, new_start: datetime | None, at: datetime):
    """Facts about the appointment itself that no policy can allow: its status, and a new time in the past."""
    if not appointment.is_active:
        status = type(appointment).Status(appointment.status).label  # lazy: read in any language
        return _refused(
            decision, DecisionCode.NOT_CHANGEABLE, Reason(REASON_NOT_CHANGEABLE, {"status": status})
        )
    if decision.code is DecisionCode.IN_PAST:
        return decision
    if new_start is not None and new_start <= at:
        return _refused(decision, DecisionCode.NEW_START_IN_PAST, Reason(REASON_NEW_START_IN_PAST))
    return None


def _refused(decision: Decision, code: DecisionCode, why: Reason) -> Decision:
    zero = Money.zero(decision.fee_if_forced.currency)
    return dataclasses.replace(decision, allowed=False, code=code, why=why, fee=zero)


def _price_of(appointment: Any) -> Money | None:
    if appointment.price is None:
        return None
    return Money(appointment.price, appointment.currency)


def policy_in_force(appointment: Any, policy_type: PolicyType) -> tuple[ResolvedPolicy, JudgedBy]:
    """The policy stored with the appointment at booking, unless the company always uses the current one."""
    snapshot = (appointment.policy_snapshot or {}).get(str(policy_type))
    if snapshot and not company_setting("POLICY_ALWAYS_CURRENT"):
        try:
            return ResolvedPolicy.from_snapshot(policy_type, snapshot), JudgedBy.SNAPSHOT
        except (KeyError, TypeError, ValueError, PolicySettingsError) as error:
            logger.error("appointment %s has an unreadable policy snapshot: %s", appointment.pk, error)
    current = policy_resolve(policy_type=policy_type, targets=Targets.of(appointment))
    return current, JudgedBy.CURRENT


def policy_snapshot_for(
    *, branch: Any, service: Any, staff: Any | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """The policies in force for a booking, to store in ``Appointment.policy_snapshot``."""
    targets = Targets(branch.pk, service.pk, staff.pk if staff is not None else None)
    snapshot: dict[str, Any] = {"version": SNAPSHOT_VERSION, "taken_at": (at or timezone.now()).isoformat()}
    for policy_type in PolicyType:
        snapshot[str(policy_type)] = policy_resolve(policy_type=policy_type, targets=targets).snapshot()
    return snapshot


# --------------------------------------------------------------------------- recording what happened


@transaction.atomic
def record_modification(
    *,
    appointment: Any,
    check: PolicyCheck,
    by: Actor | Staff | str | None,
    reason: str = "",
    override_reason: str = "",
    waive_fee: bool = False,
    waive_reason: str = "",
    metadata: dict[str, Any] | None = None,
) -> AppointmentModification:
    """Write down a cancellation or reschedule that is happening now, judged by ``check``.

    ``check`` is the engine's answer obtained *before* the appointment was changed. A refused change that
    happens anyway (a customer cancelling on Cal.com) is recorded outside policy with the fee the policy
    would charge. A manager may instead override the refusal (``override_reason``) and/or waive the fee
    (``waive_fee`` with ``waive_reason``).
    """
    actor = Actor.of(by)
    if check.appointment_id != appointment.pk:
        raise ValidationError(CHECK_FOR_ANOTHER_APPOINTMENT)
    check = _with_quota_recounted(appointment, check)
    overriding = bool(override_reason.strip())
    if overriding:
        _ensure_can_override(check, actor)
    fee = check.fee if check.allowed else check.fee_if_forced
    if waive_fee:
        _ensure_can_waive(fee, actor, waive_reason)
    modification = AppointmentModification(
        appointment=appointment,
        customer_id=appointment.customer_id,
        modification_type=check.modification_type,
        within_policy=check.allowed,
        fee_amount=fee.amount,
        fee_currency=fee.currency,
        overridden=overriding,
        override_reason=override_reason.strip(),
        reason=reason,
        decision_code=str(check.code),
        decision_reason=str(check.reason),
        policy_id=check.policy_id,
        policy_level=check.level,
        judged_by=check.judged_by,
        hours_notice=notice_hours(check.notice).quantize(CENT),
        previous_starts_at=appointment.starts_at,
        new_starts_at=check.new_starts_at,
        actor_type=actor.type,
        actor_staff=actor.staff,
        metadata={"policy": check.policy.snapshot(), **(metadata or {})},
        created_at=check.at,
    )
    if waive_fee:
        _mark_waived(modification, actor, waive_reason)
    modification.full_clean()
    modification.save()
    emit("policy.modification_recorded", modification=modification, by=actor)
    if overriding:
        emit("policy.overridden", modification=modification, by=actor)
    return modification


@transaction.atomic
def modification_waive_fee(
    *, modification: AppointmentModification, by: Actor | Staff, reason: str
) -> AppointmentModification:
    """A manager waives the fee of a change already recorded; who and why are kept."""
    actor = Actor.of(by)
    modification = AppointmentModification.objects.select_for_update().get(pk=modification.pk)
    if modification.waived:
        raise ValidationError(ALREADY_WAIVED)
    _ensure_can_waive(Money(modification.fee_amount, modification.fee_currency), actor, reason)
    _mark_waived(modification, actor, reason)
    modification.full_clean()
    modification.save(update_fields=["waived", "waived_by", "waive_reason", "metadata"])
    emit("policy.fee_waived", modification=modification, by=actor)
    return modification


def _with_quota_recounted(appointment: Any, check: PolicyCheck) -> PolicyCheck:
    """Count the quota again under a lock: two changes checked at once must not both take the last slot.

    Cancellations are counted per customer, so the customer row is locked; reschedules per appointment. A
    change whose slot was taken meanwhile is recorded as outside the policy (it has happened by now).
    """
    if check.quota_limit is None:
        return check
    if check.modification_type == ModificationType.CANCEL:
        Customer.objects.select_for_update().filter(pk=appointment.customer_id).first()
    else:
        type(appointment).objects.select_for_update().filter(pk=appointment.pk).first()
    used = quota_used(appointment=appointment, policy_type=check.policy.policy_type, at=check.at)
    if used == check.quota_used:
        return check
    decision = decide(
        check.policy.rules,
        notice=check.notice,
        price=_price_of(appointment),
        currency=appointment.currency,
        quota_used=used,
    )
    if check.allowed and decision.code is DecisionCode.QUOTA_EXCEEDED:
        zero = Money.zero(check.fee.currency)
        return dataclasses.replace(
            check, allowed=False, code=decision.code, why=decision.why, fee=zero, quota_used=used
        )
    return dataclasses.replace(check, quota_used=used)


def _ensure_can_override(check: PolicyCheck, actor: Actor) -> None:
    if not actor.is_manager:
        raise ValidationError(MANAGER_REQUIRED)
    if check.allowed:
        raise ValidationError(NOTHING_TO_OVERRIDE)
    if check.code not in OVERRIDABLE:
        raise ValidationError(CANNOT_OVERRIDE % {"reason": check.reason})


def _ensure_can_waive(fee: Money, actor: Actor, reason: str) -> None:
    if not actor.is_manager:
        raise ValidationError(MANAGER_REQUIRED)
    if not reason.strip():
        raise ValidationError({"waive_reason": [WAIVE_REASON_REQUIRED]})
    if fee.is_zero:
        raise ValidationError(NO_FEE_TO_WAIVE)


def _mark_waived(modification: AppointmentModification, actor: Actor, reason: str) -> None:
    modification.waived = True
    modification.waived_by = actor.staff
    modification.waive_reason = reason.strip()
    modification.metadata = {**modification.metadata, "waived_at": timezone.now().isoformat()}


# --------------------------------------------------------------------------- editing policies


def _target_type_for(branch: Any, service: Any, staff: Any) -> TargetType:
    candidates = ((TargetType.BRANCH, branch), (TargetType.SERVICE, service), (TargetType.STAFF, staff))
    named = [target_type for target_type, target in candidates if target is not None]
    if len(named) > 1:
        raise ValidationError(ONE_TARGET_ONLY)
    return named[0] if named else TargetType.COMPANY


@transaction.atomic
def policy_set(
    *,
    policy_type: PolicyType | str,
    settings: dict[str, Any],
    branch: Any = None,
    service: Any = None,
    staff: Any = None,
    overrides: PolicyConfiguration | None = None,
) -> PolicyConfiguration:
    """Give a target (the company when none is named) this policy: update its live one or create it."""
    target_type = _target_type_for(branch, service, staff)
    lookup = {"target_type": target_type, "policy_type": PolicyType(policy_type)}
    if target_type is not TargetType.COMPANY:
        lookup[str(target_type)] = {"branch": branch, "service": service, "staff": staff}[str(target_type)]
    policy = PolicyConfiguration.objects.live().select_for_update().filter(**lookup).first()
    policy = policy or PolicyConfiguration(**lookup)
    policy.settings = settings
    policy.overrides = overrides
    return policy_save(policy=policy)


@transaction.atomic
def policy_save(*, policy: PolicyConfiguration) -> PolicyConfiguration:
    """Validate and store a policy (new or edited); every cached resolution of the company is dropped."""
    created = policy.pk is None
    policy.full_clean()
    policy.save()
    policy_cache_invalidate_on_commit()
    emit("policy.saved", policy=policy, created=created)
    return policy


@transaction.atomic
def policy_delete(*, policy: PolicyConfiguration) -> PolicyConfiguration:
    """Soft-delete: the row stays for the record; resolution falls back to the next level."""
    if not policy.is_live:
        raise ValidationError(ALREADY_DELETED)
    policy.deleted_at = timezone.now()
    policy.save(update_fields=["deleted_at", "updated_at"])
    policy_cache_invalidate_on_commit()
    emit("policy.deleted", policy=policy)
    return policy


@transaction.atomic
def policy_restore(*, policy: PolicyConfiguration) -> PolicyConfiguration:
    """Bring a deleted policy back, unless its target has a live one of that type by now."""
    if policy.is_live:
        raise ValidationError(NOT_DELETED)
    policy.deleted_at = None
    return policy_save(policy=policy)
