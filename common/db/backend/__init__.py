"""django-tenants' PostgreSQL backend, with the company's schema set inside every transaction (base.py)."""
