""" "2 neue Rückrufe": the list asks how many callbacks the user may see arrived since it was drawn."""

from tests.factories.callbacks import CallbackRequestFactory

NEW = "/admin/callbacks/callbackrequest/new/"


def test_new_callbacks_are_counted_from_where_the_page_started(as_user, anna, mitte, nord, callbacks):
    client = as_user(anna)
    start = client.get(NEW).json()

    assert start["new"] == 0
    CallbackRequestFactory(branch=mitte)
    CallbackRequestFactory(branch=mitte)
    CallbackRequestFactory(branch=nord)  # another branch: Anna does not see it

    news = client.get(f"{NEW}?after={start['latest']}").json()

    assert news["new"] == 2
    assert news["text"] == "2 neue Rückrufe"


def test_nobody_without_a_role_asks(client, company):
    from tests.conftest import tenant_host

    assert client.get(NEW, HTTP_HOST=tenant_host(company.schema_name)).status_code == 302  # to the login
