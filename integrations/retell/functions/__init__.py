"""The agent's custom functions (filled in below; the dispatcher lives in `dispatch`)."""

from integrations.retell.functions.dispatch import run_function

__all__ = ["run_function"]
