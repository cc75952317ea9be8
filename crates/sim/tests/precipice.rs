//! Racing to the precipice in the simulator against the closed forms of
//! Armstrong, Bostrom and Shulman (2016) (`accord_games::precipice`), and
//! the invariances a race must keep.

use accord_core::Protocol;
use accord_games::precipice::{Information, Precipice};
use accord_sim::precipice::{
    DEFAULT_RACE, Policy, PrecipiceReport, Race, information_under, parse_race, run_precipice,
    run_precipice_in,
};

fn protocol(text: &str) -> Protocol {
    accord_core::parse_protocol(text).expect("a valid protocol")
}

fn minimal() -> Protocol {
    protocol(include_str!("../../../examples/protocols/minimal.toml"))
}

fn regime(
    report: &PrecipiceReport,
    information: Information,
) -> &accord_sim::precipice::RegimeOutcome {
    report
        .regimes
        .iter()
        .find(|r| r.information == information)
        .expect("every regime is reported")
}

/// Cases on both sides of the caps (`μ ≶ n·e`, `μ ≶ k`, `μ ≶ e`).
const CASES: [(usize, f64, f64); 4] = [(2, 1.0, 1.0), (3, 0.6, 0.8), (5, 1.0, 0.5), (2, 3.0, 0.5)];

/// Identical teams learn the paper's equilibria: with no information every
/// team's safety is within 0.01 of `s* = min(1, μ/(n·e))`; with private
/// information its `ρ` within 0.02 of `1/k = 1/(1 + (n − 1)·e)`, gaining
/// next to nothing outside the class; and the measured safety of the race
/// is within its interval widened by 0.01 of the closed form in every
/// regime. (Without enmity see `without_enmity_the_race_is_safe`.)
#[test]
fn identical_teams_learn_the_papers_equilibria() {
    for (n, mu, e) in CASES {
        let closed = Precipice::new(n, mu, e).unwrap();
        let report = run_precipice(&minimal(), &Race::identical(n, mu, e), 7).unwrap();
        let none = regime(&report, Information::None);
        assert!(
            none.settled,
            "n={n} μ={mu} e={e}: no information did not settle"
        );
        for team in &none.teams {
            let Policy::Constant { safety } = team.policy else {
                panic!("no information: one safety per team")
            };
            assert!(
                (safety - closed.no_information_safety()).abs() < 0.01,
                "n={n} μ={mu} e={e}: learned {safety}, s* = {}",
                closed.no_information_safety()
            );
        }
        let private = regime(&report, Information::Private);
        assert!(
            private.settled,
            "n={n} μ={mu} e={e}: private did not settle"
        );
        for outcome in &report.regimes {
            let expected = outcome.closed_form_safety.expect("identical teams");
            assert!(
                outcome.safety.low - 0.01 <= expected && expected <= outcome.safety.high + 0.01,
                "n={n} μ={mu} e={e} {:?}: measured {:?}, closed form {expected}",
                outcome.information,
                outcome.safety
            );
        }
        let k = 1.0 + (n - 1) as f64 * e;
        for team in &private.teams {
            let Policy::Proportional {
                rho,
                gain_outside_the_class,
            } = team.policy
            else {
                panic!("private information: safety in proportion to capability")
            };
            assert!(
                (rho - 1.0 / k).abs() < 0.02,
                "n={n} μ={mu} e={e}: learned ρ = {rho}, 1/k = {}",
                1.0 / k
            );
            assert!(
                gain_outside_the_class < 0.01,
                "n={n} μ={mu} e={e}: {gain_outside_the_class}"
            );
        }
    }
}

