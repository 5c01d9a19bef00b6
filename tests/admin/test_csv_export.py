"""CSV export of the callback, appointment and call lists: the filtered list as the user sees it, German
headers, `;` separated, UTF-8 with a byte-order mark, streamed; nobody exports what they cannot see."""

import csv
import io
from datetime import UTC, datetime

from common.csv_export import cell
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import AssignedCallbackFactory
from tests.factories.calls import CallFactory

CALLBACKS = "/admin/callbacks/callbackrequest/"
APPOINTMENTS = "/admin/appointments/appointment/"
CALLS = "/admin/calls/call/"


def exported(client, url: str, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"{url}export.csv{query}")
    assert response.status_code == 200, response.status_code
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the byte-order mark
    text = body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_staff_export_only_the_callbacks_they_see(as_user, anna, callbacks):
    rows = exported(as_user(anna), CALLBACKS)

    names = {row["Kunde"] for row in rows}
    assert "Anna Eigen" in names and "Mitte Offen" in names
    assert "Ben Eigen" not in names  # assigned to someone else
    assert not any(row["Filiale"] == "Nord" for row in rows)


def test_the_export_follows_the_list_filters(as_user, max_manager, callbacks):
    all_rows = exported(as_user(max_manager), CALLBACKS)
    pending = exported(as_user(max_manager), CALLBACKS, "?status__exact=pending")

    assert {row["Filiale"] for row in all_rows} <= {"Mitte", ""}
    assert 0 < len(pending) < len(all_rows)
    assert {row["Status"] for row in pending} == {"Offen"}  # the German label of "pending"


def test_callback_headers_are_german(as_user, ada, callbacks):
    response = as_user(ada).get(f"{CALLBACKS}export.csv")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]

    assert header.startswith("Nr.;Kunde;Telefon;E-Mail;Status;Priorität;Filiale")


def test_managers_may_export_selected_callbacks_with_the_action(as_user, max_manager, callbacks):
    chosen = callbacks["anna_own"]
    response = as_user(max_manager).post(
        CALLBACKS, {"action": "export_csv", "_selected_action": [str(chosen.pk)]}
    )

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert [row["Nr."] for row in rows] == [str(chosen.pk)]


def test_staff_export_only_the_appointments_of_their_branches(as_user, anna, mitte, nord):
    AppointmentFactory(branch=mitte, customer__name="Kundin Mitte")
    AppointmentFactory(branch=nord, customer__name="Kunde Nord")

    rows = exported(as_user(anna), APPOINTMENTS)

    assert [row["Kunde"] for row in rows] == ["Kundin Mitte"]
    assert rows[0]["Filiale"] == "Mitte"


def test_staff_export_only_the_calls_of_their_branches_and_no_costs(as_user, anna, ada, mitte, nord):
    CallFactory(branch=mitte, summary="Termin gewünscht", converted_cost_cents=12)
    CallFactory(branch=nord, summary="Geheim im Norden")

    staff_rows = exported(as_user(anna), CALLS)
    admin_rows = exported(as_user(ada), CALLS)

    assert [row["Zusammenfassung"] for row in staff_rows] == ["Termin gewünscht"]
    assert "Kosten (Cent)" not in staff_rows[0]
    assert len(admin_rows) == 2 and "Kosten (Cent)" in admin_rows[0]


def test_cells_are_excel_friendly():
    assert cell(None) == ""
    assert cell(True) in ("ja", "yes")
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"  # a formula is shown, never run
    assert cell("+49 30 1234567") == "+49 30 1234567"  # a phone number stays as it is
    assert cell(datetime(2026, 3, 4, 9, 5, tzinfo=UTC)).startswith("04.03.2026")


def test_a_long_list_streams(as_user, ada, mitte, anna):
    AssignedCallbackFactory.create_batch(120, branch=mitte, assigned_to=anna)

    assert len(exported(as_user(ada), CALLBACKS)) == 120


def test_the_lists_link_to_the_export_of_what_they_show(as_user, max_manager, callbacks):
    client = as_user(max_manager)

    callback_list = client.get(f"{CALLBACKS}?status__exact=pending").content.decode()
    appointment_list = client.get(APPOINTMENTS).content.decode()
    call_list = client.get(f"{CALLS}?direction__exact=inbound").content.decode()

    assert f'href="{CALLBACKS}export.csv?status__exact=pending"' in callback_list
    assert f'href="{APPOINTMENTS}export.csv?' in appointment_list
    assert f'href="{CALLS}export.csv?direction__exact=inbound"' in call_list
    assert "Als CSV exportieren" in callback_list
