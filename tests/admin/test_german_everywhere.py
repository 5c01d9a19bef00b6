"""Every admin page in German, as each role meets it (issue 13, item 5).

Staff, manager and admin of Acme's branch Mitte, and the platform admin on the platform's host, each walk
every registered admin URL (lists, add forms, one object's pages per model, history, custom views, the
dashboard) with German as their profile's language while the browser asks for English; the login, the
password pages and Django's JavaScript catalogue are read too. Any English on them fails the test, naming
the page and the phrase (the detector: tests/admin/english_text.py).
"""

import json
import re
import subprocess
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tenants.admin import platform_site
from tenants.models import Company
from tests.admin.english_text import EnglishFinder, read_po
from tests.admin.walk import admin_urls, custom_views, objects_at
from tests.conftest import tenant_host

PUBLIC_URLS = "config.urls_public"
ADMIN_JS_CATALOGUE = Path(django.__file__).parent / "contrib/admin/locale/de/LC_MESSAGES/djangojs.po"
SITE_PAGES_SKIPPED = {"logout", "autocomplete", "jsi18n", "view_on_site", "app_list"}


@pytest.fixture(scope="module")
def english():
    return EnglishFinder()


def _site_pages(site, urlconf: str | None = None) -> list[str]:
    """The site's own pages: the index, password change and the custom views without a parameter (an
    app's page is left out: it names the same models as the index)."""
    return [
        reverse(f"{site.name}:{pattern.name}", urlconf=urlconf)
        for pattern in site.get_urls()
        if isinstance(pattern, URLPattern)
        and pattern.name not in SITE_PAGES_SKIPPED
        and not pattern.pattern.regex.groups
    ]


def _pages(site, objects: dict[str, object], urlconf: str | None = None) -> list[str]:
    pages = _site_pages(site, urlconf)
    for model, model_admin in site._registry.items():
        obj = objects.get(model._meta.label) or model._default_manager.order_by("pk").first()
        pages += admin_urls(model_admin, obj, urlconf)
    return sorted(set(pages))


def _read(client: Client, url: str, english: EnglishFinder) -> list[str]:
    response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    if response.status_code >= 500:
        return [f"{url}: {response.status_code}"]
    content_type = response.get("Content-Type", "")
    if response.streaming or "html" not in content_type:
        return []
    return [f"{url}: {phrase}" for phrase in english.find(response.content.decode())]


def _javascript_catalogue(client: Client, url: str) -> list[str]:
    """The admin's JavaScript texts (the selector's "Choose all", the calendar) are served in German."""
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    served = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S)[1])
    served = {msgid: text[0] if isinstance(text, list) else text for msgid, text in served.items()}
    german = read_po(ADMIN_JS_CATALOGUE, plurals=False)
    wrong = [msgid for msgid, text in german.items() if text and served.get(msgid) != text]
    return [f"{url}: {msgid!r} is served as {served.get(msgid)!r}" for msgid in wrong]


def _crawl(client: Client, pages: list[str], english: EnglishFinder) -> list[str]:
    problems = []
    for url in pages:
        problems += _read(client, url, english)
    return problems


@pytest.fixture
def acme_objects(mitte, anna):
    return objects_at(mitte, anna, "Spree")


@pytest.mark.parametrize("role", ["anna", "max_manager", "ada"])
def test_every_page_of_a_company_is_german_for_each_role(request, company, acme_objects, english, role):
    person = request.getfixturevalue(role)
    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    client.force_login(person.user)
    pages = _pages(admin.site, acme_objects) + custom_views(acme_objects)

    problems = _crawl(client, pages, english) + _javascript_catalogue(client, reverse("admin:jsi18n"))

    assert problems == [], "\n".join(problems)


def test_every_page_of_the_platform_is_german(public, english):
    Company.objects.filter(schema_name="public").update(name="Plattform")  # the tests' name is English
    root = User.objects.create_superuser("root@platform.test", "root@platform.test", "demo12345")
    client = Client(HTTP_HOST="localhost")
    client.force_login(root)
    pages = _pages(platform_site, {}, PUBLIC_URLS)

    problems = _crawl(client, pages, english)
    problems += _javascript_catalogue(client, reverse("platform:jsi18n", urlconf=PUBLIC_URLS))

    assert problems == [], "\n".join(problems)


def test_the_pages_before_logging_in_are_german(company, anna, english):
    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    link = reverse(
        "password_set",
        args=[
            urlsafe_base64_encode(force_bytes(anna.user.pk)),
            default_token_generator.make_token(anna.user),
        ],
    )

    problems = _crawl(client, [reverse("admin:login"), link], english)

    assert problems == [], "\n".join(problems)


def test_the_crawl_reports_a_missing_translation(company, english, tmp_path, settings):
    """The detector at work: with a catalogue lacking the login's greeting, the login page fails."""
    po = (Path(settings.BASE_DIR) / "locale/de/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    greeting = 'msgid "Welcome back to"\nmsgstr "Willkommen zurück bei"\n'
    assert greeting in po
    source = tmp_path / "source/de/LC_MESSAGES/django.po"
    source.parent.mkdir(parents=True)
    source.write_text(po.replace(greeting, ""), encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(source.with_suffix(".mo")), str(source)], check=True)
    settings.LOCALE_PATHS = [tmp_path / "source"]  # Django drops its loaded catalogues on this change

    problems = _crawl(Client(HTTP_HOST=tenant_host(company.schema_name)), [reverse("admin:login")], english)

    assert problems == ["/admin/login/: Welcome back to"]


def test_the_platform_login_is_german(public, english):
    assert _crawl(Client(HTTP_HOST="localhost"), ["/admin/login/"], english) == []


def test_the_mended_german(company, mitte, ada):
    """Wrong German the crawl cannot see, as every word is German: word order and grammar (issue 13)."""
    client = Client(HTTP_HOST=tenant_host(company.schema_name))
    client.force_login(ada.user)
    branch_page = client.get(reverse("admin:org_branch_change", args=[mitte.pk])).content.decode()
    overview = client.get(reverse("admin:policies_policyconfiguration_overview")).content.decode()

    assert "Mitte löschen" not in branch_page and "Filiale löschen" in branch_page
    assert "Löschen Filiale" not in branch_page
    assert "übernimmt den eingebauten Standard: jederzeit erlaubt, keine Gebühr" in overview
    assert "erbt die eingebauter" not in overview
