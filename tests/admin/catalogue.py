"""The German catalogue as the tests see it: `locale/*.po` compiled into a temporary directory.

Tests of the German UI use it through `LOCALE_PATHS`, so they check the catalogue source in the tree (and
that it compiles), without a compiled `.mo` having to be present for everyone else's tests.
"""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

MSGFMT_MISSING = "msgfmt (Debian package gettext) is needed to compile the German catalogue"


def compile_catalogue(target: Path) -> Path:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError(MSGFMT_MISSING)
    source = Path(settings.BASE_DIR) / "locale"
    for po in source.glob("*/LC_MESSAGES/django.po"):
        out = target / po.relative_to(source).with_suffix(".mo")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([msgfmt, "--check-format", "-o", str(out), str(po)], check=True)
    return target
