"""Phone numbers as staff read them: the company's own numbers in national format ("030 123456"),
others in international format ("+43 1 234567"), each a `tel:` link that dials the full number, the same
way in the callback, customer and call lists, the one-screen callback and the dashboard."""

import pytest

from common.phone import phone_display, phone_link
from tests.admin.conftest import change_url, changelist_url
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.calls import CallFactory
from tests.factories.org import CustomerFactory

BERLIN = "+4930123456"
VIENNA = "+431234567"


@pytest.mark.parametrize(
    ("number", "shown"),
    [(BERLIN, "030 123456"), ("+4915112345678", "01511 2345678"), (VIENNA, "+43 1 234567"), ("", "")],
)
def test_a_number_of_the_companys_region_is_national_any_other_international(company, number, shown):
    assert phone_display(number) == shown


def test_a_company_elsewhere_reads_its_own_numbers_nationally(company, company_settings):
    company_settings(PHONE_REGION="AT")

    assert phone_display(VIENNA) == "01 234567"
    assert phone_display(BERLIN) == "+49 30 123456"


def test_text_that_is_no_number_is_shown_as_it_is(company):
    assert phone_display("anonymous") == "anonymous"
    assert phone_link("anonymous") == "anonymous"


def test_the_link_dials_the_full_number(company):
    link = '<a href="tel:+4930123456" class="text-primary-600 whitespace-nowrap" data-phone>030 123456</a>'
    assert phone_link(BERLIN) == link


def test_the_callback_list_and_the_one_screen_show_the_number_formatted(as_user, max_manager, mitte):
    callback = CallbackRequestFactory(branch=mitte, phone=BERLIN, customer_name="Paula Offen")
    client = as_user(max_manager)

    listed = client.get(changelist_url()).content.decode()
    one_screen = client.get(change_url(callback)).content.decode()

    assert (
        '<a href="tel:+4930123456" class="text-primary-600 whitespace-nowrap" data-phone>030 123456</a>'
        in listed
    )
    assert ">+4930123456<" not in listed
    assert 'href="tel:+4930123456"' in one_screen and ">030 123456</a>" in one_screen


def test_the_customer_list_shows_the_number_formatted(as_user, max_manager, mitte):
    CustomerFactory(name="Vera Wien", phone=VIENNA)
    CallbackRequestFactory(branch=mitte, phone=VIENNA, customer_name="Vera Wien")  # seen by Mitte's manager

    listed = as_user(max_manager).get("/admin/org/customer/").content.decode()

    assert 'href="tel:+431234567"' in listed and ">+43 1 234567</a>" in listed


def test_the_call_list_shows_the_callers_number_formatted(as_user, ada, mitte):
    CallFactory(branch=mitte, from_number="+4915112345678", status="ended")

    listed = as_user(ada).get("/admin/calls/call/").content.decode()

    assert 'href="tel:+4915112345678"' in listed and ">01511 2345678</a>" in listed
