//! Two independent computations agree: the symmetric Nash equilibria of a
//! two-strategy N-player game (roots of its gain function, `accord-games`)
//! and the interior rest points of its replicator dynamics with their
//! stability (`accord-dynamics`, face by face with eigenvalues).

use accord_dynamics::replicator::{Stability, rest_points};
use accord_games::equilibrium::symmetric_group_equilibria;
use accord_games::{Game, GroupGame, models};
use proptest::prelude::*;

fn compare(game: &GroupGame) {
    let equilibria = symmetric_group_equilibria(game).unwrap();
    let interior: Vec<_> = equilibria
        .iter()
        .filter(|e| e.probability > 0.0 && e.probability < 1.0)
        .collect();
    let wrapped: Game = game.clone().into();
    let mut rest: Vec<_> = rest_points(&wrapped)
        .unwrap()
        .into_iter()
        .filter(|r| r.support.len() == 2)
        .collect();
    rest.sort_by(|a, b| a.frequencies[0].total_cmp(&b.frequencies[0]));
    assert_eq!(interior.len(), rest.len(), "{equilibria:?} vs {rest:?}");
    for (e, r) in interior.iter().zip(&rest) {
        assert!(
            (e.probability - r.frequencies[0]).abs() < 1e-8,
            "{e:?} vs {r:?}"
        );
        if r.stability != Stability::NonHyperbolic {
            assert_eq!(e.stable, r.stability == Stability::Stable, "{e:?} vs {r:?}");
        }
    }
}

#[test]
fn collective_risk_dilemma_equilibria_are_the_replicator_rest_points() {
    let model = models::find("crd").unwrap();
    let Game::Group(game) = model.build(&model.defaults()).unwrap() else {
        panic!("the collective-risk dilemma is a group game");
    };
    compare(&game);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn random_group_games_agree(
        size in 2usize..=5,
        payoffs in proptest::collection::vec(-5.0f64..5.0, 12),
    ) {
        let game = GroupGame::from_fn(vec!["A".into(), "B".into()], size, |group, i| {
            payoffs[(group[0] * 2 + i) % payoffs.len()]
        })
        .unwrap();
        compare(&game);
    }
}
