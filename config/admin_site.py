"""django-unfold settings: site title, sidebar navigation, colours."""

UNFOLD = {
    "SITE_TITLE": "Switchboard",
    "SITE_HEADER": "Switchboard",
    "SITE_SYMBOL": "support_agent",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SIDEBAR": {"show_search": True, "show_all_applications": True},
}
