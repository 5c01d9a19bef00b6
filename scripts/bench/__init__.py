"""`make bench`: the benchmark suite of issue 16, against the real stack and with a floor.

Throwaway PostgreSQL and Redis (tests/drills/conftest.py's helpers), gunicorn with config/gunicorn.py and
config.settings_production, a Celery worker; load from Debian's `wrk` with pre-signed requests (load.py).
Every scenario is measured next to the floor of the same run: a bare view doing one INSERT of the same
body on the same server (floor.py). One table is printed and written as JSON (table.py).
"""
