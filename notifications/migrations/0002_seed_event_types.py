"""Seed the event-type registry and the German and English default templates of every event and channel.

The names are the domain events the apps emit (`appointment.created`, `callback.assigned`, ...), so a
configuration can only ever be made for an event that really fires. The data is frozen here on purpose:
later changes to texts are new migrations (or admin edits), never edits of this one.
"""

from django.db import migrations

CUSTOMER_CHANNELS = ("email", "sms", "whatsapp")
STAFF_CHANNELS = ("email", "sms", "in_app", "slack")

# key, category, recipients, default channels, default fallback, urgent, label (en), label (de)
EVENT_TYPES = [
    ("appointment.created", "booking", ["customer"], ["email"], "sms", False,
     "Appointment confirmed", "Terminbestätigung"),
    ("appointment.updated", "modification", ["customer"], ["email"], "sms", False,
     "Appointment changed", "Terminänderung"),
    ("appointment.rescheduled", "modification", ["customer"], ["email"], "sms", False,
     "Appointment moved", "Termin verschoben"),
    ("appointment.cancelled", "modification", ["customer"], ["email"], "sms", True,
     "Appointment cancelled", "Terminabsage"),
    ("appointment.reminder", "reminder", ["customer"], ["email"], "sms", False,
     "Appointment reminder", "Terminerinnerung"),
    ("callback.created", "callback", ["branch_managers"], ["in_app", "slack"], "", False,
     "New callback request", "Neue Rückrufanfrage"),
    ("callback.assigned", "callback", ["assigned_staff"], ["in_app", "email"], "", False,
     "Callback assigned", "Rückruf zugewiesen"),
    ("callback.sla_approaching", "callback", ["assigned_staff"], ["in_app", "email"], "", True,
     "Callback due soon", "Rückruf bald fällig"),
    ("callback.escalated", "callback", ["branch_managers"], ["in_app", "email", "slack"], "", True,
     "Callback escalated", "Rückruf eskaliert"),
    ("callback.unassignable", "callback", ["branch_managers"], ["in_app", "slack"], "email", True,
     "Callback without assignee", "Rückruf ohne Bearbeiter"),
]

