"""Every admin response carries the Content-Security-Policy; our inline scripts run by its nonce."""

import re


def test_scripts_are_limited_to_our_origin_and_the_nonce(tenant_client):
    policy = tenant_client.get("/admin/login/")["Content-Security-Policy"]

    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy


def test_the_dashboards_inline_script_carries_the_responses_nonce(ada, as_user):
    response = as_user(ada).get("/admin/")

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_each_response_gets_a_fresh_nonce(ada, as_user):
    client = as_user(ada)

    first, second = (client.get("/admin/")["Content-Security-Policy"] for _ in range(2))

    assert first != second
