"""Threat evaluation: class, identity (IFF) and priority of each confirmed track.

All functions are vectorised over tracks. Classes are inferred from kinematics only (speed and
height), which is what an air picture offers without emission cues; identity from IFF replies:
a track that answers is a friend for good, one that stays silent through ``k`` interrogations is
declared hostile, anything else is unknown.
"""

from __future__ import annotations

import numpy as np

from skyshield.physics.kinematics import cpa

__all__ = ["CLASSES", "IDENTITIES", "classify", "interrogate", "identity", "threat_priority"]

CLASSES = ("unknown", "uav", "cruise_missile", "aircraft", "anti_radiation_missile")
IDENTITIES = ("unknown", "friend", "hostile")
UNKNOWN_ID, FRIEND, HOSTILE = 0, 1, 2


def classify(speed_mps: np.ndarray, height_agl_m: np.ndarray, climb_mps: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Class index (into :data:`CLASSES`) and a confidence in [0, 1] from kinematics.

    Rules (assumed, after the speed/height regimes of the public figures): slower than 70 m/s is
    a UAV; faster than 450 m/s, or faster than 350 m/s while diving, an anti-radiation missile;
    150–320 m/s below 500 m is a cruise missile; the rest aircraft.
    """
    v, h, vz = (np.asarray(a, dtype=float) for a in (speed_mps, height_agl_m, climb_mps))
    conds = [v < 70.0, (v > 450.0) | ((v > 350.0) & (vz < -30.0)),
             (v >= 150.0) & (v <= 320.0) & (h < 500.0), v >= 70.0]
    cls = np.select(conds, [1, 4, 2, 3], default=0)
    conf = np.select(conds, [np.clip((70 - v) / 40, 0.5, 0.9),
                             np.clip((v - 350) / 300, 0.5, 0.95),
                             np.clip((500 - h) / 500, 0.5, 0.9), 0.6], default=0.0)
    return cls, conf


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
