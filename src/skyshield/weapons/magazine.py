"""Magazines: rounds on the launchers, and reloads from the transloaders.

A fire unit's rounds of each type are lumped over its launchers (``FireUnits.inventory``). A
round fired leaves an empty slot; a free crew with its transloader starts at once to fill the
empty slots of a type from the rounds the transloaders carry (``FireUnits.stock``), up to a
launcher's worth (``rounds_per_launcher``) per reload, up to ``transloaders`` reloads at once,
the type most short first. A reload of n rounds takes ``reload_s`` × n / rounds per launcher
(assumed: the crane lifts the canisters one at a time, so the catalogue's time for a full
launcher is spread over its rounds). This is the battery commander's "top up in every lull":
partly emptied launchers are refilled, not left until a whole launcher has been fired (which
left a unit that fired in ones and twos dry when the next raid came). Rounds being loaded
cannot be fired; they are on the launcher when the reload is done. A unit put out of action
loses the rounds being loaded and reloads no more.

This is the logistics model of a battery commander's ammunition state: what is ready to fire,
what is being loaded, what is left on the transloaders (``state``), and the cost of what was
fired (``MissileTypes.cost_usd``, summed by the summary from the launch events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Magazines", "Reload"]


@dataclass(frozen=True)
class Reload:
    unit: int
    missile: int
    rounds: int
    t_start_s: float
    t_done_s: float


class Magazines:
    """Reload bookkeeping of every fire unit (``units``: ``c2.fire_control.FireUnits``)."""

    def __init__(self, units: object):
        self.u = units
        inv = units.inventory  # type: ignore[attr-defined]
        n, m = inv.shape
        stock = units.stock  # type: ignore[attr-defined]
        self.stock = np.zeros((n, m), dtype=np.int64) if stock is None else stock
        rpl = units.rounds_per_launcher  # type: ignore[attr-defined]
        self.rpl = np.ones(n, dtype=np.int64) if rpl is None else np.maximum(rpl, 1)
        rs = units.reload_s  # type: ignore[attr-defined]
        self.reload_s = np.zeros(n) if rs is None else rs
        tl = units.transloaders  # type: ignore[attr-defined]
        self.crews = np.ones(n, dtype=np.int64) if tl is None else tl
        self.empty = np.zeros((n, m), dtype=np.int64)  # slots fired and not yet reloaded
        self.loading = np.zeros((n, m), dtype=np.int64)
        self.busy = np.zeros(n, dtype=np.int64)  # crews at work

    def fired(self, t_s: float, unit: int, missile: int) -> list[Reload]:
        """One round of ``missile`` left ``unit``'s launchers: the reloads this starts."""
        self.empty[unit, missile] += 1
        return self._start(t_s, unit)

    def loaded(self, t_s: float, r: Reload, alive: bool) -> list[Reload]:
        """Reload ``r`` is done (``alive``: the unit is in action): the rounds are on the
        launcher; the crew takes the next launcher that waits."""
        self.loading[r.unit, r.missile] -= r.rounds
        self.busy[r.unit] -= 1
        if not alive:
            return []
        self.u.inventory[r.unit, r.missile] += r.rounds  # type: ignore[attr-defined]
        return self._start(t_s, r.unit)

    def _start(self, t_s: float, unit: int) -> list[Reload]:
        out: list[Reload] = []
        while self.busy[unit] < self.crews[unit]:
            stock, empty = self.stock[unit], self.empty[unit]
            load = np.minimum(np.minimum(empty, stock), self.rpl[unit])
            if not (load > 0).any():
                break
            m = int(np.argmax(np.where(load > 0, empty, -1)))  # the type most short first
            n = int(load[m])
            stock[m] -= n
            empty[m] -= n
            self.loading[unit, m] += n
            self.busy[unit] += 1
            dur = float(self.reload_s[unit]) * n / float(self.rpl[unit])
            out.append(Reload(unit, m, n, t_s, t_s + dur))
        return out

    def state(self) -> dict[str, np.ndarray]:
        """(u, M) rounds ready on the launchers, being loaded, and left on the transloaders."""
        return {"ready": self.u.inventory.copy(),  # type: ignore[attr-defined]
                "loading": self.loading.copy(), "stock": self.stock.copy()}
