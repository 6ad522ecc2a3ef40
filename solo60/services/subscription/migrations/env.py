from solo60.services.kit.migrations import run_migrations
from solo60.services.subscription.storage import metadata

run_migrations(metadata)
