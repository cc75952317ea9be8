"""Simulation runs, protocol evaluations and attacks from Python.

:func:`simulate` is ``accord simulate``, :func:`evaluate` is ``accord
evaluate``, :func:`attack` is ``accord attack``, :func:`egta` is ``accord
egta``, :func:`design_protocol` is ``accord design``, :func:`lobby` is
``accord lobby``, :func:`market` is ``accord market``, :func:`precipice` is
``accord precipice`` and :func:`calibrate`
is ``accord calibrate`` (same code,
same embedded defaults, same seeds, so the same numbers); results come back as pandas DataFrames when pandas is installed
(lists of dicts otherwise). A protocol or world is given as a path (errors
and reports name it) or as TOML text (named ``<protocol>``, ``<world>``);
``None`` means the shipped default. Lists of names (``strategies``,
``lobby``) may be one comma-separated string, as on the command line.
"""

import json
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._accord import WorldError
from ._accord import sim as _native
from .protocol import _date, _missing

Source = Union[str, "os.PathLike[str]", None]


def _named(source: Source, kind: str) -> Optional[Tuple[str, str]]:
    """The name errors and reports give ``source`` and its text: a path
    names itself, TOML text is ``<kind>``. A one-line string with neither
    ``=`` nor ``[`` cannot be a TOML file's content, so it is a path, and a
    missing one raises FileNotFoundError rather than a parse error."""
    if source is None:
        return None
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"{kind}: expected a path or TOML text, got {type(source).__name__}")
    if isinstance(source, os.PathLike) or ("\n" not in source and os.path.exists(source)):
        with open(source, encoding="utf-8") as file:
            return os.fspath(source), file.read()
    one_line = "\n" not in source and source.strip()
    if one_line and (source.strip().lower().endswith(".toml") or ("=" not in source and "[" not in source)):
        raise FileNotFoundError(f"{kind} file {source!r} does not exist (TOML text holds '=' or a [table])")
    return f"<{kind}>", source


def _protocol_path(name: str) -> str:
    """A protocol parameter's path, with or without the ``protocol:`` prefix
    the commands take; a world's parameter cannot be chosen."""
    target, colon, path = name.strip().partition(":")
    if not colon:
        return name.strip()
    if target == "protocol":
        return path.strip()
    if target == "world":
        raise WorldError(f"{name!r}: only the protocol's parameters can be chosen; vary the world with accord.simulate or accord sweep")
    raise WorldError(f"{name!r}: expected PATH or protocol:PATH, e.g. monitoring.monitors")


def _names(names: Optional[Union[str, Sequence[str]]]) -> Optional[List[str]]:
    """A list of names, given as a sequence or as one comma-separated string."""
    if names is None:
        return None
    if isinstance(names, str):
        return [name.strip() for name in names.split(",")]
    return list(names)


def _frame(rows: List[Dict[str, Any]]):
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows)


def simulate(
    protocol: Source = None,
    world: Source = None,
    seed: int = 1,
    generations: Optional[int] = None,
) -> Dict[str, Any]:
    """One run: ``summary`` (dict, as ``summary.json``), ``generations`` and
    ``labs`` (one row per generation, and per lab and generation), ``drawn``
    (what the run drew first: each lab's type, speed and, with a network,
    how many labs it observes; ``drawn.csv``) and ``network`` (its links as
    pairs of lab ids, ``network.csv``; None without a network)."""
    result = json.loads(_native.simulate(_named(protocol, "protocol"), _named(world, "world"), seed, generations))
    return {
        "summary": result["summary"],
        "generations": _frame(result["generations"]),
        "labs": _frame(result["labs"]),
        "drawn": _frame(result["drawn"]),
        "network": [tuple(link) for link in result["network"]] if result["network"] is not None else None,
    }


def _estimate_columns(prefix: str, estimate: Dict[str, Any]) -> Dict[str, Any]:
    return {f"{prefix}_mean": estimate["mean"], f"{prefix}_low": estimate["low"], f"{prefix}_high": estimate["high"]}


