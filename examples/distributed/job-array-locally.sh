#!/usr/bin/env bash
# Runs evaluate.sbatch as Slurm would run a four-task array, on this
# machine, then merges the shards and checks the report against a single
# `accord evaluate` with the same options, file by file.
#
#   ACCORD=target/release/accord examples/distributed/job-array-locally.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
accord="${ACCORD:-target/release/accord}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
options="--seed 3 --replicates 2 --generations 8 --robustness 2 --levels 0.5"
count=4
for task in $(seq 0 $((count - 1))); do
  SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_COUNT=$count ACCORD="$accord" \
    ACCORD_OPTIONS="$options" ACCORD_SHARDS="$work/shards" \
    bash examples/distributed/evaluate.sbatch >/dev/null &
done
wait
"$accord" merge "$work/shards" --out "$work/merged" >/dev/null
# shellcheck disable=SC2086
"$accord" evaluate $options --out "$work/single" >/dev/null
for file in "$work"/single/*; do
  cmp "$file" "$work/merged/$(basename "$file")"
done
echo "job array of $count shards merged into the single report: $(ls "$work/merged" | wc -l) files identical"
