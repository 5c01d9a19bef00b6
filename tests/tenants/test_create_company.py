import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from org.models import Staff
from tenants.models import Company, Domain, PhoneNumber

ARGS = [
    "--name",
    "Zahnarzt Zeta",
    "--phone",
    "+49 40 55502000",
    "--admin-email",
    "admin@zeta.test",
    "--admin-password",
    "demo12345",
]


@pytest.fixture
def zeta_gone(public):
    """Provisioning runs in the test transaction: the schema it creates is rolled back with it (DDL is
    transactional in PostgreSQL)."""
    yield
    connection.set_schema_to_public()


def test_create_company_creates_schema_domain_route_and_admin_once(zeta_gone, capsys):
    call_command("create_company", "zeta", *ARGS)
    call_command("create_company", "zeta", *ARGS)
    assert "Already there" in capsys.readouterr().out
    company = Company.objects.get(schema_name="zeta")
    assert schema_exists("zeta")
    assert list(Domain.objects.filter(tenant=company).values_list("domain", flat=True)) == ["zeta.localhost"]
    assert PhoneNumber.objects.filter(company=company, number="+494055502000").count() == 1
    with tenant_context(company):
        admin = Staff.objects.get()
        assert admin.role == "admin"
        assert admin.user.check_password("demo12345")
        assert admin.user.groups.filter(name="admin").exists()


def test_create_company_refuses_an_invalid_phone_and_creates_nothing(zeta_gone):
    with pytest.raises(CommandError, match="is not a valid phone number"):
        call_command("create_company", "zeta", "--name", "Zeta", "--phone", "12")
    assert not Company.objects.filter(schema_name="zeta").exists()
    assert not schema_exists("zeta")


def test_creating_a_company_does_not_slow_down_with_more_companies(public):
    """Provisioning cost is per schema (one clone of the template), not per existing company.

    The timed benchmark is `make bench` (scenario companies); here we only check that provisioning touches
    no other schema: the number of queries it runs is the same with 2 or 3 companies present.
    """
    from django.test.utils import CaptureQueriesContext

    def provision(slug):
        with CaptureQueriesContext(connection) as queries:
            call_command("create_company", slug, "--name", slug.title())
        return [q["sql"] for q in queries.captured_queries]

    first = provision("bench_a")
    second = provision("bench_b")
    assert not any('"bench_a"' in sql for sql in second)
    assert abs(len(first) - len(second)) <= 2
