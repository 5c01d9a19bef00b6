"""Which policy applies, and how much of a quota is used.

Resolution tries staff → service → branch → company → built-in default, the first level with a live policy
wins. The company's whole table of live policies (a few dozen rows at most) is read in one query and cached
under the company's schema (Django's cache keys are tenant-prefixed), so resolving one appointment or a
thousand costs at most that one query. Any change to any policy invalidates the table (services.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from policies.models import (
    AppointmentModification,
    ModificationType,
    PolicyConfiguration,
    company_currency,
    effective_settings,
)
from policies.rules import (
    QUOTA_WINDOW,
    RESOLUTION_ORDER,
    Level,
    PolicyRules,
    PolicySettingsError,
    PolicyType,
    default_rules,
    most_specific,
    parse_policy_settings,
    rules_from_snapshot,
)

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300
VERSION_KEY = "policies:version"
TABLE_KEY = "policies:table:{version}"

TableKey = tuple[str, str, int | None]


@dataclass(frozen=True)
class ResolvedPolicy:
    """The rules in force for one appointment and one policy type, and where they came from."""

    policy_type: PolicyType
    level: Level
    policy_id: int | None
    rules: PolicyRules

    def snapshot(self) -> dict[str, Any]:
        return {"level": str(self.level), "policy_id": self.policy_id, "settings": self.rules.to_json()}

    @classmethod
    def from_snapshot(cls, policy_type: PolicyType, data: dict[str, Any]) -> ResolvedPolicy:
        rules = rules_from_snapshot({"policy_type": policy_type, **data["settings"]})
        return cls(PolicyType(policy_type), Level(data["level"]), data.get("policy_id"), rules)

    @property
    def is_default(self) -> bool:
        return self.level is Level.DEFAULT


@dataclass(frozen=True)
class Targets:
    """The four places a policy for an appointment can come from."""

    branch_id: int | None
    service_id: int | None
    staff_id: int | None

    @classmethod
    def of(cls, appointment: Any) -> Targets:
        return cls(appointment.branch_id, appointment.service_id, appointment.staff_id)

    def key(self, policy_type: str, level: Level) -> TableKey | None:
        target_id = {
            Level.STAFF: self.staff_id,
            Level.SERVICE: self.service_id,
            Level.BRANCH: self.branch_id,
            Level.COMPANY: None,
        }[level]
        if level is not Level.COMPANY and target_id is None:
            return None
        return (str(policy_type), str(level), target_id)


# --------------------------------------------------------------------------- the cached table


def policy_cache_invalidate() -> None:
    """Point readers at a fresh table; a reader still building the old one writes it where nobody looks."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def policy_cache_invalidate_on_commit() -> None:
    """Called by every policy change.

    Until the transaction commits, this connection reads policies straight from the database (it must see its
    own change, and nobody else may find it in the cache, least of all if it is rolled back); once it
    commits, the cached table is dropped for everyone.
    """

    def invalidate_after_commit() -> None:
        invalidate_after_commit.policy_change_pending = False
        policy_cache_invalidate()

    invalidate_after_commit.policy_change_pending = True
    transaction.on_commit(invalidate_after_commit)


def _uncommitted_policy_change() -> bool:
    # Django keeps the open transaction's on_commit callbacks in run_on_commit and drops them on rollback,
    # so a callback of ours still pending there means this connection has a policy change not yet committed.
    pending = transaction.get_connection().run_on_commit
    return any(getattr(func, "policy_change_pending", False) for _, func, _ in pending)


def _table_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def policy_table() -> dict[TableKey, tuple[int, PolicyRules]]:
    """Every live policy of the company with its effective rules, keyed by (type, level, target id)."""
    if _uncommitted_policy_change():
        return _build_table()
    key = TABLE_KEY.format(version=_table_version())
    table = cache.get(key)
    if table is None:
        table = _build_table()
        cache.set(key, table, CACHE_SECONDS)
    return table


