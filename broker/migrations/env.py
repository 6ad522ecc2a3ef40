"""Alembic environment: always given a live connection by `broker.storage.migrate`."""

from __future__ import annotations

from alembic import context

from broker.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("broker migrations run through broker.storage.migrate.upgrade_to_head()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
