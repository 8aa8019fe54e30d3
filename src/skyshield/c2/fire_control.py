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

from dataclasses import dataclass, replace

import numpy as np

from skyshield.c2 import wta
from skyshield.engine.names import NO_FIRE_REASONS, ROES
from skyshield.physics.flight import altitude_m
from skyshield.physics.kinematics import intercept_time_s, intercept_time_table
from skyshield.physics.lethality import sspk_circular_normal
from skyshield.physics.propagation import EARTH_RADIUS_M, horizon_range_m

__all__ = ["ROES", "FireUnits", "MissileTypes", "Order", "Plan", "plan", "plan_wta",
           "LookAhead", "NO_FIRE_REASONS", "single_shot_pk"]

EXACT_MAX_PAIRS = 120  # cycles with at most this many unit×threat pairs are solved exactly

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
    # per type: (ground-range axis, height axis, time-of-flight table) from simulated flyouts
    # (``weapons.envelope.reach_table``); None: a straight flyout at ``speed_mps``
    reach: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] | None = None
    # (M, n_categories) Carleton lethal radius of each type against each air-vehicle category
    # (sim.world.CATEGORIES order; physics.lethality.lethal_radius_for_target); None: the
    # one lethal_radius_m against every target
    lethal_radius_by_category_m: np.ndarray | None = None
    # guided by the firing unit's own engagement radar (semi-active illumination, radio command,
    # gun fire control): fired only at tracks that radar holds (None: no type is)
    own_radar: np.ndarray | None = None
    # home-on-jam seekers (``sim.passive``): the only types fired at a passive (strobes-only)
    # jammer track, guided on its emission (None: no type is)
    home_on_jam: np.ndarray | None = None
    hoj_sigma_rad: np.ndarray | None = None  # (M,) the seeker's angle noise on a jammer

    def reach_max_m(self) -> np.ndarray:
        """Largest ground range each type reaches (its table's), else the catalogue's."""
        out = self.max_range_m.copy()
        for m, tb in enumerate(self.reach or []):
            if tb is not None and np.isfinite(tb[2]).any():
                out[m] = float(tb[0][np.isfinite(tb[2]).any(axis=1)].max())
        return out


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
    firing_range: np.ndarray | None = None  # fraction of max range (doctrine), default 1
    self_defence_m: np.ndarray | None = None  # threats closer release the reserve, default 0
    # (u, M) the types each unit was loaded with (None: every type): the geometry of the others
    # is not worked out (it would be for a launcher that cannot fire them)
    carries: np.ndarray | None = None
    # magazines: (u, M) rounds on the transloaders; (u,) rounds per launcher, the time one crew
    # reloads a launcher, and the crews reloading at once (None: no reloads)
    stock: np.ndarray | None = None
    rounds_per_launcher: np.ndarray | None = None
    reload_s: np.ndarray | None = None
    transloaders: np.ndarray | None = None
    # (u, M) what the units held at the start (on the launchers, on the transloaders)
    initial_inventory: np.ndarray | None = None
    initial_stock: np.ndarray | None = None

    def above_reserve(self, urgent: np.ndarray) -> np.ndarray:
        """Rounds each unit may fire now, all types together: what is on its launchers less the
        doctrine's reserve, which ``urgent`` (…, u) releases (self-defence, a threat under
        2 min out). Same shape as ``urgent``."""
        left = self.inventory.sum(axis=1)
        return left - np.where(urgent, 0, 1) * self.reserve

    def range_fraction(self) -> np.ndarray:
        return np.ones(len(self.name)) if self.firing_range is None else self.firing_range

    def urgent(self, state: np.ndarray, time_to_go_s: np.ndarray) -> np.ndarray:
        """(k, u): the reserve is released — the threat is under 2 min out, or inside the
        unit's self-defence range."""
        near = np.zeros((state.shape[0], len(self.name)), dtype=bool)
        if self.self_defence_m is not None:
            d = np.linalg.norm(state[:, None, :3] - self.pos_m[None], axis=-1)
            near = d <= self.self_defence_m[None, :]
        return (time_to_go_s[:, None] < 120.0) | near


