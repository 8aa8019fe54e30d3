"""A small deterministic discrete-event scheduler.

Events are ordered by ``(time, priority, sequence)`` on a binary heap, as in SimPy's core: two
events at the same instant run in priority order, and events of equal priority in the order they
were scheduled. Nothing here reads a wall clock; a live exercise paces the same scheduler from the
outside.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Scheduler", "Priority"]


class Priority:
    """Order of systems that fire at the same simulated instant (lower runs first)."""

    MOTION_END = 0
    FLYOUT = 1
    SCAN = 2
    ASSESS = 3
    C2 = 4
    LAUNCH = 5
    SAMPLE = 9
    END = 10
    COMMAND = 20  # a live command runs after everything else at its instant (sim.live)


@dataclass
class Scheduler:
    """Heap of pending events; ``now`` is the time of the event being processed."""

    now: float = 0.0
    _heap: list[tuple[float, int, int, str, Any]] = field(default_factory=list)
    _seq: int = 0

    def at(self, t_s: float, priority: int, kind: str, payload: Any = None) -> None:
        """Schedule ``kind`` at absolute time ``t_s`` (never earlier than now)."""
        if t_s < self.now:
            raise ValueError(f"cannot schedule {kind!r} in the past ({t_s} < {self.now})")
        heapq.heappush(self._heap, (float(t_s), priority, self._seq, kind, payload))
        self._seq += 1

    def pop(self) -> tuple[float, str, Any]:
        t_s, _prio, _seq, kind, payload = heapq.heappop(self._heap)
        self.now = t_s
        return t_s, kind, payload

    def peek_time(self) -> float:
        """The time of the next pending event (+inf if none)."""
        return self._heap[0][0] if self._heap else float("inf")

    def __len__(self) -> int:
        return len(self._heap)
