from solo60.services.kit.migrations import run_migrations
from solo60.services.payment.storage import metadata

run_migrations(metadata)
