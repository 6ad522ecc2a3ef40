"""Laying out the network of pacticipants as a left-to-right layered drawing, server-side.

Consumers sit left of their providers: cycles are broken by reversing the edges that close them
(found by a depth-first search in name order, so the drawing is stable), each node goes in the
column after its furthest consumer, and a few barycentre sweeps order each column to reduce
crossings. Node boxes are sized from measured text widths and long names are shortened, so no
label overflows its box and no two boxes overlap — with 7 pacticipants or with 50.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from broker.badges.svg import text_width

NODE_HEIGHT = 30
ROW_GAP = 14
COLUMN_GAP = 90
MARGIN = 24
PADDING = 12
MAX_LABEL_WIDTH = 190.0
SWEEPS = 6
FONT_SCALE = 12 / 11  # labels are 12px; widths are measured at 11px


@dataclass
class Node:
    name: str
    label: str
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = NODE_HEIGHT
    column: int = 0
    highlighted: bool = False

    @property
    def centre_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Edge:
    consumer: str
    provider: str
    key: str  # status key, for the style
    path: str  # SVG path data
    mid_x: float
    mid_y: float


@dataclass
class Layout:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: float = 0
    height: float = 0


def label_of(name: str) -> str:
    """The name, shortened with an ellipsis to fit MAX_LABEL_WIDTH."""
    if text_width(name) * FONT_SCALE <= MAX_LABEL_WIDTH:
        return name
    shortened = name
    while shortened and text_width(shortened + "…") * FONT_SCALE > MAX_LABEL_WIDTH:
        shortened = shortened[:-1]
    return shortened + "…"


def _acyclic(names: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges with those closing a cycle reversed (iterative DFS in name order)."""
    outgoing: dict[str, list[str]] = {name: [] for name in names}
    for consumer, provider in edges:
        outgoing[consumer].append(provider)
    for targets in outgoing.values():
        targets.sort()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[tuple[str, str]] = set()
    for root in names:
        if root in state:
            continue
        stack = [(root, iter(outgoing[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(outgoing[child])))
    return [(p, c) if (c, p) in back else (c, p) for c, p in edges]


def _columns(names: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    incoming: dict[str, list[str]] = {name: [] for name in names}
    outgoing: dict[str, list[str]] = {name: [] for name in names}
    for consumer, provider in edges:
        incoming[provider].append(consumer)
        outgoing[consumer].append(provider)
    column: dict[str, int] = {}
    remaining = {name: len(incoming[name]) for name in names}
    ready = sorted(name for name in names if remaining[name] == 0)
    while ready:
        name = ready.pop(0)
        column[name] = max((column[c] + 1 for c in incoming[name]), default=0)
        for provider in outgoing[name]:
            remaining[provider] -= 1
            if remaining[provider] == 0:
                ready.append(provider)
    return column


def _order(columns: dict[str, int], edges: list[tuple[str, str]]) -> list[list[str]]:
    count = max(columns.values(), default=-1) + 1
    layers: list[list[str]] = [sorted(n for n, c in columns.items() if c == i) for i in range(count)]
    neighbours: dict[str, list[str]] = {name: [] for name in columns}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for sweep in range(SWEEPS):
        indices = range(1, count) if sweep % 2 == 0 else range(count - 2, -1, -1)
        for i in indices:
            reference = layers[i - 1] if sweep % 2 == 0 else layers[i + 1]
            position = {name: index for index, name in enumerate(reference)}
            current = {name: index for index, name in enumerate(layers[i])}

            def barycentre(name: str, position: dict[str, int] = position, current: dict[str, int] = current) -> float:
                linked = [position[n] for n in neighbours[name] if n in position]
                return sum(linked) / len(linked) if linked else current[name]

            layers[i].sort(key=lambda name: (barycentre(name), name))
    return layers


def layout(
    names: Iterable[str], integrations: Iterable[tuple[str, str, str]], highlighted: str | None = None
) -> Layout:
    """Nodes and edges with coordinates; `integrations` are (consumer, provider, status key)."""
    all_names = sorted(set(names))
    edges_in = [(c, p, key) for c, p, key in integrations if c in all_names and p in all_names and c != p]
    directed = _acyclic(all_names, [(c, p) for c, p, _ in edges_in])
    layers = _order(_columns(all_names, directed), directed)
    column_width = max((min(text_width(n) * FONT_SCALE, MAX_LABEL_WIDTH) for n in all_names), default=60) + 2 * PADDING
    tallest = max((len(layer) for layer in layers), default=0)
    height = 2 * MARGIN + tallest * NODE_HEIGHT + max(0, tallest - 1) * ROW_GAP
    nodes: dict[str, Node] = {}
    for column, layer in enumerate(layers):
        offset = (tallest - len(layer)) * (NODE_HEIGHT + ROW_GAP) / 2
        for row, name in enumerate(layer):
            nodes[name] = Node(
                name=name,
                label=label_of(name),
                x=MARGIN + column * (column_width + COLUMN_GAP),
                y=MARGIN + offset + row * (NODE_HEIGHT + ROW_GAP),
                width=column_width,
                column=column,
                highlighted=name == highlighted,
            )
    result = Layout(
        nodes=[nodes[name] for layer in layers for name in layer],
        width=2 * MARGIN + len(layers) * column_width + max(0, len(layers) - 1) * COLUMN_GAP,
        height=height + 20,
    )
    for consumer, provider, key in edges_in:
        source, target = nodes[consumer], nodes[provider]
        if target.column > source.column:
            x1, y1 = source.x + source.width, source.centre_y
            x2, y2 = target.x, target.centre_y
            bend = (x2 - x1) / 2
            path = f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            mid = ((x1 + x2) / 2, (y1 + y2) / 2)
        else:  # an edge that closed a cycle: loop below, from the consumer's bottom to the provider's
            x1, y1 = source.x + source.width / 2, source.y + source.height
            x2, y2 = target.x + target.width / 2 + 8, target.y + target.height
            drop = 22 + 6 * abs(source.column - target.column)
            low = max(y1, y2) + drop
            path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{low:.1f} {x2:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
            mid = ((x1 + x2) / 2, max(y1, y2) + drop * 0.75)
            result.height = max(result.height, low + MARGIN)
        result.edges.append(Edge(consumer, provider, key, path, round(mid[0], 1), round(mid[1], 1)))
    return result
