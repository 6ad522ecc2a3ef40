from solo60.services.communication.storage import metadata
from solo60.services.kit.migrations import run_migrations

run_migrations(metadata)
