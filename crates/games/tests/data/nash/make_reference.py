#!/usr/bin/env python3
"""Reference Nash equilibria for accord-games' equilibrium tests, from nashpy and pygambit.

Writes ``reference.json`` next to this script: a fixed set of bimatrix games (random games drawn
with a fixed numpy seed, plus classic games) and, for each game, the equilibria reported by

* nashpy ``Game.support_enumeration()`` (default arguments: all support pairs, tol 1e-16),
* the same nashpy support enumeration with one change, ``nashpy_support_enumeration_clamped``:
  nashpy's ``solve_indifference`` accepts a solution only if every entry is ``>= 0`` exactly, and
  the probability it forces to zero off the support comes out of ``numpy.linalg.solve`` as, e.g.,
  ``-3.1e-17``, which drops the equilibrium; the clamped variant sets entries with ``|p| < 1e-12``
  to 0 before that check (nothing else differs),
* nashpy ``Game.vertex_enumeration()``,
* pygambit ``nash.enummixed_solve(game, rational=True)`` (exact rational arithmetic; the
  extreme equilibria of the game), given as floats and as exact fractions,

plus any warnings the tools printed (nashpy warns when it detects a degenerate game), and the
tool versions.

Random games: for each size in 2x2, 3x3, 4x4, 3x5, 5x5, 6x6, four games with integer payoffs
uniform in [-10, 10] and three with real payoffs uniform in [-10, 10) rounded to 6 decimals (so
that gambit's exact arithmetic sees exactly the decimal written to the JSON), 42 games in all,
drawn from ``numpy.random.default_rng(20261205)`` in that order (A then B for each game).

Classics: matching pennies, battle of the sexes, prisoner's dilemma, rock-paper-scissors, and a
degenerate game (von Stengel 2002, Handbook of Game Theory vol. 3, ch. 45, Fig. 2.3 variant: the
column player is indifferent between her strategies against the top row, so the game has an
infinite set of equilibria).

    python3 crates/games/tests/data/nash/make_reference.py
"""

import json
import platform
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import nashpy
import nashpy.algorithms.support_enumeration as support_enumeration_module
import numpy as np
import pygambit

SEED = 20261205
SIZES = [(2, 2), (3, 3), (4, 4), (3, 5), (5, 5), (6, 6)]
INTEGER_GAMES_PER_SIZE = 4
REAL_GAMES_PER_SIZE = 3

CLASSICS = [
    ("matching pennies", [[1, -1], [-1, 1]], [[-1, 1], [1, -1]]),
    ("battle of the sexes", [[3, 0], [0, 2]], [[2, 0], [0, 3]]),
    ("prisoner's dilemma", [[3, 0], [5, 1]], [[3, 5], [0, 1]]),
    (
        "rock-paper-scissors",
        [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
        [[0, 1, -1], [-1, 0, 1], [1, -1, 0]],
    ),
    (
        "degenerate (von Stengel 2002, Fig. 2.3 variant)",
        [[3, 3], [2, 5], [0, 6]],
        [[3, 3], [2, 6], [3, 1]],
    ),
]


def random_games():
    rng = np.random.default_rng(SEED)
    games = []
    for rows, columns in SIZES:
        for k in range(INTEGER_GAMES_PER_SIZE):
            a = rng.integers(-10, 11, size=(rows, columns))
            b = rng.integers(-10, 11, size=(rows, columns))
            games.append((f"integer {rows}x{columns} #{k}", "integer", a.tolist(), b.tolist()))
        for k in range(REAL_GAMES_PER_SIZE):
            a = np.round(rng.uniform(-10, 10, size=(rows, columns)), 6)
            b = np.round(rng.uniform(-10, 10, size=(rows, columns)), 6)
            games.append((f"real {rows}x{columns} #{k}", "real", a.tolist(), b.tolist()))
    return games


def profile(row, column):
    return {"row": [float(p) for p in row], "column": [float(p) for p in column]}


def with_warnings(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function()
    return result, sorted({str(w.message) for w in caught})


def exact(value):
    # repr() of a float is the shortest decimal that round-trips; Fraction(str) reads it exactly.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def clamped_solve_indifference(A, rows=None, columns=None):
    """nashpy 0.0.43's solve_indifference with |p| < 1e-12 set to 0 before the p >= 0 check."""
    M = (A[np.array(rows)] - np.roll(A[np.array(rows)], 1, axis=0))[:-1]
    zero_columns = set(range(A.shape[1])) - set(columns)
    if zero_columns != set():
        M = np.append(M, [[int(i == j) for i, col in enumerate(M.T)] for j in zero_columns], axis=0)
    M = np.append(M, np.ones((1, M.shape[1])), axis=0)
    b = np.append(np.zeros(len(M) - 1), [1])
    try:
        prob = np.linalg.solve(M, b)
    except np.linalg.LinAlgError:
        return False
    prob[np.abs(prob) < 1e-12] = 0.0
    if all(prob >= 0):
        return prob
    return False


def clamped_support_enumeration(a, b):
    original = support_enumeration_module.solve_indifference
    support_enumeration_module.solve_indifference = clamped_solve_indifference
    try:
        game = nashpy.Game(np.array(a, dtype=float), np.array(b, dtype=float))
        return [profile(*e) for e in game.support_enumeration()]
    finally:
        support_enumeration_module.solve_indifference = original


def solve(name, kind, a, b):
    game = nashpy.Game(np.array(a, dtype=float), np.array(b, dtype=float))
    support, support_warnings = with_warnings(lambda: [profile(*e) for e in game.support_enumeration()])
    clamped, _ = with_warnings(lambda: clamped_support_enumeration(a, b))
    vertex, vertex_warnings = with_warnings(lambda: [profile(*e) for e in game.vertex_enumeration()])
    exact_a = np.array([[exact(v) for v in row] for row in a], dtype=object)
    exact_b = np.array([[exact(v) for v in row] for row in b], dtype=object)
    gambit_game = pygambit.Game.from_arrays(exact_a, exact_b)
    players = list(gambit_game.players)
    result = pygambit.nash.enummixed_solve(gambit_game, rational=True)
    gambit = []
    gambit_exact = []
    for equilibrium in result.equilibria:
        mixes = [[equilibrium[s] for s in player.strategies] for player in players]
        gambit.append(profile(*[[float(Fraction(str(p))) for p in mix] for mix in mixes]))
        gambit_exact.append({"row": [str(p) for p in mixes[0]], "column": [str(p) for p in mixes[1]]})
    return {
        "name": name,
        "kind": kind,
        "A": a,
        "B": b,
        "nashpy_support_enumeration": support,
        "nashpy_support_enumeration_warnings": support_warnings,
        "nashpy_support_enumeration_clamped": clamped,
        "nashpy_vertex_enumeration": vertex,
        "nashpy_vertex_enumeration_warnings": vertex_warnings,
        "gambit_enummixed": gambit,
        "gambit_enummixed_exact": gambit_exact,
    }


def main():
    games = [(name, "classic", a, b) for name, a, b in CLASSICS] + random_games()
    reference = {
        "generator": "crates/games/tests/data/nash/make_reference.py",
        "seed": SEED,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "nashpy": nashpy.__version__,
            "pygambit": pygambit.__version__,
        },
        "games": [],
    }
    for name, kind, a, b in games:
        print(f"solving {name}", file=sys.stderr)
        reference["games"].append(solve(name, kind, a, b))
    path = Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {len(games)} games to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
