"""An evaluation spread over a running Dask cluster.

    python3 examples/distributed/evaluate_on_dask.py SCHEDULER_ADDRESS SHARD_DIR

Connects to the scheduler, runs the evaluation's shards on its workers
(each worker needs the package: `pip install ./python`), prints the verdicts and writes
the shard files to SHARD_DIR, from which `accord merge SHARD_DIR` writes the
whole report folder.
"""

import sys

from dask.distributed import Client

from accord import distributed

address, shard_dir = sys.argv[1], sys.argv[2]
with Client(address, timeout="60s") as client:
    client.wait_for_workers(2, timeout=60)
    result = distributed.evaluate(
        client, seed=3, replicates=2, generations=8, robustness=2, levels=[0.5],
        shard_dir=shard_dir,
    )
for claim in result["report"]["claims"]:
    print(f"{claim['verdict']:>13}  {claim['claim']}")
