"""Staff admin: configurations with the hierarchy in view, templates with a live preview, the delivery log
with a resend action, and every staff member's own in-app notifications.

Thin on purpose: saves, resends and "mark as read" go through notifications.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminCheckboxSelectMultiple

from common.conf import current_company
from common.history_admin import RecordHistoryAdmin
from notifications import selectors, services
from notifications.models import (
    Channel,
    ContactOptOut,
    EventType,
    InAppNotification,
    NotificationConfiguration,
    NotificationDelivery,
    NotificationTemplate,
    ReportPreference,
)
from notifications.rendering import PLACEHOLDERS
from org import access
from org.admin_scoping import ScopedAdmin

LEVEL_LABELS = {
    "staff": _("1 · staff member"),
    "service": _("2 · service"),
    "branch": _("3 · branch"),
    "company": _("4 · company"),
}
REGISTRY_DEFAULT = _("registry default: %(state)s")
RESENT = _("%(count)d deliveries queued again.")
NOT_RESENT = _("%(count)d deliveries were not resent (only failed ones can be).")
MARKED_READ = _("%(count)d notifications marked as read.")
PREVIEW_NEEDS_POST = _("Send the template text with POST.")


def placeholder_help() -> str:
    rows = format_html_join(
        "", "<li><code>{{{{{}}}}}</code> – {}</li>", ((k, v) for k, v in PLACEHOLDERS.items())
    )
    return format_html('<ul class="text-sm leading-relaxed">{}</ul>', rows)


class LevelFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return list(LEVEL_LABELS.items())

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("staff", "service", "branch"):
            return queryset.filter(**{f"{value}__isnull": False})
        if value == "company":
            return queryset.filter(staff__isnull=True, service__isnull=True, branch__isnull=True)
        return queryset


@admin.register(EventType)
class EventTypeAdmin(ModelAdmin):
    list_display = ["__str__", "category", "recipients_shown", "channels_shown", "is_urgent", "is_active"]
    list_filter = ["category", "is_active"]
    fields = [
        "key", "label", "label_de", "category", "description", "recipients_shown", "default_channels",
        "default_fallback_channel", "is_urgent", "is_active",
    ]  # fmt: skip
    readonly_fields = ["key", "recipients_shown"]

    @admin.display(description=_("default recipients"))
    def recipients_shown(self, obj: EventType) -> str:
        return obj.recipient_labels()

    @admin.display(description=_("default channels"))
    def channels_shown(self, obj: EventType) -> str:
        return obj.channel_labels()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The default channels are ticked by their names, not typed as codes."""
        if db_field.name == "default_channels":
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name,
                choices=Channel.choices,
                widget=UnfoldAdminCheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: EventType, form, change: bool) -> None:
        services.event_type_save(event_type=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the registry lists the domain events the apps emit; a new one needs code

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PreviewMixin:
    """A JSON endpoint the change form calls while the admin types: the text rendered with sample data."""

    preview_url_name: str

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", view, name=self.preview_url_name), *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        if not self.has_view_permission(request):
            return JsonResponse({"ok": False, "errors": [gettext("Permission denied.")]}, status=403)
        if request.method != "POST":
            return JsonResponse({"ok": False, "errors": [str(PREVIEW_NEEDS_POST)]}, status=405)
        channel = request.POST.get("channel") or Channel.EMAIL
        if channel not in Channel.values:
            channel = Channel.EMAIL
        try:
            message = services.template_preview(
                channel=channel,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                language=request.POST.get("language")
                if request.POST.get("language") in ("de", "en")
                else "de",
            )
        except ValidationError as exc:
            return JsonResponse({"ok": False, "errors": exc.messages})
        return JsonResponse(
            {
                "ok": True,
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "sms_segments": message.sms_segments,
                "sms_encoding": message.sms_encoding,
            }
        )


@admin.register(NotificationConfiguration)
class NotificationConfigurationAdmin(PreviewMixin, RecordHistoryAdmin, ModelAdmin):
    preview_url_name = "notifications_notificationconfiguration_preview"
    change_form_template = "notifications/admin/preview_change_form.html"
    list_display = [
        "event_type",
        "channel",
        "level",
        "target",
        "is_enabled",
        "fallback_channel",
        "retry_count",
    ]
    list_filter = [LevelFilter, "event_type", "channel", "is_enabled"]
    list_select_related = ["event_type", "staff", "branch", "service"]
    autocomplete_fields: list[str] = []
    readonly_fields = ["hierarchy", "placeholders"]
    actions_list = ["overview"]
    fieldsets = [
        (None, {"fields": ["event_type", "channel", "is_enabled", "fallback_channel"]}),
        (_("Applies to (empty: the whole company)"), {"fields": ["branch", "service", "staff"]}),
        (_("Timing and retries"), {"fields": ["delay_minutes", "retry_count", "retry_delays_minutes"]}),
        (
            _("Text (empty: the default template)"),
            {"fields": ["subject_de", "body_de", "subject_en", "body_en"]},
        ),
        (_("Placeholders"), {"fields": ["placeholders"]}),
        (_("Hierarchy"), {"fields": ["hierarchy"]}),
    ]

    @action(
        description=_("Hierarchy overview"), url_path="overview", permissions=["view"], icon="account_tree"
    )
    def overview(self, request: HttpRequest) -> HttpResponse:
        """Per event and channel: the registry default and every override, company down to staff."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Who is notified how"),
            "opts": self.model._meta,
            "rows": selectors.configuration_overview(),
            "level_labels": LEVEL_LABELS,
        }
        return TemplateResponse(request, "notifications/admin/overview.html", context)

    @admin.display(description=_("level"), ordering="staff")
    def level(self, configuration: NotificationConfiguration) -> str:
        return str(LEVEL_LABELS[configuration.level])

    @admin.display(description=_("applies to"))
    def target(self, configuration: NotificationConfiguration) -> str:
        return configuration.target_label

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, configuration: NotificationConfiguration | None = None) -> str:
        return placeholder_help()

    @admin.display(description=_("the same event and channel at other levels"))
    def hierarchy(self, configuration: NotificationConfiguration) -> str:
        """Every row for this event and channel, most specific first, with this one marked."""
        if not configuration.pk:
            return "–"
        rows = selectors.configuration_levels(configuration.event_type, configuration.channel)
        items = format_html_join(
            "",
            "<li>{}{} – {}: {}</li>",
            (
                (
                    "➜ " if row.pk == configuration.pk else "",
                    LEVEL_LABELS[row.level],
                    row.target_label,
                    gettext("on") if row.is_enabled else gettext("off"),
                )
                for row in rows
            ),
        )
        state = (
            gettext("on")
            if configuration.channel in configuration.event_type.default_channels
            else gettext("off")
        )
        return format_html("<ul>{}<li>{}</li></ul>", items, REGISTRY_DEFAULT % {"state": state})

    def save_model(self, request: HttpRequest, obj: NotificationConfiguration, form, change: bool) -> None:
        services.configuration_save(configuration=obj)

    def preview_context(self, obj: NotificationConfiguration | None) -> dict:
        return {
            "channel": obj.channel if obj else "",
            "fields": [("subject_de", "body_de", "de"), ("subject_en", "body_en", "en")],
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["preview"] = {**self.preview_context(obj), "url_name": f"admin:{self.preview_url_name}"}
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(PreviewMixin, RecordHistoryAdmin, ModelAdmin):
    preview_url_name = "notifications_notificationtemplate_preview"
    change_form_template = "notifications/admin/preview_change_form.html"
    list_display = ["event_type", "channel", "language", "subject", "updated_at"]
    list_filter = ["event_type", "channel", "language"]
    list_select_related = ["event_type"]
    search_fields = ["subject", "body"]
    fields = ["event_type", "channel", "language", "subject", "body", "placeholders"]
    readonly_fields = ["placeholders"]

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, template: NotificationTemplate | None = None) -> str:
        return placeholder_help()

    def save_model(self, request: HttpRequest, obj: NotificationTemplate, form, change: bool) -> None:
        services.template_save(template=obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        language = obj.language if obj else ""
        context["preview"] = {
            "channel": obj.channel if obj else "",
            "fields": [("subject", "body", language)],
            "url_name": f"admin:{self.preview_url_name}",
        }
        return super().render_change_form(request, context, add, change, form_url, obj)


class RecipientMixin:
    @admin.display(description=_("recipient"))
    def recipient(self, delivery: NotificationDelivery) -> str:
        person = delivery.customer or delivery.staff
        name = str(person) if person else delivery.get_recipient_kind_display()
        return f"{name} ({delivery.address})" if delivery.address else name


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ScopedAdmin, RecipientMixin, ModelAdmin):
    list_display = ["created_at", "event_type", "channel", "recipient", "status", "attempts", "short_reason"]
    list_filter = ["status", "channel", "event_type", "recipient_kind", "created_at"]
    list_select_related = ["event_type", "customer", "staff"]
    search_fields = ["address", "customer__name", "staff__name", "subject", "provider_message_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = ["recipient", "attempt_errors"]
    fieldsets = [
        (None, {"fields": ["event_type", "channel", "status", "reason", "recipient", "language"]}),
        (
            _("Message"),
            {"fields": ["subject", "body", "sms_segments", "sms_encoding", "provider_message_id"]},
        ),
        (
            _("Timing"),
            {"fields": ["created_at", "not_before", "claimed_at", "sent_at", "delivered_at", "read_at"]},
        ),
        (_("Attempts"), {"fields": ["attempts", "max_attempts", "attempt_errors", "fallback_channel"]}),
        (_("Links"), {"fields": ["appointment", "callback", "configuration", "fallback_for", "resent_from"]}),
    ]

    def access_rule(self, user) -> Q:
        return access.notification_q(user)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in NotificationDelivery._meta.fields] + ["recipient", "attempt_errors"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the log is the history of what was sent

    @admin.display(description=_("reason"))
    def short_reason(self, delivery: NotificationDelivery) -> str:
        return delivery.reason if len(delivery.reason) <= 80 else delivery.reason[:79] + "…"

    @admin.display(description=_("errors per attempt"))
    def attempt_errors(self, delivery: NotificationDelivery) -> str:
        if not delivery.errors:
            return "–"
        rows = ((e.get("attempt"), e.get("at"), e.get("error")) for e in delivery.errors)
        return format_html("<ol>{}</ol>", format_html_join("", "<li>#{} {}: {}</li>", rows))

    @admin.action(description=_("Resend failed deliveries"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        resent = refused = 0
        for delivery in queryset.select_related("customer", "staff", "branch"):
            try:
                services.delivery_resend(delivery=delivery)
                resent += 1
            except ValidationError:
                refused += 1
        if resent:
            messages.success(request, RESENT % {"count": resent})
        if refused:
            messages.warning(request, NOT_RESENT % {"count": refused})


@admin.register(InAppNotification)
class InAppNotificationAdmin(ModelAdmin):
    """Every staff member sees their own in-app notifications here, unread first, and nobody else's."""

    list_display = ["created_at", "subject", "body", "is_read"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    actions = ["mark_read"]
    fields = ["subject", "body", "created_at", "read_at", "callback", "appointment"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        staff = getattr(request.user, "staff", None)
        if staff is None:
            return InAppNotification.objects.none()
        visible = InAppNotification.objects.filter(
            staff=staff, channel=Channel.IN_APP, status=NotificationDelivery.Status.SENT
        )
        return visible.order_by(F("read_at").desc(nulls_first=True), "-created_at")  # unread first

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return self.fields

    def _is_staff_member(self, request: HttpRequest) -> bool:
        return request.user.is_active and getattr(request.user, "staff", None) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_staff_member(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_staff_member(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_staff_member(request)  # needed for the "mark as read" action; fields stay read-only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        bell = path("bell.json", self.admin_site.admin_view(self.bell_view), name="notifications_bell")
        return [bell, *super().get_urls()]

    def bell_view(self, request: HttpRequest) -> JsonResponse:
        """The header's bell (static/notifications/bell.js polls it): the person's own unread in-app
        notifications, newest first, each with the page it is about."""
        staff = getattr(request.user, "staff", None)
        if current_company() is None or staff is None:
            return JsonResponse({"unread": 0, "items": []})
        unread = selectors.unread_in_app(staff)
        items = [
            {
                "subject": row.subject or row.body[:80],
                "url": _bell_link(row),
                "at": row.created_at.isoformat(),
            }
            for row in unread.order_by("-created_at", "-pk")[:BELL_ITEMS]
        ]
        return JsonResponse({"unread": unread.count(), "items": items})

    @admin.display(description=_("read"), boolean=True)
    def is_read(self, notification: InAppNotification) -> bool:
        return notification.read_at is not None

    @admin.action(description=_("Mark as read"), permissions=["change"])
    def mark_read(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.in_app_mark_read(
            staff=request.user.staff, delivery_ids=list(queryset.values_list("pk", flat=True))
        )
        messages.success(request, MARKED_READ % {"count": count})


BELL_ITEMS = 8


def _bell_link(notification: NotificationDelivery) -> str:
    """The callback or appointment a notification is about, else the notification itself."""
    if notification.callback_id:
        return reverse("admin:callbacks_callbackrequest_change", args=[notification.callback_id])
    if notification.appointment_id:
        return reverse("admin:appointments_appointment_change", args=[notification.appointment_id])
    return reverse("admin:notifications_inappnotification_change", args=[notification.pk])


def unread_badge(request: HttpRequest) -> str:
    """Sidebar badge (UNFOLD navigation): the logged-in staff member's unread in-app notifications."""
    staff = getattr(request.user, "staff", None)
    count = selectors.unread_in_app(staff).count() if staff is not None else 0
    return str(count) if count else ""


class CustomerOptOutsInline(TabularInline):
    """On the customer page (org.admin): the channels they opted out of, how and when. Read-only: opt-outs
    are recorded by notifications.services.opt_outs, never edited by hand."""

    model = ContactOptOut
    verbose_name_plural = _("Opt-outs")
    fields = ["channel", "source", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    tab = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _on_off(label) -> forms.TypedChoiceField:
    """A required on/off choice: an empty form changes nothing."""
    choices = [(True, _("on")), (False, _("off"))]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=lambda value: value == "True", widget=forms.RadioSelect
    )


class ReportPreferenceForm(forms.ModelForm):
    daily_summary = _on_off(_("daily summary"))
    weekly_sla_report = _on_off(_("weekly deadline report"))

    class Meta:
        model = ReportPreference
        fields = ["daily_summary", "weekly_sla_report"]


@admin.register(ReportPreference)
class ReportPreferenceAdmin(ModelAdmin):
    """A manager's own switches for the report emails (`notifications.reports`); nobody edits another's."""

    form = ReportPreferenceForm
    fields = ["daily_summary", "weekly_sla_report"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        staff = getattr(request.user, "staff", None)
        return ReportPreference.objects.filter(staff=staff) if staff else ReportPreference.objects.none()

    def _is_manager(self, request: HttpRequest) -> bool:
        return getattr(request.user, "staff", None) is not None and access.is_manager(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_manager(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_manager(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_manager(request) and not self.get_queryset(request).exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """There is one row per person: the list opens it (or the form for it, before the first save)."""
        if not self._is_manager(request):
            raise PermissionDenied
        own = self.get_queryset(request).first()
        if own is None:
            return HttpResponseRedirect(reverse("admin:notifications_reportpreference_add"))
        return HttpResponseRedirect(reverse("admin:notifications_reportpreference_change", args=[own.pk]))

    def save_model(self, request: HttpRequest, obj: ReportPreference, form, change: bool) -> None:
        obj.staff = request.user.staff
        super().save_model(request, obj, form, change)
