"""accord.distributed on a real Dask LocalCluster (two worker processes):
merged shards equal the single-process result byte for byte, also when a
worker is killed mid-run and Dask reruns its task; the generic command
path shards a sweep and an egt mc through the ``accord`` binary ($ACCORD,
default target/debug/accord)."""

import json
import os
import pathlib
import signal
import subprocess
import time

import pytest
from dask.distributed import Client, LocalCluster

import accord
from accord import distributed

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCORD = os.environ.get("ACCORD", str(ROOT / "target" / "debug" / "accord"))

SMALL = dict(seed=5, replicates=2, generations=6, robustness=2, levels=[0.5])


@pytest.fixture(scope="module")
def client():
    # One thread per worker process, each shard single-threaded inside: two
    # workers use the two cores.
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        env={"RAYON_NUM_THREADS": "1"},
    )
    with Client(cluster) as client:
        yield client
    cluster.close()


def cli(*arguments: str) -> str:
    done = subprocess.run([ACCORD, *arguments], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_evaluation_on_two_workers_equals_the_single_process(client, tmp_path):
    merged = distributed.evaluate(client, shards=5, shard_dir=str(tmp_path / "shards"), **SMALL)
    single = accord.evaluate(**SMALL)
    assert merged["report"] == single["report"]
    # Byte for byte the report.json `accord evaluate` writes with the same options.
    cli("evaluate", "--seed", "5", "--replicates", "2", "--generations", "6",
        "--robustness", "2", "--levels", "0.5", "--out", str(tmp_path / "cli"))
    assert merged["report_json"] == (tmp_path / "cli" / "report.json").read_text(encoding="utf-8")
    # The shard files are the CLI's: `accord merge` writes the same folder.
    cli("merge", str(tmp_path / "shards"), "--out", str(tmp_path / "merged"))
    for name in ("report.json", "report.md", "subsets.csv", "trajectories.csv"):
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert list(merged["attribution"].columns)[:3] == ["metric", "family", "claimed_leverage"]


def test_a_worker_killed_mid_run_is_retried_and_changes_nothing(client):
    plan = dict(seed=9, replicates=4, generations=20, robustness=0, levels=[0.5])
    reference = accord.evaluate(**plan)["report"]
    pids = client.run(os.getpid)
    job = accord._accord.sim.evaluation_job(None, None, 9, 4, 20, 0, [0.5])
    futures = [
        client.submit(distributed._evaluate_shard, job, i, 6, pure=False, retries=3)
        for i in range(6)
    ]
    # Kill a worker as soon as it is computing a shard.
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        processing = client.processing()
        busy = [w for w, tasks in processing.items() if tasks]
        if busy:
            victim = busy[0]
        else:
            time.sleep(0.05)
    assert victim is not None, "no worker started a shard"
    os.kill(pids[victim], signal.SIGKILL)
    texts = client.gather(futures)
    assert json.loads(accord._accord.sim.merge_evaluation(texts)) == reference
    assert pids[victim] not in client.run(os.getpid).values(), "the killed worker is gone"


def test_commands_run_as_shards_through_the_binary(client, tmp_path):
    sweep = ["sweep", "--design", "lhs", "--param", "world:race.disaster_probability=0.1:0.9",
             "--samples", "6", "--replicates", "2", "--generations", "4"]
    cli(*sweep, "--out", str(tmp_path / "single"))
    distributed.run_command(client, sweep, shards=3, out=str(tmp_path / "merged"), accord=ACCORD)
    for name in ("samples.csv",):
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()
    mc = ["egt", "mc", "-Z", "20", "--beta", "0.5", "--runs", "8", "--steps", "2000", "--json"]
    assert distributed.run_command(client, mc, shards=4, accord=ACCORD) == cli(*mc)
    with pytest.raises(ValueError, match="sets --shard and --out itself"):
        distributed.run_command(client, mc + ["--out", "x"], accord=ACCORD)
    with pytest.raises(distributed.CommandError, match="expected TARGET:PATH=START:END:POINTS"):
        distributed.run_command(client, ["sweep", "--x", "nonsense"], shards=1, accord=ACCORD, retries=0)


def test_errors_raised_on_a_worker_reach_the_client_as_themselves(client):
    job = json.loads(accord._accord.sim.evaluation_job(None, None, 1, 2, 4, 0, [0.5]))
    job["world"]["text"] = "[world]\nname = 3\n"
    future = client.submit(distributed._evaluate_shard, json.dumps(job), 0, 1, pure=False, retries=0)
    with pytest.raises(accord.WorldError, match="not a valid world"):
        future.result()
