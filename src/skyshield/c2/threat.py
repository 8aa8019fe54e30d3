"""Threat evaluation: class, identity and priority of each confirmed track.

All functions are vectorised over tracks. Classes are inferred from kinematics (speed, height,
climb) and from one emission cue the air-defence radars themselves provide: a track that lies on
a jam strobe is carrying a noise jammer (:func:`on_strobe`); identity (:func:`identify`) from
the IFF and SSR replies, the published routes and briefed corridors (procedural
identification) and the track's profile, in the standard identities of STANAG 1241 / APP-6 /
MIL-STD-2525 (pending, unknown, assumed friend, friend, neutral, suspect, hostile). Fire
control sees each identity through :data:`ENGAGEMENT_CODE`.
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.names import IDENTITIES
from skyshield.geo import wrap_angle
from skyshield.physics.kinematics import cpa

__all__ = ["CLASSES", "IDENTITIES", "classify", "interrogate", "identify", "threat_priority",
           "on_strobe", "mode_c_m", "corridor_conformance", "hostile_profile", "engagement_code",
           "ID_REASONS", "ENGAGEMENT_CODE"]

CLASSES = ("unknown", "uav", "cruise_missile", "aircraft", "anti_radiation_missile")
UNKNOWN_ID, FRIEND, HOSTILE, PENDING, ASSUMED_FRIEND, NEUTRAL, SUSPECT = range(7)
assert IDENTITIES[SUSPECT] == "suspect" and IDENTITIES[HOSTILE] == "hostile"

ENGAGEMENT_CODE = np.array([0, 1, 2, 1, 1, 1, 0], dtype=np.int64)
"""What fire control (``c2.fire_control``) sees of each identity: 1 never engaged under any ROE
(friend, assumed friend, neutral; pending: identification still in progress), 2 hostile (the
only identity weapons tight fires at), 0 the rest (unknown, suspect: weapons free fires at
them)."""

MISSILE_CLASSES = (2, 4)  # cruise missile, anti-radiation missile: no aircraft flies so
AIRLINER_MAX_SPEED_MPS = 300.0  # assumed: M0.82 at FL350 (243 m/s TAS) plus a 110 kt jet
# stream tailwind; faster than this over the ground is a military profile
MODE_C_STEP_M = 30.48  # Mode C reports pressure altitude in 100 ft steps (FAA AIM 4-1-20)
SQUAWK_HIJACK, SQUAWK_RADIO_FAILURE, SQUAWK_EMERGENCY = 0o7500, 0o7600, 0o7700
ID_REASONS = (
    "secure IFF reply (Mode 4/5)",
    "declared hostile",
    "squawk 7500 (unlawful interference): held from fire, a national-authority decision",
    "emergency squawk (7600/7700) with Mode C, civil profile",
    "Mode 3/A and C on a published route at its profile",
    "squawking, identity held (no hostile criterion)",
    "briefed own Mode 3/A code",
    "conforming to a briefed friendly corridor (procedural)",
    "identity held (no hostile criterion)",
    "hostile criteria, silent through the interrogations",
    "hostile criteria, identification in progress",
    "no identification criterion met",
    "identification in progress",
    "under own fighter control (the controller's position reports)",
)
"""Why :func:`identify` gave each identity (the ``identified`` event's info), in rule order."""
_RULE_IDENT = np.array([FRIEND, HOSTILE, SUSPECT, NEUTRAL, NEUTRAL, NEUTRAL, ASSUMED_FRIEND,
                        ASSUMED_FRIEND, ASSUMED_FRIEND, HOSTILE, SUSPECT, UNKNOWN_ID, PENDING,
                        FRIEND])
_PENDING_RULE, _CONTROL_RULE = 12, 13  # ID_REASONS of the default rule and of fighter control


def classify(speed_mps: np.ndarray, height_agl_m: np.ndarray, climb_mps: np.ndarray,
             jamming: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Class index (into :data:`CLASSES`) and a confidence in [0, 1].

    Kinematic rules (assumed, after the speed/height regimes of the public figures): slower than
    70 m/s is a UAV; faster than 450 m/s, or faster than 350 m/s while diving, an
    anti-radiation missile; 150–320 m/s below 500 m is a cruise missile; the rest aircraft.
    Emission cue (``jamming``, tracks on a jam strobe): a noise jammer is carried by an aircraft
    (a UAV if slower than 70 m/s), with confidence 0.9 (assumed), over any class but the
    anti-radiation missile's — a low, fast jamming fighter is not a cruise missile, but a
    missile faster than 450 m/s on a strobe bearing is the ARM the jammer launched.
    """
    v, h, vz = (np.asarray(a, dtype=float) for a in (speed_mps, height_agl_m, climb_mps))
    conds = [v < 70.0, (v > 450.0) | ((v > 350.0) & (vz < -30.0)),
             (v >= 150.0) & (v <= 320.0) & (h < 500.0), v >= 70.0]
    cls = np.select(conds, [1, 4, 2, 3], default=0)
    conf = np.select(conds, [np.clip((70 - v) / 40, 0.5, 0.9),
                             np.clip((v - 350) / 300, 0.5, 0.95),
                             np.clip((500 - h) / 500, 0.5, 0.9), 0.6], default=0.0)
    if jamming is not None:  # an anti-radiation missile's kinematics are unmistakable
        jam = np.asarray(jamming, dtype=bool) & (cls != 4)
        cls = np.where(jam, np.where(v < 70.0, 1, 3), cls)
        conf = np.where(jam, 0.9, conf)
    return cls, conf


def on_strobe(track_az_rad: np.ndarray, strobe_az_rad: np.ndarray, strobe_sigma_rad: np.ndarray,
              beamwidth_rad: float) -> np.ndarray:
    """Whether each track's azimuth (k,) lies on one of the strobes (s,) seen from the same
    radar: within three strobe σ or half a beamwidth, whichever is wider."""
    if np.size(strobe_az_rad) == 0:
        return np.zeros(np.shape(track_az_rad), dtype=bool)
    d = wrap_angle(np.asarray(track_az_rad)[:, None] - np.asarray(strobe_az_rad)[None, :])
    tol = np.maximum(3.0 * np.asarray(strobe_sigma_rad), beamwidth_rad / 2)
    return (np.abs(d) <= tol[None, :]).any(axis=1)


def interrogate(is_friendly: np.ndarray, reply_probability: np.ndarray, u: np.ndarray
                ) -> np.ndarray:
    """Whether each interrogated track answers (friendly and the draw ``u`` succeeds)."""
    return is_friendly & (u < reply_probability)


def mode_c_m(alt_m: np.ndarray) -> np.ndarray:
    """The altitude a Mode C reply reports (m): the aircraft's pressure altitude, here its
    altitude above mean sea level (standard atmosphere assumed), rounded to 100 ft."""
    return np.round(np.asarray(alt_m, dtype=float) / MODE_C_STEP_M) * MODE_C_STEP_M


def corridor_conformance(xy_m: np.ndarray, alt_m: np.ndarray, speed_mps: np.ndarray,
                         corridors: object) -> tuple[np.ndarray, np.ndarray]:
    """Whether each track (k,) conforms to some civil and to some friendly corridor
    (``sim.world.Corridors``): horizontally within the half-width of the centre line
    (distance to the nearest segment), ``alt_m`` inside the altitude band and the ground speed
    inside the speed band. Returns (civil, friendly), each (k,) bool."""
    xy = np.asarray(xy_m, dtype=float).reshape(-1, 2)
    k = xy.shape[0]
    c = corridors
    if c is None or k == 0 or len(c.name) == 0:  # type: ignore[attr-defined]
        return np.zeros(k, bool), np.zeros(k, bool)
    a, b = c.seg_a_m, c.seg_b_m  # type: ignore[attr-defined]
    ab = b - a
    den = np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-9)
    u = np.clip(np.einsum("kij,ij->ki", xy[:, None, :] - a[None], ab) / den, 0.0, 1.0)
    d = np.linalg.norm(xy[:, None, :] - (a[None] + u[..., None] * ab[None]), axis=2)  # (k, s)
    nc = len(c.name)  # type: ignore[attr-defined]
    dmin = np.full((k, nc), np.inf)
    np.minimum.at(dmin.T, c.seg_corridor, d.T)  # type: ignore[attr-defined]
    alt = np.asarray(alt_m, dtype=float)[:, None]
    v = np.asarray(speed_mps, dtype=float)[:, None]
    ok = ((dmin <= c.half_width_m) & (alt >= c.floor_m) & (alt <= c.ceiling_m)  # type: ignore
          & (v >= c.min_speed_mps) & (v <= c.max_speed_mps))  # type: ignore[attr-defined]
    fr = c.friendly  # type: ignore[attr-defined]
    return ok[:, ~fr].any(axis=1), ok[:, fr].any(axis=1)


def hostile_profile(threatened: np.ndarray, cls: np.ndarray, jamming: np.ndarray,
                    speed_mps: np.ndarray, ssr_silent: np.ndarray, on_corridor: np.ndarray
                    ) -> np.ndarray:
    """Whether each track shows a hostile criterion: heading at a defended point (its
    straight-line closest approach inside the point's radius, :func:`threat_priority`);
    missile kinematics (cruise-missile or anti-radiation-missile class); carrying a noise
    jammer (on a jam strobe); faster than any airliner over the ground
    (``AIRLINER_MAX_SPEED_MPS``); or silent to every mode (no IFF, no SSR code) outside every
    published route and briefed corridor — against the airspace control order of a defended
    area (assumed: every other aircraft there squawks or flies a corridor)."""
    return ((np.asarray(threatened) >= 0) | np.isin(cls, MISSILE_CLASSES)
            | np.asarray(jamming, dtype=bool) | (np.asarray(speed_mps) > AIRLINER_MAX_SPEED_MPS)
            | (np.asarray(ssr_silent, dtype=bool) & ~np.asarray(on_corridor, dtype=bool)))


def identify(secure_replied: np.ndarray, interrogations: np.ndarray, k: int,
             squawk: np.ndarray, mode_c: np.ndarray, civil_corridor: np.ndarray,
             friendly_corridor: np.ndarray, friendly_code: np.ndarray,
             hostile: np.ndarray, cls: np.ndarray, jamming: np.ndarray, speed_mps: np.ndarray,
             previous: np.ndarray, controlled: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Standard identity (``IDENTITIES`` index) of each track and the rule that gave it
    (index into :data:`ID_REASONS`); the first rule that holds wins:

    1. friend: a secure (Mode 4/5 class) IFF reply, ever;
       friend: under the post's own fighter control (``controlled``: the track correlates
       with a fighter's position report on the controller's link, ever; command chains,
       ``sim.chains``) — reason :data:`ID_REASONS` [13], after the IFF reply's;
    2. hostile: declared hostile before (a declaration stands until a secure reply);
    3. suspect: squawking 7500 (unlawful interference) — never engaged by fire control
       (:func:`engagement_code`): a hijacked airliner is a national-authority decision;
    4. neutral: squawking 7600 or 7700 with Mode C, not a missile, not jamming, not faster
       than an airliner (an emergency may leave its route);
    5. neutral: a valid Mode 3/A code (not a briefed own code) with Mode C, conforming to a
       civil corridor (Mode C altitude in its band), not a missile, not jamming;
    6. neutral held: neutral before, still squawking, no hostile criterion;
    7. assumed friend: squawking a briefed own Mode 3/A code, not a missile, not jamming;
    8. assumed friend: conforming to a briefed friendly corridor (procedural
       identification), not a missile, not jamming — even with no reply at all;
    9. assumed friend held: assumed friend before, no hostile criterion;
    10. hostile: a hostile criterion (``hostile``, :func:`hostile_profile`) and no secure
        reply through ``k`` interrogations;
    11. suspect: a hostile criterion, fewer than ``k`` interrogations;
    12. unknown: ``k`` interrogations or more, none of the above;
    13. pending: identification in progress.

    ``squawk`` is the Mode 3/A code of the track's latest SSR reply (−1: none recent),
    ``mode_c`` whether that reply carried Mode C; ``civil_corridor``, ``friendly_corridor``
    from :func:`corridor_conformance`; ``friendly_code`` whether the code is a briefed own
    code; ``previous`` the identity before this evaluation.
    """
    sq = np.asarray(squawk)
    has = sq >= 0
    mc = np.asarray(mode_c, dtype=bool) & has
    hostile = np.asarray(hostile, dtype=bool)
    military = np.isin(cls, MISSILE_CLASSES) | np.asarray(jamming, dtype=bool)
    asked = np.asarray(interrogations) >= k
    prev = np.asarray(previous)
    fcode = np.asarray(friendly_code, dtype=bool) & has
    rules = [
        np.asarray(secure_replied, dtype=bool),
        prev == HOSTILE,
        sq == SQUAWK_HIJACK,
        ((sq == SQUAWK_RADIO_FAILURE) | (sq == SQUAWK_EMERGENCY)) & mc & ~military
        & (np.asarray(speed_mps) <= AIRLINER_MAX_SPEED_MPS),
        mc & ~fcode & np.asarray(civil_corridor, dtype=bool) & ~military,
        (prev == NEUTRAL) & has & ~hostile,
        fcode & ~military,
        np.asarray(friendly_corridor, dtype=bool) & ~military,
        (prev == ASSUMED_FRIEND) & ~hostile,
        hostile & asked,
        hostile,
        asked,
    ]
    choices = list(range(len(rules)))
    if controlled is not None:
        rules.insert(1, np.asarray(controlled, dtype=bool))
        choices.insert(1, _CONTROL_RULE)
    rule = np.select(rules, choices, default=_PENDING_RULE)
    return _RULE_IDENT[rule], rule


def engagement_code(ident: np.ndarray, squawk: np.ndarray) -> np.ndarray:
    """Fire control's code of each track (:data:`ENGAGEMENT_CODE`), with a track squawking
    7500 never engaged (1) whatever its identity."""
    code = ENGAGEMENT_CODE[np.asarray(ident)]
    return np.where(np.asarray(squawk) == SQUAWK_HIJACK, 1, code)


def threat_priority(pos_m: np.ndarray, vel_mps: np.ndarray, point_pos_m: np.ndarray,
                    point_value: np.ndarray, point_radius_m: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Priority, threatened point (−1 if none) and time-to-go (s) of each track.

    Each track is extrapolated in a straight line; it threatens the defended points whose
    closest approach falls inside their radius. Priority = value / (time-to-go + 30 s) for the
    most valuable-and-soonest such point; a track threatening nothing gets 0.5 / (time to reach
    the nearest point + 30 s), so it is engaged only when nothing more urgent is.
    """
    k = pos_m.shape[0]
    if k == 0 or point_pos_m.shape[0] == 0:
        return np.zeros(k), np.full(k, -1), np.full(k, np.inf)
    rel = point_pos_m[None, :, :] - pos_m[:, None, :]
    t_cpa, d_cpa = cpa(-rel, np.broadcast_to(vel_mps[:, None, :], rel.shape))
    inside = d_cpa <= point_radius_m[None, :]
    score = np.where(inside, point_value[None, :] / (t_cpa + 30.0), 0.0)
    best = np.argmax(score, axis=1)
    rows = np.arange(k)
    threatened = np.where(inside[rows, best], best, -1)
    speed = np.maximum(np.linalg.norm(vel_mps, axis=1), 1.0)
    t_near = np.linalg.norm(rel, axis=2).min(axis=1) / speed
    prio = np.where(threatened >= 0, score[rows, best], 0.5 / (t_near + 30.0))
    ttg = np.where(threatened >= 0, t_cpa[rows, best], t_near)
    return prio, threatened, ttg
