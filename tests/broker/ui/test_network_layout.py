"""The network drawing stays readable: no two boxes overlap, no label overflows its box, every
consumer sits left of its providers (unless a cycle forces otherwise), at 7 and at 50."""

from __future__ import annotations

import itertools
import random

import pytest

from broker.badges.svg import text_width
from broker.ui.network_layout import FONT_SCALE, PADDING, Layout, layout


def _solo60() -> tuple[list[str], list[tuple[str, str, str]]]:
    names = ["web-app", "mobile-app", "session", "payment", "user", "gym", "communication"]
    edges = [
        ("web-app", "user", "success"),
        ("web-app", "session", "stale"),
        ("mobile-app", "session", "success"),
        ("mobile-app", "payment", "failed"),
        ("session", "payment", "success"),
        ("session", "gym", "failed_pending"),
        ("payment", "communication", "never"),
    ]
    return names, edges


def _fifty() -> tuple[list[str], list[tuple[str, str, str]]]:
    rng = random.Random(3)
    fronts = [f"frontend-{i:02d}" for i in range(10)]
    middle = [f"domain-service-{i:02d}" for i in range(25)]
    back = [f"platform-backend-with-a-long-name-{i:02d}" for i in range(15)]
    edges = {(f, m) for f in fronts for m in rng.sample(middle, 3)}
    edges |= {(m, b) for m in middle for b in rng.sample(back, 2)}
    edges |= {(middle[i], middle[i + 1]) for i in range(0, 24, 3)}
    edges.add((back[0], fronts[0]))  # a cycle
    statuses = ["success", "stale", "failed", "failed_pending", "never"]
    return fronts + middle + back, [(c, p, rng.choice(statuses)) for c, p in sorted(edges)]


def _readable(drawing: Layout) -> None:
    for a, b in itertools.combinations(drawing.nodes, 2):
        apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
        assert apart, f"{a.name} overlaps {b.name}"
    for node in drawing.nodes:
        assert text_width(node.label) * FONT_SCALE <= node.width - 2 * PADDING + 0.01
        assert node.x >= 0
        assert node.y >= 0
        assert node.x + node.width <= drawing.width
        assert node.y + node.height <= drawing.height


@pytest.mark.parametrize("graph", [_solo60, _fifty], ids=["7 pacticipants", "50 pacticipants"])
def test_the_network_is_readable(graph) -> None:
    names, edges = graph()
    drawing = layout(names, edges)
    assert len(drawing.nodes) == len(names)
    assert len(drawing.edges) == len(edges)
    _readable(drawing)
    column = {node.name: node.column for node in drawing.nodes}
    forward = sum(1 for c, p, _ in edges if column[c] < column[p])
    assert forward >= len(edges) - 1  # only the edge closing the cycle may point back


def test_fifty_pacticipants_fit_two_screens() -> None:
    drawing = layout(*_fifty())
    assert drawing.width < 2 * 1280
    assert drawing.height < 1400


def test_long_names_are_shortened_with_an_ellipsis() -> None:
    long = "an-extraordinarily-long-pacticipant-name-that-would-never-fit-in-a-box"
    drawing = layout([long, "api"], [(long, "api", "success")])
    node = next(n for n in drawing.nodes if n.name == long)
    assert node.label.endswith("…")
    assert long.startswith(node.label[:-1])
