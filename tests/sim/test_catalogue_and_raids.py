"""The built-in catalogue against published figures, and raid expansion."""

import numpy as np
import pytest

import skyshield
from skyshield.geo import geodetic_to_enu
from skyshield.physics import detection, radar
from skyshield.scenario.catalogue import calibrated_range_m, load_catalogue
from skyshield.scenario.raids import expand_raid

# Nominal detection ranges and the reference RCS each catalogue radar was calibrated against;
# the catalogue names each range's document (source) or says why none was found (assumed):
# see docs/catalogue.md and tests/scenario/test_catalogue_sources.py.
PUBLISHED = [
    ("91N6E", 600e3, 10.0),        # S-400 surveillance, 600 km (system figure)
    ("92N6E", 250e3, 1.0),         # engagement range vs aircraft, 250 km
    ("pantsir_search", 36e3, 2.0),  # 36 km vs 2 m² (no primary document found: assumed)
    ("s125_snr125", 25e3, 1.0),    # S-125 Neva-M1T about 25 km (no primary document: assumed)
    ("kub_1s91", 22e3, 1.0),       # 2K12 Kub-M about 22 km
]


@pytest.mark.parametrize("name,published_m,rcs_m2", PUBLISHED)
def test_radar_reaches_its_published_range(name, published_m, rcs_m2):
    """Range at which a Swerling 1 target is detected with Pd = 0.5 at the radar's own Pfa is
    within 10 % of the published figure (the calibration was made at Pfa 1e-6)."""
    r = load_catalogue().radars[name]
    # Swerling 1 single dwell: Pd = Pfa^(1/(1+S)) = 0.5  =>  S = ln(Pfa)/ln(0.5) − 1 (closed form)
    s_req = np.log(r.pfa.value) / np.log(0.5) - 1.0
    assert float(detection.pd(10 * np.log10(s_req), r.pfa.value, 1, 1)) == pytest.approx(0.5)
    ts_k = 290.0 * 10 ** (r.noise_figure_db.value / 10)  # Ts = T0·F (MathWorks systemp)
    rng = radar.max_range_m(10 * np.log10(s_req) - 10 * np.log10(r.n_pulses.value),
                            r.peak_power_w.value, r.pulse_width_s.value, r.freq_hz.value,
                            rcs_m2, r.gain_db.value, None, ts_k, r.loss_db.value)
    assert abs(float(rng) / published_m - 1) < 0.10
    # the catalogue states the same reference target, with its source or why it has none
    ref = r.reference_target
    assert (ref.range_m.value, ref.rcs_m2.value) == (published_m, rcs_m2)
    assert (ref.range_m.source or ref.range_m.assumed or "").strip()
    # at the calibration convention (Pfa 1e-6) the equation gives the published range to 2 %
    s6 = np.log(1e-6) / np.log(0.5) - 1.0
    rng6 = radar.max_range_m(10 * np.log10(s6 / r.n_pulses.value), r.peak_power_w.value,
                             r.pulse_width_s.value, r.freq_hz.value, rcs_m2, r.gain_db.value,
                             None, ts_k, r.loss_db.value)
    assert calibrated_range_m(r) == pytest.approx(float(rng6), rel=1e-6)
    assert abs(float(rng6) / published_m - 1) < 0.02


def test_every_radar_reaches_its_reference_target():
    """Every catalogue radar (published or assumed reference) is calibrated within 10 %."""
    for name, r in load_catalogue().radars.items():
        assert abs(calibrated_range_m(r) / r.reference_target.range_m.value - 1) < 0.10, name


def test_missile_envelopes_follow_the_published_figures():
    m = load_catalogue().missiles
    assert m["48N6E3"].max_range_m.value == pytest.approx(250e3, rel=0.05)
    assert m["40N6E"].max_range_m.value == pytest.approx(390e3, rel=0.05)
    assert m["57E6E"].max_range_m.value == pytest.approx(20e3, rel=0.05)
    for mt in m.values():
        assert mt.min_range_m.value < mt.max_range_m.value


def test_raid_expansion():
    sc = skyshield.load_scenario("slavic-shield-2019")
    cat = load_catalogue()
    raid = sc.raids["cm_west"]
    routes = expand_raid(sc, raid, cat)
    assert len(routes) == raid.count == 8
    assert [r.start for r in routes] == [raid.start + i * raid.spacing for i in range(8)]
    o = sc.origin
    starts = np.array([geodetic_to_enu(np.radians(r.waypoints[0].lat),
                                       np.radians(r.waypoints[0].lon), 0.0,
                                       np.radians(o.lat), np.radians(o.lon), 0.0)
                       for r in routes])
    # alternating 0, +d, −d, +2d, ...: lateral offsets from the first vehicle of 300 m steps
    offs = np.linalg.norm(starts[:, :2] - starts[0, :2], axis=1)
    np.testing.assert_allclose(offs, [0, 300, 300, 600, 600, 900, 900, 1200], atol=2.0)
    # all end on the target at the raid altitude above the terrain
    a = sc.assets["batajnica"]
    for r in routes:
        assert (r.waypoints[-1].lat, r.waypoints[-1].lon) == (a.lat, a.lon)
        # the built-in's raids give no alt: the type's catalogue cruise height above ground
        height = raid.alt if raid.alt is not None else \
            cat.air_vehicles[raid.type].cruise_alt_m.value
        assert r.waypoints[0].alt == pytest.approx(height + sc.terrain_elevation)
        assert r.target == "batajnica"
