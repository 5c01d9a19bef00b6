"""Opt-outs: a customer stops one channel (or all) by telling the agent, replying STOP, or through staff.

After an opt-out nothing more goes out on that channel, not even a message about their own appointment:
`planning.check_consent` refuses it when a message is planned and again right before it is sent.
"""

from django.db import transaction

from common.phone import try_normalise_phone
from notifications.models import CHANNELS_FOR, ContactOptOut, RecipientKind
from org.models import Customer

Source = ContactOptOut.Source
CUSTOMER_CHANNELS = sorted(CHANNELS_FOR[RecipientKind.CUSTOMER])
# What a patient replies to stop our SMS, or to have them again (compared as `reply_keyword`).
STOP_WORDS = frozenset({"stop", "stopp", "abmelden"})
START_WORDS = frozenset({"start", "unstop"})


def channels_named(name: str) -> list[str]:
    """ "sms", "email", "whatsapp" → that one channel; "all" → every channel a customer can be reached on.

    Raises ValueError for anything else (the caller turns it into a question or a 400)."""
    wanted = name.strip().lower()
    if wanted == "all":
        return CUSTOMER_CHANNELS
    if wanted in CUSTOMER_CHANNELS:
        return [wanted]
    raise ValueError(name)


@transaction.atomic
def opt_out_record(*, customer, channels: list[str], source: str) -> list[ContactOptOut]:
    """Record the customer's opt-out of each channel; one already recorded stays as it was (idempotent)."""
    return [_opt_out(customer, channel, source)[0] for channel in channels]


def _opt_out(customer, channel: str, source: str) -> tuple[ContactOptOut, bool]:
    return ContactOptOut.objects.get_or_create(
        customer=customer, channel=channel, defaults={"source": source}
    )


def reply_keyword(body: str) -> str:
    """The whole SMS as one keyword, without case, blanks or closing punctuation ("Stopp!" → "stopp")."""
    return body.strip().rstrip(".!").strip().lower()


def sms_reply_receive(*, from_number: str, body: str) -> int:
    """An SMS sent to the company's number, from a customer's phone: a stop word opts every live customer
    record with that number out of SMS (the number's owner said stop, whoever of a family it is filed
    under); a start word (Twilio's START, UNSTOP) takes that back, as Twilio itself sends again then.

    Any other text, or a number no customer has, changes nothing. Returns the records changed.
    """
    phone = try_normalise_phone(from_number)
    keyword = reply_keyword(body)
    if phone is None or keyword not in STOP_WORDS | START_WORDS:
        return 0
    customers = Customer.objects.filter(phone=phone, anonymised_at__isnull=True).order_by("pk")
    if keyword in START_WORDS:
        return ContactOptOut.objects.filter(customer__in=customers, channel="sms").delete()[0]
    changed = 0
    for customer in customers:
        _row, created = _opt_out(customer, "sms", Source.SMS_STOP)
        changed += created
    return changed
