"""Fault drills: real processes (PostgreSQL, Redis, gunicorn, Celery workers) stopped, paused or killed.

Marked `drill`; `make test` runs them. Each drill owns the processes it breaks, never the shared servers.
"""
