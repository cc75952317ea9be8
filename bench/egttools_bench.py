#!/usr/bin/env python3
"""Time EGTtools on this machine for the workloads that Accord's Rust benchmarks also run.

Workloads
---------
* ``sml_3x3_Z100`` - small-mutation limit of the generalised rock-paper-scissors matrix game
  A = [[0,-1,2],[2,0,-1],[-1,2,0]], Z=100, beta=1:
  ``PairwiseComparison.calculate_transition_and_fixation_matrix_sml(beta)`` followed by
  ``egttools.utils.calculate_stationary_distribution(T.transpose())`` (game and PairwiseComparison
  constructed once, outside the timed region).
* ``full_chain_3x3_Z100`` - full chain with mutation, same game, Z=100 (5151 states), beta=1,
  mu=0.01: ``calculate_transition_matrix(beta, mu)`` + ``egttools.utils.calculate_stationary_distribution``
  (dense numpy eig of a 5151 x 5151 matrix).  The build alone is reported as well.
* ``full_chain_3x3_Z100_scipy_sparse`` - the same EGTtools matrix solved with scipy sparse LU:
  (T^T - I) with its last row replaced by ones, rhs = e_last, ``scipy.sparse.linalg.spsolve``;
  "solve" = from the csr matrix T to pi (assembling the system + spsolve), "build_and_solve" =
  ``calculate_transition_matrix`` + solve.
* ``dsair_grid_51x41`` - DSAIR (Han et al., JAIR 2020), b=4, c=1, B=1e4, W=100, Z=100, beta=0.01,
  s in linspace(1, 5, 51) x p_r in linspace(0, 1, 41): per point build the 2x2 payoff matrix,
  ``Matrix2PlayerGameHolder`` and ``PairwiseComparison``, SML transition + stationary; total time.
* ``mc_dsair_Z20`` - the same estimator, one run, on the two-strategy DSAIR game (b=4, c=1, s=2,
  p_r=0.75, B=40, W=4), Z=20, beta=0.1, mu=0.01, OMP_NUM_THREADS=1: the peer of accord-bench's
  simulator special case (imitation learning, no mechanisms).
* ``mc_steps`` - ``PairwiseComparisonNumerical(Z, game, cache_size).estimate_stationary_distribution(
  nb_runs, nb_generations, transitory, beta, mu)`` on the 3x3 game, Z=100, beta=1, mu=0.01,
  nb_runs=8, nb_generations=1_000_000, transitory=1000, with OMP_NUM_THREADS=2 and =1;
  elementary steps per second = nb_runs * nb_generations / wall time.

Every workload runs in its own subprocess (``--worker NAME``) so that OMP_NUM_THREADS is set before
egttools/numpy are imported; workloads (a)-(c) use OMP_NUM_THREADS=2 (all cores of the benchmark
machine); ``sml_3x3_Z100`` and ``dsair_grid_51x41`` are repeated with OMP_NUM_THREADS=1 (key
``omp_1_thread``), because EGTtools' OpenMP overhead dominates these tiny problems.  Every
workload also records how much CPU time other processes used meanwhile (``machine_load``): the
numbers are only meaningful on an otherwise idle machine.  Each timing is the median wall time (time.perf_counter) over ``reps`` repetitions after
one untimed warm-up call (except the expensive dense eig and the MC runs, which have no warm-up);
all repetitions are listed as well.

Output: one JSON object on stdout (progress goes to stderr); ``--out PATH`` also writes it to PATH.

    python3 bench/egttools_bench.py [--out egttools_bench.json] [--quick]

Total runtime about 2-3 minutes on 2 cores (``--quick`` reduces the repetitions).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

RPS = [[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]]


# ------------------------------------------------------------------------------------------------
# workers (run in a subprocess; import egttools only here)
# ------------------------------------------------------------------------------------------------

def _timeit(fn, reps, warmup=True):
    if warmup:
        fn()
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def _spsolve_stationary(T):
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    n = T.shape[0]
    M = (T.transpose().tocsr() - sp.identity(n, format="csr")).tolil()
    M[n - 1, :] = np.ones(n)
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    return spla.spsolve(M.tocsc(), rhs)


def worker_sml(reps):
    import numpy as np
    import egttools as egt
    from egttools.analytical import PairwiseComparison
    from egttools.games import Matrix2PlayerGameHolder
    Z, beta = 100, 1.0
    A = np.array(RPS)
    game = Matrix2PlayerGameHolder(3, A)  # keep alive: PairwiseComparison holds a C++ reference
    pc = PairwiseComparison(Z, game)

    def run():
        T, F = pc.calculate_transition_and_fixation_matrix_sml(beta)
        return egt.utils.calculate_stationary_distribution(np.asarray(T).transpose())

    med, times, sd = _timeit(run, reps)
    return {
        "params": {"payoff_matrix": RPS, "Z": Z, "beta": beta, "mu": 0.0,
                   "timed": "pc.calculate_transition_and_fixation_matrix_sml(beta) + "
                            "egttools.utils.calculate_stationary_distribution(T.transpose()); "
                            "game and pc constructed outside the timed region"},
        "reps": reps, "median_s": med, "times_s": times,
        "result": {"sml_stationary": [float(v) for v in sd]},
    }


def worker_full_chain(reps_build, reps_eig, reps_sparse):
    import numpy as np
    import egttools as egt
    from egttools.analytical import PairwiseComparison
    from egttools.games import Matrix2PlayerGameHolder
    Z, beta, mu = 100, 1.0, 0.01
    A = np.array(RPS)
    game = Matrix2PlayerGameHolder(3, A)
    pc = PairwiseComparison(Z, game)
    nb_states = egt.calculate_nb_states(Z, 3)

    med_build, t_build, T = _timeit(lambda: pc.calculate_transition_matrix(beta, mu), reps_build)

    def build_and_eig():
        T_ = pc.calculate_transition_matrix(beta, mu)
        return egt.utils.calculate_stationary_distribution(T_.transpose())

    med_eig, t_eig, sd_eig = _timeit(build_and_eig, reps_eig, warmup=False)

    med_solve, t_solve, sd_sp = _timeit(lambda: _spsolve_stationary(T), reps_sparse)

    def build_and_solve():
        return _spsolve_stationary(pc.calculate_transition_matrix(beta, mu))

    med_bs, t_bs, _ = _timeit(build_and_solve, reps_sparse)

    strat_eig = (np.array([egt.sample_simplex(i, Z, 3) for i in range(nb_states)], dtype=float).T @ sd_eig) / Z
    params = {"payoff_matrix": RPS, "Z": Z, "beta": beta, "mu": mu, "nb_states": int(nb_states),
              "nnz": int(T.nnz)}
    return {
        "full_chain_3x3_Z100": {
            "params": dict(params, timed="T = pc.calculate_transition_matrix(beta, mu) (scipy csr, row-stochastic) + "
                                         "egttools.utils.calculate_stationary_distribution(T.transpose()) "
                                         "(dense numpy eig)"),
            "reps": reps_eig, "median_s": med_eig, "times_s": t_eig,
            "build_only": {"reps": reps_build, "median_s": med_build, "times_s": t_build},
            "result": {"strategy_distribution": [float(v) for v in strat_eig]},
        },
        "full_chain_3x3_Z100_scipy_sparse": {
            "params": dict(params, timed="solve: (T^T - I) with last row := ones, rhs = e_last, "
                                         "scipy.sparse.linalg.spsolve (csc; includes assembling the system); "
                                         "build_and_solve: pc.calculate_transition_matrix + solve"),
            "solve": {"reps": reps_sparse, "median_s": med_solve, "times_s": t_solve},
            "build_and_solve": {"reps": reps_sparse, "median_s": med_bs, "times_s": t_bs},
            "max_abs_diff_vs_dense_eig": float(np.abs(sd_sp - sd_eig).max()),
        },
    }


def worker_dsair_grid(reps):
    import numpy as np
    import egttools as egt
    from egttools.analytical import PairwiseComparison
    from egttools.games import Matrix2PlayerGameHolder
    b, c, B, W, Z, beta = 4.0, 1.0, 1e4, 100.0, 100, 0.01
    s_grid = np.linspace(1.0, 5.0, 51)
    p_grid = np.linspace(0.0, 1.0, 41)

    def run():
        out = np.empty((len(s_grid), len(p_grid)))
        for a, s in enumerate(s_grid):
            for k, p in enumerate(p_grid):
                A = np.array([
                    [B / (2 * W) + b / 2 - c, b / (s + 1) - c],
                    [(1 - p) * (s * B / W + s * b / (s + 1)), (1 - p) * (s * B / (2 * W) + b / 2)],
                ])
                game = Matrix2PlayerGameHolder(2, A)
                pc = PairwiseComparison(Z, game)
                T, F = pc.calculate_transition_and_fixation_matrix_sml(beta)
                sd = egt.utils.calculate_stationary_distribution(np.asarray(T).transpose())
                out[a, k] = sd[0]
                del pc, game
        return out

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # degenerate points (rho truncated to 0)
        med, times, as_freq = _timeit(run, reps)
    n_points = len(s_grid) * len(p_grid)
    return {
        "params": {"b": b, "c": c, "B": B, "W": W, "Z": Z, "beta": beta,
                   "s": "numpy.linspace(1, 5, 51)", "p_r": "numpy.linspace(0, 1, 41)", "nb_points": n_points,
                   "timed": "for every (s, p_r): payoff matrix, Matrix2PlayerGameHolder(2, A), PairwiseComparison(Z, game), "
                            "calculate_transition_and_fixation_matrix_sml(beta), "
                            "egttools.utils.calculate_stationary_distribution(T.transpose())"},
        "reps": reps, "median_s": med, "times_s": times, "median_per_point_s": med / n_points,
        "result": {"sum_over_grid_of_stationary_AS": float(as_freq.sum()),
                   "stationary_AS_at_s3_p0.5": float(as_freq[25, 20]),
                   "note": "EGTtools' eig-based value, includes degenerate points (arbitrary eigenvector)"},
    }


def worker_mc(reps, nb_runs, nb_generations, transitory, cache_size):
    import numpy as np
    import egttools as egt
    from egttools.games import Matrix2PlayerGameHolder
    from egttools.numerical import PairwiseComparisonNumerical
    Z, beta, mu = 100, 1.0, 0.01
    A = np.array(RPS)
    game = Matrix2PlayerGameHolder(3, A)
    egt.Random.seed(20250101)
    pc = PairwiseComparisonNumerical(Z, game, cache_size)

    med, times, sd = _timeit(
        lambda: pc.estimate_stationary_distribution(nb_runs, nb_generations, transitory, beta, mu), reps,
        warmup=False)
    steps = nb_runs * nb_generations
    nb_states = egt.calculate_nb_states(Z, 3)
    strat = (np.array([egt.sample_simplex(i, Z, 3) for i in range(nb_states)], dtype=float).T @ np.asarray(sd)) / Z
    return {
        "params": {"payoff_matrix": RPS, "Z": Z, "beta": beta, "mu": mu, "nb_runs": nb_runs,
                   "nb_generations": nb_generations, "transitory": transitory, "cache_size": cache_size,
                   "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                   "timed": "PairwiseComparisonNumerical(Z, game, cache_size).estimate_stationary_distribution("
                            "nb_runs, nb_generations, transitory, beta, mu); egttools.Random.seed(20250101) "
                            "before construction; steps = nb_runs * nb_generations (transitory included)"},
        "reps": reps, "median_s": med, "times_s": times,
        "steps": steps, "steps_per_s": steps / med,
        "result": {"strategy_distribution": [float(v) for v in strat]},
    }


def worker_mc_dsair(reps, nb_generations):
    """Monte Carlo on the 2-strategy DSAIR game that accord-bench's simulator workload plays."""
    import numpy as np
    import egttools as egt
    from egttools.games import Matrix2PlayerGameHolder
    from egttools.numerical import PairwiseComparisonNumerical
    b, c, s, p_r, B, W = 4.0, 1.0, 2.0, 0.75, 40.0, 4.0
    p = 1.0 - p_r
    A = np.array([[B / (2 * W) + b / 2 - c, b / (s + 1) - c],
                  [p * (s * B / W + s * b / (s + 1)), p * (s * B / (2 * W) + b / 2)]])
    Z, beta, mu = 20, 0.1, 0.01
    game = Matrix2PlayerGameHolder(2, A)
    egt.Random.seed(20250101)
    pc = PairwiseComparisonNumerical(Z, game, 10_000)
    med, times, dist = _timeit(lambda: pc.estimate_strategy_distribution(1, nb_generations, 1000, beta, mu), reps, warmup=False)
    return {
        "params": {"payoff_matrix": A.tolist(), "Z": Z, "beta": beta, "mu": mu, "nb_runs": 1, "nb_generations": nb_generations,
                   "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                   "timed": "PairwiseComparisonNumerical(Z, game, 10000).estimate_strategy_distribution(1, nb_generations, 1000, beta, mu)"},
        "reps": reps, "median_s": med, "times_s": times, "steps": nb_generations, "steps_per_s": nb_generations / med,
        "result": {"strategy_distribution": [float(v) for v in dist]},
    }


def run_worker(name, args):
    if name == "sml":
        return worker_sml(args.reps_sml)
    if name == "full_chain":
        return worker_full_chain(args.reps_build, args.reps_eig, args.reps_sparse)
    if name == "dsair_grid":
        return worker_dsair_grid(args.reps_grid)
    if name == "mc":
        return worker_mc(args.reps_mc, args.mc_runs, args.mc_generations, args.mc_transitory, args.mc_cache)
    if name == "mc_dsair":
        return worker_mc_dsair(args.reps_mc, args.mc_generations)
    raise ValueError(name)


# ------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_info():
    import numpy
    import scipy
    import egttools
    info = {
        "cpu_model": cpu_model(),
        "cpu_count_os": os.cpu_count(),
        "cpu_count_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python_version": platform.python_version(),
        "egttools_version": str(egttools.__version__).strip('"'),
        "egttools_uses_boost": bool(getattr(egttools, "USES_BOOST", False)),
        "numpy_version": numpy.__version__,
        "scipy_version": scipy.__version__,
    }
    try:
        cfg = numpy.show_config(mode="dicts")
        info["numpy_blas"] = cfg.get("Build Dependencies", {}).get("blas", {}).get("name")
    except Exception:  # pragma: no cover - older numpy
        info["numpy_blas"] = None
    return info


def system_busy_cpu_s():
    """CPU seconds spent non-idle by the whole machine so far (/proc/stat), or None."""
    try:
        with open("/proc/stat") as fh:
            f = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal ...
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] if len(f) > 7 else 0)) / os.sysconf("SC_CLK_TCK")


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def spawn(name, omp, args, extra=()):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(omp)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", name] + args.passthrough + list(extra)
    busy0, own0, load0 = system_busy_cpu_s(), children_cpu_s(), os.getloadavg()[0]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    busy1, own1 = system_busy_cpu_s(), children_cpu_s()
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise RuntimeError(f"worker {name} (OMP_NUM_THREADS={omp}) failed with code {res.returncode}")
    out = json.loads(res.stdout)
    out["omp_num_threads"] = omp
    other = None if busy0 is None else (busy1 - busy0) - (own1 - own0)
    out["machine_load"] = {
        "subprocess_wall_s": wall,
        "own_cpu_s": own1 - own0,
        "other_processes_cpu_s": other,
        "loadavg_1min_before": load0,
        "note": "other_processes_cpu_s = machine-wide non-idle CPU time (/proc/stat) during the subprocess "
                "minus its own CPU time; clearly > 0 means the timing was disturbed by other load",
    }
    print(f"  {name} OMP_NUM_THREADS={omp}: {wall:.1f} s (incl. start-up), other load "
          f"{other if other is None else round(other, 1)} CPU-s", file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="also write the JSON object to this path")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (for a smoke test)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--reps-sml", type=int, default=None)
    ap.add_argument("--reps-build", type=int, default=None)
    ap.add_argument("--reps-eig", type=int, default=None)
    ap.add_argument("--reps-sparse", type=int, default=None)
    ap.add_argument("--reps-grid", type=int, default=None)
    ap.add_argument("--reps-mc", type=int, default=None)
    ap.add_argument("--mc-runs", type=int, default=8)
    ap.add_argument("--mc-generations", type=int, default=1_000_000)
    ap.add_argument("--mc-transitory", type=int, default=1000)
    ap.add_argument("--mc-cache", type=int, default=10_000)
    args = ap.parse_args()
    defaults = {"reps_sml": (21, 5), "reps_build": (7, 3), "reps_eig": (1, 1), "reps_sparse": (7, 3),
                "reps_grid": (3, 1), "reps_mc": (3, 1)}
    for k, (full, quick) in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, quick if args.quick else full)

    if args.worker:
        json.dump(run_worker(args.worker, args), sys.stdout)
        return

    args.passthrough = []
    for k in list(defaults) + ["mc_runs", "mc_generations", "mc_transitory", "mc_cache"]:
        args.passthrough += ["--" + k.replace("_", "-"), str(getattr(args, k))]

    t_start = time.perf_counter()
    load_start = os.getloadavg()
    print("egttools benchmark (each workload in a subprocess)", file=sys.stderr)
    results = {}
    results["sml_3x3_Z100"] = spawn("sml", 2, args)
    results["sml_3x3_Z100"]["omp_1_thread"] = spawn("sml", 1, args)
    fc = spawn("full_chain", 2, args)
    load = fc.pop("machine_load")
    for k, v in fc.items():
        if isinstance(v, dict):
            results[k] = dict(v, omp_num_threads=2, machine_load=load)
    results["dsair_grid_51x41"] = spawn("dsair_grid", 2, args)
    results["dsair_grid_51x41"]["omp_1_thread"] = spawn("dsair_grid", 1, args)
    results["mc_steps"] = {
        "omp_2_threads": spawn("mc", 2, args),
        "omp_1_thread": spawn("mc", 1, args),
    }
    results["mc_dsair_Z20"] = spawn("mc_dsair", 1, args)
    obj = {
        "benchmark": "egttools",
        "script": "bench/egttools_bench.py",
        "timing": "median wall time (time.perf_counter) over `reps` repetitions, seconds; all repetitions in "
                  "times_s; one untimed warm-up call before the repetitions except for the dense eig "
                  "(full_chain_3x3_Z100) and mc_steps; every workload runs in a fresh subprocess with "
                  "OMP_NUM_THREADS set before egttools/numpy are imported (omp_num_threads)",
        "machine": machine_info(),
        "disturbance_check": "each workload records machine_load.other_processes_cpu_s; the numbers are only "
                             "representative when it is close to 0 (no other process using the CPUs)",
        "loadavg_at_start": list(load_start),
        "loadavg_at_end": list(os.getloadavg()),
        "total_wall_s": time.perf_counter() - t_start,
        "workloads": results,
    }
    text = json.dumps(obj, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
