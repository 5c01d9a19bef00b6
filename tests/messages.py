"""System texts are stored as message keys (`common.messages`); tests written in English read them so."""

from common.messages import Stored, render_message


def english(stored: Stored | None) -> str:
    return render_message(stored, "en")
