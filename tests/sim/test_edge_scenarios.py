"""Valid but unusual scenarios run to the end and give consistent summaries."""

import textwrap

import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario

BASE = """
name: edge
origin: {lat: 44.9, lon: 20.3}
duration: 8 min
assets:
  base: {lat: 44.9, lon: 20.3, value: 10}
units:
  sam:
    type: kub_m
    lat: 44.92
    lon: 20.30
    roe: ROE
LOADOUT
threats:
  cm:
    type: cruise_missile_subsonic
    start: 10 s
    target: base
    waypoints:
      - {lat: 44.9, lon: 19.75, alt: 100 m, speed: 880 km/h}
      - {lat: 44.9, lon: 20.3, alt: 100 m}
friendlies:
  mig:
    type: mig29
    waypoints:
      - {lat: 45.0, lon: 20.0, alt: 5 km, speed: 800 km/h}
      - {lat: 45.0, lon: 20.6, alt: 5 km}
"""


def _scenario(roe="weapons_free", loadout="", extra_catalogue=None, text=None):
    t = text or BASE.replace("ROE", roe).replace("LOADOUT", loadout)
    return parse_scenario(t, "edge.yaml", extra_catalogue)


def test_weapons_hold_fires_nothing_and_the_missile_leaks():
    r = skyshield.run(_scenario(roe="weapons_hold"), seed=1)
    s = r.summary
    assert s["missiles_fired"] == 0 and s["threats_leaked"] == 1
    assert s["asset_damage"]["base"] > 0  # the leaker reached its target and damaged it


def test_weapons_free_never_engages_the_answering_friend():
    for seed in range(3):
        r = skyshield.run(_scenario(roe="weapons_free"), seed=seed)
        s, ev = r.summary, r.events
        assert s["friendly_engaged"] == 0 and s["fratricide"] == 0
        # the hostile is ordered engaged every time; whether a round leaves the rail depends on
        # the Kub's 25 s reaction (seed 2: the missile reaches the base first, and the launch
        # at a target already down is aborted, the round kept)
        engaged = set(ev.loc[ev["kind"] == "engage", "truth_id"])
        assert engaged == {0}, engaged


def test_empty_loadout_runs_without_firing():
    s = skyshield.run(_scenario(loadout="    loadout: {}"), seed=1).summary
    assert s["missiles_fired"] == 0 and s["threats_leaked"] == 1


def test_no_air_vehicles_at_all():
    text = BASE.replace("ROE", "weapons_free").replace("LOADOUT", "").split("threats:")[0]
    s = skyshield.run(_scenario(text=text), seed=1).summary
    assert s["threats_total"] == 0 and s["missiles_fired"] == 0 and s["events_total"] > 0


def test_a_user_catalogue_adds_a_type(tmp_path):
    cat = tmp_path / "my.yaml"
    cat.write_text(textwrap.dedent("""
        air_vehicles:
          slow_drone:
            description: a user's own loitering drone
            category: uav
            rcs_m2: {value: 0.05, assumed: "small composite airframe"}
            swerling: {value: 1, assumed: "fluctuating"}
            cruise_speed_mps: {value: 40, assumed: "loitering"}
            cruise_alt_m: {value: 300, assumed: "low"}
            max_speed_mps: {value: 60, assumed: "small engine"}
            warhead_damage: {value: 0.1, assumed: "small warhead"}
            iff_reply_probability: {value: 0, assumed: "hostile"}
    """))
    text = BASE.replace("ROE", "weapons_free").replace("LOADOUT", "").replace(
        "name: edge", "name: edge\ncatalogue: [my.yaml]").replace(
        "type: cruise_missile_subsonic", "type: slow_drone").replace("880 km/h", "140 km/h")
    sc = parse_scenario(text, str(tmp_path / "s.yaml"), tmp_path)
    r = skyshield.run(sc, seed=3)
    assert r.summary["by_type"]["slow_drone"]["total"] == 1
    with pytest.raises(skyshield.ScenarioError):
        parse_scenario(text, "s.yaml", tmp_path / "elsewhere")  # the file is not found there


