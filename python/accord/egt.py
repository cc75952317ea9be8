"""Evolutionary dynamics with EGTtools' conventions.

The pairwise-comparison (Fermi) process in a finite population of ``Z``:
imitation probability ``1 / (1 + exp(-beta * (f_model - f_focal)))``,
fitness excluding self, mutation ``mu`` spread evenly over the other
strategies, population states in EGTtools' ``sample_simplex`` order.
Matrices are row-stochastic (``T[from, to]``) and
``fixation[resident, invader]``, as EGTtools' C++ ``PairwiseComparison``
returns them. Fixation probabilities are exact in log space (EGTtools
returns 0 below about 1e-7).

A ``game`` is a :class:`Game` or a square payoff matrix (a 2-D array or nested lists,
``payoffs[i, j]`` what ``i`` earns against ``j``).
"""

from ._accord import egt as _native

Game = _native.Game
fixation_probability = _native.fixation_probability
gradient_of_selection = _native.gradient_of_selection
models = _native.models
monte_carlo_stationary = _native.monte_carlo_stationary
stationary_distribution = _native.stationary_distribution
stationary_distribution_sml = _native.stationary_distribution_sml
transition_and_fixation_matrix_sml = _native.transition_and_fixation_matrix_sml

__all__ = [
    "Game",
    "fixation_probability",
    "gradient_of_selection",
    "models",
    "monte_carlo_stationary",
    "stationary_distribution",
    "stationary_distribution_sml",
    "transition_and_fixation_matrix_sml",
]
