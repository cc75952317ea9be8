"""Sobol' indices: accord.design against SALib 1.6.0 on the Ishigami
function (a = 7, b = 0.1), the same design and the same model runs, in one
process: agreement of S1 and ST (with each other and with the closed form)
and the time of each step.

    pip install ./python SALib==1.6.0
    python3 bench/sobol_bench.py

Prints a Markdown table for BENCHMARKS.md.
"""

import math
import platform
import os

import numpy as np
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

import accord
from timing import median_seconds
from accord import design

A, B = 7.0, 0.1
VARIANCE = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5
V1, V2 = 0.5 * (1 + B * math.pi**4 / 5) ** 2, A**2 / 8
V13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1, V2, 0.0]) / VARIANCE
ST = np.array([V1 + V13, V2, V13]) / VARIANCE
PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
RESAMPLES = 1000


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def main():
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
          f"Python {platform.python_version()}, accord {accord.__version__}, SALib 1.6.0; "
          f"{RESAMPLES} bootstrap resamples on both sides")
    print("\n| base samples N (model runs N·5) | max |S1 − SALib|, |ST − SALib| | max |S − closed form| | "
          "design: accord / SALib | indices: accord / SALib |\n|---|---|---|---|---|")
    for n in (1024, 8192, 65536):
        unit = design.saltelli(3, n)
        points = -math.pi + 2 * math.pi * unit
        skip = max(16, 2 ** math.ceil(math.log2(n)))  # what Accord skips (README, accord sweep)
        theirs_points = salib_sample.sample(PROBLEM, n, calc_second_order=False, scramble=False, skip_values=skip)
        assert np.allclose(points, theirs_points, atol=1e-12), "the same design"
        y = ishigami(points)
        ours = design.sobol_indices(3, y, resamples=RESAMPLES, seed=1)
        theirs = salib_analyze.analyze(PROBLEM, y, calc_second_order=False, num_resamples=RESAMPLES, seed=1)
        agreement = max(np.max(np.abs(ours["S1"] - theirs["S1"])), np.max(np.abs(ours["ST"] - theirs["ST"])))
        closed = max(np.max(np.abs(ours["S1"] - S1)), np.max(np.abs(ours["ST"] - ST)))
        design_ours = median_seconds(lambda: design.saltelli(3, n))
        design_theirs = median_seconds(
            lambda: salib_sample.sample(PROBLEM, n, calc_second_order=False, scramble=False, skip_values=skip))
        index_ours = median_seconds(lambda: design.sobol_indices(3, y, resamples=RESAMPLES, seed=1), 3)
        index_theirs = median_seconds(
            lambda: salib_analyze.analyze(PROBLEM, y, calc_second_order=False, num_resamples=RESAMPLES, seed=1), 3)
        print(f"| {n} ({n * 5}) | {agreement:.1e} | {closed:.4f} | "
              f"{design_ours * 1e3:.2f} ms / {design_theirs * 1e3:.2f} ms ({design_theirs / design_ours:.1f}×) | "
              f"{index_ours * 1e3:.1f} ms / {index_theirs * 1e3:.1f} ms ({index_theirs / index_ours:.1f}×) |")


if __name__ == "__main__":
    main()
