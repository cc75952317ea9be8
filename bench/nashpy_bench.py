#!/usr/bin/env python3
"""Time nashpy's equilibrium enumeration on the games that ``accord-bench equilibria`` also solves.

Workloads (each a whole set of games, solved one after the other, single-threaded)
----------------------------------------------------------------------------------
* ``support_4x4``  - ``nashpy.Game(A, B).support_enumeration()`` (default arguments), listed to
  the end, on 100 random 4x4 games;
* ``vertex_4x4``   - ``nashpy.Game(A, B).vertex_enumeration()`` on the same games;
* ``support_6x6``, ``vertex_6x6`` - the same on 20 random 6x6 games.

The games are generated identically here and in ``crates/bench/src/equilibria.rs`` by SplitMix64
(Steele, Lea & Flood, OOPSLA 2014): ``state += 0x9E3779B97F4A7C15``;
``z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9``; ``z = (z ^ (z >> 27)) * 0x94D049BB133111EB``;
``z ^= z >> 31`` (all mod 2^64). Each payoff is ``-10.0 + 20.0 * ((z >> 11) * 2^-53)``, drawn
row-major for A and then for B, game after game; the 4x4 set starts from state 1, the 6x6 set from
state 2. Real payoffs make the games nondegenerate with probability one. ``checksum`` (the sum of
every payoff of a set) lets the Rust side check that it solves the same games.

Each timing is the median wall time (time.perf_counter) over ``reps`` repetitions after one
untimed warm-up pass; all repetitions are listed. Construction of the ``nashpy.Game`` objects is
outside the timed region. ``equilibria`` counts what each method returned over the set.
``machine_load`` records the CPU time other processes used meanwhile (/proc/stat): clearly > 0
means the timing was disturbed.

Output: one JSON object on stdout (progress goes to stderr).

    python3 bench/nashpy_bench.py [--quick]

About a minute on 2 cores (``--quick``: one repetition).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import warnings

MASK = (1 << 64) - 1
SETS = {"4x4": (100, 4, 1), "6x6": (20, 6, 2)}  # games, size, initial SplitMix64 state


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def random_games(count, size, state):
    games = []
    for _ in range(count):
        matrices = []
        for _ in range(2):
            matrix = []
            for _ in range(size):
                row = []
                for _ in range(size):
                    state, z = splitmix64(state)
                    row.append(-10.0 + 20.0 * ((z >> 11) * 2.0**-53))
                matrix.append(row)
            matrices.append(matrix)
        games.append(matrices)
    return games


def busy_cpu_s():
    try:
        with open("/proc/stat") as fh:
            f = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] if len(f) > 7 else 0)) / os.sysconf("SC_CLK_TCK")


def own_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(solve, games, reps):
    count = sum(len(list(solve(g))) for g in games)  # warm-up, and the number of equilibria
    busy0, own0 = busy_cpu_s(), own_cpu_s()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for game in games:
            for _ in solve(game):
                pass
        times.append(time.perf_counter() - t0)
    busy1, own1 = busy_cpu_s(), own_cpu_s()
    other = None if busy0 is None else (busy1 - busy0) - (own1 - own0)
    return {
        "median_s": statistics.median(times),
        "times_s": times,
        "reps": reps,
        "equilibria": count,
        "machine_load": {"other_processes_cpu_s": other, "own_cpu_s": own1 - own0},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition")
    args = parser.parse_args()
    import nashpy
    import numpy as np
    import scipy
    try:
        import pygambit as gambit  # optional second peer: Gambit's enummixed (lrs-style vertex enumeration)
    except ImportError:
        gambit = None

    warnings.simplefilter("ignore")  # nashpy warns on even equilibrium counts; counts are reported
    workloads = {}
    checksums = {}
    for name, (count, size, state) in SETS.items():
        raw = random_games(count, size, state)
        checksums[name] = sum(v for game in raw for matrix in game for row in matrix for v in row)
        games = [nashpy.Game(np.array(a), np.array(b)) for a, b in raw]
        reps = 1 if args.quick else (5 if size == 4 else 3)
        for method in ("support", "vertex"):
            print(f"timing nashpy {method}_enumeration on {count} {name} games …", file=sys.stderr)
            solve = (lambda g: g.support_enumeration()) if method == "support" else (lambda g: g.vertex_enumeration())
            workloads[f"{method}_{name}"] = timed(solve, games, reps)
            print(f"  {workloads[f'{method}_{name}']['median_s']:.3f} s", file=sys.stderr)
        if gambit is not None:
            print(f"timing pygambit enummixed_solve on {count} {name} games …", file=sys.stderr)
            tables = [gambit.Game.from_arrays(np.array(a), np.array(b)) for a, b in raw]
            solve = lambda g: gambit.nash.enummixed_solve(g, rational=False).equilibria
            workloads[f"gambit_{name}"] = timed(solve, tables, reps)
            print(f"  {workloads[f'gambit_{name}']['median_s']:.3f} s", file=sys.stderr)
    print(json.dumps({
        "benchmark": "nashpy",
        "script": "bench/nashpy_bench.py",
        "versions": {
            "python": platform.python_version(),
            "nashpy": nashpy.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pygambit": None if gambit is None else gambit.__version__,
        },
        "checksums": checksums,
        "workloads": workloads,
    }, indent=1))


if __name__ == "__main__":
    main()
