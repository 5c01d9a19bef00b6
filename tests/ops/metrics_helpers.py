"""Read one sample from what /metrics would say about this process's (and its siblings') counters."""

from prometheus_client.parser import text_string_to_metric_families

from common.metrics import process_counters


def sample(name: str, **labels: str) -> float:
    """The sum of the samples with these labels, whatever their other labels (0 when never counted)."""
    return sum(
        found.value
        for family in text_string_to_metric_families(process_counters().decode())
        for found in family.samples
        if found.name == name and all(found.labels.get(k) == v for k, v in labels.items())
    )
