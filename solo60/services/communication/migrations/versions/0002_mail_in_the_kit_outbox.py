"""Mail moves into the kit's outbox: one outbox, one relay, for every service.

`email_messages` becomes rows of `outbox_messages` with the operation `send_mail`: the mail
(template, recipient, subject, body, caller) in `payload`, the delivery bookkeeping in the
outbox's own columns (QUEUED is PENDING there, SENT is DELIVERED). Existing rows are copied
over, queued ones keep their attempts, lease and next attempt, so nothing is lost or re-sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEND_MAIL = "send_mail"
TO_OUTBOX = {"QUEUED": "PENDING", "SENT": "DELIVERED", "FAILED": "FAILED"}
TO_MAIL = {new: old for old, new in TO_OUTBOX.items()}
MAIL_FIELDS = ("template_key", "recipient_user_id", "recipient_email", "subject", "body", "requested_by")
PAYLOAD_NAMES = {
    "template_key": "templateKey",
    "recipient_user_id": "recipientUserId",
    "recipient_email": "recipientEmail",
    "subject": "subject",
    "body": "body",
    "requested_by": "requestedBy",
}

TIME = sa.DateTime(timezone=True)
email_messages = sa.table(
    "email_messages",
    *(sa.column(name) for name in MAIL_FIELDS),
    sa.column("id"),
    sa.column("status"),
    sa.column("attempts", sa.Integer),
    sa.column("max_attempts", sa.Integer),
    sa.column("next_attempt_at", TIME),
    sa.column("lease_owner"),
    sa.column("lease_expires_at", TIME),
    sa.column("last_error"),
    sa.column("correlation_id"),
    sa.column("created_at", TIME),
    sa.column("updated_at", TIME),
    sa.column("sent_at", TIME),
)


def upgrade() -> None:
    outbox = op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_messages_delivered_at", "outbox_messages", ["delivered_at"])
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])
    connection = op.get_bind()
    rows = [_as_outbox_row(row._mapping) for row in connection.execute(sa.select(email_messages))]
    if rows:
        op.bulk_insert(outbox, rows)
    op.drop_index("ix_email_messages_status_next_attempt_at", table_name="email_messages")
    op.drop_table("email_messages")


def downgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("template_key", sa.String(64), nullable=False),
        sa.Column("recipient_user_id", sa.String(64), nullable=True),
        sa.Column("recipient_email", sa.String(254), nullable=True),
        sa.Column("subject", sa.String(1000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_email_messages"),
    )
    op.create_index("ix_email_messages_status_next_attempt_at", "email_messages", ["status", "next_attempt_at"])
    outbox = sa.table("outbox_messages", *(sa.column(name, _OUTBOX_TYPES.get(name)) for name in _OUTBOX_COLUMNS))
    connection = op.get_bind()
    rows = [
        _as_mail_row(row._mapping)
        for row in connection.execute(sa.select(outbox).where(outbox.c.operation == SEND_MAIL))
    ]
    if rows:
        types = {"attempts": sa.Integer, "max_attempts": sa.Integer} | {
            name: TIME for name in ("next_attempt_at", "lease_expires_at", "created_at", "updated_at", "sent_at")
        }
        op.bulk_insert(sa.table("email_messages", *(sa.column(name, types.get(name)) for name in rows[0])), rows)
    op.drop_index("ix_idempotency_records_created_at", table_name="idempotency_records")
    op.drop_index("ix_outbox_messages_delivered_at", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")


_OUTBOX_COLUMNS = (
    "id",
    "operation",
    "payload",
    "status",
    "attempts",
    "max_attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_until",
    "last_error",
    "correlation_id",
    "created_at",
    "updated_at",
    "delivered_at",
)

_OUTBOX_TYPES: dict[str, Any] = {"payload": sa.JSON, "attempts": sa.Integer, "max_attempts": sa.Integer} | {
    name: TIME for name in ("next_attempt_at", "lease_until", "created_at", "updated_at", "delivered_at")
}


def _as_outbox_row(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "operation": SEND_MAIL,
        "payload": {PAYLOAD_NAMES[name]: row[name] for name in MAIL_FIELDS},
        "status": TO_OUTBOX.get(row["status"], row["status"]),
        "attempts": row["attempts"],
        "max_attempts": row["max_attempts"],
        "next_attempt_at": row["next_attempt_at"] or row["updated_at"],
        "lease_owner": row["lease_owner"],
        "lease_until": row["lease_expires_at"],
        "last_error": row["last_error"],
        "correlation_id": row["correlation_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "delivered_at": row["sent_at"],
    }


def _as_mail_row(row: Any) -> dict[str, Any]:
    payload = row["payload"]
    pending = row["status"] == "PENDING"
    return {
        **{name: payload.get(PAYLOAD_NAMES[name]) for name in MAIL_FIELDS},
        "id": row["id"],
        "status": TO_MAIL.get(row["status"], row["status"]),
        "attempts": row["attempts"],
        "max_attempts": row["max_attempts"] or 8,
        "next_attempt_at": row["next_attempt_at"] if pending else None,
        "lease_owner": row["lease_owner"],
        "lease_expires_at": row["lease_until"],
        "last_error": row["last_error"],
        "correlation_id": row["correlation_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"] or row["created_at"],
        "sent_at": row["delivered_at"],
    }
