"""The caller's wishes about how we contact them: `record_opt_out`.

Parameters for the agent:
- `channel` (required): `sms`, `email`, `whatsapp` or `all` — which messages the caller no longer wants
  (German words work too: "SMS", "E-Mail", "WhatsApp", "alle"). Missing or unclear: the answer asks.

The opt-out belongs to the caller's own record (the number they call from); a withheld number cannot opt
anyone out. After it, nothing more goes to that channel, not even confirmations or reminders.
"""

from integrations.retell.functions.context import ArgumentProblem, FunctionContext, Reply
from notifications import services as notifications
from notifications.models import ContactOptOut

CHANNEL_ARGUMENTS = ("channel", "channels", "kanal")
# What the agent may pass, in the caller's words, → what notifications.services.channels_named knows.
CHANNEL_WORDS = {
    "sms": "sms",
    "text": "sms",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "whatsapp": "whatsapp",
    "all": "all",
    "alle": "all",
    "alles": "all",
}
SAID = {
    "ask_channel": {
        "en": "Which messages would you like to stop: text messages, emails, or all messages?",
        "de": "Welche Nachrichten möchten Sie nicht mehr erhalten: SMS, E-Mails oder alle Nachrichten?",
    },
    "identity_needed": {
        "en": "Your number is withheld, so I cannot find your details. Please call us from your own number.",
        "de": "Ihre Nummer ist unterdrückt, daher finde ich Ihre Daten nicht. Bitte rufen Sie von Ihrer "
        "eigenen Nummer an.",
    },
    "no_record": {
        "en": "We have no contact details of yours on file, so you will not get any messages from us.",
        "de": "Wir haben keine Kontaktdaten von Ihnen gespeichert, Sie erhalten also keine Nachrichten "
        "von uns.",
    },
    "opted_out": {
        "en": "All right, you will get no more {what} from us.",
        "de": "In Ordnung, Sie erhalten von uns keine {what} mehr.",
    },
}
WHAT = {
    "sms": {"en": "text messages", "de": "SMS"},
    "email": {"en": "emails", "de": "E-Mails"},
    "whatsapp": {"en": "WhatsApp messages", "de": "WhatsApp-Nachrichten"},
    "all": {"en": "messages", "de": "Nachrichten"},
}


def _said(context: FunctionContext, key: str, **params: str) -> str:
    return SAID[key][context.language].format(**params)


def _wanted_channel(context: FunctionContext) -> str:
    """ "sms", "email", "whatsapp" or "all", from the agent's words; asks when missing or unclear."""
    for name in CHANNEL_ARGUMENTS:
        value = context.args.get(name)
        if isinstance(value, str) and value.strip():
            word = CHANNEL_WORDS.get(value.strip().lower())
            if word is None:
                break
            return word
    raise ArgumentProblem("channel", "missing_argument", _said(context, "ask_channel"))


def record_opt_out(context: FunctionContext) -> Reply:
    """The caller wants no more messages on one channel (or any): recorded for their own customer record."""
    wanted = _wanted_channel(context)
    if not context.caller_phone:
        raise ArgumentProblem("channel", "identity_needed", _said(context, "identity_needed"))
    customer = context.customer
    if customer is None:
        return {"ok": True, "status": "no_record", "channels": [], "message": _said(context, "no_record")}
    channels = notifications.channels_named(wanted)
    notifications.opt_out_record(customer=customer, channels=channels, source=ContactOptOut.Source.AGENT)
    return {
        "ok": True,
        "status": "opted_out",
        "channels": channels,
        "message": _said(context, "opted_out", what=WHAT[wanted][context.language]),
    }
