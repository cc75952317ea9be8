"""The cost of calling Accord from Python: the EGTtools workloads of
BENCHMARKS.md timed through ``accord.egt`` against the same work timed by
``accord-bench egt`` in Rust, in the same run, both on one thread.

    cargo build --release -p accord-bench
    pip install ./python
    python3 bench/python_overhead.py [target/release/accord-bench]

Prints a Markdown table for BENCHMARKS.md: Python's median time, Rust's,
and the overhead per workload and per call.
"""

import os

# One thread on both sides; rayon reads this when the module first runs work.
os.environ["RAYON_NUM_THREADS"] = "1"

import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

import accord  # noqa: E402
from timing import median_seconds  # noqa: E402
from accord import egt  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def rust_figures(bench: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = pathlib.Path(folder) / "egt.json"
        subprocess.run([bench, "egt", "--out", str(out)], check=True, capture_output=True)
        report = json.loads(out.read_text())
    return {f["workload"]: f["accord_seconds"] for f in report["accord"]}


def main():
    bench = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "accord-bench")
    rust = rust_figures(bench)
    rps = np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]])
    grid = [(1.0 + 4.0 * i / 50.0, j / 40.0) for i in range(51) for j in range(41)]

    def dsair_grid():
        return sum(
            egt.stationary_distribution_sml(egt.Game.model("dsair", b=4.0, c=1.0, s=s, p_r=p_r, B=1e4, W=100.0), 0.01, 100)[0]
            for s, p_r in grid
        )

    workloads = [
        ("small-mutation limit, 3 strategies, Z = 100", "sml_3x3_Z100", 1,
         lambda: egt.stationary_distribution_sml(rps, 1.0, 100), 200),
        ("full chain, μ = 0.01, 3 strategies, Z = 100 (5151 states)", "full_chain_3x3_Z100", 1,
         lambda: egt.stationary_distribution(rps, 1.0, 100, 0.01), 10),
        ("DSAIR 51 × 41 grid of small-mutation limits, Z = 100 (2091 calls)", "dsair_grid_51x41", len(grid),
         dsair_grid, 5),
        ("Monte Carlo, 3 strategies, Z = 100, μ = 0.01, 8 runs × 10⁶ steps", "mc_steps_1_thread", 1,
         lambda: egt.monte_carlo_stationary(rps, 1.0, 100, 0.01, runs=8, recorded_steps=1_000_000,
                                            transient_steps=1_000, seed=1), 3),
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
          f"Python {platform.python_version()}, accord {accord.__version__}; one thread on both sides")
    print("\n| workload | from Python | from Rust (accord-bench) | overhead | per call |\n|---|---|---|---|---|")
    for name, key, calls, work, repeats in workloads:
        python = median_seconds(work, repeats)
        native = rust[key]
        per_call_us = (python - native) / calls * 1e6
        print(f"| {name} | {python * 1e3:.3f} ms | {native * 1e3:.3f} ms | "
              f"{(python / native - 1) * 100:+.1f}% | {per_call_us:+.1f} µs |")


if __name__ == "__main__":
    main()
