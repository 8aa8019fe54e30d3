"""A radar resolves only what its cells separate (issue 20: dense raids).

Before, every target of a formation closer than the radar's resolution was a plot of its own:
a raid of 5,000 cruise missiles a few metres apart inside radar cover made one cluster of 5,000
plots and tracks, whose gating and assignment grow with its square (not finished in 10 min;
99,999 took 10.6 GiB). A radar cannot see them apart: targets in one resolution cell (range
resolution × azimuth beamwidth × elevation beamwidth) give one plot, the strongest echo's.
"""

from __future__ import annotations

import math

import numpy as np

import skyshield
from skyshield.scenario.catalogue import builtin_catalogue_path, load_catalogue
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.radar import _resolved


def test_targets_in_one_cell_are_one_plot_the_strongest():
    # range resolution 100 m, beams of 1°: ranges 10,000 and 10,050 m share a range cell
    # (floor(r / 100) = 100), 10,300 m is cell 103; the fourth target is 2° away in azimuth
    bw = np.radians(1.0)
    rng_m = np.array([10_000.0, 10_050.0, 10_300.0, 10_020.0])
    az = np.array([0.1, 0.1, 0.1, 0.1]) * bw + np.array([0.0, 0.0, 0.0, 2.0 * bw])
    el = np.full(4, 0.2 * bw)
    snr = np.array([10.0, 14.0, 12.0, 9.0])
    hit = _resolved(np.arange(4), rng_m, az, el, snr, 100.0, bw, bw)
    assert hit.tolist() == [1, 2, 3]  # the 14 dB echo stands for the pair; order kept
    # only the detected ones are considered: without target 1, target 0 is the cell's plot
    assert _resolved(np.array([0, 2, 3]), rng_m, az, el, snr, 100.0, bw, bw).tolist() == [0, 2, 3]
    # separated targets stay separate
    far = np.array([10_000.0, 10_200.0, 10_400.0])
    assert _resolved(np.arange(3), far, az[:3], el[:3], snr[:3], 100.0, bw, bw).tolist() == [
        0, 1, 2]


DENSE = """
name: dense
origin: {lat: 44.9, lon: 20.3}
duration: 30 s
assets:
  base: {lat: 44.9, lon: 20.3, value: 10}
units:
  sam: {type: pantsir_s1, lat: 44.91, lon: 20.3}
raids:
  wave:
    type: cruise_missile_subsonic
    count: 2000
    spacing: 0.001 s
    from: {lat: 44.9, lon: 20.15}
    to: base
    alt: 100 m
"""


def test_a_dense_raid_inside_cover_is_a_few_plots_not_two_thousand():
    """2,000 cruise missiles 1 ms apart fly inside the Pantsir's cover in a line 2,000 × 1 ms
    × 244 m/s (catalogue cruise speed) = 488 m long, nearly head-on to the radars: the finest
    (the 1RS2's 15 m range resolution, catalogue) sees it in at most ceil(488 / 15) + 1 = 34
    range cells, times two if the line straddles a beam's edge, so no scan has more than 68
    plots (it had up to 2,000), nor more tracks at once."""
    cat = load_catalogue(builtin_catalogue_path())
    length_m = 2000 * 0.001 * cat.air_vehicles["cruise_missile_subsonic"].cruise_speed_mps.value
    res_m = min(cat.radars[r].range_resolution_m.value
                for r in cat.fire_units["pantsir_s1"].radars)
    cells = math.ceil(length_m / res_m) + 1
    assert cells == 34
    res = skyshield.run(parse_scenario(DENSE, "dense.yaml"), seed=1)
    scans = res.events[(res.events["kind"] == "scan") & (res.events["value"] > 0)]
    assert len(scans), "the raid is seen"
    assert int(scans["value"].max()) <= 2 * cells, scans["value"].max()
    at_once = int(res.tracks.groupby("t_s")["track_id"].nunique().max())
    assert at_once <= 2 * cells, at_once
