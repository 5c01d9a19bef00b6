"""The OpenAPI description and its docs page, served on the company's host without a key."""

import re

import yaml


def test_the_schema_describes_every_resource(tenant_client):
    response = tenant_client.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for resource in ("callbacks", "branches", "services", "staff", "customers", "appointments"):
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/callbacks/{id}/contact-attempts/" in paths
    assert schema["components"]["securitySchemes"]["ApiKey"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_runs_under_the_csp_without_inline_scripts(tenant_client):
    page = tenant_client.get("/api/v1/docs/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "'unsafe-inline'" not in _directive(page["Content-Security-Policy"], "script-src")
    assert re.findall(r"<script>", html) == []
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources)  # our own static files, no CDN
    assert tenant_client.get(sources[-1]).status_code == 200


def _directive(policy: str, name: str) -> str:
    return next(d for d in policy.split("; ") if d.startswith(name))
