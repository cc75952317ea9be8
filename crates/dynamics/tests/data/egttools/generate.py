#!/usr/bin/env python3
"""Reference fixtures from EGTtools for the accord-dynamics crate.

What this computes
------------------
Reference numbers produced by EGTtools (the C++ ``egttools.analytical.PairwiseComparison``
pairwise-comparison / Fermi-rule Moran process) that Accord must reproduce:

* ``random_matrix.json`` - random 2x2 (10), 3x3 (5) and 4x4 (1) matrix games, entries U[-2, 2]
  (numpy ``default_rng(SEED)``), for Z in {10, 50, 100} and beta in {0.01, 0.1, 1, 5}:
  every pairwise fixation probability rho(invader, resident), the small-mutation-limit (SML)
  transition matrix exactly as EGTtools returns it, and the SML stationary distribution.
* ``dsair.json`` - the two-strategy (AS, AU) DSAIR game of Han, Pereira, Santos & Lenaerts
  (JAIR 2020), early (W=100) and late (W=1e6) regimes, b=4, c=1, B=1e4, Z=100,
  beta in {0.01, 0.1}, for a grid of (s, p_r) including one point inside every region.
* ``full_chain.json`` - full Markov chain with mutation for a random 3x3 game and a generalised
  rock-paper-scissors game, Z in {10, 30}, mu in {0.01, 0.1}, beta in {0.1, 1}: state list
  (compositions in EGTtools' index order), stationary distribution via EGTtools' own method and a
  scipy sparse solve (and GTH), with their differences.
* ``crd_gradient.json`` - one-shot collective-risk dilemma of Santos & Pacheco (PNAS 2011)
  (``egttools.games.OneShotCRD``; NOT ``egttools.games.CRDGame``, which is the Milinski multi-round
  CRD), b=1, c=0.1, N=6, M=3, r in {0.2, 0.5, 0.9}, Z=50, beta in {1, 5}: gradient of selection
  at every k = 0..Z cooperators, the group payoff table per group configuration, fitnesses,
  fixation probabilities, SML and full-chain (mu=0.01) stationary distributions.
* ``dsair_ps.json`` - DSAIR with peer sanctioning (Han, Pereira, Lenaerts & Santos, PLoS ONE 2021;
  race mechanics of P. Bova's replication), strategies [AS, AU, PS], b=4, c=1, B=1e4, W=100, Z=100,
  s in {1.5, 3}, p_r in {0.2, 0.5, 0.8}, (alpha, gamma) in {(0, 0), (0.25, 1), (0.5, 0.5)} plus the
  extra (0.5, s) (sanctioned AU stops: zero-speed branch); (0.75 s, 0.75 s) is skipped because
  1 - alpha <= 0 for both s.  beta in {0.01, 0.1}.  3x3 payoff matrix, the race quantities (R, T_p,
  T_s, winner, b_s, b_p), and the SML block.
* ``dsair_commit.json`` - DSAIR with voluntary safety commitments (Han, Lenaerts, Santos & Pereira,
  Technology in Society 2022), strategies [AS, AU, CS, CU, CP], commitment cost epsilon paid only
  when both commit, CP sanctions CU with the peer-sanctioning race (alpha=0.25, gamma=1); b=4, c=1,
  B=1e4, W=100, Z=100, s in {1.5, 3}, p_r in {0.3, 0.7}, epsilon in {0.1, 2}, beta in {0.01, 0.1}:
  5x5 payoff matrix (with its parts SS, SU, US, UU, San, Pun) and the SML block.
* ``dsair_monitored.json`` - two-strategy DSAIR with per-round detection probability p_fo of unsafe
  developers (Bova, Di Stefano & Han, arXiv 2303.03174); b=4, c=1, B=1e4, W=100, Z=100,
  s in {1.5, 3}, p_r in {0.3, 0.7}, p_fo in {0, 0.3, 0.8}, beta=0.01: 2x2 payoff matrix and the SML
  block (p_fo = 0 is checked to equal DSAIR).

The SML block of every case holds: the fixation probability of every ordered pair as returned by
EGTtools (``rho``; exactly 0.0 when truncated, flagged ``truncated``) with the untruncated log-space
value (``rho_untruncated_ref``, ``log_phi_ref``), the fixation matrix, EGTtools' row-stochastic SML
transition matrix, EGTtools' SML stationary distribution, the number of closed classes of the SML
chain (``sml_stationary_unique`` false => EGTtools' vector is an arbitrary eigenvector; do not use
it), and an independent GTH stationary distribution (null when not unique).

Every payoff is ALSO computed here from the published formula (independently of Accord and of
EGTtools), and EGTtools' results are cross-checked against independent re-implementations
(fixation in log-space, GTH stationary, explicit transition matrix, hypergeometric fitness); the
differences are stored next to the results.  The reference values themselves are always the
numbers EGTtools returned.  Floats are written with Python's repr (shortest round-trip), i.e.
full double precision.

Version
-------
Generated with egttools 0.1.14.2 (PyPI wheel, built with Boost => fixation probabilities are
accumulated in boost cpp_dec_float_100), numpy 2.x, scipy 1.x; the exact versions used are stored in
every file under ``meta``.

How to run
----------
    pip install egttools==0.1.14.2 numpy scipy
    OMP_NUM_THREADS=1 python3 generate.py          # writes the *.json files next to this script

Runs in a few seconds on one core.  The output is deterministic (no timestamps; fixed seeds).
Keep the game objects alive while a PairwiseComparison uses them: EGTtools holds only a C++
reference to the game, and a temporary game object segfaults.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402

import egttools as egt  # noqa: E402
from egttools.analytical import PairwiseComparison  # noqa: E402
from egttools.games import Matrix2PlayerGameHolder, MatrixNPlayerGameHolder, OneShotCRD  # noqa: E402

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20250101
PHI_MAX = 1e7  # EGTtools: calculate_fixation_probability returns 0.0 as soon as phi > 1e7
RHO_TRUNCATION_THRESHOLD = 1.0 / (1.0 + PHI_MAX)

TIMINGS = defaultdict(lambda: [0, 0.0])  # name -> [calls, seconds]


def timed(name, fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    rec = TIMINGS[name]
    rec[0] += 1
    rec[1] += time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------------

def fl(x):
    return float(x)


def vec(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def mat(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=float)]


def ivec(a):
    return [int(v) for v in np.asarray(a).ravel()]


def meta(description, extra=None):
    m = {
        "description": description,
        "generator": "crates/dynamics/tests/data/egttools/generate.py",
        "egttools_version": str(egt.__version__).strip('"'),
        "egttools_build_info": {k: v for k, v in egt.__build_info__.items() if isinstance(v, str)},
        "egttools_uses_boost_multiprecision": bool(egt.USES_BOOST),
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "float_format": "python repr (shortest round-trip double)",
    }
    if extra:
        m.update(extra)
    return m


def write_json(name, obj):
    path = os.path.join(OUT_DIR, name)
    text = json.dumps(obj, indent=1, allow_nan=False)
    with open(path, "w") as fh:
        fh.write(text + "\n")
    print(f"wrote {path} ({len(text) / 1024:.0f} KiB)")


CONVENTIONS = {
    "fitness_2player": "f_i(x) = (sum_j A[i][j] x_j - A[i][i]) / (Z - 1)  (self excluded; x = counts)",
    "fitness_nplayer": "f_i(x) = sum_g P_hyper(g - e_i | x - e_i, Z - 1, N - 1) * Pi_i(g) over group "
                       "configurations g containing >= 1 i-player (multivariate hypergeometric, self excluded)",
    "fermi": "P(die imitates birth) = 1 / (1 + exp(beta * (f_die - f_birth)))",
    "T_plus_minus": "T+(k) = (Z-k)/Z * k/(Z-1) * fermi(beta, f_R, f_I);  T-(k) = k/Z * (Z-k)/(Z-1) * fermi(beta, f_I, f_R)",
    "fixation": "rho(I,R) = 1 / (1 + sum_{k=1}^{Z-1} prod_{i=1}^{k} T-(i)/T+(i)); "
                "returns exactly 0.0 if the partial sum phi ever exceeds 1e7",
    "fixation_matrix": "F[i][j] = rho(invader=j, resident=i); diagonal 0",
    "sml_transition": "row-stochastic: T[i][j] = F[i][j] / (n - 1) for i != j; T[i][i] = 1 - sum_{j != i} T[i][j]",
    "sml_stationary": "egttools.utils.calculate_stationary_distribution(T.transpose()) "
                      "(dense numpy eig; eigenvector of eigenvalue closest to 1; abs(real); normalised)",
    "full_transition": "row-stochastic sparse (csr): from x to x + e_i - e_j (i != j, x_j > 0): "
                       "monomorphic x: mu/(n-1); otherwise x_j/Z * ((1-mu) * x_i/(Z-1) * fermi(beta, f_j, f_i) + mu/(n-1)); "
                       "diagonal = 1 - sum of off-diagonal",
    "state_order": "index -> composition via egttools.sample_simplex(index, Z, n): reverse lexicographic, "
                   "(Z,0,..,0) first, (0,..,0,Z) last; e.g. Z=3,n=3: 300,210,201,120,111,102,030,021,012,003",
    "gradient": "calculate_gradient_of_selection(beta, x)[i] = (2/n) * sum_{j != i} x_i x_j / (Z (Z-1)) * "
                "tanh(beta/2 * (f_i(x) - f_j(x))); for n=2: (k/Z) ((Z-k)/(Z-1)) tanh(beta/2 (f_i - f_j))",
}


# --------------------------------------------------------------------------------------------
# Independent re-implementations (from the published formulas; no egttools)
# --------------------------------------------------------------------------------------------

def compositions(Z, n):
    """All compositions of Z into n parts in EGTtools' order (first part descending, recursively)."""
    if n == 1:
        return [(Z,)]
    out = []
    for first in range(Z, -1, -1):
        for rest in compositions(Z - first, n - 1):
            out.append((first,) + rest)
    return out


