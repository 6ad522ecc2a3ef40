"""How the database tells the booking flow that someone else holds the slot, on each database."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from solo60.services.session import storage


class PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def test_overlapping_inserts_aborted_as_a_deadlock_mean_the_slot_is_taken() -> None:
    # Inserts of overlapping sessions wait on each other's exclusion check; PostgreSQL breaks the
    # cycle by aborting one of them (seen about once in 200 races of 12 bookings).
    deadlock = OperationalError("INSERT INTO sessions ...", {}, PostgresError("40P01"))

    assert storage.is_overlap(deadlock)


def test_only_the_overlap_rules_mean_the_slot_is_taken() -> None:
    assert storage.is_overlap(IntegrityError("INSERT", {}, PostgresError("23P01")))
    assert storage.is_overlap(IntegrityError("INSERT", {}, Exception("ex_sessions_no_overlap: the gym is booked")))
    assert not storage.is_overlap(IntegrityError("INSERT", {}, PostgresError("23505")))
    assert not storage.is_overlap(OperationalError("INSERT", {}, PostgresError("57014")))
    assert not storage.is_overlap(DBAPIError("INSERT", {}, Exception("ex_sessions_no_overlap in a message")))
