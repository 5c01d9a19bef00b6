"""Finding English on a page meant to be German: the text a person reads, checked against the catalogues.

A page's text is every text node outside <script>/<style> and the words in title, placeholder, aria-label
and alt attributes and on buttons. A piece of it is English when it is (a) the English source of a message
(ours in locale/de, Django's or unfold's) whose German differs or is missing, or (b) contains a word of
`ENGLISH_WORDS` as a whole word.
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import unfold
from django.conf import settings

# Words that are English and never German. ("Filter", "Service", "Status", "Name", "Details", "Export" and
# "Dashboard" are German too, so they are found only through the catalogues.)
ENGLISH_WORDS = (  # noqa: SIM905 - words read best as words
    "Customer Customers Branch Branches Staff Choose Remove nobody Nobody assigned ended Pending "
    "Welcome Save Delete History Search Yes No Unknown Add Change Close Cancel Today Yesterday Tomorrow "
    "Overdue overdue Callback Callbacks Appointment Appointments Settings Password Select Clear Show "
    "Hide Created Updated Actions Recipients Channel Channels Fixed fixed tiered percentage Duration "
    "Cost Costs Cents Reason Notes Phone Email Open Closed Done Back Next Previous Forgotten "
    "Admin Role Language Enabled Disabled Active Inactive Never Always None Every Please There "
    "This These You Your the and with from Tenant Tenants Primary primary"
).split()
WORD = re.compile(r"\b(" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")\b")
# A message template's text is the company's own (in German or English); an event's name in the public
# API ("callback.assigned") is what the integrators' documentation calls it.
API_EVENT = re.compile(r"[a-z_]+\.[a-z_]+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-label"}  # data-label: unfold's phone labels
INVISIBLE = {"script", "style"}
ICON = "material-symbols"  # an icon font: the text is the icon's name ("call", "event"), drawn as a picture
LANGUAGE_NAMES = {name for _code, name in settings.LANGUAGES}  # each language named in its own tongue


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden = 0
        self._closing = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in INVISIBLE or ICON in (values.get("class") or ""):
            self._hidden += 1
            self._closing = tag
        self.pieces += [value for name, value in attrs if name in ATTRIBUTES and value]
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.pieces.append(values["value"])

    def handle_endtag(self, tag):
        if self._hidden and tag == self._closing:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.pieces.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    pieces = (" ".join(piece.split()) for piece in parser.pieces)
    return [piece for piece in pieces if piece]


def read_po(path: Path, *, plurals: bool = True) -> dict[str, str]:
    """msgid → msgstr of a .po file ('' when untranslated or fuzzy); a message with a context is keyed
    "context\x04msgid" as gettext does; with `plurals`, a plural message also by its plural."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                if line.startswith("#,") and "fuzzy" in line:
                    fields["fuzzy"] = "1"
                continue
            if line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            elif " " in line:
                current, quoted = line.split(" ", 1)
                fields[current] = ast.literal_eval(quoted)
        if not fields.get("msgid"):
            continue
        context = f"{fields['msgctxt']}\x04" if "msgctxt" in fields else ""
        translated = "fuzzy" not in fields
        entries.setdefault(
            context + fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", "")) * translated
        )
        if plurals and "msgid_plural" in fields:
            entries.setdefault(context + fields["msgid_plural"], fields.get("msgstr[1]", "") * translated)
    return entries


def _django_catalogues() -> list[Path]:
    root = Path(django.__file__).parent
    return sorted(root.glob("conf/locale/de/LC_MESSAGES/*.po")) + sorted(
        root.glob("contrib/*/locale/de/LC_MESSAGES/*.po")
    )


UNFOLD_MESSAGE = re.compile(
    r"""(?:\{%\s*(?:trans|translate)\s+|\b_\(\s*|gettext(?:_lazy)?\(\s*)(["'])(.+?)\1"""
)


def _unfold_messages() -> set[str]:
    """The English texts unfold marks for translation (unfold ships no German of its own)."""
    root = Path(unfold.__file__).parent
    found: set[str] = set()
    for path in [*root.rglob("*.html"), *root.rglob("*.py")]:
        found |= {match[1] for match in UNFOLD_MESSAGE.findall(path.read_text(encoding="utf-8"))}
    return found


class EnglishFinder:
    def __init__(self) -> None:
        ours = read_po(Path(settings.BASE_DIR) / "locale/de/LC_MESSAGES/django.po")
        german: dict[str, str] = {}
        for path in _django_catalogues():
            german.update({k: v for k, v in read_po(path).items() if v and k not in german})
        german.update({k: v for k, v in ours.items() if v})  # ours overrides Django's
        sources = set(ours) | set(german) | _unfold_messages()
        english = {
            msgid.split("\x04")[-1]  # without its context
            for msgid in sources
            if german.get(msgid) != msgid.split("\x04")[-1]
        }
        english = {msgid for msgid in english - LANGUAGE_NAMES if re.search(r"[A-Za-z]{2}", msgid)}
        self.exact = {msgid for msgid in english if not PLACEHOLDER.search(msgid)}
        patterns = [
            PLACEHOLDER.sub("\x00", re.escape(msgid).replace(r"\%", "%")).replace("\x00", ".+?")
            for msgid in english - self.exact
            if len(re.sub(r"[^A-Za-z]", "", PLACEHOLDER.sub("", msgid))) >= 8
        ]
        self.templates = re.compile("|".join(f"(?:{p})" for p in patterns))

    def find(self, html: str) -> list[str]:
        """The English pieces of the page, each once."""
        found = []
        for piece in dict.fromkeys(visible_text(html)):
            if "{{" in piece or API_EVENT.fullmatch(piece):
                continue
            bare = piece.rstrip(":").strip()
            if piece in self.exact or bare in self.exact or self.templates.fullmatch(piece):
                found.append(piece)
            elif match := WORD.search(piece):
                found.append(f"{piece!r} ({match[0]})")
        return found
