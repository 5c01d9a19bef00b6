"""Turn a validated template and its values into the body each channel needs.

- email: subject, plain text, and HTML (our own layout; the text is escaped by Django's autoescaping);
- SMS: one plain paragraph, typographic characters replaced so German text stays GSM-7, cut to the
  company's segment limit, segments counted;
- WhatsApp: the template's own *bold* / _italic_ markup, whitespace tidied;
- Slack: mrkdwn, with Slack's control characters in the values escaped;
- in-app: subject and text as written.
"""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from notifications.channels.slack import escape_mrkdwn
from notifications.models import Channel
from notifications.rendering import render
from notifications.sms_segments import fit_to_segments, measure, to_gsm_friendly


@dataclass(frozen=True)
class ComposedMessage:
    subject: str
    text: str
    html: str = ""
    sms_segments: int | None = None
    sms_encoding: str = ""


_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+")


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def compose(
    channel: str, *, subject: str, body: str, values: dict[str, str], sms_max_segments: int = 3
) -> ComposedMessage:
    if channel == Channel.SLACK:
        return ComposedMessage(subject="", text=_tidy(render(body, values, escape=escape_mrkdwn)))
    rendered_subject = " ".join(render(subject, values).split())
    text = _tidy(render(body, values))
    if channel == Channel.EMAIL:
        return ComposedMessage(subject=rendered_subject, text=text, html=email_html(rendered_subject, text))
    if channel == Channel.SMS:
        return compose_sms(text, sms_max_segments)
    return ComposedMessage(subject=rendered_subject, text=text)


def email_html(subject: str, text: str) -> str:
    """The HTML part: our own layout around the plain text, which Django's autoescaping escapes."""
    paragraphs = [paragraph.splitlines() for paragraph in text.split("\n\n")]
    return render_to_string("notifications/email.html", {"subject": subject, "paragraphs": paragraphs})


def compose_sms(text: str, max_segments: int) -> ComposedMessage:
    plain = fit_to_segments(to_gsm_friendly(" ".join(text.split())), max_segments)
    length = measure(plain)
    return ComposedMessage(subject="", text=plain, sms_segments=length.segments, sms_encoding=length.encoding)
