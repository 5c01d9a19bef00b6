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


def test_a_platform_login_is_deactivated_never_deleted(public):
    """A login's reverse relations include the staff profiles and saved views of the companies' schemas,
    which the public schema has no tables for: deleting one on the platform answered 500. The platform
    offers no delete; unticking "active" ends the login."""
    root = User.objects.create_superuser("platform@switchboard.test", "p@s.test", "demo12345")
    colleague = User.objects.create_user("support@switchboard.test", "s@s.test", "demo12345", is_staff=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(root)

    page = client.get(f"/admin/auth/user/{colleague.pk}/delete/")
    change = client.get(f"/admin/auth/user/{colleague.pk}/change/")

    assert page.status_code == 403
    assert User.objects.filter(pk=colleague.pk).exists()
    assert change.status_code == 200
    assert f"/admin/auth/user/{colleague.pk}/delete/" not in change.content.decode()
