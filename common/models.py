"""No tables of its own: only abstract bases other apps' models share."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.audit import ACTOR_MAX_LENGTH


class ActorHistory(models.Model):
    """Base of every historical model (`HistoricalRecords(bases=[ActorHistory])`)."""

    history_actor = models.CharField(_("actor"), max_length=ACTOR_MAX_LENGTH, blank=True, db_index=True)

    class Meta:
        abstract = True