def test_a_raid_that_starts_on_its_target_is_refused_with_its_line():
    text = BASE.replace("ROE", "weapons_free").replace("LOADOUT", "") + textwrap.dedent("""
        raids:
          r:
            type: cruise_missile_subsonic
            count: 2
            from: {lat: 44.9, lon: 20.3}
            to: base
    """)
    with pytest.raises(skyshield.ScenarioError) as exc:
        _scenario(text=text)
    (p,) = exc.value.problems
    assert p.path == "raids.r.to" and "same place" in p.message
    assert p.line == text.splitlines().index("    to: base") + 1


def test_only_an_anti_radiation_missile_silences_the_unit_it_ends_on():
    """A cruise missile aimed at a unit leaks but does not destroy it; an ARM does."""
    def run_with(threat_type, speed):
        text = BASE.replace("ROE", "weapons_hold").replace("LOADOUT", "").replace(
            "type: cruise_missile_subsonic", f"type: {threat_type}").replace(
            "target: base", "target: sam").replace("880 km/h", speed).replace(
            "{lat: 44.9, lon: 20.3, alt: 100 m}", "{lat: 44.92, lon: 20.30, alt: 60 m}")
        return skyshield.run(_scenario(text=text), seed=1)

    cm = run_with("cruise_missile_subsonic", "880 km/h")
    assert cm.summary["threats_leaked"] == 1 and cm.summary["units_destroyed"] == []
    arm = run_with("anti_radiation_missile", "2000 km/h")
    assert arm.summary["units_destroyed"] == ["sam"]
    ev = arm.events
    t_dead = ev.loc[ev["kind"] == "unit_destroyed", "t_s"].iloc[0]
    # its radars are silent from then on
    assert not ((ev["kind"] == "scan") & (ev["t_s"] > t_dead + 1e-9)).any()


def _arm_at_kub(emcon):
    text = BASE.replace("ROE", "weapons_hold").replace("LOADOUT", f"    emcon: {{mode: {emcon}}}"
                                                        ).replace(
        "type: cruise_missile_subsonic", "type: anti_radiation_missile").replace(
        "target: base", "target: sam").replace("880 km/h", "2000 km/h").replace(
        "{lat: 44.9, lon: 20.3, alt: 100 m}", "{lat: 44.92, lon: 20.30, alt: 60 m}")
    return skyshield.run(_scenario(text=text), seed=1)


def test_an_arm_homes_on_emissions_and_misses_a_silent_unit():
    """The Kub's one radar is its engagement radar: cued, with no one else to cue it, it stays
    silent, and the anti-radiation missile finds nothing to home on; radiating, it is hit."""
    loud = _arm_at_kub("always")
    assert loud.summary["units_destroyed"] == ["sam"]
    quiet = _arm_at_kub("cued")
    ev = quiet.events
    assert quiet.summary["units_destroyed"] == []
    assert not (ev["kind"] == "scan").any() and not (ev["kind"] == "emission").any()
    impact = ev[(ev["kind"] == "impact") & (ev["info"] != "asset")]
    assert list(impact["info"]) == ["emitter silent"] and list(impact["target"]) == ["sam"]


def test_a_cued_engagement_radar_switches_on_when_a_threat_comes_within_range():
    text = BASE.replace("ROE", "weapons_free").replace("LOADOUT", "    emcon: {mode: cued}")
    text = text.replace("units:\n", """units:
  eye:
    type: s125_neva_m1t
    lat: 44.95
    lon: 20.2
    roe: weapons_hold
""")
    r = skyshield.run(_scenario(text=text), seed=2)
    ev = r.events
    on = ev[(ev["kind"] == "emission") & (ev["source"] == "kub_1s91@sam")]
    assert list(on["info"][:1]) == ["on"]
    t_on = on["t_s"].iloc[0]
    kub_scans = ev[(ev["kind"] == "scan") & (ev["source"] == "kub_1s91@sam")]
    assert kub_scans["t_s"].min() > t_on  # silent before the cue
    # cued by the other unit's picture: a non-friend track inside 1.2 x the 3M9's range
    assert r.summary["missiles_fired_by_unit"].get("sam", 0) >= 1