@dataclass
class LookAhead:
    """What the look-ahead assignment weighs besides the threat value destroyed (issue 21;
    ``c2.assignment: lookahead``), all in the value units of the defended assets.

    The objective of a cycle is

        Σ_j V_j · s_j · Π_i q_ij^x_ij  +  Σ_ij c_ij · x_ij

    with V_j the value at stake on track j (``stake``: the value of the point it threatens plus
    its own worth by class; when the point is a fire unit, also the value the unit would still
    save on the other threats coming, ``_defended_value``: a unit lost no longer defends),
    s_j the chance it survives the layers it meets later (the units
    that cannot engage it now but whose reach its path enters, shoot-look-shoot: Π (1 − their
    salvo Pk)^shots, the shots from its time inside their reach over their shot cycle, shared
    with the other threats crossing it; ``_later_layers``), and
    c_ij the price of unit i's salvo at j (``price`` per round of the missile chosen) plus the
    value of the rounds kept for the threats still coming (per round of unit i: the mean value
    a round of it would save on the approaching tracks beyond this cycle, times how short of
    rounds it would be for them, at most 1). This is the two-stage "fire now or keep" trade of
    Hosein & Athans, with the second stage's worth estimated from the picture instead of solved
    (P. A. Hosein, M. Athans, "Preferential defense strategies. Part I: the static case",
    MIT LIDS-P-2002, 1990; R. A. Murphey, "Target-based weapon target assignment problems",
    in P. M. Pardalos, L. S. Pitsoulis (eds.), Nonlinear Assignment Problems, Kluwer 2000,
    pp. 39-53, for the target-based form).
    """

    price: np.ndarray  # (M,) value units per round of each type
    stake: np.ndarray  # (k,) value at stake on every track given to the planner
    salvo_by_track: np.ndarray | None = None  # (k,) salvo by the track's class (0: the unit's)
    keep_rounds: bool = True
    later_layers: bool = True
    one_unit_per_target: bool = True
    look_s: float = 4.0  # the kill assessment delay: a later layer's shot cycle includes it
    # (k,) horizontal velocity standard deviation of each track (m/s): a path "crosses" a
    # reach if it passes within it or within 2 σ of the miss this uncertainty allows by then
    vel_sigma_mps: np.ndarray | None = None
    # (k,) the fire unit each track threatens (index into the units; −1: an asset or none):
    # its stake then includes what the unit would still defend (``_defended_value``)
    aimed_unit: np.ndarray | None = None
    # doctrine "cheapest effective layer first": on a track that some weapon can engage this
    # cycle with a salvo Pk of at least ``effective_pk``, only the cheapest such salvo and the
    # ones no dearer are offered to the solver
    cheapest_first: bool = False
    effective_pk: float = 0.7


@dataclass
class Plan:
    """A cycle's orders, why each unengaged candidate was not engaged (track id → reason), and
    the assignment solver's figures (None for the greedy planner)."""

    orders: list[Order]
    no_fire: dict[int, str]
    solver: wta.WTAResult | None = None
    n_targets: int = 0
    n_weapons: int = 0


def single_shot_pk(mt: MissileTypes, category: np.ndarray | None = None) -> np.ndarray:
    """Expected single-shot Pk of each missile type: Gaussian damage function of lethal radius
    b against a circular-normal miss of σ per axis, b²/(b² + σ²) (see physics.lethality);
    (M,), or (k, M) against targets of ``category`` (k,) (index into the categories of
    ``mt.lethal_radius_by_category_m``; −1: not known, the type's own lethal radius)."""
    if category is None:
        return np.asarray(sspk_circular_normal(mt.lethal_radius_m, mt.terminal_sigma_m),
                          dtype=float)
    cat = np.asarray(category, dtype=np.int64)
    b = np.broadcast_to(mt.lethal_radius_m[None, :], (cat.size, len(mt.name))).copy()
    if mt.lethal_radius_by_category_m is not None:
        known = cat >= 0
        b[known] = mt.lethal_radius_by_category_m[:, cat[known]].T
    return np.asarray(sspk_circular_normal(b, mt.terminal_sigma_m[None, :]), dtype=float)


