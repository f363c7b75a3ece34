"""Datum conversions: GCJ-02 against an independent implementation, CGCS2000 round trips."""

import numpy as np
import prcoords
import pytest

from gazetteer.datum import cgcs2000_to_wgs84, gcj02_to_wgs84, wgs84_to_cgcs2000, wgs84_to_gcj02

M_PER_DEG = 111_320


def test_forward_gcj02_matches_prcoords():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(100, 115, 500), rng.uniform(22, 40, 500)
    ours = wgs84_to_gcj02(lon, lat)
    ref = np.array([prcoords.wgs_gcj((la, lo)) for lo, la in zip(lon, lat, strict=True)])
    assert np.abs(ours[0] - ref[:, 1]).max() < 1e-9
    assert np.abs(ours[1] - ref[:, 0]).max() < 1e-9


def test_gcj02_round_trip_is_below_a_centimetre():
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(105, 110.5, 2000), rng.uniform(28, 32.5, 2000)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    err_m = np.hypot((back[0] - lon) * M_PER_DEG * np.cos(np.radians(lat)), (back[1] - lat) * M_PER_DEG)
    assert err_m.max() < 0.01


def test_offset_in_the_seed_counties_is_the_documented_one():
    # geodata.md: in these counties GCJ-02 ≈ WGS84 + (+0.0039…+0.0046° lon, −0.0021…−0.0025° lat)
    for lon, lat in [(108.03, 30.29), (107.35, 30.33), (106.05, 29.85), (108.40, 31.17)]:
        glon, glat = wgs84_to_gcj02(lon, lat)
        assert 0.0036 < glon - lon < 0.0050
        assert -0.0028 < glat - lat < -0.0018


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


@pytest.mark.parametrize("lon, lat", [(108.03372, 30.29493), (106.05, 29.85), (121.47, 31.23)])
def test_cgcs2000_round_trip_below_half_a_metre(lon, lat):
    clon, clat = wgs84_to_cgcs2000(lon, lat)
    blon, blat = cgcs2000_to_wgs84(clon, clat)
    assert abs(blon - lon) * M_PER_DEG < 0.5 and abs(blat - lat) * M_PER_DEG < 0.5
    # and CGCS2000 itself is within a metre of WGS84
    assert abs(clon - lon) * M_PER_DEG < 1 and abs(clat - lat) * M_PER_DEG < 1
