from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

class Game:
    """A symmetric game: a payoff matrix, or one of Accord's published models."""

    @staticmethod
    def matrix(payoffs: npt.ArrayLike, strategies: Optional[Sequence[str]] = None) -> "Game":
        """A 2-player game: ``payoffs[i, j]`` is what ``i`` earns against ``j``."""
    @staticmethod
    def model(name: str, **parameters: float) -> "Game":
        """A published model (see :func:`models`), parameters by the paper's names."""
    @property
    def strategies(self) -> list[str]: ...
    @property
    def figure_population(self) -> Optional[int]: ...
    @property
    def figure_beta(self) -> Optional[float]: ...

GameLike = Union[Game, npt.ArrayLike]

def fixation_probability(
    game: GameLike, invader: int, resident: int, beta: float, population: int
) -> float:
    """Probability that one ``invader`` fixes among ``resident``s (exact, log space)."""

def transition_and_fixation_matrix_sml(
    game: GameLike, beta: float, population: int
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(transition[from, to], fixation[resident, invader])`` of the small-mutation limit."""

def stationary_distribution_sml(
    game: GameLike, beta: float, population: int
) -> npt.NDArray[np.float64]:
    """Stationary distribution over the monomorphic states (small-mutation limit)."""

def stationary_distribution(
    game: GameLike, beta: float, population: int, mu: float
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(stationary over states in sample_simplex order, strategy_frequencies)`` of the full chain."""

def gradient_of_selection(
    game: GameLike, state: npt.ArrayLike, beta: float, population: int
) -> npt.NDArray[np.float64]:
    """EGTtools' gradient of selection at a state given as counts per
    strategy: ``g_i = (2/n) * sum_{j != i} k_i k_j / (Z (Z - 1)) * tanh(beta/2 * (f_i - f_j))``
    (no mutation; the ``2/n`` is EGTtools' scaling, so for two strategies
    it is ``T+ - T-``)."""

def monte_carlo_stationary(
    game: GameLike,
    beta: float,
    population: int,
    mu: float,
    runs: int = 100,
    recorded_steps: int = 100_000,
    transient_steps: int = 10_000,
    seed: int = 1,
) -> Dict[str, Any]:
    """Monte Carlo estimate of long-run strategy frequencies, reproducible from ``seed``:
    ``strategy_frequencies``, ``standard_errors``, ``mixing`` (Gelman–Rubin R̂ per
    strategy, None with one run; above 1.1 the runs have not mixed and the standard
    errors understate the error), ``runs``, ``steps``."""

def models() -> Dict[str, Dict[str, Any]]:
    """The published models: title, citation, parameter defaults, figure settings."""