def _why_not(geo: np.ndarray, able: np.ndarray, roe: np.ndarray, chan: np.ndarray,
             stock: np.ndarray, guided: np.ndarray | None = None,
             loaded: np.ndarray | None = None) -> str:
    """The first constraint, in order, that leaves a threat without a feasible shot
    (``guided`` (u, M): the unit's own radar can guide that type on the track; ``stock`` (u, M):
    a salvo above the unit's reserve; ``loaded`` (u, M): a salvo on the launchers, reserve or
    not — rounds there but all held in reserve is its own reason, not "out of missiles")."""
    g = geo.any(axis=1)
    if not g.any():
        return NO_FIRE_REASONS[0]
    g &= roe
    if not g.any():
        return NO_FIRE_REASONS[1]
    g &= able
    if not g.any():
        return NO_FIRE_REASONS[2]
    if guided is not None:
        geo = geo & guided
        g &= geo.any(axis=1)
        if not g.any():
            return NO_FIRE_REASONS[5]
    if not (g & chan).any():
        return NO_FIRE_REASONS[3]
    if (geo & stock)[g].any():
        return NO_FIRE_REASONS[3]
    if loaded is not None and (geo & loaded)[g].any():
        return NO_FIRE_REASONS[10]
    return NO_FIRE_REASONS[4]


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
    radar_on: np.ndarray | None = None,
    held: np.ndarray | None = None,
    category: np.ndarray | None = None,
    economy: LookAhead | None = None,
    passive: np.ndarray | None = None,
) -> Plan:
    """Engagement orders for this cycle, greedy: the ranked threats in turn, each taking the
    feasible shot that intercepts earliest (``economy`` is taken for the signature's sake: the
    look-ahead economy is the assignment's, ``plan_wta``).

    ``targets_busy`` / ``missiles_busy`` (u,) count each unit's tracks and missiles already in the
    air or about to launch; ``track_blocked`` (k,) marks tracks that must not be fired at now
    (missiles in flight under shoot-look-shoot, or assessed killed). Inventory, channels and
    readiness are reserved in ``fu`` and the busy arrays as orders are made. ``radar_on`` (u,)
    marks units whose engagement radar is radiating (all, if not given); ``held`` (k, u) marks
    the tracks each unit's own engagement radar holds, without which a type guided by that radar
    (``mt.own_radar``) is not fired (all held, if not given). ``category`` is taken for the
    signature's sake (the WTA weighs Pk by class; the greedy rule takes the earliest intercept).
    ``passive`` (k,) marks jammer tracks held only by passive fixes: only home-on-jam types
    (``mt.home_on_jam``) are fired at them, whatever the radars hold.

    A track is considered when its time to go is inside ``horizon_s`` or when it is inside a
    unit's reach now (a loiterer that threatens nothing soon is still engaged where it flies);
    every other hostile gets the reason "beyond the engagement horizon".
    """
    orders: list[Order] = []
    out = Plan(orders, {})
    cand = _candidates(track_id, state, fu, mt, ident, priority, time_to_go_s, track_blocked,
                       horizon_s, out.no_fire)
    if cand.size == 0:
        return out
    cand = cand[np.lexsort((track_id[cand], -priority[cand]))]
    guided = _guided(held, cand, fu, mt, passive)  # (k, u, M)
    tb = targets_busy.copy()
    mb = missiles_busy.copy()
    t_launch0 = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)  # (u,)
    geo_ok, t_int = _geometry(t_s, t_launch0, state[cand], height_agl_m[cand], fu, mt)
    roe_ok = np.where(fu.roe[None, :] == FREE, True,
                      np.where(fu.roe[None, :] == TIGHT, ident[cand, None] == 2, False))
    able = fu.alive if radar_on is None else fu.alive & radar_on  # engagement radar radiating
    for j, k in enumerate(cand):
        ok, ti = geo_ok[j], t_int[j]
        t_launch = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)
        salvo = np.minimum(fu.salvo[:, None], fu.inventory)
        urgent = fu.urgent(state[[k]], time_to_go_s[[k]])[0]  # (u,)
        stock_ok = fu.above_reserve(urgent)[:, None] >= salvo
        chan = (tb < fu.target_channels)[:, None] & (
            mb[:, None] + salvo <= fu.missile_channels[:, None])
        feasible = ok & guided[j] & (able & roe_ok[j])[:, None] & chan & (salvo >= 1) & stock_ok
        if not feasible.any():
            out.no_fire[int(track_id[k])] = _why_not(ok, able, roe_ok[j], chan.any(axis=1),
                                                     stock_ok & (salvo >= 1), guided[j],
                                                     salvo >= 1)
            continue
        # earliest intercept, then the shorter-range missile, then the lower unit index
        um = np.argwhere(feasible)
        key = np.lexsort((um[:, 0], mt.max_range_m[um[:, 1]], ti[um[:, 0], um[:, 1]]))
        u, m = (int(v) for v in um[key[0]])
        n = int(salvo[u, m])
        fu.inventory[u, m] -= n
        fu.next_ready_s[u] = t_launch[u] + n * fu.launch_interval_s[u]
        tb[u] += 1
        mb[u] += n
        orders.append(Order(u, m, int(track_id[k]), n, float(t_launch[u]), float(ti[u, m])))
        rest = cand[j + 1:]
        if rest.size:  # unit u now launches later: redo its geometry for the threats still to come
            t_launch = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)
            ok2, ti2 = _geometry(t_s, t_launch, state[rest], height_agl_m[rest], fu, mt)
            geo_ok[j + 1:, u], t_int[j + 1:, u] = ok2[:, u], ti2[:, u]
    return out


def _guided(held: np.ndarray | None, cand: np.ndarray, fu: FireUnits, mt: MissileTypes,
            passive: np.ndarray | None = None) -> np.ndarray:
    """(k, u, M): whether unit u can guide type M on candidate k — always, unless the type is
    guided by the unit's own engagement radar and that radar does not hold the track; on a
    passive jammer track (``passive``), only with a home-on-jam type."""
    shape = (cand.size, len(fu.name), len(mt.name))
    if held is None or mt.own_radar is None:
        g = np.ones(shape, dtype=bool)
    else:
        g = np.asarray(held, dtype=bool)[cand][:, :, None] | ~mt.own_radar[None, None, :]
    if passive is not None:
        p = np.asarray(passive, dtype=bool)[cand]
        hoj = np.zeros(len(mt.name), bool) if mt.home_on_jam is None else mt.home_on_jam
        g[p] = hoj[None, :]
    return g


