"""Durable state: the Store interface, its SQLite implementation, the async adapter and the frames folder."""
