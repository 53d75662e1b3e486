"""The pure core: domain types and decisions, with time passed in. Imports no Qt, sqlite3 or httpx."""