# key -> language -> (subject, long text for email and WhatsApp, short text for SMS, in-app and Slack)
TEXTS = {
    "appointment.created": {
        "de": (
            "Terminbestätigung: {{service_name}}",
            "Hallo {{customer_name}},\n\nIhr Termin für {{service_name}} am {{appointment_time}} in der Filiale "
            "{{branch_name}} ist bestätigt.\n\nAdresse: {{branch_address}}\nFragen? Rufen Sie uns an: "
            "{{branch_phone}}\n\nIhr Team von {{company_name}}",
            "{{company_name}}: Ihr Termin {{service_name}} am {{appointment_time}} in {{branch_name}} ist bestätigt.",
        ),
        "en": (
            "Appointment confirmed: {{service_name}}",
            "Hello {{customer_name}},\n\nyour appointment for {{service_name}} on {{appointment_time}} at "
            "{{branch_name}} is confirmed.\n\nAddress: {{branch_address}}\nQuestions? Call us: {{branch_phone}}"
            "\n\nYour {{company_name}} team",
            "{{company_name}}: your appointment {{service_name}} on {{appointment_time}} at {{branch_name}} "
            "is confirmed.",
        ),
    },
    "appointment.updated": {
        "de": (
            "Terminänderung: {{service_name}}",
            "Hallo {{customer_name}},\n\nIhr Termin wurde geändert: {{service_name}} am {{appointment_time}} in "
            "der Filiale {{branch_name}}, bei {{staff_name}}.\n\nFragen? Rufen Sie uns an: {{branch_phone}}"
            "\n\nIhr Team von {{company_name}}",
            "{{company_name}}: Ihr Termin wurde geändert: {{service_name}} am {{appointment_time}} in "
            "{{branch_name}}.",
        ),
        "en": (
            "Appointment changed: {{service_name}}",
            "Hello {{customer_name}},\n\nyour appointment has changed: {{service_name}} on {{appointment_time}} "
            "at {{branch_name}}, with {{staff_name}}.\n\nQuestions? Call us: {{branch_phone}}"
            "\n\nYour {{company_name}} team",
            "{{company_name}}: your appointment has changed: {{service_name}} on {{appointment_time}} at "
            "{{branch_name}}.",
        ),
    },
    "appointment.rescheduled": {
        "de": (
            "Termin verschoben: {{service_name}}",
            "Hallo {{customer_name}},\n\nIhr Termin für {{service_name}} wurde von {{previous_appointment_time}} "
            "auf {{appointment_time}} verschoben (Filiale {{branch_name}}).\n\nFragen? Rufen Sie uns an: "
            "{{branch_phone}}\n\nIhr Team von {{company_name}}",
            "{{company_name}}: Ihr Termin {{service_name}} ist jetzt am {{appointment_time}} in {{branch_name}}.",
        ),
        "en": (
            "Appointment moved: {{service_name}}",
            "Hello {{customer_name}},\n\nyour appointment for {{service_name}} has moved from "
            "{{previous_appointment_time}} to {{appointment_time}} ({{branch_name}}).\n\nQuestions? Call us: "
            "{{branch_phone}}\n\nYour {{company_name}} team",
            "{{company_name}}: your appointment {{service_name}} is now on {{appointment_time}} at {{branch_name}}.",
        ),
    },
    "appointment.cancelled": {
        "de": (
            "Terminabsage: {{service_name}}",
            "Hallo {{customer_name}},\n\nIhr Termin für {{service_name}} am {{appointment_time}} in der Filiale "
            "{{branch_name}} wurde abgesagt.\n\nFür einen neuen Termin rufen Sie uns an: {{branch_phone}}"
            "\n\nIhr Team von {{company_name}}",
            "{{company_name}}: Ihr Termin {{service_name}} am {{appointment_time}} wurde abgesagt. Neuer Termin: "
            "{{branch_phone}}",
        ),
        "en": (
            "Appointment cancelled: {{service_name}}",
            "Hello {{customer_name}},\n\nyour appointment for {{service_name}} on {{appointment_time}} at "
            "{{branch_name}} has been cancelled.\n\nTo book a new one, call us: {{branch_phone}}"
            "\n\nYour {{company_name}} team",
            "{{company_name}}: your appointment {{service_name}} on {{appointment_time}} has been cancelled. "
            "New booking: {{branch_phone}}",
        ),
    },
    "appointment.reminder": {
        "de": (
            "Terminerinnerung: {{service_name}} am {{appointment_date}}",
            "Hallo {{customer_name}},\n\nwir erinnern Sie an Ihren Termin für {{service_name}} am "
            "{{appointment_time}} in der Filiale {{branch_name}}, {{branch_address}}.\n\nSie können nicht? "
            "Bitte sagen Sie ab: {{branch_phone}}\n\nIhr Team von {{company_name}}",
            "{{company_name}}: Erinnerung an Ihren Termin {{service_name}} am {{appointment_time}} in "
            "{{branch_name}}. Absagen: {{branch_phone}}",
        ),
        "en": (
            "Reminder: {{service_name}} on {{appointment_date}}",
            "Hello {{customer_name}},\n\nthis is a reminder of your appointment for {{service_name}} on "
            "{{appointment_time}} at {{branch_name}}, {{branch_address}}.\n\nCan't make it? Please cancel: "
            "{{branch_phone}}\n\nYour {{company_name}} team",
            "{{company_name}}: reminder of your appointment {{service_name}} on {{appointment_time}} at "
            "{{branch_name}}. To cancel: {{branch_phone}}",
        ),
    },
    "callback.created": {
        "de": (
            "Neue Rückrufanfrage: {{customer_name}}",
            "{{customer_name}} ({{callback_phone}}) bittet um Rückruf.\n\nFiliale: {{branch_name}}\nPriorität: "
            "{{callback_priority}}\nFällig bis: {{callback_deadline}}",
            "Neue Rückrufanfrage von {{customer_name}} ({{callback_phone}}), {{branch_name}}, Priorität "
            "{{callback_priority}}, fällig bis {{callback_deadline}}.",
        ),
        "en": (
            "New callback request: {{customer_name}}",
            "{{customer_name}} ({{callback_phone}}) asks to be called back.\n\nBranch: {{branch_name}}\nPriority: "
            "{{callback_priority}}\nDue by: {{callback_deadline}}",
            "New callback request from {{customer_name}} ({{callback_phone}}), {{branch_name}}, priority "
            "{{callback_priority}}, due by {{callback_deadline}}.",
        ),
    },
    "callback.assigned": {
        "de": (
            "Rückruf zugewiesen: {{customer_name}}",
            "Hallo {{staff_name}},\n\nIhnen wurde der Rückruf an {{customer_name}} ({{callback_phone}}) "
            "zugewiesen.\n\nPriorität: {{callback_priority}}\nFällig bis: {{callback_deadline}}",
            "Rückruf an {{customer_name}} ({{callback_phone}}) zugewiesen, fällig bis {{callback_deadline}}.",
        ),
        "en": (
            "Callback assigned: {{customer_name}}",
            "Hello {{staff_name}},\n\nthe callback to {{customer_name}} ({{callback_phone}}) has been assigned to "
            "you.\n\nPriority: {{callback_priority}}\nDue by: {{callback_deadline}}",
            "Callback to {{customer_name}} ({{callback_phone}}) assigned to you, due by {{callback_deadline}}.",
        ),
    },
    "callback.sla_approaching": {
        "de": (
            "Rückruf bald fällig: {{customer_name}}",
            "Hallo {{staff_name}},\n\nder Rückruf an {{customer_name}} ({{callback_phone}}) ist bis "
            "{{callback_deadline}} fällig. Priorität: {{callback_priority}}.",
            "Rückruf an {{customer_name}} ({{callback_phone}}) ist bis {{callback_deadline}} fällig.",
        ),
        "en": (
            "Callback due soon: {{customer_name}}",
            "Hello {{staff_name}},\n\nthe callback to {{customer_name}} ({{callback_phone}}) is due by "
            "{{callback_deadline}}. Priority: {{callback_priority}}.",
            "Callback to {{customer_name}} ({{callback_phone}}) is due by {{callback_deadline}}.",
        ),
    },
    "callback.escalated": {
        "de": (
            "Rückruf eskaliert: {{customer_name}}",
            "Der Rückruf an {{customer_name}} ({{callback_phone}}) in der Filiale {{branch_name}} wurde "
            "eskaliert.\n\nZuständig: {{staff_name}}\nPriorität: {{callback_priority}}\nFrist: "
            "{{callback_deadline}}",
            "Eskaliert: Rückruf an {{customer_name}} ({{callback_phone}}), {{branch_name}}, Frist "
            "{{callback_deadline}}.",
        ),
        "en": (
            "Callback escalated: {{customer_name}}",
            "The callback to {{customer_name}} ({{callback_phone}}) at {{branch_name}} has been escalated."
            "\n\nAssigned to: {{staff_name}}\nPriority: {{callback_priority}}\nDeadline: {{callback_deadline}}",
            "Escalated: callback to {{customer_name}} ({{callback_phone}}), {{branch_name}}, deadline "
            "{{callback_deadline}}.",
        ),
    },
    "callback.unassignable": {
        "de": (
            "Rückruf ohne Bearbeiter: {{customer_name}}",
            "Für den Rückruf an {{customer_name}} ({{callback_phone}}) in der Filiale {{branch_name}} ist "
            "niemand verfügbar. Bitte weisen Sie ihn manuell zu.\n\nFrist: {{callback_deadline}}",
            "Niemand verfügbar für den Rückruf an {{customer_name}} ({{callback_phone}}), {{branch_name}}. "
            "Bitte manuell zuweisen.",
        ),
        "en": (
            "Callback without assignee: {{customer_name}}",
            "Nobody is available for the callback to {{customer_name}} ({{callback_phone}}) at {{branch_name}}. "
            "Please assign it by hand.\n\nDeadline: {{callback_deadline}}",
            "Nobody available for the callback to {{customer_name}} ({{callback_phone}}), {{branch_name}}. "
            "Please assign by hand.",
        ),
    },
}