def _tables(report: Dict[str, Any]) -> Dict[str, Any]:
    attribution = []
    for metric in ("cooperation", "welfare", "disaster_probability"):
        for row in report["ablation"][metric]:
            entry = {"metric": metric, "family": row["family"], "claimed_leverage": row["claimed_leverage"]}
            for name in ("shapley", "removal_loss", "alone_gain"):
                entry.update(_estimate_columns(name, row[name]))
            attribution.append(entry)
    partial = []
    for curve in report["partial"]:
        for level, summary in curve["points"]:
            entry = {"family": curve["family"], "level": level}
            for metric, estimate in summary.items():
                if isinstance(estimate, dict) and "mean" in estimate:
                    entry.update(_estimate_columns(metric, estimate))
            partial.append(entry)
    trajectories = [
        {"generation": g, **_estimate_columns("no_protocol", a), **_estimate_columns("protocol", b)}
        for g, (a, b) in enumerate(zip(report["trajectories"]["no_protocol"], report["trajectories"]["protocol"]))
    ]
    claims = [{"claim": c["claim"], "verdict": c["verdict"], "evidence": c["evidence"]} for c in report["claims"]]
    return {
        "attribution": _frame(attribution),
        "partial": _frame(partial),
        "trajectories": _frame(trajectories),
        "claims": _frame(claims),
    }


def _job(protocol: Source, world: Source, seed: int, replicates: Optional[int], generations: Optional[int],
         robustness: Optional[int], levels: Optional[Sequence[float]],
         rationality_generations: Optional[int]) -> str:
    """The evaluation these options describe, as the JSON job shard files record."""
    return _native.evaluation_job(
        _named(protocol, "protocol"), _named(world, "world"), seed, replicates, generations, robustness,
        list(levels) if levels is not None else None, rationality_generations,
    )


def evaluate(
    protocol: Source = None,
    world: Source = None,
    seed: int = 1,
    replicates: Optional[int] = None,
    generations: Optional[int] = None,
    robustness: Optional[int] = None,
    levels: Optional[Sequence[float]] = None,
    progress: Union[bool, Callable[[int, int], Any]] = False,
    rationality_generations: Optional[int] = None,
) -> Dict[str, Any]:
    """The evaluation ``accord evaluate`` reports: ``report`` (the data of
    its report.json) and the tables ``attribution`` (Shapley values,
    removal losses and alone gains per family and metric), ``partial``,
    ``trajectories`` and ``claims``. Every option is the command's
    (``rationality_generations`` is ``--rationality-generations``; None:
    its default). ``progress=True`` shows a tqdm bar
    when tqdm is installed; a callable gets ``(done, total)`` runs (one that
    raises is reported as an unraisable exception and not called again:
    the runs go on in other threads, and the report still returns; a
    KeyboardInterrupt it raises is raised once the runs end)."""
    if not (isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"progress: expected True, False or a callable, got {type(progress).__name__}")
    callback = progress if callable(progress) else None
    bar = None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            state = {"bar": None}

            def callback(done: int, total: int) -> None:
                if state["bar"] is None:
                    state["bar"] = tqdm(total=total, desc="evaluate")
                state["bar"].update(done - state["bar"].n)

            bar = state
    job = _job(protocol, world, seed, replicates, generations, robustness, levels, rationality_generations)
    report = json.loads(_native.evaluate(job, callback))
    if bar is not None and bar["bar"] is not None:
        bar["bar"].close()
    return {"report": report, **_tables(report)}


def attack(
    protocol: Source = None,
    world: Source = None,
    replicates: int = 12,
    generations: int = 20,
    coalition: int = 2,
    seed: int = 1,
) -> Dict[str, Any]:
    """``accord attack``: for each lab type and for coalitions of leaders,
    the deviation that gains most against the protocol. ``report`` is the
    data of ``accord attack --json`` (its ``exploitability`` is the best
    confirmed deviation; ``verdict`` reads every type's interval, and
    ``decisive`` is the deviation that decides it); ``deviations`` has one row per search: who, the
    coalition, the strategy and its timing, the gain per lab and period
    with its 95% interval (re-measured on fresh replicates) and the share of
    unsafe periods caught."""
    report = json.loads(
        _native.attack(_named(protocol, "protocol"), _named(world, "world"), replicates, generations, coalition, seed)
    )
    rows = []
    for search in report["searched"]:
        best = search["confirmed"]
        rows.append({
            "who": search["who"],
            "coalition": " + ".join(best["coalition"]),
            "strategy": best["strategy"],
            "timing": best["timing"],
            "tried": search["tried"],
            **_estimate_columns("gain", best["gain"]),
            "detected_share": best["detected_share"],
        })
    return {"report": report, "deviations": _frame(rows)}


