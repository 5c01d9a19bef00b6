"""Creating callback requests: validation, automatic priority, the deadline, and merging repeat requests."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from appointments.models import Appointment
from callbacks import conf
from callbacks.models import CallbackRequest
from callbacks.priority import automatic_priority, higher_priority
from callbacks.services.base import (
    PHONE_REQUIRED,
    SERVICE_NOT_AT_BRANCH,
    UNKNOWN_BRANCH,
    UNKNOWN_CUSTOMER,
    UNKNOWN_PRIORITY,
    UNKNOWN_SERVICE,
    UNKNOWN_SOURCE,
    UNKNOWN_STAFF,
    WINDOW_ENDS_BEFORE_START,
    CreatedCallback,
    Kind,
    User,
    _append_note,
    _deadline,
    _locked,
    _record,
    _save,
)
from common.events import emit
from common.messages import message, word
from common.phone import normalise_phone
from org.models import Branch, Customer, Service, Staff
from org.selectors import customer_for_phone

# --- creation ------------------------------------------------------------------------------------------


@dataclass
class _Request:
    branch: Branch
    phone: str
    customer: Customer | None
    service: Service | None
    preferred_staff: Staff | None
    window_start: datetime | None
    window_end: datetime | None


def _lookup(model, pk: Any, message: str, errors: dict, field: str, **filters: Any):
    if pk in (None, ""):
        return None
    try:
        return model.objects.get(pk=pk, **filters)
    except (model.DoesNotExist, ValueError, TypeError):
        errors[field] = ValidationError(message, code="unknown", params={"value": pk})
        return None


def _aware(value: datetime | None, tz) -> datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, tz)


def _validated_request(
    *,
    branch_id: Any,
    phone: str,
    email: str,
    customer_id: Any,
    service_id: Any,
    preferred_staff_id: Any,
    priority: str | None,
    source: str,
    preferred_window_start: datetime | None,
    preferred_window_end: datetime | None,
) -> _Request:
    """Check every input before anything is written; all problems are reported at once, by field."""
    errors: dict[str, ValidationError] = {}
    branch = _lookup(Branch, branch_id, UNKNOWN_BRANCH, errors, "branch", is_active=True)
    if branch is None and "branch" not in errors:
        errors["branch"] = ValidationError(UNKNOWN_BRANCH, code="unknown", params={"value": branch_id})
    service = _lookup(Service, service_id, UNKNOWN_SERVICE, errors, "service", is_active=True)
    customer = _lookup(Customer, customer_id, UNKNOWN_CUSTOMER, errors, "customer")
    preferred = _lookup(Staff, preferred_staff_id, UNKNOWN_STAFF, errors, "preferred_staff", is_active=True)
    if (
        service
        and branch
        and service.branches.exists()
        and not service.branches.filter(pk=branch.pk).exists()
    ):
        params = {"service": service.name, "branch": branch.name}
        errors["service"] = ValidationError(SERVICE_NOT_AT_BRANCH, code="not_offered", params=params)
    if priority and priority not in CallbackRequest.Priority.values:
        errors["priority"] = ValidationError(UNKNOWN_PRIORITY, code="invalid", params={"value": priority})
    if source not in CallbackRequest.Source.values:
        errors["source"] = ValidationError(UNKNOWN_SOURCE, code="invalid", params={"value": source})
    email = email or (customer.email if customer else "")
    normalised = _validated_phone(
        phone or (str(customer.phone) if customer and customer.phone else ""),
        errors,
        email_only_ok=bool(email),
    )
    tz = (customer.timezone if customer else None) or (branch.timezone if branch else "Europe/Berlin")
    start = _aware(preferred_window_start, _zone(tz))
    end = _aware(preferred_window_end, _zone(tz))
    if start and end and end <= start:
        errors["preferred_window_end"] = ValidationError(WINDOW_ENDS_BEFORE_START, code="window_order")
    if errors:
        raise ValidationError(errors)
    return _Request(branch, normalised, customer, service, preferred, start, end)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _validated_phone(raw: str, errors: dict, *, email_only_ok: bool) -> str:
    """E.164, or "" for a customer we can only reach by email (a booking that failed for them, say)."""
    if not str(raw or "").strip():
        if not email_only_ok:
            errors["phone"] = ValidationError(PHONE_REQUIRED, code="required")
        return ""
    try:
        return normalise_phone(raw)
    except ValidationError as exc:
        errors["phone"] = exc
        return ""


def _priority_for(customer: Customer | None, notes: str, *, now: datetime) -> str:
    cancellations = 0
    if customer is not None:
        since = now - conf.priority_cancellation_period()
        cancellations = Appointment.objects.filter(
            customer=customer, status=Appointment.Status.CANCELLED, starts_at__gte=since
        ).count()
    return automatic_priority(
        is_vip=bool(customer and customer.is_vip),
        recent_cancellations=cancellations,
        notes=notes,
        cancellation_threshold=conf.priority_cancellations(),
    )


def _lock_phone(phone: str) -> None:
    """Serialise creations for one phone number in this company, so two simultaneous requests from the
    same caller cannot both miss each other in the duplicate check (released at commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"callback:{connection.schema_name}:{phone}"]
        )


