"""The per-company circuit breaker: a Cal.com outage answers in milliseconds, then one probe tests it."""

import threading
import time

import pytest

from integrations.calcom.errors import CalcomCircuitOpen, CalcomUnavailable
from tests.integrations.calcom.calcom_standin import Scripted, error_body


def outage(calls: int) -> list[Scripted]:
    return [Scripted(503, error_body(503, "ServiceUnavailableException", "down"))] * calls


def break_circuit(client, standin) -> None:
    standin.queue(*outage(5))
    for _ in range(5):
        with pytest.raises(CalcomUnavailable):
            client.me()


def test_circuit_opens_after_five_consecutive_failures_and_answers_at_once(make_client, standin):
    client = make_client(attempts=1)
    break_circuit(client, standin)

    with pytest.raises(CalcomCircuitOpen):
        client.me()

    # "At once" means without asking Cal.com: the sixth call never reached it.
    assert len(standin.requests_to("/v2/me")) == 5


def test_a_success_in_between_resets_the_failure_count(make_client, standin):
    client = make_client(attempts=1)
    standin.queue(*outage(4))
    for _ in range(4):
        with pytest.raises(CalcomUnavailable):
            client.me()
    client.me()
    standin.queue(*outage(4))
    for _ in range(4):
        with pytest.raises(CalcomUnavailable):
            client.me()

    assert not client.circuit.is_open()


def test_the_circuit_belongs_to_one_company(make_client, standin, namespace):
    acme = make_client(attempts=1)
    break_circuit(acme, standin)
    globex = make_client(attempts=1, key=lambda *parts: namespace("globex", *parts))

    assert globex.me()["username"] == "acme"


def test_after_the_cooldown_exactly_one_probe_goes_through(make_client, standin):
    client = make_client(attempts=1, circuit_cooldown=0.3)
    break_circuit(client, standin)
    time.sleep(0.35)
    standin.response_delay = 0.3
    results: list[str] = []

    def call() -> None:
        try:
            make_client(attempts=1, circuit_cooldown=0.3).me()
            results.append("ok")
        except CalcomCircuitOpen:
            results.append("open")

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["ok", "open", "open", "open", "open"]
    assert len(standin.requests_to("/v2/me")) == 6
    assert not client.circuit.is_open()
    client.me()


def test_a_failed_probe_opens_the_circuit_again(make_client, standin):
    client = make_client(attempts=1, circuit_cooldown=0.2)
    break_circuit(client, standin)
    time.sleep(0.25)
    standin.queue(*outage(1))

    with pytest.raises(CalcomUnavailable):
        client.me()
    with pytest.raises(CalcomCircuitOpen):
        client.me()
    assert len(standin.requests_to("/v2/me")) == 6


def test_a_hung_calcom_opens_the_circuit_like_errors_do_and_the_probe_closes_it_after_recovery(
    make_client, standin
):
    client = make_client(attempts=1, circuit_cooldown=0.3)
    standin.go_down("hang")
    for _ in range(5):
        started = time.perf_counter()
        with pytest.raises(CalcomUnavailable):
            client.me()
        # Each call gives up after our read timeout, not after Cal.com's silence.
        assert time.perf_counter() - started < client.settings.read_timeout + client.settings.connect_timeout

    with pytest.raises(CalcomCircuitOpen):
        client.me()
    standin.recover()
    wait_until(lambda: not client.circuit.is_open(), seconds=5)

    assert client.me()["username"] == "acme"
    assert len(standin.requests_to("/v2/me")) == 6


def wait_until(condition, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
