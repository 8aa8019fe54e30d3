"""Threat evaluation: class, identity (IFF) and priority of each confirmed track.

All functions are vectorised over tracks. Classes are inferred from kinematics (speed, height,
climb) and from one emission cue the air-defence radars themselves provide: a track that lies on
a jam strobe is carrying a noise jammer (:func:`on_strobe`); identity from IFF replies:
a track that answers is a friend for good, one that stays silent through ``k`` interrogations is
declared hostile, anything else is unknown.
"""

from __future__ import annotations

import numpy as np

from skyshield.geo import wrap_angle
from skyshield.physics.kinematics import cpa

__all__ = ["CLASSES", "IDENTITIES", "classify", "interrogate", "identity", "threat_priority",
           "on_strobe"]

CLASSES = ("unknown", "uav", "cruise_missile", "aircraft", "anti_radiation_missile")
IDENTITIES = ("unknown", "friend", "hostile")
UNKNOWN_ID, FRIEND, HOSTILE = 0, 1, 2


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


def identity(replied: np.ndarray, interrogations: np.ndarray, k: int) -> np.ndarray:
    """Friend if it ever replied; hostile if silent through ``k`` interrogations; else unknown."""
    return np.where(replied, FRIEND, np.where(interrogations >= k, HOSTILE, UNKNOWN_ID))


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
