"""Django's password validators guard the admin's password change form (not create_user or seed_demo)."""

from django.contrib.auth.models import User


def change_password(client, new: str):
    return client.post(
        "/admin/password_change/",
        {"old_password": "demo12345", "new_password1": new, "new_password2": new},
    )


def test_a_weak_password_is_refused_in_the_admins_password_change_form(anna, as_user):
    client = as_user(anna)
    client.cookies["django_language"] = "en"

    response = change_password(client, "password")

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert User.objects.get(pk=anna.user.pk).check_password("demo12345")


def test_a_strong_password_is_accepted(anna, as_user):
    response = change_password(as_user(anna), "kettle-lantern-orbit-42")

    assert response.status_code == 302
    assert User.objects.get(pk=anna.user.pk).check_password("kettle-lantern-orbit-42")