def fitness_matrix_game(A, x, i, Z):
    return (float(np.dot(A[i], x)) - A[i, i]) / (Z - 1)


def fermi(beta, f_die, f_birth):
    return 1.0 / (1.0 + math.exp(beta * (f_die - f_birth)))


def fixation_logspace(fit, I, R, Z, beta, n):
    """Untruncated rho(I, R) in log space.  fit(i, x) -> fitness of an i-player in state x (counts)."""
    log_terms = []
    acc = 0.0
    for k in range(1, Z):
        x = np.zeros(n)
        x[I] = k
        x[R] = Z - k
        acc += -beta * (fit(I, x) - fit(R, x))  # log(T-/T+) = -beta (f_I - f_R)
        log_terms.append(acc)
    log_phi = np.logaddexp.reduce(np.array(log_terms))
    return math.exp(-np.logaddexp(0.0, log_phi)), float(log_phi)


def gth_stationary(P):
    """Grassmann-Taksar-Heyman stationary distribution of a row-stochastic matrix (None if reducible)."""
    A = np.array(P, dtype=float, copy=True)
    n = A.shape[0]
    for k in range(n - 1, 0, -1):
        s = A[k, :k].sum()
        if not s > 0.0:
            return None
        A[:k, k] /= s
        A[:k, :k] += np.outer(A[:k, k], A[k, :k])
    pi = np.zeros(n)
    pi[0] = 1.0
    for k in range(1, n):
        pi[k] = np.dot(pi[:k], A[:k, k])
    return pi / pi.sum()


def nb_closed_classes(P):
    """Number of closed communicating classes of the chain with transition matrix P (dense or sparse)."""
    Pm = sp.csr_matrix(P)
    Pm = Pm - sp.diags(Pm.diagonal())
    Pm.eliminate_zeros()
    adj = (Pm > 0).astype(int)
    nc, labels = connected_components(adj, directed=True, connection="strong")
    coo = adj.tocoo()
    leaves = np.zeros(nc, dtype=bool)
    for r, c in zip(coo.row, coo.col):
        if labels[r] != labels[c]:
            leaves[labels[r]] = True
    return int((~leaves).sum())


def spsolve_stationary(P):
    """pi P = pi, sum pi = 1 via scipy sparse LU: (P^T - I) with the last row replaced by ones."""
    n = P.shape[0]
    M = (sp.csr_matrix(P).T - sp.identity(n, format="csr")).tolil()
    M[n - 1, :] = np.ones(n)
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    return spla.spsolve(M.tocsc(), rhs)


def full_transition_independent(fit, Z, n, beta, mu):
    states = compositions(Z, n)
    index = {s: i for i, s in enumerate(states)}
    m = mu / (n - 1)
    rows, cols, vals = [], [], []
    for a, x in enumerate(states):
        xv = np.array(x, dtype=float)
        mono = max(x) == Z
        total = 0.0
        f = [fit(i, xv) if x[i] > 0 else None for i in range(n)]
        for i in range(n):
            for j in range(n):
                if i == j or x[j] == 0:
                    continue
                y = list(x)
                y[i] += 1
                y[j] -= 1
                if mono:
                    p = m
                elif x[i] == 0:
                    p = x[j] / Z * m
                else:
                    p = x[j] / Z * ((1 - mu) * x[i] / (Z - 1) * fermi(beta, f[j], f[i]) + m)
                rows.append(a)
                cols.append(index[tuple(y)])
                vals.append(p)
                total += p
        rows.append(a)
        cols.append(a)
        vals.append(1.0 - mu if mono else 1.0 - total)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(states), len(states))), states


