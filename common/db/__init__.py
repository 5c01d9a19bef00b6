"""Database plumbing shared by every app (the PostgreSQL backend with the schema per transaction)."""
