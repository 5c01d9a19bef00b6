"""django-unfold settings: site title, sidebar navigation with badges, the dashboard, colours.

The same settings serve the platform admin on the public host; every company entry below checks that the
request is on a company's host (and that the model is registered there and visible to the user), so the
platform admin shows none of them.
"""

from django.utils.translation import gettext_lazy as _


def _on_company_host(request) -> bool:
    from common.conf import current_company

    return current_company() is not None and request.user.is_authenticated


def _model_entry(
    app_label: str, model_name: str, title, icon: str, *, query: str = "", badge: str = "", variant: str = ""
) -> dict:
    """A sidebar link to a model's list, shown only where that admin exists and the user may view it."""

    def registered(request):
        from django.contrib import admin

        for model, model_admin in admin.site._registry.items():
            if (model._meta.app_label, model._meta.model_name) == (app_label, model_name):
                return model_admin
        return None

    def permission(request) -> bool:
        if not _on_company_host(request):
            return False
        model_admin = registered(request)
        return model_admin is not None and model_admin.has_view_permission(request)

    def link(request) -> str:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(f"admin:{app_label}_{model_name}_changelist") + query
        except NoReverseMatch:
            return "#"

    entry = {"title": title, "icon": icon, "link": link, "permission": permission}
    if badge:
        entry["badge"] = badge
    if variant:
        entry["badge_variant"] = variant
    return entry


def _list_tab(title, query: str = "") -> dict:
    """A tab above the callback list: a saved filter, active only when exactly that filter is applied."""
    from urllib.parse import parse_qs

    wanted = parse_qs(query)

    def link(request) -> str:
        from django.urls import reverse

        return reverse("admin:callbacks_callbackrequest_changelist") + (f"?{query}" if query else "")

    def active(request) -> bool:
        applied = {
            key: values for key, values in parse_qs(request.GET.urlencode()).items() if key not in ("o", "p")
        }
        return applied == wanted

    return {"title": title, "link": link, "active": active}


CALLBACK_TABS = [
    _list_tab(_("All")),
    _list_tab(_("My callbacks"), "assignee=me"),
    _list_tab(_("Unassigned"), "assignee=none&status__exact=pending"),
    _list_tab(_("Overdue"), "overdue=yes"),
    _list_tab(_("Urgent"), "priority__exact=urgent&overdue=no"),
    _list_tab(_("Nobody eligible"), "unassignable=yes"),
    _list_tab(_("Today"), "period=today"),
    _list_tab(_("Completed"), "status__exact=completed"),
]


def _two_factor_link(request) -> str:
    from django.urls import reverse

    return reverse("two_factor_setup")


def _activity_link(request) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("admin:company_activity")
    except NoReverseMatch:  # the platform's host has no company activity
        return "#"


def _dashboard_link(request) -> str:
    from django.urls import reverse

    return reverse("admin:index")


NAVIGATION = [
    {
        "title": _("Callbacks"),
        "separator": False,
        "items": [
            {
                "title": _("Dashboard"),
                "icon": "dashboard",
                "link": _dashboard_link,
                "permission": _on_company_host,
            },
            _model_entry(
                "callbacks",
                "callbackrequest",
                _("Callback requests"),
                "phone_callback",
                badge="callbacks.dashboard.nav_badge_open",
                variant="info",
            ),
            _model_entry(
                "callbacks",
                "callbackrequest",
                _("Overdue"),
                "alarm",
                query="?overdue=yes",
                badge="callbacks.dashboard.nav_badge_overdue",
            ),
            _model_entry(
                "callbacks",
                "callbackrequest",
                _("My callbacks"),
                "person",
                query="?assignee=me",
            ),
            _model_entry(
                "callbacks",
                "callbackescalation",
                _("Escalations"),
                "priority_high",
                query="?resolved_at__isempty=1",
                badge="callbacks.dashboard.nav_badge_escalations",
                variant="warning",
            ),
        ],
    },
    {
        "title": _("Customers and calls"),
        "separator": True,
        "items": [
            _model_entry("org", "customer", _("Customers"), "people"),
            _model_entry("calls", "call", _("Calls"), "call"),
            _model_entry("appointments", "appointment", _("Appointments"), "event"),
        ],
    },
    {
        "title": _("Organisation"),
        "separator": True,
        "collapsible": True,
        "items": [
            _model_entry("org", "branch", _("Branches"), "store"),
            _model_entry("org", "staff", _("Staff"), "badge"),
            _model_entry("org", "absence", _("Absences"), "beach_access"),
            _model_entry("org", "service", _("Services"), "design_services"),
        ],
    },
    {
        "title": _("Configuration"),
        "separator": True,
        "collapsible": True,
        "items": [
            _model_entry("policies", "policyconfiguration", _("Policies"), "policy"),
            _model_entry("notifications", "notificationconfiguration", _("Notifications"), "notifications"),
            _model_entry("integrations", "webhookevent", _("Webhook events"), "webhook"),
            _model_entry("webhooks", "webhookendpoint", _("Outbound webhooks"), "send"),
            _model_entry("tenants", "company", _("Company settings and API keys"), "key"),
            # Shown to whoever may see the company settings (its admins).
            {**_model_entry("tenants", "company", _("Activity"), "history"), "link": _activity_link},
        ],
    },
]

UNFOLD = {
    "SITE_TITLE": "Switchboard",
    "SITE_HEADER": "Switchboard",
    "SITE_SYMBOL": "support_agent",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "callbacks.dashboard.dashboard_callback",
    "LOGIN": {"form": "accounts.forms.LoginForm"},
    "SITE_DROPDOWN": [
        {"icon": "phonelink_lock", "title": _("Two-factor authentication"), "link": _two_factor_link}
    ],
    "COLORS": {
        "primary": {
            "50": "oklch(97.0% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(62.3% .214 259.815)",
            "600": "oklch(54.6% .245 262.881)",
            "700": "oklch(48.8% .243 264.376)",
            "800": "oklch(42.4% .199 265.638)",
            "900": "oklch(37.9% .146 265.522)",
            "950": "oklch(28.2% .091 267.935)",
        },
    },
    "SIDEBAR": {"show_search": True, "show_all_applications": True, "navigation": NAVIGATION},
    "TABS": [{"models": ["callbacks.callbackrequest"], "items": CALLBACK_TABS}],
}
