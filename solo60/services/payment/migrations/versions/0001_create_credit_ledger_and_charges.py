"""Create the credit accounts, their ledger, per-session payments, charges and idempotency records.

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


def upgrade() -> None:
    op.create_table(
        "credit_accounts",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_credit_accounts"),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_credit_accounts_balance_not_negative")),
    )
    op.create_table(
        "credit_transactions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("subscription_id", sa.String(64), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credit_transactions"),
        sa.CheckConstraint("amount > 0", name=op.f("ck_credit_transactions_amount_positive")),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_credit_transactions_balance_after_not_negative")),
        sa.CheckConstraint("type IN ('DEBIT', 'REFUND', 'ALLOCATION')", name=op.f("ck_credit_transactions_known_type")),
        sa.UniqueConstraint("subscription_id", "period_start", name="uq_credit_transactions_subscription_id"),
    )
    op.create_index("ix_credit_transactions_user_id", "credit_transactions", ["user_id"])
    op.create_table(
        "session_payments",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("debited", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "session_id", name="pk_session_payments"),
        sa.CheckConstraint("debited > 0", name=op.f("ck_session_payments_debited_positive")),
        sa.CheckConstraint(
            "refunded >= 0 AND refunded <= debited", name=op.f("ck_session_payments_refunded_within_debited")
        ),
    )
    op.create_table(
        "charges",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failure_code", sa.String(64), nullable=True),
        sa.Column("failure_reason", sa.String(500), nullable=True),
        sa.Column("gateway_charge_id", sa.String(255), nullable=True),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("subscription_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_charges"),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_charges_amount_positive")),
        sa.CheckConstraint("status IN ('SUCCEEDED', 'FAILED')", name=op.f("ck_charges_known_status")),
    )
    op.create_index("ix_charges_user_id", "charges", ["user_id"])
    op.create_table(
        "idempotency_records",
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("operation", "key", name="pk_idempotency_records"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_index("ix_charges_user_id", table_name="charges")
    op.drop_table("charges")
    op.drop_table("session_payments")
    op.drop_index("ix_credit_transactions_user_id", table_name="credit_transactions")
    op.drop_table("credit_transactions")
    op.drop_table("credit_accounts")
