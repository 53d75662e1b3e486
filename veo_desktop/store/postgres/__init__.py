"""Team mode: the queue of a studio in one PostgreSQL database (see store.py, schema.py, admin.py)."""
