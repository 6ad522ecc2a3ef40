"""What the flows record for later: stable message ids, and start times as the gym's clock shows them."""

from __future__ import annotations

from datetime import UTC, datetime

from solo60.contracts.gym import GYM_EXAMPLE, Gym
from solo60.services.session.deliveries import local_time
from solo60.services.session.follow_ups import message_id


def test_a_message_id_is_the_same_for_the_same_action_and_fits_the_outbox() -> None:
    longest_session_id = "s" * 64

    assert message_id("guest-cancellation", longest_session_id, "g-1") == message_id(
        "guest-cancellation", longest_session_id, "g-1"
    )
    assert message_id("guest-cancellation", "s-1", "g-1") != message_id("guest-cancellation", "s-1", "g-2")
    assert message_id("refund", "s-1") != message_id("release-refund", "s-1")
    assert len(message_id("guest-cancellation", longest_session_id, "g" * 36)) <= 64


def test_a_start_reads_in_the_gyms_local_time_summer_and_winter() -> None:
    london = Gym.model_validate(GYM_EXAMPLE)
    tokyo = Gym.model_validate({**GYM_EXAMPLE, "timezone": "Asia/Tokyo"})

    assert local_time(datetime(2030, 1, 7, 10, 0, tzinfo=UTC), london) == "Monday 7 January 2030, 10:00 (Europe/London)"
    assert local_time(datetime(2030, 7, 1, 9, 30, tzinfo=UTC), london) == "Monday 1 July 2030, 10:30 (Europe/London)"
    assert local_time(datetime(2030, 7, 1, 23, 0, tzinfo=UTC), tokyo) == "Tuesday 2 July 2030, 08:00 (Asia/Tokyo)"