def _inside_reach(state: np.ndarray, fu: FireUnits, mt: MissileTypes) -> np.ndarray:
    """(k,): tracks inside some live unit's reach now (slant range within the longest range of
    a type it still holds, under its firing-range doctrine)."""
    if len(mt.name) == 0:
        return np.zeros(state.shape[0], dtype=bool)
    rng = np.minimum(mt.max_range_m, mt.reach_max_m())
    reach_u = ((fu.inventory > 0) * rng[None, :]).max(axis=1) * fu.range_fraction()
    d = np.linalg.norm(state[:, None, :3] - fu.pos_m[None, :, :], axis=-1)
    return ((d <= reach_u[None, :]) & fu.alive[None, :]).any(axis=1)


def _candidates(track_id: np.ndarray, state: np.ndarray, fu: FireUnits, mt: MissileTypes,
                ident: np.ndarray, priority: np.ndarray, time_to_go_s: np.ndarray,
                track_blocked: np.ndarray, horizon_s: float, no_fire: dict[int, str]
                ) -> np.ndarray:
    """Tracks to consider, most urgent first (ties by track number): not blocked, not a friend
    (never engaged, under any ROE), and either due inside the engagement horizon or inside a
    unit's reach now and declared hostile. The others that are not friends get their reason
    in ``no_fire``."""
    if track_id.size == 0 or not fu.alive.any():
        return np.empty(0, dtype=np.int64)
    open_ = ~track_blocked & (priority > 0) & (ident != 1)
    # inside reach now counts for declared hostiles only: an unknown that threatens nothing
    # soon (a friend whose IFF reply has not come yet) waits for the horizon or its identity
    due = time_to_go_s <= horizon_s
    later = np.flatnonzero(open_ & ~due & (ident == 2))
    if later.size:
        due[later] = _inside_reach(state[later], fu, mt)
    for k in np.flatnonzero(open_ & ~due):
        no_fire[int(track_id[k])] = NO_FIRE_REASONS[6]
    cand = np.flatnonzero(open_ & due)
    return cand[np.lexsort((track_id[cand], -priority[cand]))]


