"""Provider-state descriptions stay JSON whatever a state's parameter defaults are."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import Field

from solo60.services.kit.provider_states import ProviderStates, StateParams


class Params(StateParams):
    when: datetime = datetime(2030, 1, 2, tzinfo=UTC)
    tags: list[str] = Field(default_factory=lambda: ["a", "b"], description="labels")
    count: int = 2


def test_defaults_of_any_type_are_described_as_json() -> None:
    states = ProviderStates("demo")

    @states.state("things exist", params=Params)
    async def things_exist(runtime: object, params: Params) -> None:
        """Things, as many as asked."""

    described = json.loads(json.dumps(states.describe()))
    params = described[0]["params"]
    assert params["when"]["default"] == "2030-01-02T00:00:00Z"
    assert params["tags"] == {"type": "list", "required": False, "default": ["a", "b"], "description": "labels"}
    assert params["count"]["default"] == 2
