"""accord.egt against EGTtools from Python, same calls, same process, same
machine: the time a Python user sees for each (median of repeats, after
one warm-up). Usage (after `pip install ./python egttools==0.1.14.2`):

    OMP_NUM_THREADS=1 python3 bench/python_bench.py

Prints a Markdown table for BENCHMARKS.md. Accord computes fixation
probabilities exactly in log space; EGTtools truncates below ~1e-7, so the
games are chosen where both agree (checked before timing).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import platform  # noqa: E402

import numpy as np  # noqa: E402

import accord  # noqa: E402
from timing import median_seconds  # noqa: E402
from accord import egt  # noqa: E402
import egttools  # noqa: E402
from egttools.analytical import PairwiseComparison  # noqa: E402
from egttools.games import Matrix2PlayerGameHolder  # noqa: E402


def peer(payoffs, population):
    game = Matrix2PlayerGameHolder(payoffs.shape[0], np.ascontiguousarray(payoffs))
    return game, PairwiseComparison(population, game)


def main():
    rng = np.random.default_rng(20261205)
    rows = []

    # Each workload binds its own settings (closures must not see later ones).
    rps = np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]])
    keep, pc = peer(rps, 1000)

    def ours_fix(beta=0.05, z=1000):
        return [egt.fixation_probability(rps, i, j, beta, z) for i in range(3) for j in range(3) if i != j]

    def theirs_fix(beta=0.05):
        return [pc.calculate_fixation_probability(i, j, beta) for i in range(3) for j in range(3) if i != j]

    assert np.allclose(ours_fix(), theirs_fix(), rtol=1e-9)
    rows.append(("fixation probabilities, 3 strategies, all 6 pairs, Z = 1000", ours_fix, theirs_fix, 20))

    random10 = rng.uniform(0, 1, (10, 10))
    keep10, pc10 = peer(random10, 500)
    ours_sml = lambda: egt.transition_and_fixation_matrix_sml(random10, 0.1, 500)  # noqa: E731
    theirs_sml = lambda: pc10.calculate_transition_and_fixation_matrix_sml(0.1)  # noqa: E731
    ours_f, theirs_f = ours_sml()[1], np.asarray(theirs_sml()[1])
    truncated = theirs_f == 0.0  # EGTtools' truncation; Accord's exact values are below 1e-7 there
    assert np.all(ours_f[truncated] < 1e-7) and np.allclose(ours_f[~truncated], theirs_f[~truncated], rtol=1e-9)
    rows.append(("small-mutation limit, 10 strategies, Z = 500", ours_sml, theirs_sml, 10))

    keep3, pc3 = peer(rps, 60)
    ours_full = lambda: egt.stationary_distribution(rps, 1.0, 60, 0.01)  # noqa: E731

    def theirs_full():
        return egttools.utils.calculate_stationary_distribution(pc3.calculate_transition_matrix(1.0, 0.01).transpose())

    assert np.allclose(ours_full()[0], theirs_full(), atol=1e-9)
    rows.append(("full chain stationary distribution, 3 strategies, Z = 60 (1891 states), μ = 0.01", ours_full, theirs_full, 5))

    stag = np.array([[4.0, 0.0], [3.0, 2.0]])
    keep2, pc2 = peer(stag, 1000)
    states = [np.array([k, 1000 - k], dtype=np.int64) for k in range(1001)]
    ours_grad = lambda: [egt.gradient_of_selection(stag, s, 1.0, 1000) for s in states]  # noqa: E731
    theirs_grad = lambda: [pc2.calculate_gradient_of_selection(1.0, s.astype(np.uint64)) for s in states]  # noqa: E731
    assert np.allclose(ours_grad(), theirs_grad(), atol=1e-12)
    rows.append(("gradient of selection at all 1001 states, 2 strategies, Z = 1000 (one call per state)", ours_grad, theirs_grad, 10))

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
          f"Python {platform.python_version()}, accord {accord.__version__}, egttools 0.1.14.2")
    print("\n| workload (from Python) | accord.egt | EGTtools | ratio |\n|---|---|---|---|")
    for name, ours, theirs, repeats in rows:
        a = median_seconds(ours, repeats)
        b = median_seconds(theirs, repeats)
        print(f"| {name} | {a * 1e3:.2f} ms | {b * 1e3:.2f} ms | {b / a:.1f}× |")
    del keep, keep10, keep3, keep2


if __name__ == "__main__":
    main()