def _ridge_scenario(tmp_path, ridge_m):
    from skyshield.physics.terrain import synthetic_ridge
    from skyshield.scenario.terrain import TerrainGrid, save_terrain_grid

    z = synthetic_ridge(44.5, 45.3, 19.5, 20.6, 81, 111, 20.05, ridge_m, 0.02)
    save_terrain_grid(tmp_path / "ridge.npz", TerrainGrid(z, 44.5, 45.3, 19.5, 20.6))
    text = BASE.replace("ROE", "weapons_hold").replace("LOADOUT", "").replace(
        "name: edge", "name: edge\nterrain_grid: ridge.npz").replace(
        "type: cruise_missile_subsonic", "type: strike_aircraft").split("friendlies:")[0]
    return parse_scenario(text, str(tmp_path / "s.yaml"), tmp_path)


def test_a_ridge_hides_a_low_aircraft_until_it_crosses(tmp_path):
    """A 600 m north-south ridge 20 km west of the Kub: an aircraft flying in at 100 m is
    unseen while the ridge stands between them; without the ridge the radar equation (3 m²,
    about 29 km for Pd 0.5) sets where it is first seen."""
    def first_seen(ridge_m):
        ev = skyshield.run(_ridge_scenario(tmp_path, ridge_m), seed=4).events
        fd = ev[ev["kind"] == "first_detection"]
        return float(fd["value"].iloc[0]) if len(fd) else None

    flat = first_seen(0.0)
    ridged = first_seen(600.0)
    assert flat is not None and ridged is not None
    # the ridge crest is about 20 km from the radar: nothing is seen beyond it
    assert flat > 25e3 and ridged < 21e3


def test_a_bad_terrain_grid_is_a_located_scenario_error(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    text = BASE.replace("ROE", "weapons_hold").replace("LOADOUT", "").replace(
        "name: edge", "name: edge\nterrain_grid: junk.npz")
    with pytest.raises(skyshield.ScenarioError) as exc:
        parse_scenario(text, str(tmp_path / "s.yaml"), tmp_path)
    (p,) = exc.value.problems
    assert p.path == "terrain_grid" and p.line == 3 and p.got == "junk.npz"
    assert "terrain grid" in p.message


def test_a_geotiff_grid_masks_like_the_same_npz_grid(tmp_path):
    """The ridge written as a PixelIsPoint GeoTIFF (raw GeoTIFF tags, north row first) compiles
    to the same terrain as the .npz grid; a GeoTIFF in a projected CRS is a located error."""
    import numpy as np
    import tifffile

    from skyshield.physics.terrain import synthetic_ridge
    from skyshield.sim.world import compile_world

    z = synthetic_ridge(44.5, 45.3, 19.5, 20.6, 81, 111, 20.05, 600.0, 0.02)
    npz = compile_world(_ridge_scenario(tmp_path, 600.0))

    def geotiff(model_type):
        keys = [1, 1, 0, 2, 1024, 0, 1, model_type, 1025, 0, 1, 2]
        tifffile.imwrite(tmp_path / "ridge.tif", z[::-1].astype(np.float64), extratags=[
            (33550, "d", 3, (1.1 / 110, 0.8 / 80, 0.0), True),
            (33922, "d", 6, (0.0, 0.0, 0.0, 19.5, 45.3, 0.0), True),
            (34735, "H", len(keys), keys, True)])
        text = BASE.replace("ROE", "weapons_hold").replace("LOADOUT", "").replace(
            "name: edge", "name: edge\nterrain_grid: ridge.tif")
        return parse_scenario(text, str(tmp_path / "s.yaml"), tmp_path)

    tif = compile_world(geotiff(2))
    np.testing.assert_allclose(tif.terrain.z_m, npz.terrain.z_m)
    np.testing.assert_allclose(tif.terrain.bounds, npz.terrain.bounds, atol=1e-9)
    with pytest.raises(skyshield.ScenarioError) as exc:
        geotiff(1)
    (p,) = exc.value.problems
    assert p.path == "terrain_grid" and "EPSG:4326" in p.message