def _channel_text(channel: str, subject: str, long: str, short: str) -> tuple[str, str]:
    """Each channel's shape: email subject + text; WhatsApp bold title; SMS short; Slack bold title."""
    if channel == "email":
        return subject, long
    if channel == "whatsapp":
        return "", f"*{subject}*\n\n{long}"
    if channel == "slack":
        return "", f"*{subject}*\n{short}"
    if channel == "in_app":
        return subject, short
    return "", short


def seed(apps, schema_editor):
    EventType = apps.get_model("notifications", "EventType")
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for key, category, recipients, channels, fallback, urgent, label, label_de in EVENT_TYPES:
        event_type, _created = EventType.objects.update_or_create(
            key=key,
            defaults={
                "category": category,
                "recipients": recipients,
                "default_channels": channels,
                "default_fallback_channel": fallback,
                "is_urgent": urgent,
                "label": label,
                "label_de": label_de,
            },
        )
        reachable = CUSTOMER_CHANNELS if recipients == ["customer"] else STAFF_CHANNELS
        for language, (subject, long, short) in TEXTS[key].items():
            for channel in reachable:
                subject_text, body = _channel_text(channel, subject, long, short)
                NotificationTemplate.objects.get_or_create(
                    event_type=event_type,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject_text, "body": body},
                )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