def _build_table() -> dict[TableKey, tuple[int, PolicyRules]]:
    live = {p.pk: p for p in PolicyConfiguration.objects.live()}
    currency = company_currency()
    table: dict[TableKey, tuple[int, PolicyRules]] = {}
    for policy in live.values():
        try:
            rules = parse_policy_settings(
                policy.policy_type,
                effective_settings(policy, lambda p: live.get(p.overrides_id)),
                currency=currency,
            )
        except PolicySettingsError as error:
            # Only reachable if a row bypassed services.py; skip it rather than break every booking.
            logger.error("policy %s has invalid settings, ignored: %s", policy.pk, error)
            continue
        target_id = getattr(policy, f"{policy.target_type}_id", None)
        table[(policy.policy_type, policy.target_type, target_id)] = (policy.pk, rules)
    return table


# --------------------------------------------------------------------------- resolution


def policy_resolve(*, policy_type: PolicyType | str, targets: Targets) -> ResolvedPolicy:
    table = policy_table()
    return _resolve(table, PolicyType(policy_type), targets)


def _resolve(table: dict, policy_type: PolicyType, targets: Targets) -> ResolvedPolicy:
    found = {level: table.get(targets.key(policy_type, level)) for level in RESOLUTION_ORDER}
    level, entry = most_specific(found)
    if entry is None:
        return ResolvedPolicy(policy_type, Level.DEFAULT, None, default_rules(policy_type))
    policy_id, rules = entry
    return ResolvedPolicy(policy_type, level, policy_id, rules)


def policy_chain(*, policy_type: PolicyType | str, targets: Targets) -> list[ResolvedPolicy | None]:
    """Every level for these targets, most specific first (None where a level has no policy).

    The admin shows this as "this service inherits the branch policy: ...".
    """
    table = policy_table()
    chain: list[ResolvedPolicy | None] = []
    for level in RESOLUTION_ORDER:
        entry = table.get(targets.key(policy_type, level))
        chain.append(ResolvedPolicy(PolicyType(policy_type), level, *entry) if entry else None)
    return chain


def policy_for_appointment(appointment: Any, policy_type: PolicyType | str) -> ResolvedPolicy:
    return policy_resolve(policy_type=policy_type, targets=Targets.of(appointment))


def policies_for_appointments(
    appointments: Iterable[Any], policy_type: PolicyType | str
) -> dict[int, ResolvedPolicy]:
    """Batch form: the policy of each appointment, by id, for at most one query however many there are."""
    table = policy_table()
    return {a.pk: _resolve(table, PolicyType(policy_type), Targets.of(a)) for a in appointments}


# --------------------------------------------------------------------------- quotas


def cancellations_in_window(*, customer_id: int, at: datetime) -> int:
    """The customer's cancellations in the 30 days up to ``at`` (rolling, not calendar months)."""
    return AppointmentModification.objects.filter(
        customer_id=customer_id,
        modification_type=ModificationType.CANCEL,
        created_at__gt=at - QUOTA_WINDOW,
        created_at__lte=at,
    ).count()


def reschedules_of(*, appointment_id: int) -> int:
    return AppointmentModification.objects.filter(
        appointment_id=appointment_id, modification_type=ModificationType.RESCHEDULE
    ).count()


def quota_used(*, appointment: Any, policy_type: PolicyType, at: datetime) -> int:
    """Changes already made that count against the quota (none for an appointment not yet booked)."""
    if policy_type is PolicyType.CANCELLATION:
        if appointment.customer_id is None:
            return 0
        return cancellations_in_window(customer_id=appointment.customer_id, at=at)
    return reschedules_of(appointment_id=appointment.pk) if appointment.pk else 0


def quotas_used(*, appointments: list[Any], policy_type: PolicyType, at: datetime) -> dict[int, int]:
    """Batch form of quota_used: one query for any number of appointments."""
    if policy_type is PolicyType.CANCELLATION:
        rows = (
            AppointmentModification.objects.filter(
                customer_id__in={a.customer_id for a in appointments},
                modification_type=ModificationType.CANCEL,
                created_at__gt=at - QUOTA_WINDOW,
                created_at__lte=at,
            )
            .values("customer_id")
            .annotate(n=Count("id"))
        )
        per_customer = {row["customer_id"]: row["n"] for row in rows}
        return {a.pk: per_customer.get(a.customer_id, 0) for a in appointments}
    rows = (
        AppointmentModification.objects.filter(
            appointment_id__in=[a.pk for a in appointments], modification_type=ModificationType.RESCHEDULE
        )
        .values("appointment_id")
        .annotate(n=Count("id"))
    )
    per_appointment = {row["appointment_id"]: row["n"] for row in rows}
    return {a.pk: per_appointment.get(a.pk, 0) for a in appointments}


