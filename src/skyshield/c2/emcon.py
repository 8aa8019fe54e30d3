"""Emission control against anti-radiation missiles: fall silent when one is inbound.

A unit whose scenario doctrine sets ``emcon.arm_silence`` switches its engagement radar off as
soon as the air picture holds a track classified as an anti-radiation missile
(``c2.threat.CLASSES``) whose straight-line closest point of approach to the unit is within
``ARM_ALERT_RADIUS_M`` and ahead of it, and keeps it silent for ``arm_silence`` after the last
such picture: an ARM that loses its emitter flies on memory (``sim.seekers``) and misses by more
the earlier the radar fell silent, but a radar that comes back on too soon is acquired again.
When the silence ends, a unit on ``always`` radiates again and one on ``cued`` goes back to its
cueing rule. Silent, the unit cannot engage and its semi-active missiles in flight lose their
guidance: the doctrine trades the engagement for the radar (the emission discipline reported of
the Serbian SAM crews against HARMs in 1999, e.g. B. S. Lambeth, NATO's Air War for Kosovo, RAND
2001; the rule and its figures are assumed here, not a published drill). Only the engagement
radar is under emission control, as in the rest of the program.
"""

from __future__ import annotations

import numpy as np

from skyshield.physics.kinematics import cpa

__all__ = ["ARM_ALERT_RADIUS_M", "ARM_CLASS", "ArmSilence"]

# assumed: an ARM whose straight path passes this close is taken as aimed at the unit: wider than
# the heading error of a track far out (1 deg at 150 km is 2.6 km) and than the offset of an ARM
# flying on memory (about a kilometre when its emitter fell silent tens of kilometres out), so
# that the alert holds until the missile has burst
ARM_ALERT_RADIUS_M = 5000.0
ARM_CLASS = 4  # c2.threat.CLASSES.index("anti_radiation_missile")


class ArmSilence:
    """Per unit: the silence its doctrine keeps after the last inbound ARM in the picture."""

    def __init__(self, hold_s: np.ndarray):
        self.hold_s = np.asarray(hold_s, dtype=float)  # (u,) NaN: no such doctrine
        self.quiet_until = np.full(self.hold_s.size, -np.inf)
        self.silenced = np.zeros(self.hold_s.size, dtype=bool)  # switched off by this rule

    @property
    def active(self) -> bool:
        return bool(np.isfinite(self.hold_s).any())

    def quiet(self, t: float, unit_pos_m: np.ndarray, alive: np.ndarray, cls: np.ndarray,
              track_state: np.ndarray) -> np.ndarray:
        """(u,) whether each unit's doctrine keeps its engagement radar silent at ``t``, given
        the picture's classes ``cls`` and track states (k, 6) ENU position and velocity."""
        on = np.isfinite(self.hold_s) & alive
        arm = track_state[np.asarray(cls) == ARM_CLASS]
        if on.any() and arm.shape[0]:
            rel = arm[None, :, :3] - unit_pos_m[:, None, :]  # (u, a, 3)
            t_cpa, miss = cpa(rel, np.broadcast_to(arm[None, :, 3:], rel.shape))
            closing = np.einsum("uai,uai->ua", rel, np.broadcast_to(arm[None, :, 3:],
                                                                       rel.shape)) < 0
            alert = on & ((miss <= ARM_ALERT_RADIUS_M) & closing & (t_cpa > 0)).any(axis=1)
            self.quiet_until[alert] = t + self.hold_s[alert]
        out: np.ndarray = on & (t < self.quiet_until)
        return out
