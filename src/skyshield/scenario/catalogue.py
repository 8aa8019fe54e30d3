"""The catalogue of system types: radars, interceptors, fire units and air vehicles.

Every figure carries its provenance: ``{value: 250000, source: "..."}`` or
``{value: 3.0, assumed: "..."}``. The built-in catalogue ships with the package
(``catalogue/default.yaml``); users add their own files, whose entries add to or replace the
built-in ones by name.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from skyshield.engine.names import Category
from skyshield.physics import detection, radar
from skyshield.scenario.errors import (
    LineMap,
    Problem,
    ScenarioError,
    _dotted,
    line_of,
    parse_yaml,
    problems_from_validation,
    read_source,
)

__all__ = [
    "Figure", "Label", "POLARIZATIONS", "PROCESSING", "RADAR_ROLES", "RadarType", "ReferenceTarget",
    "CALIBRATION_PD", "CALIBRATION_PFA",
    "CALIBRATION_SWERLING", "calibrated_range_m", "MissileType", "Flag", "AirframeType",
    "GunType", "JammerType", "FireUnitType", "AirVehicleType", "SeekerType", "EOChannelType",
    "EOSystemType", "EO_BANDS",
    "Catalogue", "load_catalogue", "builtin_catalogue_path",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Strict):
    """A number with where it came from: exactly one of ``source`` or ``assumed``."""

    value: float
    source: str | None = None
    assumed: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> Figure:
        if not math.isfinite(self.value):
            raise ValueError("@value: must be finite")
        if (self.source is None) == (self.assumed is None):
            raise ValueError("give exactly one of 'source' or 'assumed' with each figure")
        return self

    @classmethod
    def override(cls, value: float, where: str) -> Figure:
        return cls(value=value, assumed=f"scenario override ({where})")


def _positive(model: BaseModel, *names: str) -> None:
    for name in names:
        fig = getattr(model, name)
        if fig.value <= 0:
            raise ValueError(f"@{name}.value: {name} must be positive")


class Label(_Strict):
    """A named choice with where it came from: exactly one of ``source`` or ``assumed``."""

    value: str
    source: str | None = None
    assumed: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> Label:
        if (self.source is None) == (self.assumed is None):
            raise ValueError("give exactly one of 'source' or 'assumed' with each figure")
        return self


POLARIZATIONS = ("H", "V")
PROCESSING = ("none", "mti", "doppler")


class ReferenceTarget(_Strict):
    """The published detection range a radar type is calibrated against.

    ``range_m`` is where a target of ``rcs_m2`` is detected with probability
    ``CALIBRATION_PD`` (Swerling 1, single dwell, Pfa ``CALIBRATION_PFA``); both figures carry
    their source.
    """

    description: str
    rcs_m2: Figure
    range_m: Figure

    @model_validator(mode="after")
    def _check(self) -> ReferenceTarget:
        _positive(self, "rcs_m2", "range_m")
        return self


CALIBRATION_PD = 0.5
CALIBRATION_PFA = 1e-6
CALIBRATION_SWERLING = 1


RADAR_ROLES = ("surveillance", "acquisition", "low_altitude", "fire_control", "combined")
"""How a radar is employed (``sensors.radar``, Roles): ``fire_control`` searches a sector and
holds the tracks the joint picture cues it on; every other role scans all round. The old name
``engagement`` is read as ``fire_control``."""


class RadarType(_Strict):
    description: str
    role: Literal["surveillance", "acquisition", "low_altitude", "fire_control",
                  "combined"] = "surveillance"
    # fire_control scheduling (sensors.radar, Roles); optional, defaults in sensors.radar
    sector_width_deg: Figure | None = None  # search sector about the unit's threat axis
    acquisition_time_s: Figure | None = None  # from a cue to the first track dwell
    max_tracks: Figure | None = None  # tracks the time budget holds at once
    freq_hz: Figure
    peak_power_w: Figure
    pulse_width_s: Figure
    gain_db: Figure
    sidelobe_db: Figure
    noise_figure_db: Figure
    loss_db: Figure
    n_pulses: Figure
    pfa: Figure
    scan_period_s: Figure
    beamwidth_az_deg: Figure
    beamwidth_el_deg: Figure
    range_resolution_m: Figure
    min_range_m: Figure
    max_range_m: Figure
    max_elevation_deg: Figure
    antenna_height_m: Figure
    reference_target: ReferenceTarget
    # low-level propagation and clutter (issue 22); optional: a radar without them is
    # horizontally polarised and has no clutter rejection (docs/scenario.md, Weather)
    polarization: Label | None = None
    processing: Label | None = None  # none | mti (delay-line canceller) | doppler
    mti_improvement_db: Figure | None = None  # clutter improvement factor I
    prf_hz: Figure | None = None  # mti: pulse repetition frequency (blind speeds)
    canceller_order: Figure | None = None  # mti: 1 single, 2 double canceller
    notch_speed_m_s: Figure | None = None  # doppler: targets slower radially are rejected

    @model_validator(mode="before")
    @classmethod
    def _old_role(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("role") == "engagement":
            return {**data, "role": "fire_control"}  # the name before roles were scheduled
        return data

    @model_validator(mode="after")
    def _check(self) -> RadarType:
        if self.sector_width_deg is not None and not 0 < self.sector_width_deg.value <= 360:
            raise ValueError("@sector_width_deg.value: sector_width_deg must be above 0 and at "
                             "most 360")
        if self.acquisition_time_s is not None and self.acquisition_time_s.value < 0:
            raise ValueError("@acquisition_time_s.value: acquisition_time_s cannot be negative")
        if self.max_tracks is not None and (self.max_tracks.value < 1
                                            or self.max_tracks.value != int(self.max_tracks.value)):
            raise ValueError("@max_tracks.value: max_tracks must be a whole number, at least 1")
        if self.noise_figure_db.value < 0:
            raise ValueError("@noise_figure_db.value: a noise figure cannot be below 0 dB")
        _positive(self, "freq_hz", "peak_power_w", "pulse_width_s", "n_pulses",
                  "scan_period_s", "beamwidth_az_deg", "beamwidth_el_deg", "range_resolution_m",
                  "max_range_m")
        if not 0 < self.pfa.value < 1:
            raise ValueError("@pfa.value: pfa must be between 0 and 1")
        if self.min_range_m.value >= self.max_range_m.value:
            raise ValueError(f"@min_range_m.value: min_range_m must be below max_range_m "
                             f"({self.max_range_m.value:g})")
        if self.polarization is not None and self.polarization.value not in POLARIZATIONS:
            raise ValueError("@polarization.value: polarization must be one of "
                             + ", ".join(POLARIZATIONS))
        proc = "none" if self.processing is None else self.processing.value
        if proc not in PROCESSING:
            raise ValueError("@processing.value: processing must be one of "
                             + ", ".join(PROCESSING))
        if proc != "none" and self.mti_improvement_db is None:
            raise ValueError(f"@mti_improvement_db: {proc} processing needs the clutter "
                             "improvement factor mti_improvement_db")
        if self.mti_improvement_db is not None and self.mti_improvement_db.value < 0:
            raise ValueError("@mti_improvement_db.value: an improvement factor cannot be "
                             "below 0 dB")
        if proc == "mti":
            if self.prf_hz is None:
                raise ValueError("@prf_hz: mti processing needs prf_hz (its blind speeds)")
            _positive(self, "prf_hz")
            if self.canceller_order is not None and self.canceller_order.value not in (1, 2):
                raise ValueError("@canceller_order.value: canceller_order must be 1 (single) "
                                 "or 2 (double)")
        if self.notch_speed_m_s is not None and self.notch_speed_m_s.value < 0:
            raise ValueError("@notch_speed_m_s.value: notch_speed_m_s cannot be negative")
        return self


def calibrated_range_m(rt: RadarType) -> float:
    """Range [m] at which ``rt`` detects its reference target with the calibration Pd.

    Single dwell of ``n_pulses`` integrated coherently, Swerling ``CALIBRATION_SWERLING`` at
    ``CALIBRATION_PFA`` (the published-range convention), the radar equation inverted with
    Ts = T0·10^(NF/10).
    """
    req = detection.required_snr_db(CALIBRATION_PD, CALIBRATION_PFA, 1, CALIBRATION_SWERLING)
    return float(radar.max_range_m(
        req - 10 * math.log10(rt.n_pulses.value), rt.peak_power_w.value,
        rt.pulse_width_s.value, rt.freq_hz.value, rt.reference_target.rcs_m2.value,
        rt.gain_db.value, None, radar.system_noise_temp_k(rt.noise_figure_db.value),
        rt.loss_db.value))


class AirframeType(_Strict):
    """Point-mass flyout figures (``weapons.flyout``, ``physics.flight``)."""

    mass_kg: Figure
    propellant_kg: Figure
    diameter_m: Figure
    thrust_boost_n: Figure
    t_boost_s: Figure
    thrust_sustain_n: Figure
    t_sustain_s: Figure
    isp_s: Figure
    cd_scale: Figure
    n_max_g: Figure
    cn_max: Figure
    tau_s: Figure
    nav_ratio: Figure
    loft: Figure
    seeker_range_m: Figure

    @model_validator(mode="after")
    def _check(self) -> AirframeType:
        _positive(self, "mass_kg", "diameter_m", "isp_s", "cd_scale", "n_max_g", "cn_max",
                  "nav_ratio")
        if not 0 <= self.propellant_kg.value < self.mass_kg.value:
            raise ValueError("@propellant_kg.value: propellant_kg must lie in [0, mass_kg)")
        for name in ("thrust_boost_n", "t_boost_s", "thrust_sustain_n", "t_sustain_s", "tau_s",
                     "loft", "seeker_range_m"):
            if getattr(self, name).value < 0:
                raise ValueError(f"@{name}.value: {name} must not be negative")
        return self


class GunType(_Strict):
    """A gun burst (``physics.flight.burst_pk``)."""

    rounds_per_burst: Figure
    dispersion_mrad: Figure
    aim_sigma_m: Figure
    pk_given_hit: Figure
    muzzle_speed_mps: Figure

    @model_validator(mode="after")
    def _check(self) -> GunType:
        _positive(self, "rounds_per_burst", "dispersion_mrad", "muzzle_speed_mps")
        if not 0 < self.pk_given_hit.value <= 1:
            raise ValueError("@pk_given_hit.value: pk_given_hit must lie in (0, 1]")
        if self.aim_sigma_m.value < 0:
            raise ValueError("@aim_sigma_m.value: aim_sigma_m must not be negative")
        return self


class Flag(_Strict):
    """A yes/no capability with where it came from: exactly one of ``source`` or ``assumed``."""

    value: bool
    source: str | None = None
    assumed: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> Flag:
        if (self.source is None) == (self.assumed is None):
            raise ValueError("give exactly one of 'source' or 'assumed' with each figure")
        return self


class MissileType(_Strict):
    description: str
    kind: Literal["missile", "gun"]
    guidance: Literal["command", "semi_active", "active", "gun"]
    min_range_m: Figure
    max_range_m: Figure
    min_alt_m: Figure
    max_alt_m: Figure
    speed_mps: Figure
    max_target_speed_mps: Figure
    lethal_radius_m: Figure
    terminal_sigma_m: Figure
    seeker_basket_m: Figure
    damage_function: Literal["gaussian", "cookie_cutter"] = "gaussian"
    # price of one round (a gun: one burst), US dollars of the year its source gives; None:
    # not known (the fire-control economy then weighs the round at 0 and reports it unknown)
    cost_usd: Figure | None = None
    airframe: AirframeType | None = None
    gun: GunType | None = None
    # home-on-jam: the seeker guides on a noise jammer's emission (fire control may engage a
    # passive, strobes-only jammer track with it), with this angle noise on the jammer (deg)
    home_on_jam: Flag | None = None
    hoj_angle_sigma_deg: Figure | None = None

    @model_validator(mode="after")
    def _check(self) -> MissileType:
        _positive(self, "max_range_m", "speed_mps", "max_target_speed_mps", "lethal_radius_m",
                  "seeker_basket_m")
        if self.min_range_m.value >= self.max_range_m.value:
            raise ValueError(
                f"@min_range_m.value: min_range_m must be below max_range_m "
                f"({self.max_range_m.value:g})")
        if self.min_alt_m.value >= self.max_alt_m.value:
            raise ValueError(
                f"@min_alt_m.value: min_alt_m must be below max_alt_m ({self.max_alt_m.value:g})")
        if self.kind == "missile" and self.airframe is None:
            raise ValueError("@airframe: a missile needs an airframe (mass, motor, drag, "
                             "guidance figures) to fly")
        if self.home_on_jam is not None and self.home_on_jam.value and (
                self.hoj_angle_sigma_deg is None or self.hoj_angle_sigma_deg.value <= 0):
            raise ValueError("@hoj_angle_sigma_deg: a home-on-jam seeker needs its angle noise "
                             "on the jammer (a positive hoj_angle_sigma_deg)")
        if self.kind == "gun" and self.gun is None:
            raise ValueError("@gun: a gun needs its burst figures (rounds, dispersion, Pk per "
                             "hit)")
        return self


class EOChannelType(_Strict):
    """One channel of a fire unit's electro-optical system: a narrow-field television (``tv``:
    visible band, needs daylight) or thermal (``ir``: day and night) tracker (``sensors.eo``)."""

    band: Label  # tv | ir
    ifov_mrad: Figure  # angle of one pixel (instantaneous field of view)
    fov_deg: Figure  # the tracking field: a cue must put the target inside half of it
    acquisition_cycles: Figure  # Johnson N50 cycles across the target to acquire it
    wavelength_um: Figure  # centre of the band (the aerosol extinction scales with it)
    threshold: Figure  # tv: threshold contrast; ir: threshold temperature difference (K)
    molecular_extinction_per_km: Figure  # band absorption of the IR window; 0 in the visible
    angle_sigma_mrad: Figure  # angle noise (1 σ per axis)

    @model_validator(mode="after")
    def _check(self) -> EOChannelType:
        if self.band.value not in EO_BANDS:
            raise ValueError(f"@band.value: band must be one of {', '.join(EO_BANDS)}")
        _positive(self, "ifov_mrad", "fov_deg", "acquisition_cycles", "wavelength_um",
                  "threshold", "angle_sigma_mrad")
        if self.molecular_extinction_per_km.value < 0:
            raise ValueError("@molecular_extinction_per_km.value: must be 0 or more")
        return self


class EOSystemType(_Strict):
    """A fire unit's electro-optical tracking system (issue 22): its channels, cued on a target
    by the unit's picture; angles, and range with a laser rangefinder (``sensors.eo``)."""

    description: str
    channels: dict[str, EOChannelType]
    max_range_m: Figure  # tracking range limit of the system
    update_s: Figure  # interval between its measurements
    laser_range_m: Figure | None = None  # laser rangefinder reach; None: no rangefinder
    laser_sigma_m: Figure | None = None  # rangefinder noise (1 σ)

    @model_validator(mode="after")
    def _check(self) -> EOSystemType:
        if not self.channels:
            raise ValueError("@channels: an electro-optical system needs at least one channel")
        _positive(self, "max_range_m", "update_s")
        if (self.laser_range_m is None) != (self.laser_sigma_m is None):
            raise ValueError("@laser_sigma_m: give laser_range_m and laser_sigma_m together")
        if self.laser_range_m is not None:
            _positive(self, "laser_range_m", "laser_sigma_m")
        return self


