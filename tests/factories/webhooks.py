import factory

from webhooks.models import EventType, WebhookEndpoint
from webhooks.services import secret_generate


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """Subscribed to every event; pass `url=receiver.url`."""

    class Meta:
        model = WebhookEndpoint

    url = "https://crm.example.test/hooks"
    events = factory.LazyFunction(lambda: list(EventType.values))
    secret = factory.LazyFunction(secret_generate)
