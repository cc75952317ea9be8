"""Reference numbers for Accord's Sobol' sensitivity indices, from SALib.

Writes ishigami.json next to this file, which crates/sim/tests/sensitivity.rs
reads. Run once, when the reference has to change (CI does not run it):

    python3 -m venv /tmp/salib && /tmp/salib/bin/pip install -r requirements.txt
    /tmp/salib/bin/python generate.py

What it records (every sample from SALib/SciPy, unscrambled):

- `sobol_directions`: point 2^k (k = 0..29) of SciPy's 64-dimensional
  unscrambled Sobol' sequence (`scipy.stats.qmc.Sobol`, Joe & Kuo's
  new-joe-kuo-6.21201). In Gray-code order point 2^k is v_k xor v_(k+1), so these
  points pin down every direction number of the 64 dimensions, hence every
  point of the sequence below 2^30.
- `cases`: the Ishigami function (a = 7, b = 0.1, x_i uniform on [-pi, pi]) on
  `SALib.sample.sobol.sample(problem, N, calc_second_order=False,
  scramble=False, skip_values=max(16, 2^ceil(log2 N)))` -- the matrix
  `saltelli.sample(problem, N, calc_second_order=False)` gives too (checked
  here) -- and `SALib.analyze.sobol.analyze(..., calc_second_order=False)` on
  it: S1, ST and their conf (10000 resamples, SALib's own generator). The
  smallest case also stores the unit-cube sample matrix and the outputs, so
  the Rust test checks that Accord's design is the same matrix and analyses
  the very same outputs.
- `bootstrap`: S1_conf and ST_conf of the smallest case computed by SALib's
  own estimator functions on resamples both sides draw from the same 64-bit
  LCG (state = state * multiplier + increment mod 2^64, row = (state >> 33)
  mod N, resample by resample), so the intervals can be compared exactly.
"""

import json
import math
import pathlib
import warnings

import numpy as np
import scipy
from importlib import metadata
from scipy.stats import norm, qmc
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import saltelli, sobol as sobol_sample
from SALib.test_functions import Ishigami

A, B = 7.0, 0.1
DIRECTION_DIMENSIONS = 64
CASES = [(128, True), (4096, False)]
SALIB_RESAMPLES = 10000
SALIB_SEED = 20240601
LCG = {
    "multiplier": 6364136223846793005,
    "increment": 1442695040888963407,
    "seed": 42,
    "resamples": 64,
}

warnings.simplefilter("ignore")


def problem(bound):
    return {
        "num_vars": 3,
        "names": ["x1", "x2", "x3"],
        "bounds": [[-bound, bound] if bound else [0.0, 1.0]] * 3,
    }


def default_skip(n):
    return max(16, 2 ** math.ceil(math.log2(n)))


def sobol_point(index):
    sequence = qmc.Sobol(d=DIRECTION_DIMENSIONS, scramble=False)
    if index > 0:  # SciPy refuses to fast-forward by nothing.
        sequence.fast_forward(index)
    return sequence.random(1)[0]


def lcg_resamples(n):
    state = LCG["seed"]
    rows = np.zeros((n, LCG["resamples"]), dtype=np.int64)
    for k in range(LCG["resamples"]):
        for i in range(n):
            state = (state * LCG["multiplier"] + LCG["increment"]) % 2**64
            rows[i, k] = (state >> 33) % n
    return rows


def main():
    # fast_forward(k) then one point is point k of the sequence.
    stepped = qmc.Sobol(d=DIRECTION_DIMENSIONS, scramble=False).random(1024)
    for k in (0, 1, 5, 512, 1023):
        assert np.array_equal(sobol_point(k), stepped[k])
    directions = [sobol_point(2**k).tolist() for k in range(30)]

    ishigami, unit = problem(math.pi), problem(None)
    cases = []
    for n, store in CASES:
        skip = default_skip(n)
        x = sobol_sample.sample(
            ishigami, n, calc_second_order=False, scramble=False, skip_values=skip
        )
        u = sobol_sample.sample(
            unit, n, calc_second_order=False, scramble=False, skip_values=skip
        )
        assert np.array_equal(x, saltelli.sample(ishigami, n, calc_second_order=False))
        assert np.array_equal(x, u * (2 * math.pi) + -math.pi)
        y = Ishigami.evaluate(x, A=A, B=B)
        si = sobol_analyze.analyze(
            ishigami,
            y,
            calc_second_order=False,
            num_resamples=SALIB_RESAMPLES,
            conf_level=0.95,
            seed=SALIB_SEED,
        )
        case = {
            "base_samples": n,
            "skip": skip,
            "S1": si["S1"].tolist(),
            "S1_conf": si["S1_conf"].tolist(),
            "ST": si["ST"].tolist(),
            "ST_conf": si["ST_conf"].tolist(),
        }
        if store:
            case["unit_points"] = u.tolist()
            case["outputs"] = y.tolist()
        cases.append(case)

    # SALib's bootstrap on the LCG's resamples, with its own estimators.
    small = cases[0]
    y = np.array(small["outputs"])
    y = (y - y.mean()) / y.std()
    a_out, b_out, ab_out, _ = sobol_analyze.separate_output_values(
        y, 3, small["base_samples"], False
    )
    r = lcg_resamples(small["base_samples"])
    z = norm.ppf(0.975)
    bootstrap = dict(LCG)
    bootstrap["S1_conf"] = [
        float(z * sobol_analyze.first_order(a_out[r], ab_out[r, j], b_out[r]).std(ddof=1))
        for j in range(3)
    ]
    bootstrap["ST_conf"] = [
        float(z * sobol_analyze.total_order(a_out[r], ab_out[r, j], b_out[r]).std(ddof=1))
        for j in range(3)
    ]

    reference = {
        "generated_by": "crates/sim/tests/data/salib/generate.py",
        "versions": {
            "SALib": metadata.version("SALib"),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "ishigami": {"a": A, "b": B, "bounds": [-math.pi, math.pi]},
        "salib_resamples": SALIB_RESAMPLES,
        "salib_seed": SALIB_SEED,
        "sobol_directions": {
            "dimensions": DIRECTION_DIMENSIONS,
            "points_at_powers_of_two": directions,
        },
        "cases": cases,
        "bootstrap": bootstrap,
    }
    out = pathlib.Path(__file__).with_name("ishigami.json")
    out.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
