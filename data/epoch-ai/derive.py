#!/usr/bin/env python3
"""Derive the compact training-compute table Accord ships from Epoch AI's dataset.

Input:  Epoch AI, "Data on Notable AI Models" (notable-ai-models.csv, CC BY 4.0,
        snapshot accessed 2026-01-26; the copy used is ../shared/reference/epoch-ai/).
Output: notable-ai-models-compute.csv next to this script: the same rows, only the
        columns the early-warning detectors and world calibration read, models with a
        training-compute estimate only. Column names are Epoch's, so `accord protocol
        detect` reads the original file and this one alike.

    python3 derive.py ../../../shared/reference/epoch-ai/notable-ai-models.csv
"""
import csv
import sys

COLUMNS = ["Model", "Organization", "Publication date", "Training compute (FLOP)", "Confidence", "Country (of organization)"]

source = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/reference/epoch-ai/notable-ai-models.csv"
with open(source, newline="", encoding="utf-8") as f:
    rows = [r for r in csv.DictReader(f) if r["Training compute (FLOP)"].strip()]
with open("notable-ai-models-compute.csv", "w", newline="", encoding="utf-8") as out:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: " ".join(r[c].split()) for c in COLUMNS})
print(f"{len(rows)} models with a training-compute estimate")
