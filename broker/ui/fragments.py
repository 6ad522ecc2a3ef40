"""The small pieces every table repeats (a status, a time, a version's labels), written as
Python functions returning escaped HTML: they run hundreds of times a page, and as Jinja macros
they cost most of a page's rendering time."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

from broker.api.decorators.common import timestamp
from broker.ui.status import Shown
from broker.ui.time_ago import ago
from broker.ui.version_labels import Labels


def shown(status: Shown, detail: str = "") -> Markup:
    """A status as symbol and words (colour comes on top, from the tone's CSS class)."""
    title = f' title="{escape(status.explanation)}"' if status.explanation else ""
    extra = f' <span class="detail">{escape(detail)}</span>' if detail else ""
    return Markup(
        f'<span class="status {escape(status.tone)}" data-status="{escape(status.key)}"{title}>'
        f'<span class="symbol" aria-hidden="true">{escape(status.symbol)}</span> {escape(status.text)}{extra}</span>'
    )


def when(value: datetime | None) -> Markup:
    if value is None:
        return Markup('<span class="muted">&ndash;</span>')
    stamp = escape(timestamp(value))
    return Markup(f'<time datetime="{stamp}" title="{stamp}">{escape(ago(value))}</time>')


def labels(found: Labels, latest: bool = False) -> Markup:
    parts = ['<span class="label latest">latest</span>'] if latest else []
    for kind, refs in (("branch", found.branches), ("tag", found.tags)):
        for ref in refs:
            name = escape(ref.name)
            star, note = (" ★", " (its newest version)") if ref.latest else ("", "")
            parts.append(f'<span class="label {kind}" title="{kind} {name}{note}">{kind}: {name}{star}</span>')
    parts += [f'<span class="label env">env: {escape(name)}</span>' for name in found.environments]
    return Markup("".join(parts))
