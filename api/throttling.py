"""Per key and per address, reads and writes counted apart (rates in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES).

The cache keys carry the schema (Django's cache uses django-tenants' make_key), so companies never share
a bucket. DRF answers 429 with `Retry-After`.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class _ApiThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        # The scope depends on the request, so the rate is read here rather than in __init__.
        self.scope = "read" if request.method in SAFE_METHODS else "write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        if not getattr(self, "scope", None):
            return None
        return self.THROTTLE_RATES[self.scope]


class KeyThrottle(_ApiThrottle):
    def get_cache_key(self, request, view) -> str | None:
        if request.auth is None:
            return None
        return f"api-throttle:key:{request.auth.pk}:{self.scope}"


class AddressThrottle(_ApiThrottle):
    def get_cache_key(self, request, view) -> str | None:
        return f"api-throttle:addr:{self.get_ident(request)}:{self.scope}"
