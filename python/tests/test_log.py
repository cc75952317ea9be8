"""accord.log against logs written by the `accord` binary (its path in
$ACCORD, default target/debug/accord): checkpoints, inclusion and
consistency proofs and tlog-proof bundles verify, and any change to them is
refused."""

import os
import subprocess
from pathlib import Path

import pytest

import accord
from accord import log

ROOT = Path(__file__).resolve().parents[2]
ACCORD = os.environ.get("ACCORD", str(ROOT / "target" / "debug" / "accord"))


def run(*args, stdin=None):
    return subprocess.run(
        [ACCORD, *args], input=stdin, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture()
def written(tmp_path):
    db, key = str(tmp_path / "log.db"), str(tmp_path / "log.key")
    vkey = run("log", "init", "--db", db, "--origin", "example.org/py-test", "--key-file", key).strip()
    run("log", "append", "--db", db, "--key-file", key, "--lines", stdin="a\nb\nc\n")
    old = run("log", "checkpoint", "--db", db)
    run("log", "append", "--db", db, "--key-file", key, "--lines", stdin="d\ne\n")
    new = run("log", "checkpoint", "--db", db)
    return {"db": db, "vkey": vkey, "old": old, "new": new}


def proof_lines(text):
    """The hashes of `accord log prove-*` output (after its header lines)."""
    return [line for line in text.splitlines() if line and " " not in line]


def test_checkpoints_verify_with_their_key_only(written):
    summary = log.verify_checkpoint(written["new"], written["vkey"])
    assert summary["origin"] == "example.org/py-test" and summary["size"] == 5
    with pytest.raises(accord.VerificationError):
        log.verify_checkpoint(written["new"].replace("\n5\n", "\n6\n"), written["vkey"])


def test_inclusion_and_bundles(written):
    proof = proof_lines(run("log", "prove-inclusion", "--db", written["db"], "--index", "1"))
    log.verify_inclusion(b"b", 1, proof, written["new"], written["vkey"])
    with pytest.raises(accord.VerificationError):
        log.verify_inclusion(b"x", 1, proof, written["new"], written["vkey"])
    bundle = run("log", "bundle", "--db", written["db"], "--index", "3")
    assert log.verify_bundle(bundle, b"d", written["vkey"])["index"] == 3
    with pytest.raises(accord.VerificationError):
        log.verify_bundle(bundle, b"e", written["vkey"])
    # A quorum without witnesses is refused, not waved through.
    with pytest.raises(accord.VerificationError, match="no witnesses given"):
        log.verify_bundle(bundle, b"d", written["vkey"], witnesses=[], quorum=2)


def test_consistency(written):
    proof = proof_lines(run("log", "prove-consistency", "--db", written["db"], "--old", "3"))
    log.verify_consistency(written["old"], written["new"], proof, written["vkey"])
    with pytest.raises(accord.VerificationError):
        log.verify_consistency(written["old"], written["new"], proof[:-1], written["vkey"])
