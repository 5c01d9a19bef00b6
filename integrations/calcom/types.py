"""Plain values the Cal.com client returns, parsed from the documented API v2 shapes (calcom.md §1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def parse_instant(value: str) -> datetime:
    """Cal.com sends ISO 8601 with `Z` or an offset (`2025-10-20T09:00:00.000+02:00`); always aware."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def utc_z(moment: datetime) -> str:
    """The UTC form Cal.com wants for booking starts and slot bounds (`2025-10-20T07:30:00Z`)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the Cal.com client")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime | None = None

    def to_json(self) -> list[str | None]:
        return [self.start.isoformat(), self.end.isoformat() if self.end else None]

    @classmethod
    def from_json(cls, value: list[str | None]) -> Slot:
        start, end = value
        return cls(start=parse_instant(start or ""), end=parse_instant(end) if end else None)


@dataclass(frozen=True)
class Attendee:
    name: str
    time_zone: str
    email: str = ""
    phone: str = ""
    language: str = ""

    def to_api(self) -> dict[str, str]:
        body = {"name": self.name, "timeZone": self.time_zone}
        if self.email:
            body["email"] = self.email
        if self.phone:
            body["phoneNumber"] = self.phone
        if self.language:
            body["language"] = self.language
        return body


@dataclass(frozen=True)
class Booking:
    uid: str
    id: int | None
    status: str
    start: datetime
    end: datetime
    event_type_id: int | None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Booking:
        event_type = data.get("eventType") or {}
        return cls(
            uid=str(data["uid"]),
            id=data.get("id"),
            status=str(data.get("status", "")).lower(),
            start=parse_instant(data["start"]),
            end=parse_instant(data["end"]),
            event_type_id=event_type.get("id", data.get("eventTypeId")),
            rescheduled_from_uid=data.get("rescheduledFromUid"),
            rescheduled_to_uid=data.get("rescheduledToUid"),
            metadata=dict(data.get("metadata") or {}),
        )


@dataclass(frozen=True)
class EventType:
    id: int
    slug: str
    title: str
    length_minutes: int
    hidden: bool = False

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> EventType:
        return cls(
            id=int(data["id"]),
            slug=str(data.get("slug", "")),
            title=str(data.get("title", "")),
            length_minutes=int(data.get("lengthInMinutes") or 0),
            hidden=bool(data.get("hidden", False)),
        )


@dataclass(frozen=True)
class Reservation:
    uid: str
    event_type_id: int
    slot_start: datetime
    until: datetime

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Reservation:
        return cls(
            uid=str(data["reservationUid"]),
            event_type_id=int(data["eventTypeId"]),
            slot_start=parse_instant(data["slotStart"]),
            until=parse_instant(data["reservationUntil"]),
        )
