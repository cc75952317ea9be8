"""Experiments on a Dask cluster: the shards of an experiment run as Dask
tasks on any ``dask.distributed`` client (a ``LocalCluster``, a scheduler
with workers on several machines, dask-jobqueue on Slurm), then merge into
exactly what one process computes.

An experiment is cut by run index: shard ``i`` of ``N`` computes the runs
whose index is ``i`` modulo ``N``, each on the random stream of the master
seed and its own index, never of the shard. A task is a pure function of
its shard, so a task lost with a worker is simply run again (Dask retries
it) and the result does not change.

* :func:`evaluate` runs an evaluation in the workers' own ``accord``
  package (no binary needed) and returns what :func:`accord.evaluate`
  returns, plus ``report_json``: byte for byte the ``report.json`` of
  ``accord evaluate`` with the same options and inputs (a protocol or world
  given here as text is named ``<protocol>``/``<world>`` in the report; one
  given as a path is named by that path, as the command names it).
* :func:`run_command` runs any shardable command of the ``accord`` binary
  (``evaluate``, ``sweep``, ``egt mc``) with ``--shard i/N`` on the workers
  and merges the parts with ``accord merge``: the output folder is the one
  a single run writes. The binary and the files the command names must be
  reachable from every worker (a shared file system, as on a cluster).
"""

import json
import os
import subprocess
import tempfile
from typing import Any, Dict, List, Optional, Sequence

from ._accord import AccordError
from ._accord import sim as _native
from .experiments import Source, _job, _tables

class CommandError(AccordError):
    """An ``accord`` command run for a shard or a merge failed; the message
    is the command and what it printed on standard error."""


#: Shards per worker thread when ``shards`` is not given: enough to keep
#: every worker busy when shards take unequal time.
SHARDS_PER_THREAD = 2


def _default_shards(client) -> int:
    threads = sum(client.nthreads().values())
    return max(1, SHARDS_PER_THREAD * threads)


def _evaluate_shard(job: str, index: int, count: int) -> str:
    # Runs on a worker: the worker's own accord package computes the shard.
    from accord._accord import sim

    return sim.evaluate_shard(job, index, count)


def evaluate(
    client,
    protocol: Source = None,
    world: Source = None,
    seed: int = 1,
    replicates: Optional[int] = None,
    generations: Optional[int] = None,
    robustness: Optional[int] = None,
    levels: Optional[Sequence[float]] = None,
    shards: Optional[int] = None,
    shard_dir: Optional[str] = None,
    retries: int = 3,
    rationality_generations: Optional[int] = None,
) -> Dict[str, Any]:
    """:func:`accord.evaluate` with its runs spread over ``client``'s workers
    in ``shards`` tasks (default: two per worker thread). Returns the same
    dict, plus ``report_json`` (the exact text of ``report.json``). With
    ``shard_dir``, the shard files are also written there, so ``accord merge
    SHARD_DIR`` writes the whole report folder (HTML, plots, CSV)."""
    job = _job(protocol, world, seed, replicates, generations, robustness, levels, rationality_generations)
    count = shards if shards is not None else _default_shards(client)
    if count < 1:
        raise ValueError(f"shards must be at least 1, got {count}")
    futures = [
        client.submit(_evaluate_shard, job, index, count, pure=False, retries=retries)
        for index in range(count)
    ]
    texts: List[str] = client.gather(futures)
    if shard_dir is not None:
        os.makedirs(shard_dir, exist_ok=True)
        for text in texts:
            with open(os.path.join(shard_dir, _native.shard_file_name(text)), "w", encoding="utf-8") as file:
                file.write(text)
    report_json = _native.merge_evaluation(texts)
    report = json.loads(report_json)
    return {"report": report, "report_json": report_json, **_tables(report)}


def _run(command: List[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        # A class of this module, so it crosses from a worker to the client intact.
        raise CommandError(f"{' '.join(command)}: {done.stderr.strip()}")
    return done.stdout


def _command_shard(accord: str, arguments: List[str], index: int, count: int) -> str:
    # Runs on a worker: the accord binary writes one shard file, returned as text.
    with tempfile.TemporaryDirectory(prefix="accord-shard-") as folder:
        _run([accord, *arguments, "--shard", f"{index}/{count}", "--out", folder])
        (name,) = [n for n in os.listdir(folder) if n.endswith(".shard.json")]
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            return file.read()


def run_command(
    client,
    arguments: Sequence[str],
    shards: Optional[int] = None,
    out: Optional[str] = None,
    shard_dir: Optional[str] = None,
    accord: str = "accord",
    retries: int = 3,
) -> str:
    """Runs ``accord ARGUMENTS`` (``evaluate ...``, ``sweep ...`` or ``egt mc
    ...``, without ``--shard`` and ``--out``) as ``shards`` Dask tasks and
    merges them with ``accord merge`` into ``out`` (the command's default
    folder when ``None``; ``egt mc`` prints instead). Returns what the merge
    printed. ``accord`` is the binary's path on the workers and here."""
    arguments = list(arguments)
    if not arguments:
        raise ValueError("run_command needs a command, e.g. ['sweep', '--x', ...]")
    if any(a == "--shard" or a.startswith("--shard=") or a == "--out" or a.startswith("--out=") for a in arguments):
        raise ValueError("run_command sets --shard and --out itself; pass out= for the merged output")
    count = shards if shards is not None else _default_shards(client)
    if count < 1:
        raise ValueError(f"shards must be at least 1, got {count}")
    futures = [
        client.submit(_command_shard, accord, arguments, index, count, pure=False, retries=retries)
        for index in range(count)
    ]
    texts: List[str] = client.gather(futures)
    with tempfile.TemporaryDirectory(prefix="accord-shards-") as scratch:
        folder = shard_dir if shard_dir is not None else scratch
        os.makedirs(folder, exist_ok=True)
        for text in texts:
            with open(os.path.join(folder, _native.shard_file_name(text)), "w", encoding="utf-8") as file:
                file.write(text)
        return _run([accord, "merge", folder] + (["--out", out] if out is not None else []))


__all__ = ["SHARDS_PER_THREAD", "CommandError", "evaluate", "run_command"]
