from django_tenants.middleware.main import TenantMainMiddleware


class CompanyMiddleware(TenantMainMiddleware):
    """Host-name routing that never serves an inactive company (its host falls back to the public site)."""

    def get_tenant(self, domain_model, hostname):
        domain = domain_model.objects.select_related("tenant").get(domain=hostname, tenant__is_active=True)
        return domain.tenant
