"""accord.simulate and accord.evaluate give the numbers `accord simulate`
and `accord evaluate` give (same seed, same plan), as DataFrames."""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import accord

ROOT = Path(__file__).resolve().parents[2]
ACCORD = os.environ.get("ACCORD", str(ROOT / "target" / "debug" / "accord"))


def test_a_simulation_matches_the_command_line(tmp_path):
    ours = accord.simulate(seed=3, generations=10)
    subprocess.run(
        [ACCORD, "simulate", "--seed", "3", "--generations", "10", "--out", str(tmp_path / "sim")],
        check=True, capture_output=True,
    )
    theirs = json.loads((tmp_path / "sim" / "summary.json").read_text())
    assert ours["summary"] == theirs, "the same keys and values as summary.json"
    drawn = pd.read_csv(tmp_path / "sim" / "drawn.csv", keep_default_na=False)
    assert list(ours["drawn"]["lab"]) == list(drawn["lab"])
    assert list(ours["drawn"]["speed"]) == list(drawn["speed"])
    assert ours["network"] is None, "the default world has no network"
    labs = ours["labs"]
    assert isinstance(labs, pd.DataFrame)
    assert len(labs) == 10 * labs["lab"].nunique()
    assert {"generation", "lab", "strategy", "credits", "sanction_level"} <= set(labs.columns)


def test_an_evaluation_matches_the_command_line(tmp_path):
    plan = {"replicates": 2, "generations": 5, "robustness": 0, "levels": [0.5], "rationality_generations": 3}
    seen = []
    ours = accord.evaluate(seed=4, progress=lambda done, total: seen.append((done, total)), **plan)
    subprocess.run(
        [ACCORD, "evaluate", "--seed", "4", "--replicates", "2", "--generations", "5",
         "--robustness", "0", "--levels", "0.5", "--rationality-generations", "3", "--out", str(tmp_path / "eval")],
        check=True, capture_output=True,
    )
    theirs = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert ours["report"] == theirs
    assert seen and seen[-1][0] == seen[-1][1]
    assert len(seen) == len(set(seen)), "each count is reported once"
    attribution = ours["attribution"]
    assert set(attribution["family"]) == {
        "mechanism_design", "credible_commitment", "early_warning", "social_norms", "common_knowledge",
    }
    shapley = attribution[attribution.metric == "cooperation"]["shapley_mean"].sum()
    grand = theirs["comparison"]["protocol"]["cooperation"]["mean"] - theirs["comparison"]["no_protocol"]["cooperation"]["mean"]
    assert shapley == pytest.approx(grand, abs=1e-9), "Shapley values add up to the grand coalition's gain"
    assert len(ours["trajectories"]) == 5
    assert list(ours["claims"]["verdict"]) == [c["verdict"] for c in theirs["claims"]]


def test_inputs_given_as_paths_are_named_by_their_path(tmp_path):
    world = tmp_path / "broken-world.toml"
    world.write_text("[world]\nname = 3\n")
    for given in (world, str(world)):
        with pytest.raises(accord.WorldError, match="broken-world.toml"):
            accord.simulate(world=given)
    protocol = ROOT / "examples" / "protocols" / "global-protocol.toml"
    summary = accord.simulate(protocol=str(protocol), generations=2)["summary"]
    assert summary["protocol"] == str(protocol)
    with pytest.raises(FileNotFoundError, match="missing-world.toml"):
        accord.simulate(world="missing-world.toml")
    with pytest.raises(FileNotFoundError, match="missing-race.toml"):
        accord.precipice(race=tmp_path / "missing-race.toml")


def test_bad_inputs_raise_naming_the_argument():
    with pytest.raises(TypeError, match="progress: expected True, False or a callable"):
        accord.evaluate(progress="yes")
    with pytest.raises(TypeError, match="protocol: expected a path or TOML text, got int"):
        accord.simulate(5)
    with pytest.raises(FileNotFoundError, match="runs/seed=3/protocol.toml"):
        accord.simulate("runs/seed=3/protocol.toml")


def test_a_raising_progress_callback_does_not_lose_the_report(monkeypatch):
    import sys

    calls, reported = [], []

    def failing(done, total):
        calls.append(done)
        raise RuntimeError("the progress bar broke")

    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    plan = {"replicates": 2, "generations": 3, "robustness": 0, "levels": [0.5]}
    ours = accord.evaluate(seed=4, progress=failing, **plan)
    assert len(calls) == 1, "a callback that raised is not called again"
    assert [str(r.exc_value) for r in reported] == ["the progress bar broke"]
    assert ours["report"] == accord.evaluate(seed=4, **plan)["report"]


