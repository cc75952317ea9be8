"""accord.protocol: validation errors name the file, line and field; a
replay gives the state hash the `accord` command gives."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import accord
from accord import protocol

ROOT = Path(__file__).resolve().parents[2]
GLOBAL = ROOT / "examples" / "protocols" / "global-protocol.toml"
ACCORD = os.environ.get("ACCORD", str(ROOT / "target" / "debug" / "accord"))
KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


def test_the_shipped_protocol_loads():
    loaded = protocol.load(GLOBAL)
    assert loaded["protocol"]["name"] == "Global AI Safety Coordination Protocol"
    assert loaded["compute"]["credit_threshold"] == 10


def test_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GLOBAL.read_text().replace("credit_threshold = 10", "credit_threshold = -3"))
    with pytest.raises(accord.ProtocolError) as caught:
        protocol.load(bad)
    message = str(caught.value)
    assert str(bad) in message and "compute.credit_threshold" in message and "line" in message


def test_a_replay_matches_the_command_line(tmp_path):
    events = "\n".join(
        json.dumps(e)
        for e in [
            {"author": "sec", "seq": 1, "period": 0, "type": "register", "participant": "sec", "role": "secretariat", "public_key": KEY},
            {"author": "sec", "seq": 2, "period": 0, "type": "register", "participant": "lab-a", "role": "lab", "public_key": KEY.replace("00", "11", 1)},
            {"author": "lab-a", "seq": 1, "period": 0, "type": "close_period"},
            {"author": "sec", "seq": 3, "period": 0, "type": "close_period"},
        ]
    )
    result = protocol.replay(GLOBAL.read_text(), events)
    assert (result["applied"], result["rejected"], result["period"]) == (3, 1, 1)
    assert "line 3" in result["rejections"][0]["reason"]
    stream = tmp_path / "events.jsonl"
    stream.write_text(events + "\n")
    printed = subprocess.run(
        [ACCORD, "protocol", "replay", "--protocol", str(GLOBAL), str(stream)], capture_output=True, text=True
    ).stdout
    assert result["state_hash"] in printed


def test_detectors_on_pandas_columns_match_the_command_line():
    import pandas as pd

    csv = ROOT / "data" / "epoch-ai" / "notable-ai-models-compute.csv"
    table = pd.read_csv(csv)
    ours = protocol.detect(
        table["Training compute (FLOP)"], table["Publication date"], table["Organization"], replicates=200
    )
    printed = subprocess.run(
        [ACCORD, "protocol", "detect", str(csv), "--replicates", "200", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    theirs = json.loads(printed)
    assert ours["bunching"] == theirs["bunching"]
    assert ours["jumps"] == theirs["jumps"]
    assert [b["threshold"] for b in ours["bunching"]] == [1e25, 1e26]
    with pytest.raises(accord.ProtocolError, match="bin_width"):
        protocol.detect([1e25], ["2024-01-01"], ["x"], bin_width=-1.0)
    as_timestamps = protocol.detect(
        table["Training compute (FLOP)"], pd.to_datetime(table["Publication date"]), table["Organization"],
        replicates=200,
    )
    assert as_timestamps == ours, "pandas timestamps read as the dates they hold"
    with pytest.raises(ValueError, match="same length, got 2, 1 and 2"):
        protocol.detect([1e25, 2e25], ["2024-01-01"], ["x", "y"])
    nullable = pd.read_csv(csv, dtype_backend="numpy_nullable")
    as_nullable = protocol.detect(
        nullable["Training compute (FLOP)"], nullable["Publication date"], nullable["Organization"], replicates=200
    )
    assert as_nullable == ours, "pandas' NA is a missing cell, skipped as the command skips it"
    with pytest.raises(accord.ProtocolError, match=r"dates\[2\]"):
        protocol.detect([float("nan"), 1e25, 2e25], ["bad", "2024-01-01", "20240101"], ["a", "b", "c"])
