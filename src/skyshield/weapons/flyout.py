"""Interceptors in flight: midcourse toward the predicted intercept point, then the end game.

Every interceptor in the air is a row of arrays. Each flyout step moves all of them at their
average speed toward their aim point, which midcourse guidance re-computes from the air-picture
track (straight-line prediction); an interceptor whose track is lost flies on to its last aim
point. When the aim point is less than one step away, the interceptor commits and its end game
is scheduled at the exact arrival instant:
terminal guidance (seeker, or the fire-control prediction for command guidance and guns) acquires
the nearest live air vehicle inside its acquisition basket, the miss distance is drawn from a
circular normal of the missile's terminal accuracy, and the kill from the Gaussian damage
function Pk(r) = exp(−r²/2b²) (Carleton; see :mod:`skyshield.physics.lethality`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skyshield.physics.kinematics import intercept_time_s
from skyshield.physics.lethality import gaussian_pk

__all__ = ["Interceptors", "EndGame", "end_game", "aim_points"]


@dataclass
class Interceptors:
    """Interceptors launched in the run; ``alive`` marks those still in flight."""

    weapon_id: list[int] = field(default_factory=list)
    unit: list[int] = field(default_factory=list)
    missile: list[int] = field(default_factory=list)
    track_id: list[int] = field(default_factory=list)
    t_launch_s: list[float] = field(default_factory=list)
    t_max_s: list[float] = field(default_factory=list)
    speed_mps: list[float] = field(default_factory=list)
    pos_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    aim_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    terminal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    t_pos_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    assessed: list[bool] = field(default_factory=list)

    def launch(self, unit: int, missile: int, track_id: int, t_s: float, pos_m: np.ndarray,
               aim_m: np.ndarray, speed_mps: float, max_flight_s: float) -> int:
        wid = len(self.weapon_id) + 1
        self.weapon_id.append(wid)
        self.unit.append(unit)
        self.missile.append(missile)
        self.track_id.append(track_id)
        self.t_launch_s.append(t_s)
        self.t_max_s.append(t_s + max_flight_s)
        self.speed_mps.append(speed_mps)
        self.pos_m = np.vstack([self.pos_m, pos_m[None, :]])
        self.aim_m = np.vstack([self.aim_m, aim_m[None, :]])
        self.alive = np.append(self.alive, True)
        self.terminal = np.append(self.terminal, False)
        self.t_pos_s = np.append(self.t_pos_s, t_s)
        self.assessed.append(False)
        return wid

    def in_flight(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def in_midcourse(self) -> np.ndarray:
        """In flight and not yet committed to its end game."""
        return np.flatnonzero(self.alive & ~self.terminal)

    def advance(self, rows: np.ndarray, t_s: float) -> None:
        """Move ``rows`` toward their aim points from the time their position holds to ``t_s``
        (never past the aim point)."""
        dt = t_s - self.t_pos_s[rows]
        speed = np.asarray(self.speed_mps)[rows]
        d = self.aim_m[rows] - self.pos_m[rows]
        dist = np.linalg.norm(d, axis=1)
        unit = np.divide(d, dist[:, None], out=np.zeros_like(d), where=dist[:, None] > 0)
        self.pos_m[rows] += unit * np.minimum(dist, speed * dt)[:, None]
        self.t_pos_s[rows] = t_s

    def time_to_aim(self, rows: np.ndarray) -> np.ndarray:
        """Time (s) each of ``rows`` needs to reach its aim point at its speed."""
        dist = np.linalg.norm(self.aim_m[rows] - self.pos_m[rows], axis=1)
        return dist / np.asarray(self.speed_mps)[rows]


def aim_points(pos_m: np.ndarray, speed_mps: np.ndarray, track_state: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Predicted intercept points (k, 3) and times to go (k,) against straight-line tracks."""
    tgo = intercept_time_s(track_state[:, :3] - pos_m, track_state[:, 3:], speed_mps)
    ok = np.isfinite(tgo)
    pip = track_state[:, :3] + track_state[:, 3:] * np.where(ok, tgo, 0.0)[:, None]
    return pip, np.where(ok, tgo, np.nan)


@dataclass(frozen=True)
class EndGame:
    victim: int  # index of the air vehicle acquired, -1 if none
    miss_m: float
    pk: float
    killed: bool
    reason: str


def end_game(point_m: np.ndarray, vehicle_pos_m: np.ndarray, vehicle_alive: np.ndarray,
             basket_m: float, terminal_sigma_m: float, lethal_radius_m: float,
             rng: np.random.Generator) -> EndGame:
    """Outcome of one interceptor reaching its aim point ``point_m``.

    The nearest live vehicle within ``basket_m`` is acquired; the terminal miss is the norm of
    a two-axis normal with standard deviation σ = ``terminal_sigma_m``·(1 + d/basket) per axis
    (Rayleigh radius), d the acquired vehicle's offset from the aim point (assumed: accuracy
    halves at the edge of the basket); the kill is a Bernoulli draw with Pk = exp(−r²/2b²), so
    the single-shot kill probability is b²/(b²+σ²). Draws are made in a fixed order whatever
    the outcome, so one interceptor's end game consumes the same random numbers either way.
    """
    u = rng.random(2)
    dist = np.where(vehicle_alive, np.linalg.norm(vehicle_pos_m - point_m, axis=1), np.inf)
    if dist.size == 0 or not np.isfinite(dist.min()) or dist.min() > basket_m:
        return EndGame(-1, float(dist.min()) if dist.size else np.inf, 0.0, False,
                       "no target in the acquisition basket")
    victim = int(np.argmin(dist))
    # the further the seeker must steer, the worse the terminal accuracy: σ grows linearly with
    # the offset d of the acquired vehicle from the aim point, doubling at the basket's edge
    sigma = terminal_sigma_m * (1.0 + float(dist[victim]) / basket_m)
    # radius of a circular normal miss: Rayleigh, r = σ·√(−2 ln U)
    miss = float(sigma * np.sqrt(-2.0 * np.log(max(1.0 - u[0], 1e-300))))
    pk = float(gaussian_pk(miss, lethal_radius_m))
    killed = bool(u[1] < pk)
    return EndGame(victim, miss, pk, killed, "hit" if killed else "missed")