def test_bad_worlds_and_plans_raise_with_the_library_message(tmp_path):
    with pytest.raises(accord.WorldError, match="replicates"):
        accord.evaluate(replicates=1)
    with pytest.raises(accord.WorldError, match="<world>"):
        accord.simulate(world="[world]\nname = 3\n")


def test_parquet_tables_hold_the_csv_rows(tmp_path):
    """The Parquet tables of `accord simulate` and `accord sweep` read back in
    pandas (pyarrow) as the same rows as their CSV files."""
    subprocess.run(
        [ACCORD, "simulate", "--seed", "3", "--generations", "6", "--out", str(tmp_path / "sim")],
        check=True, capture_output=True,
    )
    for name in ("labs", "generations"):
        table = pd.read_parquet(tmp_path / "sim" / f"{name}.parquet")
        csv = pd.read_csv(tmp_path / "sim" / f"{name}.csv")
        pd.testing.assert_frame_equal(table, csv, check_dtype=False)
    subprocess.run(
        [ACCORD, "sweep", "--design", "sobol", "--samples", "4", "--replicates", "2", "--generations", "3",
         "--param", "world:race.disaster_probability=0.1:0.9", "--param", "protocol:monitoring.quorum=2:3",
         "--resamples", "20", "--out", str(tmp_path / "sweep")],
        check=True, capture_output=True,
    )
    table = pd.read_parquet(tmp_path / "sweep" / "samples.parquet")
    csv = pd.read_csv(tmp_path / "sweep" / "samples.csv")
    assert list(table.columns)[:4] == ["point", "matrix", "world:race.disaster_probability", "protocol:monitoring.quorum"]
    assert len(table) == 4 * (2 + 2)
    pd.testing.assert_frame_equal(table, csv, check_dtype=False)


