from solo60.services.auth.storage import metadata
from solo60.services.kit.migrations import run_migrations

run_migrations(metadata)
