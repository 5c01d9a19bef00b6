"""The platform admin on the public host shares the theme settings but shows none of a company's screens."""

from django.contrib.auth.models import User
from django.test import Client


def test_platform_admin_index_shows_the_app_list_and_no_company_entries(public):
    admin_user = User.objects.create_superuser("platform@switchboard.test", "p@s.test", "demo12345")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "dashboard" not in response.context
    html = response.content.decode()
    assert "/admin/tenants/company/" in html
    assert "callbackrequest" not in html