def _open_duplicate(phone: str, *, now: datetime) -> CallbackRequest | None:
    return (
        CallbackRequest.objects.open()
        .filter(phone=phone, created_at__gte=now - conf.duplicate_window())
        .order_by("created_at", "pk")
        .select_for_update()
        .first()
    )


def callback_create(
    *,
    branch_id: Any,
    phone: str = "",
    customer_name: str = "",
    customer_email: str = "",
    customer_id: Any = None,
    service_id: Any = None,
    preferred_staff_id: Any = None,
    priority: str | None = None,
    preferred_window_start: datetime | None = None,
    preferred_window_end: datetime | None = None,
    notes: str = "",
    metadata: dict | None = None,
    source: str = CallbackRequest.Source.MANUAL,
    call_id: Any = None,
    phone_given_by_caller: bool = False,
    by: User | None = None,
) -> CreatedCallback:
    """Create a callback request, or merge it into the caller's open one from the last two hours.

    A number the caller dictated (`phone_given_by_caller`) is not theirs for sure: it always starts a new
    callback of its own, linked to nobody's customer record and never merged into anyone's open request.

    Without a priority the automatic rules decide (VIP, recent cancellations, urgent words). The deadline
    follows from the priority, the branch's opening hours and the preferred window. Markup is stripped
    from the caller's name and the notes (they come from speech-to-text and web forms).
    """
    customer_name, notes = strip_tags(customer_name or "").strip(), strip_tags(notes or "").strip()
    request = _validated_request(
        branch_id=branch_id,
        phone=phone,
        email=customer_email,
        customer_id=customer_id,
        service_id=service_id,
        preferred_staff_id=preferred_staff_id,
        priority=priority,
        source=source,
        preferred_window_start=preferred_window_start,
        preferred_window_end=preferred_window_end,
    )
    now = timezone.now()
    with transaction.atomic():
        if request.phone:  # the duplicate rule goes by phone number
            _lock_phone(request.phone)
        customer = request.customer or _known_customer(request.phone, customer_name, phone_given_by_caller)
        chosen_priority = priority or _priority_for(customer, notes, now=now)
        mergeable = request.phone and not phone_given_by_caller
        duplicate = _open_duplicate(request.phone, now=now) if mergeable else None
        if duplicate is not None:
            merged = _merge_duplicate(
                duplicate, request, chosen_priority, notes, source=source, by=by, now=now
            )
            return CreatedCallback(merged, False)
        callback = CallbackRequest(
            customer=customer,
            phone=request.phone,
            customer_name=customer_name or (customer.name if customer else ""),
            customer_email=customer_email or (customer.email if customer else ""),
            branch=request.branch,
            service=request.service,
            preferred_staff=request.preferred_staff,
            priority=chosen_priority,
            preferred_window_start=request.window_start,
            preferred_window_end=request.window_end,
            notes=notes,
            metadata=metadata or {},
            source=source,
            phone_given_by_caller=phone_given_by_caller,
            call_id=call_id,
        )
        callback.expires_at = _deadline(callback, start=now)
        callback.full_clean()
        callback.save()
        _record(
            callback,
            Kind.CREATED,
            message(
                "created_chosen" if priority else "created_automatic",
                source=word(callback.get_source_display()),
                priority=word(callback.get_priority_display()),
                deadline=f"{callback.expires_at:%Y-%m-%d %H:%M %Z}",
            ),
            by=by,
            priority=callback.priority,
            priority_chosen=bool(priority),
            expires_at=callback.expires_at.isoformat(),
        )
        emit("callback.created", callback=callback, by=by)
    return CreatedCallback(callback, True)


def _known_customer(phone: str, name: str, phone_given_by_caller: bool) -> Customer | None:
    return None if phone_given_by_caller else customer_for_phone(phone, name=name)


def _merge_duplicate(
    existing: CallbackRequest,
    request: _Request,
    priority: str,
    notes: str,
    *,
    source: str,
    by: User | None,
    now: datetime,
) -> CallbackRequest:
    """A repeat request adds its notes to the open one; its priority can only raise the existing one."""
    existing = _locked(existing)
    fields = ["notes"]
    source_label = word(CallbackRequest.Source(source).label)
    heading = message("repeat_request", when=f"{now:%Y-%m-%d %H:%M}", source=source_label)
    _append_note(existing, heading, notes)
    for attribute in ("service", "customer", "preferred_staff"):
        if getattr(existing, attribute) is None and getattr(request, attribute) is not None:
            setattr(existing, attribute, getattr(request, attribute))
            fields.append(attribute)
    raised_to = higher_priority(existing.priority, priority)
    if raised_to != existing.priority:
        existing.priority = raised_to
        earlier = _deadline(existing, start=now)
        if existing.expires_at is None or earlier < existing.expires_at:
            existing.expires_at, existing.sla_warned_at = earlier, None
        fields += ["priority", "expires_at", "sla_warned_at"]
    _save(existing, *fields)
    _record(
        existing,
        Kind.DUPLICATE_MERGED,
        message("merged", source=source_label),
        by=by,
        priority=existing.priority,
    )
    return existing
