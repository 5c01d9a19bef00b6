from base64 import b32encode
from io import BytesIO

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image
from unfold.widgets import BASE_INPUT_CLASSES

from accounts.services import totp_enrolment_confirm, totp_enrolment_start
from accounts.two_factor import TOKEN_INVALID

ENROLLED = _("Two-factor authentication is on: from now on, log in with a code from your app.")


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """axes' AXES_LOCKOUT_CALLABLE: the lockout page, in the request's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)


def two_factor_setup(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """Enrol an authenticator app: GET shows a new key, POST confirms it with a code from the app."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).last()
    if request.method == "POST" and device is not None:
        if totp_enrolment_confirm(device=device, token=request.POST.get("otp_token", "")):
            messages.success(request, ENROLLED)
            return redirect(f"{site.name}:index")
        messages.error(request, TOKEN_INVALID)
    else:
        device = totp_enrolment_start(user=request.user)
    return TemplateResponse(request, "accounts/two_factor_setup.html", setup_context(request, site, device))


def setup_context(request: HttpRequest, site: AdminSite, device: TOTPDevice) -> dict:
    qr = BytesIO()
    write_qrcode_image(device.config_url, qr)
    svg = qr.getvalue().decode()
    return {
        **site.each_context(request),
        "title": gettext("Two-factor authentication"),
        "qr_svg": mark_safe(svg[svg.index("<svg") :]),  # our own generated SVG, without the XML prolog
        "secret": b32encode(device.bin_key).decode(),  # the key as authenticator apps take it typed
        "has_confirmed_device": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
    }


class PasswordSetView(PasswordResetConfirmView):
    """An invited person chooses their password from the link in the invitation, and is logged in.

    Django's reset tokens: the link expires and works once. Logging in skips axes' authentication
    backend, which needs a login attempt to count; here the token proves who it is.
    """

    template_name = "accounts/password_set.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("admin:index")

    def get_context_data(self, **kwargs):
        """With the company's admin site's context: its colours, title and logo."""
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for name in ("new_password1", "new_password2"):  # styled like the admin's login inputs
            form.fields[name].widget.attrs["class"] = " ".join(BASE_INPUT_CLASSES)
        return form
