"""In German Chromium at 1440×900 and on a phone (390×844): Max filters the callback list and downloads it
with "Als CSV exportieren"; the file is the filtered list, `;`-separated with German headers.
Screenshot: test-artifacts/screenshots/csv-export-<device>.png."""

import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import assert_fits_the_screen, assert_in_view_and_clickable, log_in, screenshot
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import BranchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mitte(company):
    return BranchFactory(name="Mitte", hours=[])


@pytest.fixture
def worklist(company, mitte, haircut, anna, max_manager):
    CallbackRequestFactory(branch=mitte, service=haircut, customer_name="Paula Offen", phone="+4930123456")
    AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer_name="Lena Zugewiesen")


def test_a_manager_downloads_the_filtered_list_as_csv(page, acme_url, worklist, device):
    log_in(page, acme_url, "max@acme.test")
    page.goto(acme_url("/admin/callbacks/callbackrequest/?status__exact=pending"))
    export = page.get_by_test_id("csv-export")
    assert_fits_the_screen(page)
    assert_in_view_and_clickable(export)
    screenshot(page, f"csv-export-{device}")

    with page.expect_download() as download:
        export.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))

    assert download.value.suggested_filename.endswith(".csv")
    assert [row["Kunde"] for row in rows] == ["Paula Offen"]
    assert rows[0]["Status"] == "Offen"