EO_BANDS = ("tv", "ir")


class FireUnitType(_Strict):
    description: str
    radars: list[str]
    engagement_radar: str
    target_channels: Figure
    missile_channels: Figure
    launchers: Figure
    rounds_per_launcher: Figure
    loadout: dict[str, Figure]
    # missile types the unit can carry besides its loadout's, or a type's own limit: type -> the
    # most rounds of it the unit holds (a loadout type not listed: the whole capacity,
    # launchers x rounds_per_launcher); scenario loadouts are checked against it
    compatible_missiles: dict[str, Figure] = {}
    reaction_time_s: Figure
    launch_interval_s: Figure
    # time for one crew with its transloader to reload one launcher (rounds_per_launcher rounds)
    reload_time_s: Figure
    # rounds of each type carried by the unit's transloaders (the reloads); {}: none
    reloads: dict[str, Figure] = {}
    # launchers reloaded at once (one crew and transloader each); None: 1 when there are reloads
    transloaders: Figure | None = None
    eo: EOSystemType | None = None  # electro-optical tracking system, if it has one

    @model_validator(mode="after")
    def _check(self) -> FireUnitType:
        _positive(self, "target_channels", "missile_channels", "launchers")
        if not self.radars:
            raise ValueError("@radars: a fire unit needs at least one radar")
        if self.engagement_radar not in self.radars:
            raise ValueError("@engagement_radar: engagement_radar is not one of radars")
        carried = set(self.loadout) | set(self.compatible_missiles)
        for m, f in self.reloads.items():
            if m not in carried:
                raise ValueError(f"@reloads.{m}: the unit cannot carry {m}; it carries "
                                 f"{', '.join(sorted(carried))}")
            if f.value < 0 or f.value != int(f.value):
                raise ValueError(f"@reloads.{m}.value: a whole number of rounds, not "
                                 f"{f.value:g}")
        if self.transloaders is not None and (self.transloaders.value < 1
                                              or self.transloaders.value != int(
                                                  self.transloaders.value)):
            raise ValueError("@transloaders.value: a whole number, at least 1")
        if self.reloads and self.reload_time_s.value <= 0:
            raise ValueError("@reload_time_s.value: must be positive when there are reloads")
        return self


