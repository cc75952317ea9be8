#!/usr/bin/env bash
# A Dask cluster by hand, as on several machines: one scheduler, workers
# that connect to it (here two on this machine; elsewhere run the worker
# line on each machine with the scheduler's address), then an evaluation
# spread over them by accord.distributed, merged into the report folder.
#
#   pip install ./python "dask[distributed]"
#   ACCORD=target/release/accord examples/distributed/dask-cluster.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
accord="${ACCORD:-target/release/accord}"
port="${DASK_PORT:-8786}"
work="$(mktemp -d)"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
python3 -m distributed.cli.dask_scheduler --host 127.0.0.1 --port "$port" --no-dashboard >"$work/scheduler.log" 2>&1 &
pids+=($!)
for worker in 1 2; do
  RAYON_NUM_THREADS=1 python3 -m distributed.cli.dask_worker "tcp://127.0.0.1:$port" \
    --nthreads 1 --name "worker-$worker" --no-dashboard >"$work/worker-$worker.log" 2>&1 &
  pids+=($!)
done
python3 examples/distributed/evaluate_on_dask.py "tcp://127.0.0.1:$port" "$work/shards"
"$accord" merge "$work/shards" --out "$work/report" >/dev/null
"$accord" evaluate --seed 3 --replicates 2 --generations 8 --robustness 2 --levels 0.5 --out "$work/single" >/dev/null
for file in "$work"/single/*; do
  cmp "$file" "$work/report/$(basename "$file")"
done
echo "Dask cluster (scheduler + 2 workers): merged report identical to the single run"
