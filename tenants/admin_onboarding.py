"""The platform admin's "new company" screen: the company with its first admin, who is invited by email.

A mixin of tenants.admin.CompanyAdmin, kept apart from the company settings form: a new company needs
only a name, its slug, where it is, and who runs it; everything else is set once it exists.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tenants.forms import currency_choices, language_choices, timezone_choices
from tenants.models import Company
from tenants.onboarding import company_onboard, invitations_resend

RESENT = _("%(company)s: the invitation went again to %(emails)s.")
NOT_SENT = _("%(company)s: the mail server refused the invitation to %(emails)s; please try again later.")
NOBODY_PENDING = _("%(company)s: every admin has chosen a password; nobody was invited.")
INVITED = _("%(company)s is ready at %(host)s. %(email)s gets an email with a link to choose a password.")


class CompanyAddForm(forms.ModelForm):
    admin_name = forms.CharField(label=_("first admin's name"), max_length=150)
    admin_email = forms.EmailField(
        label=_("first admin's email"), help_text=_("Their login; the invitation goes here.")
    )

    class Meta:
        model = Company
        fields = ["name", "slug", "timezone", "language", "currency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in [
            ("timezone", timezone_choices()),
            ("language", language_choices()),
            ("currency", currency_choices()),
        ]:
            field = Company._meta.get_field(name)
            self.fields[name] = forms.ChoiceField(
                label=field.verbose_name, choices=choices, initial=field.default
            )


ADD_FIELDSETS = [
    (None, {"fields": ["name", "slug", "timezone", "language", "currency"]}),
    (_("First admin"), {"fields": ["admin_name", "admin_email"]}),
]


class OnboardingAdminMixin:
    """On "add": the short form above; once the company and its inlines are saved, it is onboarded.
    On the list: invite again the admins who have not chosen a password."""

    actions = ["invitation_resend"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CompanyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return ADD_FIELDSETS if obj is None else super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.schema_name = obj.schema_name or obj.slug
        obj._history_user = None  # the platform admin is no user of the company's schema
        obj.save(verbosity=0)  # CREATE SCHEMA and its migrations, without a line per migration in the log

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            return
        company, data = form.instance, form.cleaned_data
        company_onboard(
            company=company,
            admin_name=data["admin_name"],
            admin_email=data["admin_email"],
            scheme=request.scheme,
            port=int(request.get_port()),
            actor=f"platform:{request.user.get_username()}",
        )
        host = company.domains.order_by("-is_primary", "id").values_list("domain", flat=True).first()
        self.message_user(
            request, INVITED % {"company": company.name, "host": host, "email": data["admin_email"]}
        )

    @admin.action(description=_("Send the invitation again (admins without a password)"))
    def invitation_resend(self, request, queryset):
        for company in queryset:
            sent, refused = invitations_resend(
                company=company, scheme=request.scheme, port=int(request.get_port())
            )
            names = {"company": company.name}
            if sent:
                self.message_user(request, RESENT % {**names, "emails": ", ".join(sent)})
            if refused:
                self.message_user(request, NOT_SENT % {**names, "emails": ", ".join(refused)}, messages.ERROR)
            if not sent and not refused:
                self.message_user(request, NOBODY_PENDING % names, messages.WARNING)
