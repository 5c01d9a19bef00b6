"""Admin building blocks that apply `org.access` to a screen: the rows an admin class lists, opens, changes
and acts on, and the branch choices of its filters. The rules themselves live in `org.access`."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from org import access
from org.models import Branch

BRANCH = _("branch")


class ScopedAdmin:
    """A ModelAdmin mixin: every list, detail, change form, history, delete and action starts from
    `get_queryset`, limited here by `access_rule` (Django answers a row outside it as missing)."""

    def access_rule(self, user) -> Q:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.scoped(super().get_queryset(request), self.access_rule(request.user))


def visible_branches(user) -> QuerySet[Branch]:
    return Branch.objects.filter(access.branches_q(user)).order_by("name", "pk")


def branch_filter(field: str = "branch", title=BRANCH) -> type[admin.SimpleListFilter]:
    """A list filter over `field` offering only the branches the viewer works on."""

    class BranchFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(str(b.pk), b.name) for b in visible_branches(request.user)]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{field: int(value)}).distinct()
            return queryset

    BranchFilter.title = title
    return BranchFilter
