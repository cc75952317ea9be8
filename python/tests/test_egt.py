"""accord.egt against EGTtools 0.1.14.2 on the same games (same calls,
same conventions). Tolerances: 1e-9 relative where both compute the same
closed forms in double precision; EGTtools returns fixation probabilities
below about 1e-7 as 0 (it truncates), so the games here stay above that."""

import numpy as np
import pytest

import accord
from accord import egt

import egttools  # noqa: E402  (pip install egttools==0.1.14.2; scripts/test.sh installs it)
from egttools.analytical import PairwiseComparison  # noqa: E402
from egttools.games import Matrix2PlayerGameHolder  # noqa: E402

GAMES = {
    "stag_hunt": np.array([[4.0, 0.0], [3.0, 2.0]]),
    "snowdrift": np.array([[3.0, 1.0], [4.0, 0.0]]),
    "rps": np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]]),
}
SETTINGS = [(0.1, 20), (1.0, 30)]
# EGTtools returns a fixation probability as exactly 0.0 once it falls below
# 1 / (1 + 1e7); Accord computes it exactly in log space.
EGTTOOLS_TRUNCATION = 1.0 / (1.0 + 1e7)


def assert_fixation_close(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    truncated = theirs == 0.0
    assert np.all(ours[truncated] < EGTTOOLS_TRUNCATION), (ours, theirs)
    np.testing.assert_allclose(ours[~truncated], theirs[~truncated], rtol=1e-9)


def peer(payoffs, population):
    game = Matrix2PlayerGameHolder(payoffs.shape[0], np.ascontiguousarray(payoffs))
    # EGTtools keeps only a reference to the game: keep it alive with the process.
    return game, PairwiseComparison(population, game)


@pytest.mark.parametrize("name", GAMES)
@pytest.mark.parametrize("beta,population", SETTINGS)
def test_fixation_probabilities_match_egttools(name, beta, population):
    payoffs = GAMES[name]
    _game, pc = peer(payoffs, population)
    n = payoffs.shape[0]
    for invader in range(n):
        for resident in range(n):
            if invader == resident:
                continue
            ours = egt.fixation_probability(payoffs, invader, resident, beta, population)
            theirs = pc.calculate_fixation_probability(invader, resident, beta)
            assert_fixation_close(ours, theirs)


@pytest.mark.parametrize("name", GAMES)
@pytest.mark.parametrize("beta,population", SETTINGS)
def test_small_mutation_limit_matches_egttools(name, beta, population):
    payoffs = GAMES[name]
    _game, pc = peer(payoffs, population)
    transition, fixation = egt.transition_and_fixation_matrix_sml(payoffs, beta, population)
    t_ref, f_ref = pc.calculate_transition_and_fixation_matrix_sml(beta)
    assert_fixation_close(fixation, f_ref)
    # Off the diagonal the transition matrix is fixation / (n - 1).
    np.testing.assert_allclose(transition, np.asarray(t_ref), rtol=1e-9, atol=EGTTOOLS_TRUNCATION)
    assert np.allclose(transition.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    stationary = egt.stationary_distribution_sml(payoffs, beta, population)
    reference = egttools.utils.calculate_stationary_distribution(np.asarray(t_ref).transpose())
    np.testing.assert_allclose(stationary, reference, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mu", [0.01, 0.1])
def test_full_chain_matches_egttools(mu):
    payoffs = GAMES["rps"]
    beta, population = 1.0, 10
    _game, pc = peer(payoffs, population)
    stationary, frequencies = egt.stationary_distribution(payoffs, beta, population, mu)
    transition = pc.calculate_transition_matrix(beta, mu)
    reference = egttools.utils.calculate_stationary_distribution(transition.transpose())
    np.testing.assert_allclose(stationary, reference, rtol=1e-6, atol=1e-12)
    assert frequencies.sum() == pytest.approx(1.0)
    assert stationary.shape == (egttools.calculate_nb_states(population, 3),)


def test_gradient_of_selection_matches_egttools():
    payoffs = GAMES["stag_hunt"]
    beta, population = 1.0, 30
    _game, pc = peer(payoffs, population)
    for cooperators in (1, 10, 20, 29):
        state = np.array([cooperators, population - cooperators], dtype=np.int64)
        ours = egt.gradient_of_selection(payoffs, state, beta, population)
        theirs = pc.calculate_gradient_of_selection(beta, state.astype(np.uint64))
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


def test_games_and_states_may_be_nested_lists():
    payoffs = GAMES["stag_hunt"]
    as_lists = egt.Game.matrix(payoffs.tolist(), ["stag", "hare"])
    assert as_lists.strategies == ["stag", "hare"]
    with pytest.raises(accord.GameError, match="strategies: 1 name"):
        egt.Game.matrix(payoffs.tolist(), ["stag"])
    as_integers = [[4, 0], [3, 2]]
    for game in (as_lists, payoffs.tolist(), as_integers, np.array(as_integers)):
        assert egt.fixation_probability(game, 0, 1, 1.0, 30) == egt.fixation_probability(payoffs, 0, 1, 1.0, 30)
    np.testing.assert_array_equal(
        egt.gradient_of_selection(payoffs, [10, 20], 1.0, 30),
        egt.gradient_of_selection(payoffs, np.array([10, 20], dtype=np.int64), 1.0, 30),
    )


def test_models_and_monte_carlo():
    catalogue = egt.models()
    assert "dsair" in catalogue and "p_r" in catalogue["dsair"]["parameters"]
    game = egt.Game.model("dsair", p_r=0.6)
    assert game.strategies == ["AS", "AU"]
    estimate = egt.monte_carlo_stationary(GAMES["stag_hunt"], 1.0, 20, 0.05, runs=8, recorded_steps=2000, transient_steps=100, seed=7)
    again = egt.monte_carlo_stationary(GAMES["stag_hunt"], 1.0, 20, 0.05, runs=8, recorded_steps=2000, transient_steps=100, seed=7)
    np.testing.assert_array_equal(estimate["strategy_frequencies"], again["strategy_frequencies"])
    assert estimate["strategy_frequencies"].sum() == pytest.approx(1.0)


def test_errors_are_accord_exceptions_with_the_library_message():
    with pytest.raises(accord.GameError, match="unknown"):
        egt.Game.model("no-such-model")
    with pytest.raises(accord.GameError):
        egt.fixation_probability(np.ones((2, 3)), 0, 1, 1.0, 10)
    with pytest.raises(accord.DynamicsError):
        egt.stationary_distribution(GAMES["rps"], 1.0, 10, 2.0)
    assert issubclass(accord.DynamicsError, accord.AccordError)