def modifications_for(*, appointment_id: int) -> list[AppointmentModification]:
    return list(
        AppointmentModification.objects.filter(appointment_id=appointment_id).select_related(
            "actor_staff", "waived_by", "policy"
        )
    )


# --------------------------------------------------------------------------- for the admin


@dataclass(frozen=True)
class InheritedLevel:
    """One place a target would fall back to: "branch Mitte: 24 h notice, …" or nothing there."""

    level: Level
    target: Any
    policy_id: int | None
    rules: PolicyRules | None


def policies_above(policy: PolicyConfiguration) -> list[InheritedLevel]:
    """What a policy's target would follow without it, level by level (a service in two branches lists both).

    A few queries whatever the data: the target's branches/services and the cached table.
    """
    table = policy_table()
    policy_type = policy.policy_type
    above: list[tuple[Level, Any]] = []
    if policy.target_type == Level.STAFF:
        above += [(Level.SERVICE, s) for s in policy.staff.services.all()]
        above += [(Level.BRANCH, b) for b in policy.staff.branches.all()]
    elif policy.target_type == Level.SERVICE:
        above += [(Level.BRANCH, b) for b in policy.service.branches.all()]
    if policy.target_type != Level.COMPANY:
        above.append((Level.COMPANY, None))
    rows = []
    for level, target in above:
        entry = table.get((policy_type, str(level), target.pk if target is not None else None))
        rows.append(InheritedLevel(level, target, *(entry or (None, None))))
    return rows


@dataclass(frozen=True)
class OverviewRow:
    """One target in the hierarchy overview: its own policy, or what it inherits from where."""

    level: Level
    target: Any
    policy_id: int | None
    rules: PolicyRules | None
    inherits: list[tuple[Level, Any, PolicyRules | None]]


def policy_overview(policy_type: PolicyType | str) -> list[OverviewRow]:
    """Company, every branch, service and staff member, and the rules each follows (four queries at most).

    A service without a policy follows the policy of the branch it is booked in, so it lists one line per
    branch; a staff member without one follows the service and branch of the appointment.
    """
    from org.models import Branch, Service, Staff

    policy_type = PolicyType(policy_type)
    table = policy_table()

    def own(level: Level, target: Any) -> tuple[int, PolicyRules] | None:
        return table.get((str(policy_type), str(level), target.pk if target is not None else None))

    company = own(Level.COMPANY, None)
    company_rules = company[1] if company else None
    branch_rules = {b: own(Level.BRANCH, b) for b in Branch.objects.all()}

    def branch_or_company(branch: Any) -> tuple[Level, Any, PolicyRules | None]:
        entry = branch_rules.get(branch)
        return (Level.BRANCH, branch, entry[1]) if entry else (Level.COMPANY, None, company_rules)

    rows = [OverviewRow(Level.COMPANY, None, *(company or (None, None)), [(Level.DEFAULT, None, None)])]
    for branch, entry in branch_rules.items():
        rows.append(OverviewRow(Level.BRANCH, branch, *(entry or (None, None)), [branch_or_company(None)]))
    for service in Service.objects.prefetch_related("branches"):
        inherited = [branch_or_company(b) for b in service.branches.all()] or [branch_or_company(None)]
        rows.append(
            OverviewRow(Level.SERVICE, service, *(own(Level.SERVICE, service) or (None, None)), inherited)
        )
    for staff in Staff.objects.all():
        # Without a policy of their own, staff follow the appointment's service, then branch, then company.
        rows.append(OverviewRow(Level.STAFF, staff, *(own(Level.STAFF, staff) or (None, None)), []))
    return rows
