"""Database plumbing shared by every domain: metadata, engine, transactions and migrations."""

from broker.storage.database import Database
from broker.storage.schema import metadata

__all__ = ["Database", "metadata"]
