"""`make run`: migrate, load the demo data, then run web, worker and beat together (honcho)."""

import os
import shutil
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


def main() -> int:
    fresh_metrics_dir()
    manage("migrate_schemas", "--shared", "-v", "0")
    manage("migrate_schemas", "--tenant", "-v", "0")
    manage("seed_demo")
    port = os.environ.get("PORT", "8000")
    print(
        f"""
Switchboard is starting.
  Demo company:     http://demo.localhost:{port}/admin/
  Second company:   http://beispiel.localhost:{port}/admin/
  Platform admin:   http://localhost:{port}/admin/   (root@platform.test / demo12345)
  Logins per company: admin@<slug>.test, manager@<slug>.test, staff@<slug>.test, password demo12345
  Webhooks:         http://localhost:{port}/webhooks/retell/  and  /webhooks/calcom/<slug>
Press Ctrl-C to stop everything.
""",
        flush=True,
    )
    honcho = Path(PYTHON).with_name("honcho")
    # honcho gives the first Procfile entry (web) the port passed with -p; worker and beat listen on none.
    command = [str(honcho), "start", "-f", str(ROOT / "Procfile"), "-p", port]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
