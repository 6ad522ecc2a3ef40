"""Prometheus text exposition: request counts and latencies per route, and stored totals."""

from __future__ import annotations

import threading
from collections import defaultdict

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self._bucket_counts: dict[tuple[str, str], list[int]] = {}
        self._sums: dict[tuple[str, str], float] = defaultdict(float)
        self._counts: dict[tuple[str, str], int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(method, route, status)] += 1
            key = (method, route)
            buckets = self._bucket_counts.setdefault(key, [0] * len(BUCKETS))
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[index] += 1
            self._sums[key] += seconds
            self._counts[key] += 1

    def render(self, totals: dict[str, int]) -> str:
        lines = [
            "# HELP pactbroker_http_requests_total HTTP requests answered, by method, route and status.",
            "# TYPE pactbroker_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), count in sorted(self._requests.items()):
                labels = f'method="{method}",route="{_escape(route)}",status="{status}"'
                lines.append(f"pactbroker_http_requests_total{{{labels}}} {count}")
            lines += [
                "# HELP pactbroker_http_request_duration_seconds Time to answer HTTP requests.",
                "# TYPE pactbroker_http_request_duration_seconds histogram",
            ]
            for (method, route), buckets in sorted(self._bucket_counts.items()):
                labels = f'method="{method}",route="{_escape(route)}"'
                for bound, count in zip(BUCKETS, buckets, strict=True):
                    lines.append(f'pactbroker_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {count}')
                total = self._counts[(method, route)]
                lines.append(f'pactbroker_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {total}')
                lines.append(
                    f"pactbroker_http_request_duration_seconds_sum{{{labels}}} {self._sums[(method, route)]:.6f}"
                )
                lines.append(
                    f"pactbroker_http_request_duration_seconds_count{{{labels}}} {self._counts[(method, route)]}"
                )
        for name, value in totals.items():
            lines.append(f"# HELP pactbroker_{name} Number of {name.replace('_', ' ')} stored.")
            lines.append(f"# TYPE pactbroker_{name} gauge")
            lines.append(f"pactbroker_{name} {value}")
        return "\n".join(lines) + "\n"
