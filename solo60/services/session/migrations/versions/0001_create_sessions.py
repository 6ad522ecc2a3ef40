"""Create sessions, their guests and waiting lists; no two held sessions overlap in a gym.

The overlap rule is enforced by the database so concurrent bookings cannot both succeed:
PostgreSQL gets an exclusion constraint (needs the btree_gist extension, created in the
`public` schema so that it outlives any one service schema; the migrating role must be
allowed to create it), SQLite gets triggers that abort an overlapping insert or update.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OCCUPYING = "('PENDING_APPROVAL', 'CONFIRMED')"

POSTGRES_NO_OVERLAP = f"""
ALTER TABLE sessions ADD CONSTRAINT ex_sessions_no_overlap
EXCLUDE USING gist (gym_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status IN {OCCUPYING})
"""

SQLITE_OVERLAP_CHECK = f"""
WHEN NEW.status IN {OCCUPYING}
BEGIN
    SELECT RAISE(ABORT, 'ex_sessions_no_overlap: the gym is already booked for part of this slot')
    WHERE EXISTS (
        SELECT 1 FROM sessions
        WHERE gym_id = NEW.gym_id AND id != NEW.id AND status IN {OCCUPYING}
          AND starts_at < NEW.ends_at AND NEW.starts_at < ends_at
    );
END
"""


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("gym_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price_credits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_sessions_ends_after_start"),
        sa.CheckConstraint("price_credits >= 0", name="ck_sessions_price_not_negative"),
        sa.CheckConstraint(
            "status IN ('PENDING_APPROVAL', 'CONFIRMED', 'CANCELLED', 'COMPLETED')", name="ck_sessions_known_status"
        ),
    )
    op.create_index("ix_sessions_user_id_starts_at", "sessions", ["user_id", "starts_at"])
    op.create_index("ix_sessions_gym_id_starts_at", "sessions", ["gym_id", "starts_at"])
    op.create_table(
        "session_guests",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_guests"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_guests_session_id_sessions", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("session_id", "email_key", name="uq_session_guests_session_id"),
    )
    op.create_table(
        "waiting_list_entries",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_waiting_list_entries"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_waiting_list_entries_session_id_sessions", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("session_id", "user_id", name="uq_waiting_list_entries_session_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        op.execute(POSTGRES_NO_OVERLAP)
    else:
        op.execute(f"CREATE TRIGGER sessions_no_overlap_on_insert BEFORE INSERT ON sessions {SQLITE_OVERLAP_CHECK}")
        op.execute(
            "CREATE TRIGGER sessions_no_overlap_on_update "
            f"BEFORE UPDATE OF gym_id, status, starts_at, ends_at ON sessions {SQLITE_OVERLAP_CHECK}"
        )


def downgrade() -> None:
    op.drop_table("waiting_list_entries")
    op.drop_table("session_guests")
    op.drop_table("sessions")