/// Where best responses move almost one for one with the others' (small
/// enmity, many teams) learning still reaches the fixed point (an outside
/// review found it stopping 0.01 short: ρ = 0.980 for 1/k = 0.990).
#[test]
fn learning_reaches_the_fixed_point_where_best_responses_crawl() {
    let regimes = [Information::None, Information::Private];
    let calm = run_precipice_in(&minimal(), &Race::identical(2, 1.0, 0.01), 1, &regimes).unwrap();
    for team in &regime(&calm, Information::Private).teams {
        let Policy::Proportional { rho, .. } = team.policy else {
            panic!("private information: safety in proportion to capability")
        };
        assert!((rho - 1.0 / 1.01).abs() < 0.002, "ρ = {rho}");
    }
    let crowded =
        run_precipice_in(&minimal(), &Race::identical(10, 1.0, 1.0), 7, &regimes).unwrap();
    for team in &regime(&crowded, Information::None).teams {
        let Policy::Constant { safety } = team.policy else {
            panic!("no information: one safety per team")
        };
        assert!((safety - 0.1).abs() < 0.002, "s = {safety}");
    }
    for report in [&calm, &crowded] {
        assert!(report.regimes.iter().all(|r| r.settled));
    }
}

/// Narrow races (teams of nearly equal capability, the paper's most
/// dangerous case): with no information the equilibrium safety
/// `s* = μ/(n·e)` is of the spread's order, far below the start at full
/// safety, and learning gets there, to 3% of it (an outside review found
/// these races reported fully safe, some "settled" at once, others
/// unsettled after 400 rounds).
#[test]
fn narrow_races_learn_their_tiny_equilibrium_safety() {
    let narrow = [
        (2, 1e-6, 1.0),
        (2, 1e-4, 1.0),
        (2, 0.003, 1.0),
        (2, 0.001, 0.5),
        (5, 0.001, 1.0),
        (2, 1e-4, 0.001),
    ];
    for (n, mu, e) in narrow {
        let expected = Precipice::new(n, mu, e).unwrap().no_information_safety();
        let report = run_precipice_in(
            &minimal(),
            &Race::identical(n, mu, e),
            3,
            &[Information::None],
        )
        .unwrap();
        let none = regime(&report, Information::None);
        assert!(none.settled, "n={n} μ={mu} e={e}: did not settle");
        for team in &none.teams {
            let Policy::Constant { safety } = team.policy else {
                panic!("no information: one safety per team")
            };
            assert!(
                (safety / expected - 1.0).abs() < 0.03,
                "n={n} μ={mu} e={e}: learned {safety}, s* = {expected}"
            );
        }
        assert!(
            (none.safety.mean / expected - 1.0).abs() < 0.03,
            "n={n} μ={mu} e={e}: race safety {:?}, s* = {expected}",
            none.safety
        );
    }
    // Spreads far apart: each team settles to its own spread's tolerance.
    let mixed = parse_race(
        "[[team]]\nname = \"wide\"\ncapability_spread = 1.0\nenmity = 1.0\n\n[[team]]\nname = \"narrow\"\ncapability_spread = 1e-4\nenmity = 1.0\n",
    )
    .unwrap();
    let report = run_precipice_in(&minimal(), &mixed, 3, &[Information::None]).unwrap();
    assert!(regime(&report, Information::None).settled, "{report:?}");
}

/// The paper's headline, in the simulator: information about capabilities
/// lowers the race's safety, and more teams lower it further.
#[test]
fn information_and_more_teams_make_the_race_more_dangerous() {
    let reports: Vec<PrecipiceReport> = [2, 4]
        .into_iter()
        .map(|n| run_precipice(&minimal(), &Race::identical(n, 1.0, 0.8), 3).unwrap())
        .collect();
    for report in &reports {
        let none = regime(report, Information::None).safety;
        for informed in [Information::Private, Information::Public] {
            assert!(
                regime(report, informed).safety.high < none.low,
                "{} teams: {informed:?}",
                report.race.team.len()
            );
        }
    }
    let none = |report| regime(report, Information::None).safety;
    assert!(none(&reports[1]).high < none(&reports[0]).low);
}

