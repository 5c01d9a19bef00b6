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
# What a patient replies to stop our SMS (compared without case and surrounding blanks or punctuation).
STOP_WORDS = frozenset({"stop", "stopp", "abmelden"})


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
    rows = []
    for channel in channels:
        row, _created = ContactOptOut.objects.get_or_create(
            customer=customer, channel=channel, defaults={"source": source}
        )
        rows.append(row)
    return rows


def is_stop_reply(body: str) -> bool:
    """An SMS whose whole text is one of the stop words ("STOP", "Stopp!", " abmelden ")."""
    return body.strip().strip(".!").strip().lower() in STOP_WORDS


def sms_reply_receive(*, from_number: str, body: str) -> list[ContactOptOut]:
    """An SMS sent to the company's number: a stop word opts out of SMS every live customer record with
    the sender's number (the number's owner said stop, whoever of a family it is filed under).

    Any other text is not ours to act on; neither is a number no customer has (both: nothing recorded).
    """
    phone = try_normalise_phone(from_number)
    if not is_stop_reply(body) or phone is None:
        return []
    rows = []
    for customer in Customer.objects.filter(phone=phone, anonymised_at__isnull=True).order_by("pk"):
        rows += opt_out_record(customer=customer, channels=["sms"], source=Source.SMS_STOP)
    return rows
