"""How long personal data is kept: each company's retention periods, enforced by a nightly job.

Each app registers what it keeps (`retention_rule_register`, in its `AppConfig.ready`): the Company field
holding the number of days, and a function that empties one batch of rows older than a moment. The job
(`org.tasks.expire_personal_data`, nightly per company) runs every rule in batches, each its own
transaction, until nothing past retention is left. A rule picks only rows not emptied yet, so running it
again changes nothing. The rows themselves stay (status, times, amounts): the statistics keep their counts.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


class ExpireBatch(Protocol):
    def __call__(self, *, before: datetime, limit: int) -> int:
        """Empty at most `limit` rows created before `before` that still hold personal data; how many."""


@dataclass(frozen=True)
class RetentionRule:
    name: str  # what it empties, for logs and the job's answer
    days_field: str  # the Company field with the number of days
    expire: ExpireBatch


_rules: dict[str, RetentionRule] = {}


def retention_rule_register(name: str, days_field: str, expire: ExpireBatch) -> None:
    _rules[name] = RetentionRule(name=name, days_field=days_field, expire=expire)


def retention_rules() -> list[RetentionRule]:
    return list(_rules.values())


def personal_data_expire(*, company, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Empty what the company keeps past its retention periods (run in the company's schema)."""
    now = now or timezone.now()
    emptied = {}
    for rule in retention_rules():
        before = now - timedelta(days=getattr(company, rule.days_field))
        emptied[rule.name] = _expire_in_batches(rule, before, batch_size)
        if emptied[rule.name]:
            logger.info("retention: emptied %s %s from before %s", emptied[rule.name], rule.name, before)
    return emptied


def _expire_in_batches(rule: RetentionRule, before: datetime, batch_size: int) -> int:
    total = 0
    while True:
        with transaction.atomic():
            done = rule.expire(before=before, limit=batch_size)
        total += done
        if done < batch_size:
            return total
