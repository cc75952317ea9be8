"""Shards on a two-worker Dask LocalCluster against one process, in the
same run on the same machine: a sweep (through the binary, merged by
`accord merge`) and an evaluation (in the workers' accord package).

    cargo build --release -p accord-cli && pip install ./python "dask[distributed]"
    python3 bench/dask_bench.py [target/release/accord]

Prints a Markdown table for BENCHMARKS.md: one process on one thread, one
process on two threads (rayon), and the cluster (two worker processes of
one thread each), with the speed-up over one thread and the dispatch
overhead (cluster time over the ideal half of the one-thread time).
"""

import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from dask.distributed import Client, LocalCluster

import accord
from accord import distributed

ROOT = pathlib.Path(__file__).resolve().parents[1]
SWEEP = ["sweep", "--x", "world:race.disaster_probability=0:1:11", "--replicates", "8"]
EVALUATE = dict(seed=1, replicates=4, robustness=0)
SHARDS = int(os.environ.get("SHARDS", "4"))


def seconds(work, repeats=3):
    """Median seconds of `work`, timed here unless it returns its own time."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        measured = work()
        times.append(measured if measured is not None else time.perf_counter() - start)
    return statistics.median(times)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "accord")
    scratch = tempfile.mkdtemp()

    def sweep_alone(threads):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        subprocess.run([binary, *SWEEP, "--out", f"{scratch}/alone"], check=True, capture_output=True, env=env)

    def evaluate_alone(threads):
        # A fresh interpreter (rayon's pool size is fixed at first use),
        # timing the call only: not Python's start or the import.
        code = ("import time, accord; s = time.perf_counter(); "
                f"accord.evaluate(**{EVALUATE!r}); print(time.perf_counter() - s)")
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        done = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
        return float(done.stdout.strip().splitlines()[-1])

    rows = []
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           env={"RAYON_NUM_THREADS": "1"})
    with Client(cluster) as client:
        for name, alone, on_cluster in [
            ("default sweep (11 points × 8 replicates, 40 generations)", sweep_alone,
             lambda: distributed.run_command(client, SWEEP, shards=SHARDS, out=f"{scratch}/cluster", accord=binary)),
            ("evaluation, 4 replicates, no robustness worlds", evaluate_alone,
             lambda: distributed.evaluate(client, shards=SHARDS, **EVALUATE)),
        ]:
            one = seconds(lambda: alone(1))
            two = seconds(lambda: alone(2))
            on_cluster()  # workers import accord once
            both = seconds(lambda: (on_cluster(), None)[1])
            rows.append((name, one, two, both))
    cluster.close()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
          f"Python {platform.python_version()}, accord {accord.__version__}; medians of 3")
    print("\n| workload | one process, 1 thread | one process, 2 threads | LocalCluster, 2 workers × 1 thread | "
          "cluster vs 1 thread | dispatch overhead |\n|---|---|---|---|---|---|")
    for name, one, two, both in rows:
        print(f"| {name} | {one:.2f} s | {two:.2f} s | {both:.2f} s | {one / both:.2f}× | "
              f"{(both / (one / 2) - 1) * 100:+.1f}% |")


if __name__ == "__main__":
    main()
