"""Nightly work on a company's organisation data (scheduled in org/beat.py)."""

from celery import shared_task

from common.conf import current_company_fresh
from org.retention import personal_data_expire


@shared_task(name="privacy.expire_personal_data")
def expire_personal_data() -> dict:
    """Empty personal data past the company's retention periods (idempotent; see org.retention)."""
    company = current_company_fresh()  # the periods as stored now, not as a cached tenant had them
    return personal_data_expire(company=company) if company is not None else {}
