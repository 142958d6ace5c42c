"""The local SQLite store: sessions, utterances, reports and learning logs in one file."""

from companion.store.db import Store, now_iso, parse_age

__all__ = ["Store", "now_iso", "parse_age"]