def egta(
    protocol: Source = None,
    world: Source = None,
    strategies: Union[str, Sequence[str], None] = None,
    replicates: int = 8,
    generations: int = 20,
    population: int = 50,
    beta: Optional[float] = None,
    seed: int = 1,
) -> Dict[str, Any]:
    """``accord egta``: the payoff table of ``strategies`` (names such as
    ``"safe/honest"``; default compliance, open unsafe development and
    capture) estimated by simulation, and the dynamics engine's
    small-mutation limit on it in a population of ``population`` labs
    (``beta``: the world's ``learning.selection`` by default). ``report`` is
    the data of ``accord egta --json``; ``stationary`` maps each strategy to
    the share of time the population spends in it; ``table`` has one row
    per group composition with each strategy's mean payoff and interval."""
    report = json.loads(_native.egta(
        _named(protocol, "protocol"), _named(world, "world"), _names(strategies),
        replicates, generations, population, beta, seed,
    ))
    names = report["strategies"]
    rows = []
    for row in report["table"]:
        entry = {f"count_{name}": count for name, count in zip(names, row["composition"])}
        for name, payoff in zip(names, row["payoffs"]):
            if payoff is not None:
                entry.update(_estimate_columns(f"payoff_{name}", payoff))
        rows.append(entry)
    return {
        "report": report,
        "stationary": dict(zip(names, report["stationary"])),
        "table": _frame(rows),
    }


def design_protocol(
    parameters: Dict[str, Sequence[float]],
    costs: Dict[str, float],
    goal: str = "cooperation>=0.9",
    protocol: Source = None,
    world: Source = None,
    candidates: int = 32,
    replicates: int = 8,
    generations: Optional[int] = None,
    attacks: int = 3,
    attack_replicates: int = 8,
    attack_generations: int = 20,
    coalition: int = 2,
    seed: int = 1,
) -> Dict[str, Any]:
    """``accord design``: the cheapest setting of the protocol parameters
    ``parameters`` (path to ``(low, high)``), at ``costs`` (path to cost per
    unit), that meets ``goal`` (``"cooperation>=0.9"``, ``"disaster<=0.2"``)
    and, with ``attacks > 0``, that the attack search cannot exploit.
    ``report`` is the data of ``accord design --json``; ``design`` is the
    chosen candidate (None when there is none, ``report["binding"]`` says
    why); ``candidates`` has one row per candidate, cheapest first, with its
    parameter values, cost, outcome and interval, whether it meets the goal,
    is on the Pareto front, and how it fared under attack."""
    report = json.loads(_native.design_protocol(
        [(_protocol_path(path), (float(low), float(high))) for path, (low, high) in parameters.items()],
        [(_protocol_path(path), float(weight)) for path, weight in costs.items()],
        goal, _named(protocol, "protocol"), _named(world, "world"), candidates, replicates, generations,
        attacks, attack_replicates, attack_generations, coalition, seed,
    ))
    names = [p["path"] for p in report["parameters"]]
    rows = []
    for candidate in report["candidates"]:
        stability = candidate["stability"]
        rows.append({
            **dict(zip(names, candidate["values"])),
            "cost": candidate["cost"],
            **_estimate_columns("outcome", candidate["outcome"]),
            "meets_goal": candidate["meets_goal"],
            "pareto": candidate["pareto"],
            "stable": None if stability is None else stability["stable"],
            "exploitability": None if stability is None else stability["exploitability"]["mean"],
        })
    chosen = report["design"]
    return {
        "report": report,
        "design": None if chosen is None else dict(zip(names, report["candidates"][chosen]["values"])),
        "candidates": _frame(rows),
    }


