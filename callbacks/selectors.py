"""Reads of callbacks that several screens share, so each screen shows the same truth."""

from django.db.models import Count, QuerySet

from callbacks import visibility
from callbacks.models import CallbackRequest


def open_callbacks(user) -> QuerySet[CallbackRequest]:
    """What "Offen" means on the dashboard tile, the sidebar badge and the branch table: the callbacks the
    user may see (not in the trash) in an open status — pending, assigned or contacted."""
    return visibility.visible_callbacks(user).open()


def open_count(user) -> int:
    return open_callbacks(user).count()


def open_by_branch(user) -> dict[int, int]:
    """Branch id → number of open callbacks, from the same selector as the total."""
    rows = open_callbacks(user).order_by().values("branch").annotate(n=Count("id"))
    return {row["branch"]: row["n"] for row in rows}
