"""Timing shared by the Python benchmark scripts."""

import statistics
import time


def median_seconds(work, repeats=5):
    """Median wall time of `work()` over `repeats` calls, after one warm-up call."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
