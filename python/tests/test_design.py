"""accord.design: Sobol' indices of the Ishigami function (a = 7, b = 0.1)
against their closed form (Ishigami & Homma 1990; Sobol' & Levitan 1999):
S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)."""

import math

import numpy as np
import pytest

import accord
from accord import design

A, B = 7.0, 0.1
VARIANCE = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1, V2, 0.0]) / VARIANCE
ST = np.array([V1 + V13, V2, V13]) / VARIANCE


def ishigami(x):
    x = -math.pi + 2 * math.pi * x
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_match_the_closed_form():
    points = design.saltelli(3, 4096)
    assert points.shape == (4096 * 5, 3)
    result = design.sobol_indices(3, ishigami(points), resamples=200, seed=3)
    np.testing.assert_allclose(result["S1"], S1, atol=0.02)
    np.testing.assert_allclose(result["ST"], ST, atol=0.02)
    assert np.all(result["S1_conf"] > 0)
    again = design.sobol_indices(3, ishigami(points), resamples=200, seed=3)
    np.testing.assert_array_equal(result["S1_conf"], again["S1_conf"])


def test_saltelli_skips_what_it_is_told():
    # Sobol' point 0 is the origin: SALib 1.6's sobol.sample (skip_values=0)
    # starts there; by default the design skips max(16, 2^ceil(log2 N)).
    np.testing.assert_array_equal(design.saltelli(2, 8, skip=0)[0], [0.0, 0.0])
    assert np.all(design.saltelli(2, 8)[0] > 0)
    np.testing.assert_array_equal(design.saltelli(2, 8), design.saltelli(2, 8, skip=16))


def test_latin_hypercube_strata_and_errors():
    points = design.latin_hypercube(10, 4, seed=5)
    for column in points.T:
        assert sorted(np.floor(column * 10).astype(int)) == list(range(10))
    with pytest.raises(accord.DynamicsError, match="outputs"):
        design.sobol_indices(3, np.ones(7))
