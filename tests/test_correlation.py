"""Generated correlation ids are ordinary random UUIDs, whatever makes them cheap."""

from __future__ import annotations

import uuid

from solo60.correlation import acceptable, new_correlation_id


def test_a_new_correlation_id_is_a_random_uuid_in_its_usual_form() -> None:
    made = [new_correlation_id() for _ in range(2000)]
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert acceptable(text)
    assert len(set(made)) == len(made)