class JammerType(_Strict):
    power_w: Figure
    gain_db: Figure
    bandwidth_hz: Figure


class SeekerType(_Strict):
    """A passive (anti-radiation) seeker (``sim.seekers``, ``physics.seeker``): which emitters
    it hears, and how its inertial memory drifts once the emitter falls silent."""

    acquisition_range_m: Figure  # the longest range it acquires at (the missile's reach)
    field_of_view_deg: Figure  # half-angle about the missile's velocity
    sensitivity_dbm: Figure  # the least power it detects
    antenna_gain_dbi: Figure
    band_min_hz: Figure
    band_max_hz: Figure
    angle_sigma_deg: Figure  # rms error of its angle measurement
    memory_velocity_error_mps: Figure  # inertial velocity error when it loses the emitter
    memory_accel_bias_mps2: Figure  # inertial accelerometer bias

    @model_validator(mode="after")
    def _check(self) -> SeekerType:
        _positive(self, "acquisition_range_m", "field_of_view_deg", "band_min_hz",
                  "band_max_hz")
        if self.band_max_hz.value <= self.band_min_hz.value:
            raise ValueError("@band_max_hz.value: must exceed band_min_hz")
        if self.field_of_view_deg.value > 180:
            raise ValueError("@field_of_view_deg.value: a half-angle, at most 180")
        return self


