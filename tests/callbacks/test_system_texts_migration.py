"""The data migration that turned the English sentences already stored (reasons, timeline entries, escalation
notes, note headings) into message keys: after it, an old row reads German to a German reader; what it does
not recognise stays as it was written."""

import importlib
import json

import pytest

from common.messages import render_headings, render_message

migration = importlib.import_module("callbacks.migrations.0009_system_texts_to_message_keys")


def after_migration(old: str, language: str) -> str:
    return render_message(json.loads(migration.as_json_text(old)), language)


@pytest.mark.parametrize(
    ("old", "german"),
    [
        (
            "Nobody could be assigned: Berlin Mitte is closed now, nobody is on duty",
            "Niemand konnte zugewiesen werden: Berlin Mitte ist gerade geschlossen, niemand hat Dienst",
        ),
        ("assigned by Max", "zugewiesen von Max"),
        (
            "Assigned to Ben: least loaded of 3 eligible for Haircut: 2 open",
            "Zugewiesen an Ben: am wenigsten ausgelastet von 3 infrage kommenden für Haircut: 2 offen",
        ),
        ("round robin: 1 of 2 eligible", "reihum: 1 von 2 infrage kommenden"),
        (
            "nobody else could take it (nobody else at Mitte is eligible); stays with Anna",
            "niemand sonst konnte übernehmen (sonst kommt in Mitte niemand infrage); bleibt bei Anna",
        ),
        (
            "nobody else could take it (Mitte is closed now, nobody is on duty); stays unassigned",
            "niemand sonst konnte übernehmen (Mitte ist gerade geschlossen, niemand hat Dienst); "
            "bleibt ohne Zuständigen",
        ),
        (
            "Back to the pool: Anna is absent (Holiday) until 12.12.; nobody else at Mitte is eligible",
            "Zurück in den Pool: Anna ist abwesend (Urlaub) bis 12.12.; sonst kommt in Mitte niemand infrage",
        ),
        (
            "Anna made no contact attempt within 50% of the SLA budget; round robin: 2 of 2 eligible",
            "Anna hat innerhalb von 50% der Zeit bis zur Frist keinen Kontaktversuch unternommen; "
            "reihum: 2 von 2 infrage kommenden",
        ),
        (
            "Priority normal → urgent, due 2026-03-04 12:00 CET",
            "Priorität Normal → Dringend, fällig 2026-03-04 12:00 CET",
        ),
        ("Contact attempt: No answer (Mailbox voll)", "Kontaktversuch: Keine Antwort (Mailbox voll)"),
        ("Cancelled: customer anonymised (GDPR)", "Storniert: Kunde anonymisiert (DSGVO)"),
        ("Deadline in 30 minutes", "Frist in 30 Minuten"),
    ],
)
def test_an_old_english_text_reads_german_after_the_migration(old, german):
    assert after_migration(old, "de") == german


def test_the_english_reader_still_reads_what_was_written():
    old = "Assigned to Ben: escalation: least loaded of 1 eligible in Mitte: 0 open"
    assert after_migration(old, "en") == old


def test_what_the_migration_does_not_recognise_stays_as_written():
    for text in ("Kunde ruft selbst zurück", "Zurück in den Pool: Anna ist nicht mehr aktiv", ""):
        assert migration.stored_form(text) == text
        assert after_migration(text, "de") == text


def test_running_it_twice_changes_nothing():
    once = migration.as_json_text("assigned by Max")
    assert migration.as_json_text(once) == once


def test_old_note_headings_read_in_the_readers_language_and_the_notes_stay():
    old = "Erster Anruf\n\n--- Note by Anna ---\nRuft nach 16 Uhr zurück\n\n--- Completed by Max ---\nTermin"
    notes = migration.converted_notes(old)
    assert render_headings(notes, "de") == (
        "Erster Anruf\n\n--- Notiz von Anna ---\nRuft nach 16 Uhr zurück\n\n--- Erledigt von Max ---\nTermin"
    )
    assert render_headings(notes, "en") == old
    assert migration.converted_notes("--- something else ---\ntext") == "--- something else ---\ntext"
