"""Every change to an appointment: book, cancel, reschedule, update, slot holds, and changes from Cal.com.

Admin, phone agent, API and the Cal.com webhook all call these functions. Calls to Cal.com happen outside
database transactions (a slow Cal.com must not hold locks); the local write that follows is one
transaction with its domain event. When Cal.com cannot be reached, nothing the customer asked for is lost:
the request becomes a callback request with everything needed to finish it by hand.
"""

from appointments.services.base import (
    CALCOM_REFUSED,
    CUSTOMER_BUSY,
    NO_CONTACT,
    NOT_CHANGEABLE,
    OUTSIDE_OPENING_HOURS,
    OVERRIDE_NOT_ALLOWED,
    REQUEST_IN_PROGRESS,
    SAME_TIME,
    SERVICE_INACTIVE,
    SERVICE_NOT_AT_BRANCH,
    SLOT_NOT_FREE,
    STAFF_CANNOT_DO_IT,
    START_IN_PAST,
    AppointmentDeferred,
    BookingRequest,
    PolicyRefused,
    SlotNotFree,
)
from appointments.services.booking import appointment_book
from appointments.services.changes import (
    appointment_cancel,
    appointment_push_cancel_to_calcom,
    appointment_reschedule,
    appointment_update,
    appointments_push_pending_cancels,
)
from appointments.services.event_types import event_type_map, event_types_import
from appointments.services.holds import slot_hold, slot_hold_release, slot_holds_expire
from appointments.services.inbound import (
    CalcomBookingFacts,
    appointment_by_reference,
    appointment_record_calcom_booking,
    appointment_record_calcom_cancellation,
    appointment_record_calcom_reschedule,
)

__all__ = [
    "CALCOM_REFUSED",
    "CUSTOMER_BUSY",
    "NO_CONTACT",
    "NOT_CHANGEABLE",
    "OUTSIDE_OPENING_HOURS",
    "OVERRIDE_NOT_ALLOWED",
    "REQUEST_IN_PROGRESS",
    "SAME_TIME",
    "SERVICE_INACTIVE",
    "SERVICE_NOT_AT_BRANCH",
    "SLOT_NOT_FREE",
    "STAFF_CANNOT_DO_IT",
    "START_IN_PAST",
    "AppointmentDeferred",
    "BookingRequest",
    "CalcomBookingFacts",
    "PolicyRefused",
    "SlotNotFree",
    "appointment_book",
    "appointment_by_reference",
    "appointment_cancel",
    "appointment_push_cancel_to_calcom",
    "appointment_record_calcom_booking",
    "appointment_record_calcom_cancellation",
    "appointment_record_calcom_reschedule",
    "appointment_reschedule",
    "appointment_update",
    "appointments_push_pending_cancels",
    "event_type_map",
    "event_types_import",
    "slot_hold",
    "slot_hold_release",
    "slot_holds_expire",
]
