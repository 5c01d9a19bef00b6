from django import forms
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from unfold.forms import BASE_INPUT_CLASSES, AuthenticationForm

from accounts.two_factor import second_factor_error


class LoginForm(AuthenticationForm):
    """The admin login on every host (UNFOLD["LOGIN"]["form"]), with the optional two-factor code."""

    otp_token = forms.CharField(
        label=_("Two-factor code"),
        help_text=_("Only if you have set up two-factor authentication."),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": " ".join(BASE_INPUT_CLASSES),
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "form": "login-form",  # rendered after unfold's form element (templates/admin/login.html)
            }
        ),
    )

    def clean(self):
        cleaned = super().clean()  # checks the password: a wrong one already counts as a failure for axes
        user = self.get_user()
        if user is not None:
            error = second_factor_error(user, cleaned.get("otp_token", ""))
            if error is not None:
                # A wrong code counts towards the lockout like a wrong password.
                user_login_failed.send(
                    sender=type(self), credentials={"username": cleaned["username"]}, request=self.request
                )
                raise forms.ValidationError(error, code="second_factor")
        return cleaned