def market(protocol: Source = None, labs: Source = None) -> Dict[str, Any]:
    """``accord market``: a tradable safety obligation (the protocol's
    ``[credits] surrender_per_period``) met through a market in credits by
    the labs of the market file ``labs`` (each with its ``cost_slope``),
    every report, audit, issuance, trade and surrender going through the
    protocol's core. ``report`` is the data of ``accord market --json``;
    ``periods`` has one row per period (requirement, clearing price and
    Montgomery's closed form), ``labs`` one row per lab, ``trades`` one row
    per trade. A bad market file raises :class:`WorldError` (with its line
    and field), a protocol that obliges nobody :class:`ProtocolError`."""
    report = json.loads(_native.market(_named(protocol, "protocol"), _named(labs, "labs")))
    periods = [{key: value for key, value in period.items() if key != "trades"}
               for period in report["periods"]]
    trades = [{"period": period["period"], **trade}
              for period in report["periods"] for trade in period["trades"]]
    return {
        "report": report,
        "periods": _frame(periods),
        "labs": _frame(report["labs"]),
        "trades": _frame(trades),
    }


def precipice(protocol: Source = None, race: Source = None, seed: int = 1) -> Dict[str, Any]:
    """``accord precipice``: Armstrong, Bostrom and Shulman's race to the
    precipice (2016) among the teams of the race file ``race`` (each with its
    ``capability_spread`` and ``enmity``), teams learning how much safety to
    give up under no, private and public information about capabilities;
    the protocol sets which of the last two applies (metric reports made
    public: every capability). ``report`` is the data of ``accord precipice
    --json``; ``regimes`` has one row per regime (the race's safety with its
    interval and, for identical teams, the closed form), ``teams`` one row
    per team and regime. A bad race file raises :class:`WorldError` (with
    its line and field)."""
    report = json.loads(_native.precipice(_named(protocol, "protocol"), _named(race, "race"), seed))
    regimes = [{
        "information": regime["information"],
        "under_protocol": regime["under_protocol"],
        "safety": regime["safety"]["mean"],
        "safety_low": regime["safety"]["low"],
        "safety_high": regime["safety"]["high"],
        "closed_form_safety": regime["closed_form_safety"],
        "rounds": regime["rounds"],
        "settled": regime["settled"],
    } for regime in report["regimes"]]
    teams = [{"information": regime["information"], **{k: v for k, v in team.items() if k != "policy"},
              **{f"policy_{k}": v for k, v in team["policy"].items()}}
             for regime in report["regimes"] for team in regime["teams"]]
    return {"report": report, "regimes": _frame(regimes), "teams": _frame(teams)}


def international(
    protocol: Source = None,
    world: Source = None,
    replicates: int = 12,
    generations: Optional[int] = None,
    seed: int = 1,
) -> Dict[str, Any]:
    """``accord international``: the world ``world`` (default: the shipped
    frontier labs in three jurisdictions), whose ``[international]`` declares
    jurisdictions each running the protocol (or one of their own) over the
    labs based there, under
    one registry, without recognition between registries (labs denied at
    home moving where it pays, and labs staying put) and with mutual
    recognition, on the same replicates. ``report`` is the data of ``accord
    international --json`` (without the file names), ``jurisdictions``
    included (what each runs and who is based there); ``regimes`` has one row
    per regime: cooperation, disaster rate, welfare and moves per run with
    their intervals, and each one's paired change from one registry. A world
    without ``[international]`` or a bad world raises :class:`WorldError`
    (with its line and field)."""
    report = json.loads(_native.international(_named(protocol, "protocol"), _named(world, "world"), replicates, generations, seed))
    measures = ("cooperation", "disaster_rate", "welfare", "relocations",
                "cooperation_change", "disaster_rate_change", "welfare_change")
    regimes = [{
        "regime": regime["regime"],
        **{f"{m}{suffix}": regime[m][key] for m in measures
           for suffix, key in (("", "mean"), ("_low", "low"), ("_high", "high"))},
    } for regime in report["regimes"]]
    return {"report": report, "regimes": _frame(regimes)}


