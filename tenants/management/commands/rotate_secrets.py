from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.models import Company


class Command(BaseCommand):
    help = "Re-encrypt every stored company secret with the first FIELD_ENCRYPTION_KEY (key rotation)."

    @transaction.atomic
    def handle(self, *args, **options):
        # Reading decrypts with any configured key; saving encrypts with the first one.
        companies = list(Company.objects.select_for_update())
        for company in companies:
            company.save(update_fields=list(Company.SECRET_FIELDS))
        self.stdout.write(f"Re-encrypted the secrets of {len(companies)} companies.")