class AirVehicleType(_Strict):
    description: str
    category: Category  # engine.names
    rcs_m2: Figure
    swerling: Figure
    cruise_speed_mps: Figure
    cruise_alt_m: Figure
    max_speed_mps: Figure
    warhead_damage: Figure
    iff_reply_probability: Figure
    ssr_reply_probability: Figure | None = Field(
        None, description="probability its SSR transponder answers one Mode 3/A and C "
        "interrogation (routes that squawk need it)")
    jammer: JammerType | None = None
    presented_area_m2: Figure | None = None  # for gun bursts; default by category
    seeker: SeekerType | None = None  # a passive seeker (anti-radiation missiles)

    @model_validator(mode="after")
    def _check(self) -> AirVehicleType:
        _positive(self, "rcs_m2", "cruise_speed_mps", "max_speed_mps")
        if self.swerling.value not in (0, 1, 2, 3, 4):
            raise ValueError("@swerling.value: swerling must be 0, 1, 2, 3 or 4")
        for name in ("warhead_damage", "iff_reply_probability", "ssr_reply_probability"):
            f = getattr(self, name)
            if f is not None and not 0 <= f.value <= 1:
                raise ValueError(f"@{name}.value: {name} must be between 0 and 1")
        return self


class Catalogue(_Strict):
    version: Literal[1] = 1
    radars: dict[str, RadarType] = {}
    missiles: dict[str, MissileType] = {}
    fire_units: dict[str, FireUnitType] = {}
    air_vehicles: dict[str, AirVehicleType] = {}

    def merged(self, other: Catalogue) -> Catalogue:
        """This catalogue with ``other``'s entries added (same names replaced)."""
        return Catalogue(
            radars={**self.radars, **other.radars},
            missiles={**self.missiles, **other.missiles},
            fire_units={**self.fire_units, **other.fire_units},
            air_vehicles={**self.air_vehicles, **other.air_vehicles},
        )

    def cross_check(self, file: str,
                    where: dict[str, tuple[str, LineMap]] | None = None) -> None:
        """Every name a fire unit refers to must exist.

        ``where`` maps a fire unit name to the file (and its line map) that defines it; others
        are reported against ``file``.
        """
        problems = []
        for name, fu in self.fire_units.items():
            f, lines = (where or {}).get(name, (file, {}))
            for i, r in enumerate(fu.radars):
                if r not in self.radars:
                    loc: tuple[Any, ...] = ("fire_units", name, "radars", i)
                    problems.append(Problem(f, line_of(lines, loc), _dotted(loc),
                                            "unknown radar type", r))
            for key, names in (("loadout", fu.loadout), ("compatible_missiles",
                                                          fu.compatible_missiles)):
                for m in names:
                    if m not in self.missiles:
                        loc = ("fire_units", name, key, m)
                        problems.append(Problem(f, line_of(lines, loc), _dotted(loc),
                                                "unknown missile type", m))
        if problems:
            raise ScenarioError(problems)