def lobby(
    parameters: Dict[str, Sequence[float]],
    protocol: Source = None,
    world: Source = None,
    lobby: Union[str, Sequence[str], None] = None,
    welfare_weights: Sequence[float] = (0.0, 1.0, 10.0, float("inf")),
    points: int = 9,
    replicates: int = 8,
    generations: Optional[int] = None,
    seed: int = 1,
) -> Dict[str, Any]:
    """``accord lobby``: for each protocol parameter in ``parameters`` (path
    to ``(low, high)``), lobbied on its own, the value a regulator who
    maximises ``G + a·W`` chooses (Grossman and Helpman 1994): ``G`` the
    payoff of the ``lobby`` (lab type names; default the types that oppose
    safety), ``W`` welfare, ``a`` each of ``welfare_weights`` (``inf``:
    welfare alone). ``report`` is the data of ``accord lobby --json`` (an
    infinite weight is null there); ``points`` has one row per parameter and
    grid value with ``G``, ``W`` and cooperation and their intervals;
    ``choices`` one row per parameter and weight with the chosen value."""
    report = json.loads(_native.lobby(
        [(_protocol_path(path), (float(low), float(high))) for path, (low, high) in parameters.items()],
        _named(protocol, "protocol"), _named(world, "world"), _names(lobby),
        [float(a) for a in welfare_weights], points, replicates, generations, seed,
    ))
    point_rows = []
    choice_rows = []
    for parameter in report["parameters"]:
        for k, point in enumerate(parameter["points"]):
            point_rows.append({
                "parameter": parameter["path"],
                "value": point["value"],
                "status_quo": k == parameter["status_quo_point"],
                **_estimate_columns("lobby_payoff", point["lobby_payoff"]),
                **_estimate_columns("welfare", point["welfare"]),
                **_estimate_columns("cooperation", point["cooperation"]),
            })
        for choice in parameter["choices"]:
            weight = choice["welfare_weight"]
            choice_rows.append({
                "parameter": parameter["path"],
                "welfare_weight": float("inf") if weight is None else weight,
                "value": choice["value"],
                "status_quo": parameter["status_quo"],
            })
    return {"report": report, "points": _frame(point_rows), "choices": _frame(choice_rows)}


def calibrate(
    flop: Sequence[float],
    dates: Sequence[Any],
    organisations: Sequence[str],
    since: Optional[str] = "2024-01-01",
    min_flop: float = 1e24,
    speed_per_decade: float = 0.25,
    top: Optional[int] = None,
    type_name: str = "population",
) -> Dict[str, Any]:
    """``accord calibrate`` on training runs given as columns — e.g. Epoch
    AI's ``df["Training compute (FLOP)"]``, ``df["Publication date"]``,
    ``df["Organization"]`` (comma-separated when several); rows with no
    compute or no organisation are skipped, as the command skips them. Each
    organisation's largest run since ``since`` of at least ``min_flop``
    FLOP gives it a speed ``1 + speed_per_decade·log10(C / median C)``.
    Returns the data of ``accord calibrate --json``: the speeds
    (``organisations``), the log-normal fit (``speed``, ``speed_log_sd``),
    its ``quantiles`` beside the data's, and ``lab_type``, the ``[[lab]]``
    block for a world file."""
    flop = [None if _missing(c) else float(c) for c in flop]
    dates = [_date(d) for d in dates]
    organisations = ["" if _missing(o) else str(o) for o in organisations]
    if not len(flop) == len(dates) == len(organisations):
        raise ValueError(
            f"flop, dates and organisations must have the same length, got {len(flop)}, {len(dates)} and {len(organisations)}"
        )
    return json.loads(_native.calibrate(
        flop, dates, organisations,
        None if since is None else _date(since), min_flop, speed_per_decade, top, type_name,
    ))


__all__ = [
    "attack", "calibrate", "design_protocol", "egta", "evaluate", "international", "lobby", "market",
    "precipice", "simulate",
]