def plan_wta(
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
    radar_on: np.ndarray | None = None,
    search_kicks: int = 20,
    held: np.ndarray | None = None,
    category: np.ndarray | None = None,
    economy: LookAhead | None = None,
    passive: np.ndarray | None = None,
) -> Plan:
    """Engagement orders for this cycle by weapon-target assignment (``passive`` as in
    :func:`plan`).

    Weapons are the fire units, each with as many engagements this cycle as its free target
    channels, free missile channels (in salvos) and salvos in stock allow; a unit's kill
    probability against a threat is that of one salvo of its best feasible missile type,
    1 − (1 − SSPK)^salvo against the threat's class (``category``, index into the columns of
    ``mt.lethal_radius_by_category_m``; −1 unknown) (0 where geometry, ROE, radar or stock
    forbid it); target values are
    the threat priorities. :func:`skyshield.c2.wta.solve` minimises the expected surviving
    threat value; its orders are then issued earliest intercept first, each re-checked against
    the unit's launch sequence (a later launch can move the intercept point out of the
    envelope: such an order is dropped), so no constraint is ever exceeded.
    """
    orders: list[Order] = []
    out = Plan(orders, {})
    cand = _candidates(track_id, state, fu, mt, ident, priority, time_to_go_s, track_blocked,
                       horizon_s, out.no_fire)
    if cand.size == 0:
        return out
    nu = len(fu.name)
    guided = _guided(held, cand, fu, mt, passive)  # (k, u, M)
    t_launch0 = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)
    geo_ok, t_int = _geometry(t_s, t_launch0, state[cand], height_agl_m[cand], fu, mt)
    roe_ok = np.where(fu.roe[None, :] == FREE, True,
                      np.where(fu.roe[None, :] == TIGHT, ident[cand, None] == 2, False))
    able = fu.alive if radar_on is None else fu.alive & radar_on
    # rounds per engagement: the unit's salvo, or the economy's by the track's class
    sal_ku = np.broadcast_to(fu.salvo[None, :], (cand.size, nu)).astype(np.int64)
    if economy is not None and economy.salvo_by_track is not None:
        by_cls = economy.salvo_by_track[cand]
        sal_ku = np.where(by_cls[:, None] > 0, by_cls[:, None], sal_ku)
    salvo = np.minimum(sal_ku[:, :, None], fu.inventory[None])  # (k, u, M)
    urgent = fu.urgent(state[cand], time_to_go_s[cand])  # (k, u)
    stock_ok = fu.above_reserve(urgent)[:, :, None] >= salvo  # (k, u, M)
    chan_u = (targets_busy < fu.target_channels)
    chan = chan_u[None, :, None] & (missiles_busy[None, :, None] + salvo
                                     <= fu.missile_channels[None, :, None])  # (k, u, M)
    feas = (geo_ok & guided & (able[None] & roe_ok)[:, :, None] & chan
            & (salvo >= 1) & stock_ok)
    if feas.shape[2] == 0:  # no missile types at all
        out.no_fire.update({int(track_id[k]): NO_FIRE_REASONS[4] for k in cand})
        return out
    # single-shot Pk against each candidate's class (``category``, as the picture classifies it)
    sspk = single_shot_pk(mt, None if category is None else np.asarray(category)[cand])
    p_kum = 1.0 - (1.0 - np.atleast_2d(sspk)[:, None, :]) ** salvo  # (k, u, M)
    p_kum = np.broadcast_to(p_kum, feas.shape)
    dt_int = 1e-9 * np.where(np.isfinite(t_int), t_int - t_s, 0.0)
    kk, uu = np.meshgrid(np.arange(cand.size), np.arange(nu), indexing="ij")
    survive = None
    if economy is None:
        # the weapons are the units, each firing its best type at each track: guns first inside
        # their own envelope (the inner layer: a burst costs little and keeps the missiles for
        # what comes further out), else the highest salvo Pk, then earliest intercept
        score = np.where(feas, p_kum + mt.is_gun[None, None, :] - dt_int, -np.inf)
        best_m = np.argmax(score, axis=2)  # (k, u)
        ok_ku = feas[kk, uu, best_m]
        pk = np.where(ok_ku, p_kum[kk, uu, best_m], 0.0).T.copy()  # (u, k)
        w_unit, w_type = np.arange(nu), np.full(nu, -1)
        values, cost = priority[cand], None
        # engagements available per unit this cycle
        sal_u = np.maximum(sal_ku.min(axis=0), 1)
        rounds = np.minimum(fu.target_channels - targets_busy,
                            (fu.missile_channels - missiles_busy) // sal_u)
        rounds = np.minimum(rounds, fu.inventory.sum(axis=1) // sal_u)
        rounds = np.where(able & (pk.max(axis=1) > 0), np.maximum(rounds, 0), 0)
    else:
        # the weapons are (unit, type, salvo) triples, so each round has its own price; the
        # unit's channels bind across its types when the orders are issued (below)
        best_m = np.zeros((cand.size, nu), dtype=np.int64)
        app = _approaching(track_id.size, ident, priority, track_blocked, time_to_go_s)
        vs = economy.vel_sigma_mps
        # which approaching tracks cross each unit's reach, and its best salvo Pk on them: the
        # later layers' sharing, a unit's defensive value and the value of rounds kept
        covered, p_app = _coverage(state, app, fu, mt, vs, category)
        crossing = covered.sum(axis=0)
        if economy.aimed_unit is not None:
            economy = replace(economy, stake=economy.stake + _defended_value(
                app, covered, p_app, fu, economy))
        survive = (_later_layers(state, cand, fu, mt, roe_ok, feas, sspk, time_to_go_s,
                                 crossing, economy.look_s, vs)
                   if economy.later_layers else np.ones(cand.size))
        values = economy.stake[cand]
        future = ~np.isin(app, cand)  # approaching, not a candidate this cycle
        keep = (_keep_value(app[future], covered[future], p_app[future], fu, economy)
                if economy.keep_rounds else np.zeros(nu))
        trip = sorted({(int(u), int(m), int(salvo[k, u, m]))
                       for k, u, m in np.argwhere(feas)})
        w_unit = np.array([t[0] for t in trip], dtype=np.int64)
        w_type = np.array([t[1] for t in trip], dtype=np.int64)
        w_sal = np.array([t[2] for t in trip], dtype=np.int64)
        pk = np.zeros((len(trip), cand.size))
        for w, (u, m, n) in enumerate(trip):
            rows = feas[:, u, m] & (salvo[:, u, m] == n)
            pk[w, rows] = p_kum[rows, u, m]
        cost = w_sal * (economy.price[w_type] + keep[w_unit]) if trip else np.zeros(0)
        rounds = np.minimum(np.minimum(fu.target_channels[w_unit] - targets_busy[w_unit],
                                       (fu.missile_channels[w_unit] - missiles_busy[w_unit])
                                       // np.maximum(w_sal, 1)),
                            fu.inventory[w_unit, w_type] // np.maximum(w_sal, 1))
        rounds = np.maximum(rounds, 0)
        if economy.cheapest_first and len(trip):
            salvo_price = w_sal * economy.price[w_type]  # (w,)
            eff = (pk >= economy.effective_pk) & (rounds[:, None] > 0)  # (w, k)
            cheapest = np.where(eff, salvo_price[:, None], np.inf).min(axis=0)  # (k,)
            pk = np.where(salvo_price[:, None] > cheapest[None, :] * (1 + 1e-9), 0.0, pk)
    pk = np.minimum(pk, 1.0 - 1e-9)
    rounds = np.asarray(rounds).astype(np.int64)
    # a fixed number of search kicks, no wall-clock cut: the same answer on every machine;
    # small problems (most cycles) are solved to proven optimality
    res = wta.solve(values, pk, rounds, search_s=None, search_kicks=search_kicks,
                    exact=pk.size <= EXACT_MAX_PAIRS, cost=cost, survive_later=survive)
    out.solver, out.n_targets, out.n_weapons = res, int(cand.size), int(rounds.sum())
    x = res.counts(cand.size)
    pairs = np.argwhere((x > 0) & (pk > 0))  # (weapon, candidate row)
    tb, mb = targets_busy.copy(), missiles_busy.copy()
    if pairs.size:
        pm = np.where(w_type[pairs[:, 0]] >= 0, w_type[pairs[:, 0]],
                      best_m[pairs[:, 1], w_unit[pairs[:, 0]]])
        first = t_int[pairs[:, 1], w_unit[pairs[:, 0]], pm]
        for (w, j), m in zip(pairs[np.argsort(first, kind="stable")],
                             pm[np.argsort(first, kind="stable")], strict=True):
            u, j, m = int(w_unit[w]), int(j), int(m)
            n = int(min(sal_ku[j, u], fu.inventory[u, m]))
            if n < 1 or tb[u] >= fu.target_channels[u] or mb[u] + n > fu.missile_channels[u]:
                continue
            if fu.inventory[u].sum() - (0 if urgent[j, u] else fu.reserve[u]) < n:
                continue  # earlier orders of this cycle took the rounds above the reserve
            if economy is not None and economy.one_unit_per_target and any(
                    o.track_id == int(track_id[cand[j]]) for o in orders):
                continue
            t_launch = np.maximum(t_s + fu.reaction_s, fu.next_ready_s)
            ok2, ti2 = _geometry(t_s, t_launch, state[cand[[j]]], height_agl_m[cand[[j]]], fu, mt)
            if not (ok2[0, u, m] and guided[j, u, m]):
                continue
            fu.inventory[u, m] -= n
            fu.next_ready_s[u] = t_launch[u] + n * fu.launch_interval_s[u]
            tb[u] += 1
            mb[u] += n
            orders.append(Order(u, m, int(track_id[cand[j]]), n, float(t_launch[u]),
                                float(ti2[0, u, m])))
    engaged = {o.track_id for o in orders}
    for j, k in enumerate(cand):
        if int(track_id[k]) not in engaged:
            why = _why_not(geo_ok[j], able, roe_ok[j], chan[j].any(axis=1),
                           stock_ok[j] & (salvo[j] >= 1), guided[j], salvo[j] >= 1)
            if economy is not None and pk[:, j].any() and why == NO_FIRE_REASONS[3] and (
                    rounds[pk[:, j] > 0].sum() > 0):
                why = NO_FIRE_REASONS[9]  # a unit could fire and had the channels: not worth it
            out.no_fire[int(track_id[k])] = why
    return out


def _reach_u(fu: FireUnits, mt: MissileTypes) -> np.ndarray:
    """(u,) the longest reach of a type each unit still holds, under its firing-range doctrine."""
    rng = np.minimum(mt.max_range_m, mt.reach_max_m())
    return ((fu.inventory > 0) * rng[None, :]).max(axis=1, initial=0.0) * fu.range_fraction()


def _crosses(state: np.ndarray, fu: FireUnits, reach_u: np.ndarray,
             vel_sigma_mps: np.ndarray | None = None) -> np.ndarray:
    """(k, u): the track's straight path, flown on, passes within the unit's reach ahead (or
    within 2 σ of it, σ the cross-track miss its velocity uncertainty allows by then)."""
    rel = fu.pos_m[None, :, :] - state[:, None, :3]  # (k, u, 3)
    v = state[:, None, 3:]
    vv = np.maximum((v * v).sum(axis=-1), 1e-9)
    t_cpa = (rel * v).sum(axis=-1) / vv
    d_cpa = np.linalg.norm(rel - v * np.maximum(t_cpa, 0.0)[..., None], axis=-1)
    slack = 0.0 if vel_sigma_mps is None else 2.0 * vel_sigma_mps[:, None] * np.maximum(
        t_cpa, 0.0)
    return (d_cpa <= reach_u[None, :] + slack) & fu.alive[None, :] & (reach_u[None, :] > 0)


def _best_salvo_pk(fu: FireUnits, mt: MissileTypes, sspk: np.ndarray) -> np.ndarray:
    """(k, u) salvo Pk of each unit's best type in stock against each track's class."""
    sspk = np.atleast_2d(sspk)
    sal = np.maximum(fu.salvo, 1)[None, :, None]
    p = 1.0 - (1.0 - sspk[:, None, :]) ** sal  # (k or 1, u, M)
    return np.where(fu.inventory[None] > 0, p, 0.0).max(axis=2, initial=0.0)


def _approaching(n_tracks: int, ident: np.ndarray, priority: np.ndarray, blocked: np.ndarray,
                 time_to_go_s: np.ndarray) -> np.ndarray:
    """Tracks that are threats still to fight: not friends, not blocked, approaching a point."""
    return np.flatnonzero(~blocked & (ident != 1) & (priority > 0) & (time_to_go_s > 0))


def _later_layers(state: np.ndarray, cand: np.ndarray, fu: FireUnits, mt: MissileTypes,
                  roe_ok: np.ndarray, feas: np.ndarray, sspk: np.ndarray,
                  time_to_go_s: np.ndarray, n_crossing: np.ndarray, look_s: float,
                  vel_sigma_mps: np.ndarray | None = None) -> np.ndarray:
    """(k,) the chance each candidate survives the layers it meets later, shoot-look-shoot:
    for every unit that cannot engage it now but whose reach its straight path enters before
    it arrives (``time_to_go_s``), with rules of engagement that allow it, the shots it gets
    are the time the track spends inside that reach over the unit's shot cycle (reaction,
    flight to half its reach at its best type's average speed, the kill assessment
    ``look_s``), shared with the other tracks that cross the same reach (``n_crossing`` (u,))
    and limited by the salvos it holds; each shot a salvo of its best type, independent:
    s = Π_u (1 − p_u)^shots_u."""
    st = state[cand]
    reach = _reach_u(fu, mt)
    rel = fu.pos_m[None, :, :] - st[:, None, :3]  # (k, u, 3)
    v = st[:, None, 3:]
    speed = np.maximum(np.linalg.norm(st[:, 3:], axis=1), 1e-3)[:, None]
    t_cpa = (rel * v).sum(axis=-1) / speed**2
    d_cpa = np.linalg.norm(rel - v * t_cpa[..., None], axis=-1)
    slack = (0.0 if vel_sigma_mps is None
             else 2.0 * vel_sigma_mps[cand, None] * np.maximum(t_cpa, 0.0))
    d_in = np.maximum(d_cpa - slack, 0.0)  # the miss distance at the edge of the 2 σ gate
    half = np.sqrt(np.maximum(reach[None, :] ** 2 - d_in**2, 0.0)) / speed
    t_in = np.maximum(np.minimum(t_cpa + half, time_to_go_s[cand, None])
                      - np.maximum(t_cpa - half, 0.0), 0.0)
    later = (d_in <= reach[None, :]) & fu.alive[None, :] & ~feas.any(axis=2) & roe_ok
    best = np.where(fu.inventory > 0, mt.speed_mps[None, :], 0.0).max(axis=1, initial=0.0)
    cycle = fu.reaction_s + np.where(best > 0, reach / 2 / np.maximum(best, 1.0), 0.0) + look_s
    salvos = fu.inventory.sum(axis=1) // np.maximum(fu.salvo, 1)
    share = np.maximum(n_crossing, 1)
    shots = np.minimum(np.floor(t_in / np.maximum(cycle, 1.0)[None, :]),
                       (salvos / share)[None, :]) * np.minimum(
                           1.0, fu.target_channels / share)[None, :]
    p = np.broadcast_to(_best_salvo_pk(fu, mt, sspk), later.shape)
    return np.prod(np.where(later, (1.0 - p) ** np.maximum(shots, 0.0), 1.0), axis=1)


def _coverage(state: np.ndarray, rows: np.ndarray, fu: FireUnits, mt: MissileTypes,
              vel_sigma_mps: np.ndarray | None, category: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(f, u) for the tracks ``rows``: whether each one's path crosses each unit's reach
    (``_crosses``), and each unit's best salvo Pk against it (by its class)."""
    covered = _crosses(state[rows], fu, _reach_u(fu, mt),
                       None if vel_sigma_mps is None else vel_sigma_mps[rows])
    cat = None if category is None else np.asarray(category)[rows]
    p = np.broadcast_to(_best_salvo_pk(fu, mt, single_shot_pk(mt, cat)), covered.shape)
    return covered, p


def _defended_value(app: np.ndarray, covered: np.ndarray, p: np.ndarray, fu: FireUnits,
                    economy: LookAhead) -> np.ndarray:
    """(k,) what losing the fire unit a track threatens would cost besides the unit itself:
    the value the unit's rounds would still save on the other approaching threats (``app``,
    with ``_coverage``'s ``covered`` and ``p``) whose paths cross its reach — Σ stake × its
    best salvo Pk, times the share of them its rounds above the reserve can engage (at most
    1). 0 for tracks aimed at an asset. This is the "defended value" of the unit (an
    air-defence asset is worth what it protects: the asset-based value of a defender in
    preferential defence, Hosein & Athans 1990)."""
    assert economy.aimed_unit is not None
    aimed = economy.aimed_unit
    out = np.zeros(aimed.size)
    on_unit = np.flatnonzero(aimed >= 0)
    if on_unit.size == 0 or app.size == 0:
        return out
    saved_fu = np.where(covered, economy.stake[app, None] * p, 0.0)  # (f, u)
    sal = np.maximum(fu.salvo, 1).astype(float)
    have = np.maximum(fu.above_reserve(np.ones(len(fu.name), dtype=bool)), 0).astype(float)
    for j in on_unit:  # the few tracks aimed at a unit
        u = int(aimed[j])
        others = (aimed[app] != u) & (app != j)  # what it defends besides itself
        n = float(covered[others, u].sum())
        if n == 0:
            continue
        out[j] = saved_fu[others, u].sum() * min(1.0, have[u] / (n * sal[u]))
    return out


def _keep_value(future: np.ndarray, covered: np.ndarray, p: np.ndarray, fu: FireUnits,
                economy: LookAhead) -> np.ndarray:
    """(u,) value units of keeping one round of each unit for the threats still coming: the
    tracks of the picture that are not candidates this cycle (beyond the horizon, or not yet
    declared), not friends, approaching a defended point (``future``, with ``_coverage``'s
    ``covered`` and ``p``), whose path crosses the unit's reach. Per round: the mean value a
    round of the unit would save on them (stake × its best salvo Pk / salvo), times how short
    of rounds the unit would be for all of them (their rounds needed / its rounds above the
    reserve, at most 1)."""
    nu = len(fu.name)
    if future.size == 0:
        return np.zeros(nu)
    sal = np.maximum(fu.salvo, 1).astype(float)
    saved = (np.where(covered, economy.stake[future, None] * p, 0.0)).sum(axis=0)  # (u,)
    needed = covered.sum(axis=0) * sal
    have = np.maximum(fu.above_reserve(np.zeros(nu, dtype=bool)), 0).astype(float)
    per_round = np.where(needed > 0, saved / np.maximum(needed, 1.0), 0.0)
    short = np.where(have > 0, np.minimum(needed / np.maximum(have, 1.0), 1.0), 1.0)
    return per_round * short


def surface_height_m(pos_m: np.ndarray) -> np.ndarray:
    """Height of flat-frame positions above the sphere through the frame origin (the frame is
    tangent at the scenario origin: a point at ground distance d on the plane is d²/(2R) above
    the surface), the same Earth as the flyouts (``physics.flight.altitude_m``)."""
    return altitude_m(pos_m, 0.0, EARTH_RADIUS_M)


def _geometry(t_s: float, t_launch_s: np.ndarray, state: np.ndarray, height_agl_m: np.ndarray,
              fu: FireUnits, mt: MissileTypes) -> tuple[np.ndarray, np.ndarray]:
    """Kinematic feasibility (k, u, M) and intercept times of every (track, unit, missile).

    The target is extrapolated to each unit's launch time; the predicted intercept point of a
    straight flyout at the missile's average speed must lie inside the missile's range and
    altitude limits, the target must be slower than the missile's limit, and the unit's
    engagement radar must see the target now (instrumented range and 4/3-Earth horizon).
    """
    pos, vel = state[:, None, :3], state[:, None, 3:]  # (k, 1, 3)
    p = pos + vel * (t_launch_s - t_s)[None, :, None]  # (k, u, 3) target at launch
    rel = p - fu.pos_m[None, :, :]
    tgo = intercept_time_s(rel[:, :, None, :], vel[:, :, None, :],
                           mt.speed_mps[None, None, :])  # (k, u, M)
    for m, tb in enumerate(mt.reach or []):
        if tb is None:
            continue
        # the flyout physics' own time of flight, over the curved Earth, for the units loaded
        # with the type (the others cannot fire it: out of reach)
        us = np.arange(len(fu.name)) if fu.carries is None else np.flatnonzero(fu.carries[:, m])
        tgo[:, :, m] = np.nan
        if us.size:
            tgo[:, us, m] = intercept_time_table(
                rel[:, us], vel[:, us] if vel.shape[1] > 1 else vel, tb[0], tb[1], tb[2],
                float(np.nanmax(np.where(np.isfinite(tb[2]), tb[2], np.nan))),
                earth_radius_m=EARTH_RADIUS_M, launcher_pos_m=fu.pos_m[None, us, :])
    reach = np.isfinite(tgo)
    tgo0 = np.where(reach, tgo, 0.0)
    pip = p[:, :, None, :] + vel[:, :, None, :] * tgo0[..., None]
    pip_rng = np.linalg.norm(pip - fu.pos_m[None, :, None, :], axis=-1)
    # the predicted point's height above the ground: the track's (from its geodetic position)
    # plus how far the straight path climbs above the curved Earth, h(x) = z + (x² + y²)/(2R)
    # in the flat frame tangent at the scenario origin
    pip_alt = height_agl_m[:, None, None] + surface_height_m(pip) \
        - surface_height_m(state[:, None, None, :3])
    speed = np.linalg.norm(state[:, 3:], axis=1)
    cur_rng = np.linalg.norm(state[:, None, :3] - fu.pos_m[None, :, :], axis=-1)  # (k, u)
    radar_sees = (cur_rng <= fu.radar_max_range_m[None, :]) & (cur_rng <= horizon_range_m(
        fu.radar_height_agl_m[None, :], np.maximum(height_agl_m, 0.0)[:, None]))
    ok = (reach & radar_sees[:, :, None]
          & (pip_rng >= mt.min_range_m)
          & (pip_rng <= np.minimum(mt.max_range_m, mt.reach_max_m())[None, None, :]
             * fu.range_fraction()[None, :, None])
          & (pip_alt >= mt.min_alt_m) & (pip_alt <= mt.max_alt_m)
          & (speed[:, None, None] <= mt.max_target_speed_mps))
    t_int = np.where(ok, t_launch_s[None, :, None] + tgo0, np.inf)
    return ok, t_int