# --------------------------------------------------------------------------------------------
# Common SML block
# --------------------------------------------------------------------------------------------

SML_CALLS = [
    "pc = egttools.analytical.PairwiseComparison(Z, game)",
    "pc.calculate_fixation_probability(invader, resident, beta)   # for every ordered pair",
    "T, F = pc.calculate_transition_and_fixation_matrix_sml(beta)",
    "egttools.utils.calculate_stationary_distribution(T.transpose())",
]


def sml_block(pc, fit, Z, beta, n, strategies):
    fix = []
    rel_diffs = []
    for R in range(n):
        for I in range(n):
            if I == R:
                continue
            rho = timed("PairwiseComparison.calculate_fixation_probability", pc.calculate_fixation_probability, I, R,
                        beta)
            ref, log_phi = fixation_logspace(fit, I, R, Z, beta, n)
            truncated = rho == 0.0
            if truncated:
                assert ref < RHO_TRUNCATION_THRESHOLD * (1 + 1e-9), (I, R, ref)
            else:
                assert ref >= RHO_TRUNCATION_THRESHOLD * (1 - 1e-9), (I, R, ref, rho)
                rel_diffs.append(abs(rho - ref) / ref)
            fix.append({
                "invader": I, "resident": R,
                "invader_name": strategies[I], "resident_name": strategies[R],
                "rho": fl(rho), "truncated": bool(truncated),
                "rho_untruncated_ref": fl(ref), "log_phi_ref": fl(log_phi),
            })
    T, F = timed("PairwiseComparison.calculate_transition_and_fixation_matrix_sml",
                 pc.calculate_transition_and_fixation_matrix_sml, beta)
    T = np.asarray(T)
    F = np.asarray(F)
    for e in fix:
        assert F[e["resident"], e["invader"]] == e["rho"], "F disagrees with calculate_fixation_probability"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sd = timed("utils.calculate_stationary_distribution", egt.utils.calculate_stationary_distribution,
                   T.transpose())
        warned = any(issubclass(x.category, RuntimeWarning) for x in w)
    closed = nb_closed_classes(T)
    gth = gth_stationary(T) if closed == 1 else None
    # independent T from F
    T_ref = F / (n - 1)
    np.fill_diagonal(T_ref, 0.0)
    np.fill_diagonal(T_ref, 1.0 - T_ref.sum(axis=1))
    return {
        "fixation": fix,
        "fixation_matrix": mat(F),
        "sml_transition": mat(T),
        "sml_stationary": vec(sd),
        "sml_stationary_unique": closed == 1,
        "sml_nb_closed_classes": closed,
        "egttools_warned_degenerate": bool(warned),
        "sml_stationary_gth_ref": vec(gth) if gth is not None else None,
        "max_abs_diff_stationary_vs_gth": fl(np.abs(sd - gth).max()) if gth is not None else None,
        "max_rel_diff_rho_vs_ref": fl(max(rel_diffs)) if rel_diffs else None,
        "max_abs_diff_sml_transition_vs_ref": fl(np.abs(T - T_ref).max()),
    }


# --------------------------------------------------------------------------------------------
# a. random matrix games
# --------------------------------------------------------------------------------------------