def test_an_attack_matches_the_command_line():
    ours = accord.attack(replicates=2, generations=4, coalition=1, seed=2)
    theirs = json.loads(subprocess.run(
        [ACCORD, "attack", "--replicates", "2", "--generations", "4", "--coalition", "1",
         "--seed", "2", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    assert ours["report"]["searched"] == theirs["searched"]
    assert ours["report"]["exploitability"] == theirs["exploitability"]
    assert ours["report"]["verdict"] == theirs["verdict"]
    assert ours["report"]["decisive"] == theirs["decisive"]
    assert theirs["verdict"] in ("exploitable", "not_exploitable", "undetermined")
    deviations = ours["deviations"]
    assert list(deviations["who"]) == [s["who"] for s in theirs["searched"]]
    best = deviations["gain_mean"].idxmax()
    assert deviations["gain_mean"][best] == theirs["exploitability"]["gain"]["mean"]
    assert (deviations["gain_low"] <= deviations["gain_high"]).all()


def test_an_empirical_game_matches_the_command_line():
    strategies = ["safe/honest", "unsafe/honest"]
    ours = accord.egta(strategies=strategies, replicates=2, generations=5, population=20)
    theirs = json.loads(subprocess.run(
        [ACCORD, "egta", "--strategies", ",".join(strategies), "--replicates", "2",
         "--generations", "5", "-Z", "20", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    for key in ("strategies", "table", "stationary", "stationary_interval", "fixation", "beta"):
        assert ours["report"][key] == theirs[key], key
    assert sum(ours["stationary"].values()) == pytest.approx(1.0)
    # Groups of the world's 6 labs over 2 strategies: 7 compositions.
    table = ours["table"]
    assert len(table) == 7
    assert set(table["count_safe/honest"] + table["count_unsafe/honest"]) == {6}


def test_bad_strategies_and_plans_raise_with_the_library_message():
    with pytest.raises(accord.WorldError, match="unknown strategy"):
        accord.egta(strategies=["safe/honest", "unsafe/sneaky"])
    with pytest.raises(accord.WorldError, match="unsafe/sneaky"):
        accord.egta(strategies="safe/honest, unsafe/sneaky")
    with pytest.raises(accord.WorldError, match="at least 2 replicates"):
        accord.attack(replicates=1)
    with pytest.raises(accord.DynamicsError, match="population Z = 3"):
        accord.egta(population=3)  # refused before the simulations
    with pytest.raises(accord.WorldError, match="listed twice"):
        accord.egta(strategies="safe/honest, safe/honest")


def test_a_protocol_design_matches_the_command_line():
    ours = accord.design_protocol(
        {"monitoring.monitors": (3, 4), "compute.covered_fraction": (0.5, 0.9)},
        {"monitoring.monitors": 1},
        goal="cooperation>=0", candidates=3, replicates=2, generations=4, attacks=0,
    )
    theirs = json.loads(subprocess.run(
        [ACCORD, "design", "--param", "monitoring.monitors=3:4",
         "--param", "compute.covered_fraction=0.5:0.9", "--cost", "monitoring.monitors=1",
         "--goal", "cooperation>=0", "--candidates", "3", "--replicates", "2",
         "--generations", "4", "--attacks", "0", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    for key in ("candidates", "invalid", "design", "binding", "goal", "parameters"):
        assert ours["report"][key] == theirs[key], key
    candidates = ours["candidates"]
    assert list(candidates["cost"]) == sorted(candidates["cost"])
    assert ours["design"] == dict(zip(["monitoring.monitors", "compute.covered_fraction"],
                                      theirs["candidates"][theirs["design"]]["values"]))
    prefixed = accord.design_protocol(
        {"protocol:monitoring.monitors": (3, 4), "compute.covered_fraction": (0.5, 0.9)},
        {"protocol:monitoring.monitors": 1},
        goal="cooperation>=0", candidates=3, replicates=2, generations=4, attacks=0,
    )
    assert prefixed["report"] == ours["report"], "protocol: names the same parameter, as on the command line"
    with pytest.raises(accord.WorldError, match="only the protocol's parameters"):
        accord.design_protocol({"world:race.disaster_probability": (0, 1)}, {})
    with pytest.raises(accord.WorldError, match="not a searched parameter"):
        accord.design_protocol({"monitoring.monitors": (3, 4)}, {"monitoring.quorum": 1})
    with pytest.raises(accord.WorldError, match="goal"):
        accord.design_protocol({"monitoring.monitors": (3, 4)}, {}, goal="safety>=1")


def test_lobbying_matches_the_command_line():
    ours = accord.lobby(
        {"compute.covered_fraction": (0, 1)}, points=3, replicates=2, generations=4,
    )
    theirs = json.loads(subprocess.run(
        [ACCORD, "lobby", "--param", "compute.covered_fraction=0:1", "--points", "3",
         "--replicates", "2", "--generations", "4", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    assert ours["report"] == theirs
    points = ours["points"]
    assert list(points["value"]) == [p["value"] for p in theirs["parameters"][0]["points"]]
    assert points["status_quo"].sum() == 1
    choices = ours["choices"]
    assert list(choices["welfare_weight"]) == [0.0, 1.0, 10.0, float("inf")]
    best_for_lobby = points.loc[points["lobby_payoff_mean"].idxmax(), "value"]
    assert choices.iloc[0]["value"] == best_for_lobby, "with a = 0 the regulator serves the lobby alone"
    with pytest.raises(accord.WorldError, match="no such lab type"):
        accord.lobby({"compute.covered_fraction": (0, 1)}, lobby=["nobody"])
    with pytest.raises(accord.WorldError, match="compute.nothing"):
        accord.lobby({"compute.nothing": (0, 1)}, replicates=2)
    with pytest.raises(accord.WorldError, match="at least 2 replicates"):
        accord.lobby({"protocol:compute.covered_fraction": (0, 1)}, replicates=1)


def test_the_credit_market_matches_the_command_line_and_montgomery():
    ours = accord.market()
    theirs = json.loads(subprocess.run(
        [ACCORD, "market", "--json"], check=True, capture_output=True, text=True,
    ).stdout)
    assert ours["report"] == theirs
    periods = ours["periods"]
    # Five labs of slopes 0.5 … 8 owe 100 credits each: λ = 500 / Σ 1/c_i.
    assert periods["price_per_credit"].tolist() == pytest.approx([500 / 3.875] * 4, rel=1e-9)
    assert (periods["closed_form_price_per_credit"] == periods["price_per_credit"]).all()
    labs = ours["labs"]
    assert labs["credits_bought"].sum() == 0
    assert (labs["credits_owed"] == 0).all()
    assert ours["trades"]["credits"].sum() == labs["credits_bought"].clip(lower=0).sum()
    with pytest.raises(accord.WorldError, match=r"line 3, column \d+, field `lab\[0\].cost_slope`"):
        accord.market(labs="[[lab]]\nname = \"a\"\ncost_slope = -1\n")
    with pytest.raises(accord.ProtocolError, match="surrender_per_period"):
        accord.market(protocol="[protocol]\nname = \"none\"\nformat = 1\n")


def test_the_precipice_matches_the_command_line_and_the_paper():
    ours = accord.precipice()
    theirs = json.loads(subprocess.run(
        [ACCORD, "precipice", "--json"], check=True, capture_output=True, text=True,
    ).stdout)
    assert ours["report"] == theirs
    regimes = ours["regimes"].set_index("information")
    assert regimes.loc["private", "under_protocol"]
    assert regimes["settled"].all()
    # Information about capabilities lowers the race's safety.
    assert regimes.loc["private", "safety_high"] < regimes.loc["none", "safety_low"]
    assert len(ours["teams"]) == 3 * 6
    # Two identical teams, μ = 1, e = 1: s* = 1/2 (Armstrong et al. 2016).
    pair = "".join(f"[[team]]\nname = \"t{i}\"\ncapability_spread = 1.0\nenmity = 1.0\n" for i in range(2))
    identical = accord.precipice(race=pair)["regimes"].set_index("information")
    assert identical.loc["none", "closed_form_safety"] == pytest.approx(0.5)
    assert identical.loc["none", "safety"] == pytest.approx(0.5, abs=0.01)
    with pytest.raises(accord.WorldError, match=r"field `team\[0\].enmity`"):
        accord.precipice(race="[[team]]\nname = \"a\"\ncapability_spread = 1.0\nenmity = 2\n"
                         "[[team]]\nname = \"b\"\ncapability_spread = 1.0\nenmity = 0.5\n")


def test_jurisdictions_match_the_command_line():
    ours = accord.international(replicates=3, generations=8)
    theirs = json.loads(subprocess.run(
        [ACCORD, "international", "--replicates", "3", "--generations", "8", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    assert ours["report"]["regimes"] == theirs["regimes"]
    assert ours["report"]["jurisdictions"] == theirs["jurisdictions"]
    assert [j["runs"] for j in theirs["jurisdictions"]] == [
        "protocol_under_study", "protocol_under_study", "haven"]
    regimes = ours["regimes"].set_index("regime")
    assert list(regimes.index) == ["one-registry", "no-recognition", "no-recognition-no-moves",
                                   "mutual-recognition"]
    assert regimes.loc["one-registry", "cooperation_change"] == 0.0
    assert regimes.loc["no-recognition-no-moves", "relocations"] == 0.0
    with pytest.raises(accord.WorldError, match=r"declares no \[international\]"):
        accord.international(world=(ROOT / "examples" / "worlds" / "frontier-labs.toml").read_text())


def test_calibration_matches_the_command_line():
    import csv

    data = ROOT / "data" / "epoch-ai" / "notable-ai-models-compute.csv"
    with open(data, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    flop = [float(r["Training compute (FLOP)"]) if r["Training compute (FLOP)"] else None for r in rows]
    ours = accord.calibrate(flop, [r["Publication date"] for r in rows], [r["Organization"] for r in rows], top=6)
    theirs = json.loads(subprocess.run(
        [ACCORD, "calibrate", str(data), "--top", "6", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    for key in ("organisations", "median_flop", "speed", "speed_log_sd", "quantiles", "lab_type", "since",
                "rows_without_organisation"):
        assert ours[key] == theirs[key], key
    nullable = pd.read_csv(data, dtype_backend="numpy_nullable")
    as_nullable = accord.calibrate(
        nullable["Training compute (FLOP)"], nullable["Publication date"], nullable["Organization"], top=6,
    )
    assert as_nullable == ours, "pandas' NA is a missing cell, skipped as the command skips it"
    uncredited = accord.calibrate([1e25, 2e25, 3e25], ["2024-03-01"] * 3, ["A", ", ", "B"])
    assert uncredited["rows_without_organisation"] == 1, "a run credited to nobody is left out and counted"
    with pytest.raises(accord.WorldError, match=r"dates\[2\]"):
        accord.calibrate([float("nan"), 1e25, 2e25], ["bad", "2024-01-01", "20240101"], ["a", "b", "c"])
    assert len(ours["organisations"]) == 6
    with pytest.raises(accord.WorldError, match=r"dates\[0\]"):
        accord.calibrate([1e25], ["March 2024"], ["Lab"])
    with pytest.raises(accord.WorldError, match=r"flop\[0\]"):
        accord.calibrate([-1.0], ["2024-03-01"], ["Lab"])
    with pytest.raises(accord.WorldError, match="min_flop"):
        accord.calibrate([1e25], ["2024-03-01"], ["Lab"], min_flop=float("nan"))
    as_timestamps = accord.calibrate(
        flop, pd.to_datetime([r["Publication date"] for r in rows]), [r["Organization"] for r in rows], top=6,
        since=pd.Timestamp("2024-01-01"),
    )
    assert as_timestamps == ours, "pandas timestamps read as the dates they hold"


def test_generations_out_of_range_raise_before_anything_runs():
    calls = [
        lambda: accord.simulate(generations=0),
        lambda: accord.evaluate(replicates=2, generations=0, robustness=0, levels=[0.5]),
        lambda: accord.lobby({"compute.covered_fraction": (0, 1)}, points=3, replicates=2, generations=0),
        lambda: accord.design_protocol({"monitoring.monitors": (3, 4)}, {"monitoring.monitors": 1},
                                       generations=0, attacks=0),
        lambda: accord.attack(generations=10**9),
        lambda: accord.egta(generations=0),
    ]
    for call in calls:
        with pytest.raises(accord.WorldError, match=r"generations: expected 1 to 100000"):
            call()