/// Metric reports made public, by information sharing or on the log, make
/// capabilities public; anything else leaves each lab its own.
#[test]
fn the_protocol_decides_what_teams_know() {
    let base = include_str!("../../../examples/protocols/global-protocol.toml");
    assert_eq!(information_under(&protocol(base)).0, Information::Private);
    let shared = base.replace(
        r#"public_reports = ["investment", "audit", "incident"]"#,
        r#"public_reports = ["investment", "metric", "audit", "incident"]"#,
    );
    assert_eq!(information_under(&protocol(&shared)).0, Information::Public);
    let logged = base.replace(
        r#"published = ["register","#,
        r#"published = ["report", "register","#,
    );
    assert_ne!(logged, base);
    assert_eq!(information_under(&protocol(&logged)).0, Information::Public);
    let off = shared.replace(
        "[information_sharing]\nenabled = true",
        "[information_sharing]\nenabled = false",
    );
    assert_ne!(off, shared);
    assert_eq!(information_under(&protocol(&off)).0, Information::Private);
    // Publishing metric reports reveals nothing when no metric measures
    // capability: without early warning there are no such reports.
    let unmeasured = shared.replace(
        "[early_warning]\nenabled = true",
        "[early_warning]\nenabled = false",
    );
    assert_ne!(unmeasured, shared);
    assert_eq!(
        information_under(&protocol(&unmeasured)).0,
        Information::Private
    );
}

/// Renaming and reordering teams changes nothing but the labels; the same
/// seed gives the same report.
#[test]
fn the_race_does_not_depend_on_the_teams_order_or_names_beyond_the_draws() {
    let race = parse_race(DEFAULT_RACE).unwrap();
    let first = run_precipice(&minimal(), &race, 11).unwrap();
    assert_eq!(first, run_precipice(&minimal(), &race, 11).unwrap());
    // Reversed order draws each team's capabilities from other positions of
    // the stream, so outcomes agree within sampling error, team by team.
    let mut reversed = race.clone();
    reversed.team.reverse();
    let second = run_precipice(&minimal(), &reversed, 11).unwrap();
    for (a, b) in first.regimes.iter().zip(&second.regimes) {
        assert!(
            (a.safety.mean - b.safety.mean).abs() < 0.01,
            "{:?}: {} against {}",
            a.information,
            a.safety.mean,
            b.safety.mean
        );
        for team in &a.teams {
            let other = b.teams.iter().find(|t| t.name == team.name).unwrap();
            assert!(
                (team.win_share - other.win_share).abs() < 0.01,
                "{}",
                team.name
            );
        }
    }
}

/// Teams that do not mind losing never race without information, nor when
/// every capability is public. (With private information the class
/// `min(1, ρ·c)` creeps towards `ρ = 1`, the limit `e → 0⁺` of the paper's
/// `1/k`, while the closed form reports full safety, the most favourable of
/// the equilibria at `e = 0`; `accord_games::precipice` explains the jump.)
#[test]
fn without_enmity_the_race_is_safe() {
    let mut race = parse_race(DEFAULT_RACE).unwrap();
    for team in &mut race.team {
        team.enmity = 0.0;
    }
    let regimes = [Information::None, Information::Public];
    let report = run_precipice_in(&minimal(), &race, 5, &regimes).unwrap();
    assert_eq!(report.regimes.len(), 2);
    for outcome in &report.regimes {
        assert_eq!(outcome.safety.mean, 1.0, "{:?}", outcome.information);
    }
}

#[test]
fn bad_race_files_name_the_line_and_field() {
    let errors = parse_race("[[team]]\nname = \"a\"\ncapability_spread = 1.0\nenmity = 1.5\n")
        .unwrap_err()
        .to_string();
    assert!(errors.contains("team"), "{errors}");
    assert!(errors.contains("2 to 64"), "{errors}");
    let errors = parse_race(
        "[[team]]\nname = \"a\"\ncapability_spread = 1.0\nenmity = 1.5\n\n[[team]]\nname = \"a\"\ncapability_spread = 0\nenmity = 0.5\n",
    )
    .unwrap_err()
    .to_string();
    for expected in [
        "team[0].enmity",
        "team[1].name",
        "team[1].capability_spread",
        "line 4",
        "line 7",
    ] {
        assert!(
            errors.contains(expected),
            "{expected} missing from {errors}"
        );
    }
}
