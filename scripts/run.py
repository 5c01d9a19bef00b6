"""`make run`: migrate, load the demo data, then run web, worker and beat together (honcho)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
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