def builtin_catalogue_path() -> Path:
    return Path(str(resources.files("skyshield.scenario") / "catalogue" / "default.yaml"))


def _parse_catalogue(path: Path) -> tuple[Catalogue, LineMap]:
    file = str(path)
    text = read_source(path, file, "catalogue")
    data, lines = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, lines.get((), 1), "",
                                     "a catalogue file must be a mapping", data)])
    try:
        return Catalogue.model_validate(data), lines
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, lines, file)) from None


@lru_cache(maxsize=1)
def _builtin() -> Catalogue:
    """The shipped catalogue, parsed once per process (it is immutable)."""
    return _parse_catalogue(builtin_catalogue_path())[0]


def load_catalogue(*extra_files: str | Path) -> Catalogue:
    """The built-in catalogue with the entries of ``extra_files`` added in order."""
    cat = _builtin()
    where: dict[str, tuple[str, LineMap]] = {}
    for f in extra_files:
        extra, lines = _parse_catalogue(Path(f))
        where.update({name: (str(f), lines) for name in extra.fire_units})
        cat = cat.merged(extra)
    cat.cross_check(str(builtin_catalogue_path()), where)
    return cat


def figure_values(model: BaseModel) -> dict[str, Any]:
    """The plain values of a catalogue entry (figures unwrapped), for compiling into arrays."""
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        v = getattr(model, name)
        if isinstance(v, (Figure, Label, Flag)):
            out[name] = v.value
        elif isinstance(v, dict):
            out[name] = {k: (x.value if isinstance(x, Figure) else x) for k, x in v.items()}
        elif isinstance(v, BaseModel):
            out[name] = figure_values(v)
        else:
            out[name] = v
    return out
