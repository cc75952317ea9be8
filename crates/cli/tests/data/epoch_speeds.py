#!/usr/bin/env python3
"""Reference values for crates/cli/tests/calibrate.rs, computed independently of Accord.

Each organisation's largest training run since 2024-01-01 in Epoch AI's data
(a model credited to several organisations counts for each), those of at least
1e24 FLOP, speed = 1 + 0.25*log10(C / median C), then the geometric mean and
the sample standard deviation of ln(speed). Python's statistics module only.

    python3 crates/cli/tests/data/epoch_speeds.py data/epoch-ai/notable-ai-models-compute.csv
"""
import csv
import math
import statistics
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "data/epoch-ai/notable-ai-models-compute.csv"
largest = {}
with open(path, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        flop = row["Training compute (FLOP)"].strip()
        if not flop or row["Publication date"] < "2024-01-01":
            continue
        for organisation in filter(None, (o.strip() for o in row["Organization"].split(","))):
            largest[organisation] = max(largest.get(organisation, 0.0), float(flop))
for top in (None, 6):
    kept = sorted((c for c in largest.values() if c >= 1e24), reverse=True)[:top]
    median = statistics.median(kept)
    logs = [math.log(1 + 0.25 * math.log10(c / median)) for c in kept]
    print(f"top={top}: organisations {len(kept)}, median {median!r} FLOP, "
          f"speed {math.exp(statistics.mean(logs))!r}, speed_log_sd {statistics.stdev(logs)!r}")