def case_random_matrix():
    rng = np.random.default_rng(SEED)
    games = []
    for n, count in [(2, 10), (3, 5), (4, 1)]:
        for g in range(count):
            A = rng.uniform(-2.0, 2.0, size=(n, n))
            games.append((f"rand{n}x{n}_{g:02d}", A))
    cases = []
    for gid, A in games:
        n = A.shape[0]
        strategies = [f"S{i}" for i in range(n)]
        game = Matrix2PlayerGameHolder(n, np.ascontiguousarray(A))
        for Z in (10, 50, 100):
            pc = PairwiseComparison(Z, game)  # `game` stays alive (PairwiseComparison keeps a C++ reference)

            def fit(i, x, A=A, Z=Z):
                return fitness_matrix_game(A, x, i, Z)

            for beta in (0.01, 0.1, 1.0, 5.0):
                c = {
                    "id": f"{gid}_Z{Z}_beta{beta}", "game_id": gid, "nb_strategies": n,
                    "strategies": strategies, "payoff_matrix": mat(A),
                    "payoff_convention": "A[i][j] = payoff of row strategy i against column strategy j",
                    "Z": Z, "beta": beta, "mu": 0.0,
                }
                c.update(sml_block(pc, fit, Z, beta, n, strategies))
                cases.append(c)
    return {
        "meta": meta("Random matrix games: pairwise fixation probabilities, SML transition matrix and "
                     "stationary distribution (egttools.analytical.PairwiseComparison + Matrix2PlayerGameHolder)",
                     {"numpy_rng": f"numpy.random.default_rng({SEED}); per game rng.uniform(-2, 2, size=(n, n)); "
                                   "games drawn in order 10x 2x2, 5x 3x3, 1x 4x4"}),
        "conventions": CONVENTIONS,
        "truncation": {
            "rule": "calculate_fixation_probability returns exactly 0.0 as soon as the partial sum "
                    "phi = sum_k prod_{i<=k} T-(i)/T+(i) exceeds 1e7 (phi is nondecreasing, so this is "
                    "equivalent to the untruncated rho < 1/(1+1e7))",
            "phi_max": PHI_MAX,
            "rho_threshold": RHO_TRUNCATION_THRESHOLD,
            "flag": "fixation[].truncated = true when egttools returned 0.0; rho_untruncated_ref holds the "
                    "log-space value. Non-unique SML stationary distributions (sml_stationary_unique=false, "
                    "several closed classes because of truncated/zero transitions) are egttools' arbitrary "
                    "eigenvector choice: do not use them as references.",
        },
        "egttools_calls": ["game = egttools.games.Matrix2PlayerGameHolder(n, A)"] + SML_CALLS,
        "independent_checks": "rho_untruncated_ref: log-space product of exp(-beta (f_I - f_R)); "
                              "sml_stationary_gth_ref: GTH elimination on egttools' T",
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------
# b. DSAIR (Han, Pereira, Santos, Lenaerts, JAIR 2020)
# --------------------------------------------------------------------------------------------

def dsair_payoffs(b, c, B, W, s, p):
    return np.array([
        [B / (2 * W) + b / 2 - c, b / (s + 1) - c],
        [(1 - p) * (s * B / W + s * b / (s + 1)), (1 - p) * (s * B / (2 * W) + b / 2)],
    ])


def dsair_boundaries(b, c, B, W, s):
    pi_ss = B / (2 * W) + b / 2 - c
    pi_su = b / (s + 1) - c
    p_pref = 1 - pi_ss / (s * B / (2 * W) + b / 2)
    p_rd = 1 - (pi_ss + pi_su) / (s * B / W + s * b / (s + 1) + s * B / (2 * W) + b / 2)
    return p_pref, p_rd


def region(A):
    prefers_as = A[0, 0] > A[1, 1]
    as_rd = A[0, 0] + A[0, 1] > A[1, 0] + A[1, 1]
    if as_rd and prefers_as:
        return "I", prefers_as, as_rd
    if (not as_rd) and prefers_as:
        return "II", prefers_as, as_rd
    if (not as_rd) and (not prefers_as):
        return "III", prefers_as, as_rd
    return "IV", prefers_as, as_rd


def case_dsair():
    b, c, B, Z = 4.0, 1.0, 1e4, 100
    cases = []
    for regime, W in (("early", 100.0), ("late", 1e6)):
        for s in (1.5, 2.0, 3.0, 4.0):
            p_pref, p_rd = dsair_boundaries(b, c, B, W, s)
            lo, hi = sorted((p_pref, p_rd))
            ps = {0.1, 0.3, 0.5, 0.7, 0.9}
            for p in (lo / 2, (lo + hi) / 2, (hi + 1) / 2):
                if 0.0 < p < 1.0:
                    ps.add(round(p, 6))
            for p in sorted(ps):
                A = dsair_payoffs(b, c, B, W, s, p)
                reg, prefers_as, as_rd = region(A)
                game = Matrix2PlayerGameHolder(2, np.ascontiguousarray(A))
                pc = PairwiseComparison(Z, game)

                def fit(i, x, A=A):
                    return fitness_matrix_game(A, x, i, Z)

                for beta in (0.01, 0.1):
                    cse = {
                        "id": f"dsair_{regime}_s{s}_p{p}_beta{beta}", "regime": regime,
                        "b": b, "c": c, "B": B, "W": W, "s": s, "p_r": p,
                        "Z": Z, "beta": beta, "mu": 0.0, "strategies": ["AS", "AU"], "nb_strategies": 2,
                        "payoff_matrix": mat(A),
                        "region": reg, "society_prefers_AS": bool(prefers_as), "AS_risk_dominant": bool(as_rd),
                        "p_r_boundary_society_prefers_AS": fl(p_pref),
                        "p_r_boundary_AS_risk_dominant": fl(p_rd),
                        "neutral_rho": 1.0 / Z,
                    }
                    blk = sml_block(pc, fit, Z, beta, 2, ["AS", "AU"])
                    cse.update(blk)
                    F = np.asarray(blk["fixation_matrix"])
                    cse["rho_AU_invades_AS"] = fl(F[0, 1])
                    cse["rho_AS_invades_AU"] = fl(F[1, 0])
                    cases.append(cse)
    return {
        "meta": meta("DSAIR (Han, Pereira, Santos, Lenaerts, JAIR 2020 'To regulate or not'), strategies AS "
                     "(always safe) and AU (always unsafe), pairwise-comparison SML",
                     {"parameter_note": "b=4, c=1, B=1e4, Z=100; W=100 (early), W=1e6 (late, same B). beta=0.01 "
                                        "is the value recalled from the paper's figures and could not be verified "
                                        "offline; beta=0.1 is included as well."}),
        "conventions": CONVENTIONS,
        "payoffs": {
            "AS_AS": "B/(2W) + b/2 - c", "AS_AU": "b/(s+1) - c",
            "AU_AS": "(1-p_r) (s B/W + s b/(s+1))", "AU_AU": "(1-p_r) (s B/(2W) + b/2)",
            "matrix": "payoff_matrix = [[AS_AS, AS_AU], [AU_AS, AU_AU]]; strategy 0 = AS, 1 = AU",
        },
        "regions": {
            "definitions": "society_prefers_AS: Pi(AS,AS) > Pi(AU,AU); AS_risk_dominant: "
                           "Pi(AS,AS)+Pi(AS,AU) > Pi(AU,AS)+Pi(AU,AU) (large-Z criterion for rho_AS > rho_AU)",
            "I": "AS risk-dominant and preferred (no regulation needed)",
            "II": "AU risk-dominant but AS preferred (dilemma: regulate)",
            "III": "AU risk-dominant and preferred",
            "IV": "AS risk-dominant but AU preferred",
            "p_grid": "for each s: {0.1,0.3,0.5,0.7,0.9} plus the midpoints of [0,lo], [lo,hi], [hi,1] where "
                      "lo/hi are the two boundaries (rounded to 6 decimals)",
        },
        "egttools_calls": ["game = egttools.games.Matrix2PlayerGameHolder(2, payoff_matrix)"] + SML_CALLS,
        "truncation": {"phi_max": PHI_MAX, "rho_threshold": RHO_TRUNCATION_THRESHOLD},
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------
# c. full Markov chain with mutation
# --------------------------------------------------------------------------------------------

def case_full_chain():
    rng = np.random.default_rng(SEED + 1)
    games = [
        ("random3", rng.uniform(-2.0, 2.0, size=(3, 3)), ["S0", "S1", "S2"]),
        ("rps_generalised", np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]]), ["R", "P", "S"]),
    ]
    n = 3
    states_by_Z = {}
    cases = []
    for gid, A, names in games:
        game = Matrix2PlayerGameHolder(n, np.ascontiguousarray(A))
        for Z in (10, 30):
            pc = PairwiseComparison(Z, game)
            nb = egt.calculate_nb_states(Z, n)
            states = [ivec(egt.sample_simplex(i, Z, n)) for i in range(nb)]
            assert [tuple(s) for s in states] == compositions(Z, n)
            for i in (0, nb // 3, nb - 1):
                assert egt.calculate_state(Z, np.array(states[i], dtype=np.uint64)) == i
            states_by_Z[str(Z)] = states

            def fit(i, x, A=A, Z=Z):
                return fitness_matrix_game(A, x, i, Z)

            for mu in (0.01, 0.1):
                for beta in (0.1, 1.0):
                    T = timed("PairwiseComparison.calculate_transition_matrix", pc.calculate_transition_matrix,
                              beta, mu)
                    sd = timed("utils.calculate_stationary_distribution (full)",
                               egt.utils.calculate_stationary_distribution, T.transpose())
                    sd_sp = timed("scipy spsolve (full)", spsolve_stationary, T)
                    Td = T.toarray()
                    gth = gth_stationary(Td)
                    T_ind, st_ind = full_transition_independent(fit, Z, n, beta, mu)
                    strat = egt.calculate_strategies_distribution(Z, n, sp.csr_matrix(np.asarray(sd)[None, :]))
                    comp = np.array(states, dtype=float)
                    c = {
                        "id": f"{gid}_Z{Z}_mu{mu}_beta{beta}", "game_id": gid, "strategies": names,
                        "nb_strategies": n, "payoff_matrix": mat(A), "Z": Z, "beta": beta, "mu": mu,
                        "nb_states": nb, "states_key": str(Z),
                        "row_sums_max_abs_dev": fl(np.abs(Td.sum(axis=1) - 1).max()),
                        "transition_max_abs_diff_vs_independent": fl(np.abs(Td - T_ind.toarray()).max()),
                        "stationary": vec(sd),
                        "stationary_spsolve": vec(sd_sp),
                        "max_abs_diff_egttools_vs_spsolve": fl(np.abs(sd - sd_sp).max()),
                        "stationary_gth": vec(gth),
                        "max_abs_diff_egttools_vs_gth": fl(np.abs(sd - gth).max()),
                        "max_abs_diff_spsolve_vs_gth": fl(np.abs(sd_sp - gth).max()),
                        "strategy_distribution": vec(strat),
                        "strategy_distribution_check": vec(comp.T @ sd / Z),
                    }
                    if Z == 10:
                        coo = T.tocoo()
                        order = np.lexsort((coo.col, coo.row))
                        c["transition_nonzeros"] = [[int(coo.row[k]), int(coo.col[k]), float(coo.data[k])]
                                                    for k in order]
                    cases.append(c)
    return {
        "meta": meta("Full Markov chain with mutation (3 strategies): egttools.analytical.PairwiseComparison."
                     "calculate_transition_matrix(beta, mu) and its stationary distribution",
                     {"numpy_rng": f"random3 = numpy.random.default_rng({SEED + 1}).uniform(-2, 2, size=(3, 3))"}),
        "conventions": CONVENTIONS,
        "states_by_Z": states_by_Z,
        "states_note": "states_by_Z[str(Z)][index] = composition (counts per strategy) = "
                       "egttools.sample_simplex(index, Z, 3); the stationary vectors are indexed the same way",
        "egttools_calls": [
            "game = egttools.games.Matrix2PlayerGameHolder(3, A)",
            "pc = egttools.analytical.PairwiseComparison(Z, game)",
            "T = pc.calculate_transition_matrix(beta, mu)   # scipy csr, row-stochastic",
            "stationary = egttools.utils.calculate_stationary_distribution(T.transpose())",
            "strategy_distribution = egttools.calculate_strategies_distribution(Z, 3, csr(stationary[None, :]))",
        ],
        "cross_checks": "stationary_spsolve: scipy.sparse.linalg.spsolve of (T^T - I) with last row := 1, rhs e_last; "
                        "stationary_gth: GTH elimination on dense T; transition_max_abs_diff_vs_independent: "
                        "T rebuilt in this script from the formula in conventions.full_transition; "
                        "transition_nonzeros ([row, col, value], row-major) only stored for Z=10",
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------
# d. one-shot CRD (Santos & Pacheco 2011) gradient of selection
# --------------------------------------------------------------------------------------------

def crd_payoff(k, b, c, r, M):
    """(Pi_D(k), Pi_C(k)) for a group with k cooperators (Santos & Pacheco 2011)."""
    theta = 1.0 if k >= M else 0.0
    pd = b * (theta + (1 - r) * (1 - theta))
    return pd, pd - c * b


def crd_fitness(k, Z, N, b, c, r, M):
    """(f_D, f_C) with k cooperators in the population (hypergeometric sampling, self excluded)."""
    denom = math.comb(Z - 1, N - 1)
    fC = fD = None
    if k >= 1:
        fC = sum(math.comb(k - 1, j) * math.comb(Z - k, N - 1 - j) * crd_payoff(j + 1, b, c, r, M)[1]
                 for j in range(N)) / denom
    if k <= Z - 1:
        fD = sum(math.comb(k, j) * math.comb(Z - k - 1, N - 1 - j) * crd_payoff(j, b, c, r, M)[0]
                 for j in range(N)) / denom
    return fD, fC


def case_crd():
    b, c, N, M, Z = 1.0, 0.1, 6, 3, 50
    cases = []
    for r in (0.2, 0.5, 0.9):
        game = OneShotCRD(b, c, r, N, M)
        P = np.asarray(game.payoffs())
        configs = [ivec(egt.sample_simplex(i, N, 2)) for i in range(N + 1)]
        P_ref = np.array([[crd_payoff(cfg[1], b, c, r, M)[s] for cfg in configs] for s in (0, 1)])
        holder = MatrixNPlayerGameHolder(2, N, np.ascontiguousarray(P_ref))
        pc = PairwiseComparison(Z, game)
        pc_h = PairwiseComparison(Z, holder)

        fitD, fitC, fitD_ref, fitC_ref = [], [], [], []
        for k in range(Z + 1):
            fD_ref, fC_ref = crd_fitness(k, Z, N, b, c, r, M)
            fitD_ref.append(fD_ref)
            fitC_ref.append(fC_ref)
            fitC.append(float(game.calculate_fitness(1, Z, np.array([Z - k, k - 1], dtype=np.uint64)))
                        if k >= 1 else None)
            fitD.append(float(game.calculate_fitness(0, Z, np.array([Z - k - 1, k], dtype=np.uint64)))
                        if k <= Z - 1 else None)

        def fit(i, x):
            k = int(round(x[1]))
            fD_, fC_ = crd_fitness(k, Z, N, b, c, r, M)
            return fC_ if i == 1 else fD_

        for beta in (1.0, 5.0):
            gC, gD, gC_holder, gC_ref = [], [], [], []
            for k in range(Z + 1):
                state = np.array([Z - k, k], dtype=np.uint64)
                g = timed("PairwiseComparison.calculate_gradient_of_selection", pc.calculate_gradient_of_selection,
                          beta, state)
                gh = pc_h.calculate_gradient_of_selection(beta, state)
                gD.append(float(g[0]))
                gC.append(float(g[1]))
                gC_holder.append(float(gh[1]))
                if 0 < k < Z:
                    gC_ref.append(k / Z * (Z - k) / (Z - 1) * math.tanh(beta / 2 * (fitC_ref[k] - fitD_ref[k])))
                else:
                    gC_ref.append(0.0)
            cse = {
                "id": f"oneshotcrd_r{r}_beta{beta}", "game": "egttools.games.OneShotCRD",
                "endowment": b, "cost": c, "risk": r, "group_size": N, "min_nb_cooperators": M,
                "Z": Z, "beta": beta, "mu": 0.0, "strategies": ["D", "C"], "nb_strategies": 2,
                "group_configurations": configs,
                "payoffs": mat(P),
                "payoffs_ref": mat(P_ref),
                "max_abs_diff_payoffs_vs_ref": fl(np.abs(P - P_ref).max()),
                "k": list(range(Z + 1)),
                "gradient_C": gC,
                "gradient_D": gD,
                "gradient_C_ref": gC_ref,
                "gradient_C_via_MatrixNPlayerGameHolder": gC_holder,
                "max_abs_diff_gradient_vs_ref": fl(np.abs(np.array(gC) - np.array(gC_ref)).max()),
                "fitness_C": fitC, "fitness_D": fitD,
                "fitness_C_ref": fitC_ref, "fitness_D_ref": fitD_ref,
            }
            cse.update(sml_block(pc, fit, Z, beta, 2, ["D", "C"]))
            F = np.asarray(cse["fixation_matrix"])
            cse["rho_C_invades_D"] = fl(F[0, 1])
            cse["rho_D_invades_C"] = fl(F[1, 0])
            mu = 0.01
            T = pc.calculate_transition_matrix(beta, mu)
            sd = egt.utils.calculate_stationary_distribution(T.transpose())
            gth = gth_stationary(T.toarray())
            cse["full_chain"] = {
                "mu": mu,
                "states": "index i <-> composition (Z - i defectors, i cooperators)",
                "stationary": vec(sd),
                "stationary_gth": vec(gth),
                "max_abs_diff_egttools_vs_gth": fl(np.abs(sd - gth).max()),
            }
            cases.append(cse)
    return {
        "meta": meta("One-shot collective-risk dilemma (Santos & Pacheco, PNAS 2011) via egttools.games.OneShotCRD: "
                     "gradient of selection, group payoffs, fitness, fixation, SML and full-chain stationary"),
        "conventions": CONVENTIONS,
        "game": {
            "constructor": "egttools.games.OneShotCRD(endowment, cost, risk, group_size, min_nb_cooperators)",
            "note": "egttools.games.CRDGame is a different game (Milinski et al. 2008 multi-round CRD with "
                    "strategy objects); the Santos & Pacheco one-shot CRD is OneShotCRD.",
            "strategy_index": "0 = D (defector), 1 = C (cooperator)",
            "payoff_formula": "k = #cooperators in the group; Pi_D(k) = b [theta(k-M) + (1-r)(1-theta(k-M))], "
                              "Pi_C(k) = Pi_D(k) - c b, theta(x) = 1 if x >= 0 else 0",
            "group_configuration_order": "column i of payoffs <-> egttools.sample_simplex(i, N, 2) = (N - i, i) "
                                         "= (#D, #C): column index = number of cooperators",
            "payoffs_layout": "payoffs[strategy][column]; entries for a strategy absent from the configuration "
                              "are still filled (ignored by the fitness)",
        },
        "gradient": {
            "state": "x = [Z - k, k] (defectors, cooperators)",
            "gradient_C[k]": "pc.calculate_gradient_of_selection(beta, x)[1] = (k/Z)((Z-k)/(Z-1)) tanh(beta/2 (f_C - f_D)); "
                             "gradient_D = -gradient_C; 0 at k=0 and k=Z",
            "fitness": "fitness_C[k] = game.calculate_fitness(1, Z, [Z-k, k-1]) (null at k=0); "
                       "fitness_D[k] = game.calculate_fitness(0, Z, [Z-k-1, k]) (null at k=Z)",
        },
        "egttools_calls": [
            "game = egttools.games.OneShotCRD(1.0, 0.1, r, 6, 3)",
            "game.payoffs()",
            "game.calculate_fitness(strategy, Z, state_without_focal)",
            "holder = egttools.games.MatrixNPlayerGameHolder(2, 6, payoffs_ref)   # cross-check of indexing",
            "pc.calculate_gradient_of_selection(beta, np.array([Z - k, k], dtype=np.uint64))",
        ] + SML_CALLS + [
            "pc.calculate_transition_matrix(beta, 0.01); egttools.utils.calculate_stationary_distribution(T.transpose())",
        ],
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------
# e. DSAIR extensions: peer sanctioning, voluntary commitments, monitoring
# --------------------------------------------------------------------------------------------

def dsair_round_payoffs(b, c, s):
    """Per-round DSAIR payoffs (pi11, pi12, pi21, pi22) of Han et al. (JAIR 2020)."""
    return b / 2 - c, b / (s + 1) - c, s * b / (s + 1), b / 2


def ps_race(b, c, B, W, s, p_r, alpha, gamma):
    """Peer-sanctioning race PS vs AU (Han, Pereira, Lenaerts, Santos, PLoS ONE 2021, as replicated by
    P. Bova): round 1 at normal speeds, then AU moves s - gamma and PS 1 - alpha steps per round."""
    pi11, pi12, pi21, pi22 = dsair_round_payoffs(b, c, s)
    s_p = s - gamma
    s_s = 1.0 - alpha
    T_p = (W - s) / s_p if s_p > 0 else math.inf
    T_s = (W - 1) / s_s if s_s > 0 else math.inf
    assert math.isfinite(min(T_p, T_s)), "nobody moves after round one"
    R = 1.0 + min(T_p, T_s)
    if T_s < T_p:
        winner, B_s, B_p = "PS", B, 0.0
    elif T_s == T_p:
        winner, B_s, B_p = "draw", B / 2, B / 2
    else:
        winner, B_s, B_p = "AU", 0.0, B
    if s_p > 0 and s_s > 0:
        b_s = b * s_s / (s_s + s_p)
        b_p = b * s_p / (s_s + s_p)
    elif s_s > 0:
        b_s, b_p = b, 0.0
    else:
        b_s, b_p = 0.0, b
    p_loss = (1.0 - p_r) if winner in ("AU", "draw") else 1.0
    san = (pi12 + B_s + (R - 1) * (b_s - c)) / R
    pun = p_loss * (pi21 + B_p + (R - 1) * b_p) / R
    race = {
        "s_p": s_p, "s_s": s_s,
        "T_p": T_p if math.isfinite(T_p) else None, "T_s": T_s if math.isfinite(T_s) else None,
        "R": R, "winner": winner, "B_s": B_s, "B_p": B_p, "b_s": b_s, "b_p": b_p, "p_loss": p_loss,
        "Pi_PS_AU": san, "Pi_AU_PS": pun,
    }
    return san, pun, race


def dsair_ps_payoffs(b, c, B, W, s, p_r, alpha, gamma):
    """3x3 matrix over [AS, AU, PS]; PS plays as AS except against AU."""
    A2 = dsair_payoffs(b, c, B, W, s, p_r)
    san, pun, race = ps_race(b, c, B, W, s, p_r, alpha, gamma)
    SS, SU, US, UU = A2[0, 0], A2[0, 1], A2[1, 0], A2[1, 1]
    A = np.array([
        [SS, SU, SS],
        [US, UU, pun],
        [SS, san, SS],
    ])
    return A, race


def dsair_commit_payoffs(b, c, B, W, s, p_r, alpha, gamma, eps):
    """5x5 matrix over [AS, AU, CS, CU, CP] (Han, Lenaerts, Santos, Pereira, Tech. in Society 2022, as
    replicated by P. Bova; commitment cost eps paid only when both players commit)."""
    A2 = dsair_payoffs(b, c, B, W, s, p_r)
    SS, SU, US, UU = A2[0, 0], A2[0, 1], A2[1, 0], A2[1, 1]
    san, pun, race = ps_race(b, c, B, W, s, p_r, alpha, gamma)
    A = np.array([
        [SS, SU, SU, SU, SU],
        [US, UU, UU, UU, UU],
        [US, UU, SS - eps, SU - eps, SS - eps],
        [US, UU, US - eps, UU - eps, pun - eps],
        [US, UU, SS - eps, san - eps, SS - eps],
    ])
    return A, {"SS": SS, "SU": SU, "US": US, "UU": UU, "San": san, "Pun": pun, "race": race}


def dsair_monitored_payoffs(b, c, B, W, s, p_r, p_fo):
    """2x2 matrix over [AS, AU] with per-round detection probability p_fo of unsafe developers
    (Bova, Di Stefano, Han, arXiv 2303.03174)."""
    p = 1.0 - p_r
    return np.array([
        [B / (2 * W) + b / 2 - c, (1 - p_fo) * b / (s + 1) + p_fo * (b + B / W) - c],
        [p * (1 - p_fo) * (s * b / (s + 1) + s * B / W), p * (1 - p_fo ** 2) * (b / 2 + s * B / (2 * W))],
    ])


def matrix_sml_case(A, Z, beta, strategies):
    """SML block for a matrix game A (keeps the game alive during the PairwiseComparison calls)."""
    n = A.shape[0]
    game = Matrix2PlayerGameHolder(n, np.ascontiguousarray(A))
    pc = PairwiseComparison(Z, game)

    def fit(i, x):
        return fitness_matrix_game(A, x, i, Z)

    blk = sml_block(pc, fit, Z, beta, n, strategies)
    del pc, game
    return blk


def case_dsair_ps():
    b, c, B, W, Z = 4.0, 1.0, 1e4, 100.0, 100
    names = ["AS", "AU", "PS"]
    cases = []
    skipped = []
    for s in (1.5, 3.0):
        pairs = [(0.0, 0.0, "grid"), (0.25, 1.0, "grid"), (0.5, 0.5, "grid")]
        a = 0.75 * s
        if 1.0 - a > 0.0:
            pairs.append((a, a, "grid"))
        else:
            skipped.append({"s": s, "alpha": a, "gamma": a, "reason": "1 - alpha <= 0 (sanctioner cannot move)"})
        pairs.append((0.5, s, "extra_AU_stopped"))  # s_p = 0: AU never moves after round one
        for p in (0.2, 0.5, 0.8):
            for alpha, gamma, kind in pairs:
                A, race = dsair_ps_payoffs(b, c, B, W, s, p, alpha, gamma)
                A2 = dsair_payoffs(b, c, B, W, s, p)
                dsair_diff = None
                if alpha == 0.0 and gamma == 0.0:
                    # sanity: with no sanctioning PS is exactly AS
                    dsair_diff = fl(max(abs(A[2, 1] - A2[0, 1]), abs(A[1, 2] - A2[1, 0])))
                    assert dsair_diff < 1e-12, dsair_diff
                for beta in (0.01, 0.1):
                    cse = {
                        "id": f"dsair_ps_s{s}_p{p}_a{alpha}_g{gamma}_beta{beta}", "kind": kind,
                        "b": b, "c": c, "B": B, "W": W, "s": s, "p_r": p, "alpha": alpha, "gamma": gamma,
                        "Z": Z, "beta": beta, "mu": 0.0, "strategies": names, "nb_strategies": 3,
                        "payoff_matrix": mat(A), "race": race,
                        "alpha_gamma_zero_max_abs_diff_vs_dsair": dsair_diff,
                    }
                    cse.update(matrix_sml_case(A, Z, beta, names))
                    cases.append(cse)
    return {
        "meta": meta("DSAIR with peer sanctioning (Han, Pereira, Lenaerts, Santos, PLoS ONE 16(1) e0244592, 2021; "
                     "race mechanics as in P. Bova's public replication), strategies AS, AU, PS, pairwise-comparison SML",
                     {"parameter_note": "b=4, c=1, B=1e4, W=100, Z=100, s in {1.5, 3}, p_r in {0.2, 0.5, 0.8}, "
                                        "(alpha, gamma) in {(0,0), (0.25,1), (0.5,0.5)}; (0.75 s, 0.75 s) was "
                                        "requested only if 1 - alpha > 0 and is skipped for both s (see "
                                        "skipped_parameter_sets); kind='extra_AU_stopped' adds (alpha, gamma) = "
                                        "(0.5, s), i.e. s_p = 0 (T_p infinite, PS wins, b_s = b), to exercise the "
                                        "zero-speed branch. beta in {0.01, 0.1}."}),
        "conventions": CONVENTIONS,
        "payoffs": {
            "race": "s_p = s - gamma, s_s = 1 - alpha; T_p = (W - s)/s_p, T_s = (W - 1)/s_s (infinite for speed <= 0); "
                    "R = 1 + min(T_p, T_s); winner PS if T_s < T_p (B_s = B), draw if equal (B/2 each), else AU "
                    "(B_p = B); b_s = b s_s/(s_s + s_p), b_p = b s_p/(s_s + s_p) (all of b to the only one moving); "
                    "p_loss = 1 - p_r if AU wins or draws, else 1",
            "Pi_PS_AU": "[pi12 + B_s + (R - 1)(b_s - c)] / R",
            "Pi_AU_PS": "p_loss [pi21 + B_p + (R - 1) b_p] / R",
            "per_round": "pi11 = b/2 - c, pi12 = b/(s+1) - c, pi21 = s b/(s+1), pi22 = b/2",
            "matrix": "[[B/(2W)+pi11, pi12, B/(2W)+pi11], [p(sB/W+pi21), p(sB/(2W)+pi22), Pi_AU_PS], "
                      "[B/(2W)+pi11, Pi_PS_AU, B/(2W)+pi11]], p = 1 - p_r; strategies 0 = AS, 1 = AU, 2 = PS",
            "race_field": "cases[].race holds the intermediate race quantities (T_p/T_s null when infinite)",
        },
        "skipped_parameter_sets": skipped,
        "egttools_calls": ["game = egttools.games.Matrix2PlayerGameHolder(3, payoff_matrix)"] + SML_CALLS,
        "truncation": {"phi_max": PHI_MAX, "rho_threshold": RHO_TRUNCATION_THRESHOLD},
        "cases": cases,
    }


def case_dsair_commit():
    b, c, B, W, Z = 4.0, 1.0, 1e4, 100.0, 100
    alpha, gamma = 0.25, 1.0
    names = ["AS", "AU", "CS", "CU", "CP"]
    cases = []
    for s in (1.5, 3.0):
        for p in (0.3, 0.7):
            for eps in (0.1, 2.0):
                A, parts = dsair_commit_payoffs(b, c, B, W, s, p, alpha, gamma, eps)
                for beta in (0.01, 0.1):
                    cse = {
                        "id": f"dsair_commit_s{s}_p{p}_eps{eps}_beta{beta}",
                        "b": b, "c": c, "B": B, "W": W, "s": s, "p_r": p, "alpha": alpha, "gamma": gamma,
                        "epsilon": eps, "Z": Z, "beta": beta, "mu": 0.0, "strategies": names, "nb_strategies": 5,
                        "payoff_matrix": mat(A), "payoff_parts": parts,
                    }
                    cse.update(matrix_sml_case(A, Z, beta, names))
                    cases.append(cse)
    return {
        "meta": meta("DSAIR with voluntary safety commitments (Han, Lenaerts, Santos, Pereira, Technology in Society 68 "
                     "(2022) 101843; matrix as in P. Bova's public replication, except (CP, AS) = US without the "
                     "commitment cost), strategies AS, AU, CS, CU, CP, pairwise-comparison SML",
                     {"parameter_note": "b=4, c=1, B=1e4, W=100, Z=100, alpha=0.25, gamma=1 (peer-sanctioning race of "
                                        "dsair_ps.json), s in {1.5, 3}, p_r in {0.3, 0.7}, epsilon in {0.1, 2}, "
                                        "beta in {0.01, 0.1}"}),
        "conventions": CONVENTIONS,
        "payoffs": {
            "parts": "SS, SU, US, UU = DSAIR Pi(AS,AS), Pi(AS,AU), Pi(AU,AS), Pi(AU,AU); San = Pi(PS,AU), "
                     "Pun = Pi(AU,PS) of the peer-sanctioning race (see dsair_ps.json) with alpha, gamma",
            "matrix": "rows/cols [AS, AU, CS, CU, CP]: AS: SS SU SU SU SU; AU: US UU UU UU UU; "
                      "CS: US UU SS-e SU-e SS-e; CU: US UU US-e UU-e Pun-e; CP: US UU SS-e San-e SS-e",
            "payoff_parts_field": "cases[].payoff_parts = {SS, SU, US, UU, San, Pun, race}",
        },
        "egttools_calls": ["game = egttools.games.Matrix2PlayerGameHolder(5, payoff_matrix)"] + SML_CALLS,
        "truncation": {"phi_max": PHI_MAX, "rho_threshold": RHO_TRUNCATION_THRESHOLD},
        "cases": cases,
    }


def case_dsair_monitored():
    b, c, B, W, Z = 4.0, 1.0, 1e4, 100.0, 100
    names = ["AS", "AU"]
    cases = []
    for s in (1.5, 3.0):
        for p in (0.3, 0.7):
            for p_fo in (0.0, 0.3, 0.8):
                A = dsair_monitored_payoffs(b, c, B, W, s, p, p_fo)
                dsair_diff = None
                if p_fo == 0.0:
                    dsair_diff = fl(np.abs(A - dsair_payoffs(b, c, B, W, s, p)).max())
                    assert dsair_diff < 1e-12, dsair_diff
                for beta in (0.01,):
                    cse = {
                        "id": f"dsair_monitored_s{s}_p{p}_pfo{p_fo}_beta{beta}",
                        "b": b, "c": c, "B": B, "W": W, "s": s, "p_r": p, "p_fo": p_fo,
                        "Z": Z, "beta": beta, "mu": 0.0, "strategies": names, "nb_strategies": 2,
                        "payoff_matrix": mat(A), "p_fo_zero_max_abs_diff_vs_dsair": dsair_diff,
                    }
                    blk = matrix_sml_case(A, Z, beta, names)
                    cse.update(blk)
                    F = np.asarray(blk["fixation_matrix"])
                    cse["rho_AU_invades_AS"] = fl(F[0, 1])
                    cse["rho_AS_invades_AU"] = fl(F[1, 0])
                    cases.append(cse)
    return {
        "meta": meta("DSAIR with detection of unsafe development (Bova, Di Stefano, Han, arXiv 2303.03174), "
                     "strategies AS, AU, pairwise-comparison SML",
                     {"parameter_note": "b=4, c=1, B=1e4, W=100, Z=100, s in {1.5, 3}, p_r in {0.3, 0.7}, "
                                        "p_fo in {0, 0.3, 0.8}, beta = 0.01"}),
        "conventions": CONVENTIONS,
        "payoffs": {
            "AS_AS": "B/(2W) + b/2 - c",
            "AS_AU": "(1 - p_fo) b/(s+1) + p_fo (b + B/W) - c",
            "AU_AS": "(1-p_r) (1 - p_fo) (s b/(s+1) + s B/W)",
            "AU_AU": "(1-p_r) (1 - p_fo^2) (b/2 + s B/(2W))",
            "matrix": "payoff_matrix = [[AS_AS, AS_AU], [AU_AS, AU_AU]]; strategy 0 = AS, 1 = AU; p_fo = 0 is DSAIR",
        },
        "egttools_calls": ["game = egttools.games.Matrix2PlayerGameHolder(2, payoff_matrix)"] + SML_CALLS,
        "truncation": {"phi_max": PHI_MAX, "rho_threshold": RHO_TRUNCATION_THRESHOLD},
        "cases": cases,
    }


def sanity(name, obj):
    for c in obj["cases"]:
        for key in ("sml_stationary", "sml_stationary_gth_ref", "stationary", "stationary_spsolve", "stationary_gth"):
            if key in c and c[key] is not None:
                s = sum(c[key])
                assert abs(s - 1) < 1e-9, (name, c["id"], key, s)
                assert min(c[key]) >= -1e-12, (name, c["id"], key)
        if "sml_transition" in c:
            T = np.array(c["sml_transition"])
            assert np.abs(T.sum(axis=1) - 1).max() < 1e-12, (name, c["id"])
    print(f"{name}: {len(obj['cases'])} cases OK")


def main():
    print(f"egttools {egt.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {sys.version.split()[0]}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    for fname, fn in (("random_matrix.json", case_random_matrix), ("dsair.json", case_dsair),
                      ("full_chain.json", case_full_chain), ("crd_gradient.json", case_crd),
                      ("dsair_ps.json", case_dsair_ps), ("dsair_commit.json", case_dsair_commit),
                      ("dsair_monitored.json", case_dsair_monitored)):
        t0 = time.perf_counter()
        obj = fn()
        sanity(fname, obj)
        write_json(fname, obj)
        print(f"  {fname}: {time.perf_counter() - t0:.2f} s total")
    print("timings (egttools and check calls):")
    for k, (calls, secs) in sorted(TIMINGS.items()):
        print(f"  {k}: {calls} calls, {secs:.3f} s total, {1e3 * secs / calls:.3f} ms/call")


if __name__ == "__main__":
    main()
