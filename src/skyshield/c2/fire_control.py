"""Fire control of the joint group: which fire unit fires which missile at which track, when.

Each decision cycle the ranked threat list is walked from the most urgent threat down. For every
threat still needing fire, every (fire unit, missile type) pair is tested, vectorised: rules of
engagement against the track's identity, a free target channel and enough missile channels on the
unit's engagement radar, launcher readiness, missiles left above the unit's reserve, the engagement
radar's line of sight (4/3-Earth horizon, instrumented range), and the predicted intercept point
(straight-line flyout at the missile's average speed after the reaction time) inside the missile's
minimum/maximum range and altitude with the target inside its speed limit. The feasible shot that
intercepts earliest wins (ties go to the shorter-range, cheaper missile): long-range systems thin
a raid early, and point defence takes what comes close. Shoot-look-shoot: a track with missiles
in flight is not fired at again until the kill is assessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.physics.kinematics import intercept_time_s
from skyshield.physics.propagation import horizon_range_m

__all__ = ["ROES", "FireUnits", "MissileTypes", "Order", "plan"]

ROES = ("weapons_free", "weapons_tight", "weapons_hold")
FREE, TIGHT, HOLD = 0, 1, 2


@dataclass
class MissileTypes:
    name: list[str]
    is_gun: np.ndarray
    command_guided: np.ndarray
    min_range_m: np.ndarray
    max_range_m: np.ndarray
    min_alt_m: np.ndarray
    max_alt_m: np.ndarray
    speed_mps: np.ndarray
    max_target_speed_mps: np.ndarray
    lethal_radius_m: np.ndarray
    terminal_sigma_m: np.ndarray
    seeker_basket_m: np.ndarray


@dataclass
class FireUnits:
    name: list[str]
    pos_m: np.ndarray  # (u, 3)
    height_agl_m: np.ndarray
    value: np.ndarray
    roe: np.ndarray
    salvo: np.ndarray
    shoot_look_shoot: np.ndarray
    reserve: np.ndarray
    target_channels: np.ndarray
    missile_channels: np.ndarray
    reaction_s: np.ndarray
    launch_interval_s: np.ndarray
    inventory: np.ndarray  # (u, n_missile_types)
    radar_height_agl_m: np.ndarray  # engagement radar antenna height
    radar_max_range_m: np.ndarray
    alive: np.ndarray
    next_ready_s: np.ndarray


@dataclass(frozen=True)
class Order:
    unit: int
    missile: int
    track_id: int
    rounds: int
    t_launch_s: float
    t_intercept_s: float


def plan(
    t_s: float,
    track_id: np.ndarray,
    state: np.ndarray,
    height_agl_m: np.ndarray,
    ident: np.ndarray,
    priority: np.ndarray,
    time_to_go_s: np.ndarray,
    fu: FireUnits,
    mt: MissileTypes,
    targets_busy: np.ndarray,
    missiles_busy: np.ndarray,
    track_blocked: np.ndarray,
    horizon_s: float,
) -> list[Order]:
    """Engagement orders for this cycle.

    ``targets_busy`` / ``missiles_busy`` (u,) count each unit's tracks and missiles already in the
    air or about to launch; ``track_blocked`` (k,) marks tracks that must not be fired at now
    (missiles in flight under shoot-look-shoot, or assessed killed). Inventory, channels and
    readiness are reserved in ``fu`` and the busy arrays as orders are made.
    """
    orders: list[Order] = []
    if track_id.size == 0 or not fu.alive.any():
        return orders
    order = np.lexsort((track_id, -priority))
    tb = targets_busy.copy()
    mb = missiles_busy.copy()
    for k in order:
        if track_blocked[k] or priority[k] <= 0 or time_to_go_s[k] > horizon_s:
            continue
        idk = ident[k]
        if idk == 1:  # friend: never engaged, under any ROE
            continue
        roe_ok = np.where(fu.roe == FREE, True, np.where(fu.roe == TIGHT, idk == 2, False))
        t_launch = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)  # (u,)
        p = state[k, :3] + state[k, 3:] * (t_launch - t_s)[:, None]  # (u, 3) target at launch
        rel = p - fu.pos_m  # (u, 3)
        tgo = intercept_time_s(rel[:, None, :], state[k, 3:][None, None, :],
                               mt.speed_mps[None, :])  # (u, M)
        pip = p[:, None, :] + state[k, 3:][None, None, :] * np.nan_to_num(tgo, nan=0.0)[..., None]
        pip_rng = np.linalg.norm(pip - fu.pos_m[:, None, :], axis=-1)
        pip_alt = height_agl_m[k] + pip[..., 2] - state[k, 2]
        speed = float(np.linalg.norm(state[k, 3:]))
        cur_rng = np.linalg.norm(state[k, :3] - fu.pos_m, axis=1)
        radar_sees = (cur_rng <= fu.radar_max_range_m) & (
            cur_rng <= horizon_range_m(fu.radar_height_agl_m, max(height_agl_m[k], 0.0)))
        salvo = np.minimum(fu.salvo[:, None], fu.inventory)
        urgent = time_to_go_s[k] < 120.0
        stock_ok = (fu.inventory - np.where(urgent, 0, fu.reserve)[:, None]) >= salvo
        feasible = (
            (fu.alive & roe_ok & radar_sees & (tb < fu.target_channels))[:, None]
            & (mb[:, None] + salvo <= fu.missile_channels[:, None])
            & (salvo >= 1) & stock_ok
            & np.isfinite(tgo)
            & (pip_rng >= mt.min_range_m[None, :]) & (pip_rng <= mt.max_range_m[None, :])
            & (pip_alt >= mt.min_alt_m[None, :]) & (pip_alt <= mt.max_alt_m[None, :])
            & (speed <= mt.max_target_speed_mps[None, :])
        )
        if not feasible.any():
            continue
        t_int = np.where(feasible, t_launch[:, None] + np.nan_to_num(tgo, nan=np.inf), np.inf)
        # earliest intercept, then the shorter-range missile, then the lower unit index
        cand = np.argwhere(feasible)
        key = np.lexsort((cand[:, 0], mt.max_range_m[cand[:, 1]],
                          t_int[cand[:, 0], cand[:, 1]]))
        u, m = (int(v) for v in cand[key[0]])
        n = int(salvo[u, m])
        fu.inventory[u, m] -= n
        fu.next_ready_s[u] = t_launch[u] + n * fu.launch_interval_s[u]
        tb[u] += 1
        mb[u] += n
        orders.append(Order(u, m, int(track_id[k]), n, float(t_launch[u]), float(t_int[u, m])))
    return orders
