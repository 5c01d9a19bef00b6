"""`make run`: migrate, load the demo data, then run web, worker, beat and the Cal.com stand-in together
(honcho). The stand-in answers the Cal.com API for the demo companies, so nothing needs the internet."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def fresh_metrics_dir() -> None:
    """Every process of this run writes its counters here; /metrics adds them up (multiprocess mode).

    Cleared at start: files of an earlier run's processes would otherwise be counted again.
    """
    metrics_dir = ROOT / ".data" / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_calcom_standin(web_port: str) -> str:
    """Point the Cal.com client at the stand-in (Procfile entry `calcom`) and its webhooks at us.

    The client's address is the platform's setting `CALCOM_CLIENT.base_url`; one set in the environment
    (a real Cal.com) is kept, and then no stand-in port is needed by the client.
    """
    port = os.environ.get("CALCOM_STANDIN_PORT") or str(free_port())
    os.environ["CALCOM_STANDIN_PORT"] = port
    os.environ["DEMO_URL"] = f"http://localhost:{web_port}"
    os.environ.setdefault("SWITCHBOARD_CALCOM_CLIENT", json.dumps({"base_url": f"http://127.0.0.1:{port}"}))
    return json.loads(os.environ["SWITCHBOARD_CALCOM_CLIENT"]).get("base_url", "https://api.cal.com")


def main() -> int:
    fresh_metrics_dir()
    manage("migrate_schemas", "--shared", "-v", "0")
    manage("migrate_schemas", "--tenant", "-v", "0")
    manage("seed_demo")
    port = os.environ.get("PORT", "8000")
    calcom = use_calcom_standin(port)
    # simulate_call reads the number's company from this database (the embedded one has a socket path).
    simulate = f"DATABASE_URL='{os.environ['DATABASE_URL']}' .venv/bin/python manage.py simulate_call"
    print(
        f"""
Switchboard is starting.
  Demo company:     http://demo.localhost:{port}/admin/
  Second company:   http://beispiel.localhost:{port}/admin/
  Platform admin:   http://localhost:{port}/admin/   (root@platform.test / demo12345)
  Logins per company: admin@<slug>.test, manager@<slug>.test, staff@<slug>.test, password demo12345
  Webhooks:         http://localhost:{port}/webhooks/retell/  and  /webhooks/calcom/<slug>
  Cal.com:          {calcom}   (the stand-in; see the README, "Trying it offline")
  A phone call:     {simulate} booking --number "+49 30 55501001" --url http://localhost:{port}
Press Ctrl-C to stop everything.
""",
        flush=True,
    )
    honcho = Path(PYTHON).with_name("honcho")
    # honcho gives the first Procfile entry (web) the port passed with -p; worker and beat listen on none,
    # the Cal.com stand-in on CALCOM_STANDIN_PORT.
    command = [str(honcho), "start", "-f", str(ROOT / "Procfile"), "-p", port]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
