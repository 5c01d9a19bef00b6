"""Benchmark: does creating a company get slower as the number of companies grows?

Creates N throw-away companies one after another, prints the time each took, compares the first and last
tenth, then removes them again. Usage: make bench-provisioning  (N from BENCH_COMPANIES, default 30)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from tenants.models import Company  # noqa: E402
from tenants.services import company_provision  # noqa: E402


def main() -> None:
    count = int(os.environ.get("BENCH_COMPANIES", "30"))
    seconds = []
    try:
        for index in range(count):
            started = time.perf_counter()
            company_provision(slug=f"bench_{index:04d}", name=f"Bench {index}")
            seconds.append(time.perf_counter() - started)
            print(f"company {index + 1:4d}: {seconds[-1]:.3f} s", flush=True)
    finally:
        for company in Company.objects.filter(schema_name__startswith="bench_"):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{company.schema_name}" CASCADE')
            company.delete(force_drop=False)
    tenth = max(1, count // 10)
    first, last = statistics.median(seconds[:tenth]), statistics.median(seconds[-tenth:])
    print(f"median of the first {tenth}: {first:.3f} s, of the last {tenth}: {last:.3f} s")
    print(f"ratio last/first: {last / first:.2f}")


if __name__ == "__main__":
    main()
