//! The world file: validation errors and lab heterogeneity.

use accord_core::parse_protocol;
use accord_sim::strategy::Strategy;
use accord_sim::{RunOptions, World, run};

#[test]
fn shipped_world_parses() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/worlds/frontier-labs.toml"
    ))
    .unwrap();
    let world = World::parse(&text).unwrap();
    assert_eq!(world.lab_count(), 6);
    // The timing example is that world plus one committed safety-first lab.
    let timeline = World::parse(include_str!("../../../examples/worlds/timeline.toml")).unwrap();
    assert_eq!(timeline.lab_count(), 7);
    assert_eq!(timeline.lab[..4], world.lab[..]);
    assert!(timeline.lab[4].committed && timeline.lab[4].name == "safety-first");
}

#[test]
fn errors_name_line_and_field() {
    let error = World::parse(
        "[world]\nname = \"w\"\n[monitors]\ndetection = [0.5, 1.5]\n[[lab]]\nname = \"a\"\n",
    )
    .unwrap_err();
    assert_eq!(
        (error.0[0].line, error.0[0].field.as_deref()),
        (4, Some("monitors.detection"))
    );
    let error =
        World::parse("[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\n[[lab]]\nname = \"a\"\n")
            .unwrap_err();
    assert_eq!(error.0[0].field.as_deref(), Some("lab[1].name"));
    assert_eq!(error.0[0].line, 6);
    let error =
        World::parse("[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\nbudget = -1.0\n").unwrap_err();
    assert_eq!(error.0[0].field.as_deref(), Some("lab[0].budget"));
    let error =
        World::parse("[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\nvelocity = 2\n").unwrap_err();
    assert!(error.0[0].message.contains("velocity"), "{}", error.0[0]);
    let error = World::parse(
        "stage = \"matrix\"\n[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\ncount = 2\n",
    )
    .unwrap_err();
    assert!(error.0[0].message.contains("[matrix]"));
    // The evaluation fixes every run's generations, so sampling them would change nothing.
    let error = World::parse(
        "[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\n[uncertainty]\n\"learning.generations\" = [10, 30]\n",
    )
    .unwrap_err();
    assert_eq!(
        error.0[0].field.as_deref(),
        Some("uncertainty.learning.generations")
    );
    // A range must stay inside its field's domain at both ends.
    let error = World::parse(
        "[world]\nname = \"w\"\n[[lab]]\nname = \"a\"\n[uncertainty]\n\"race.disaster_probability\" = [0.3, 1.7]\n",
    )
    .unwrap_err();
    assert_eq!(
        (error.0[0].line, error.0[0].field.as_deref()),
        (6, Some("uncertainty.race.disaster_probability"))
    );
    assert!(error.0[0].message.contains("1.7"), "{}", error.0[0]);
    // Whole-number fields are tried at every value the sampler can draw, not
    // only the ends: a small-world degree must be even (found by an outside
    // review: evaluate stopped at its robustness step on degree 3).
    let network = "[network]\nkind = \"small_world\"\ndegree = 2\nrewiring = 0.3\n";
    let error = World::parse(&format!(
        "[world]\nname = \"w\"\n{network}[[lab]]\nname = \"a\"\ncount = 8\n[uncertainty]\n\"network.degree\" = [2, 6]\n"
    ))
    .unwrap_err();
    assert_eq!(
        error.0[0].field.as_deref(),
        Some("uncertainty.network.degree")
    );
    assert!(error.0[0].message.contains("even"), "{}", error.0[0]);
    // A NaN is blamed on its own field, not on the uncertain ones.
    let error = World::parse(
        "[world]\nname = \"w\"\n[norms]\npraise_weight = nan\n[[lab]]\nname = \"a\"\n[uncertainty]\n\"economy.leakage\" = [0.1, 0.3]\n",
    )
    .unwrap_err();
    assert_eq!(error.0.len(), 1, "{error:?}");
    assert_eq!(
        (error.0[0].line, error.0[0].field.as_deref()),
        (4, Some("norms.praise_weight"))
    );
    // Each of two related fields is named on its own line; a credit worth
    // more than any payoff could hold is refused.
    for (section, line, field) in [
        (
            "[pact]\nsignal_precision = 1.0\nprior_precision = 0.0",
            5,
            "pact.prior_precision",
        ),
        (
            "[economy]\ncompute_per_speed = 6e24\ncompute_growth_per_generation = 0.0",
            5,
            "economy.compute_growth_per_generation",
        ),
        ("[economy]\ncredit_value = 1e308", 4, "economy.credit_value"),
    ] {
        let error = World::parse(&format!(
            "[world]\nname = \"w\"\n{section}\n[[lab]]\nname = \"a\"\n"
        ))
        .unwrap_err();
        assert_eq!(error.0.len(), 1, "{error:?}");
        assert_eq!(
            (error.0[0].line, error.0[0].field.as_deref()),
            (line, Some(field))
        );
    }
    for (race, field, message) in [
        ("format = \"groups\"", "race.format", "needs a group_size"),
        (
            "format = \"groups\"\ngroup_size = 1",
            "race.group_size",
            "expected 2 to",
        ),
        (
            "format = \"pairwise\"\ngroup_size = 4",
            "race.group_size",
            "only with format = \"groups\"",
        ),
        (
            "[network]\nkind = \"small_world\"\ndegree = 3\nrewiring = 0.1",
            "network.degree",
            "expected an even degree",
        ),
        (
            "[network]\nkind = \"edges\"\nedges = [\n  [\"a\", \"b\"],\n]",
            "network.edges[0]",
            "no lab has the id \"b\"",
        ),
        // Another kind's field on a complete network is refused, not ignored.
        (
            "[network]\nkind = \"complete\"\ndegree = 4",
            "network",
            "unknown field `degree`",
        ),
    ] {
        let error = World::parse(&format!(
            "[world]\nname = \"w\"\n[race]\n{race}\n[[lab]]\nname = \"a\"\n"
        ))
        .unwrap_err();
        assert_eq!(error.0[0].field.as_deref(), Some(field));
        assert!(error.0[0].message.contains(message), "{}", error.0[0]);
        assert!(error.0[0].line >= 4, "{}", error.0[0]);
    }
}

#[test]
fn names_that_give_the_same_or_an_overlong_lab_id_are_rejected() {
    let error = World::parse(
        "[world]\nname = \"w\"\n[[lab]]\nname = \"x\"\ncount = 2\n[[lab]]\nname = \"x-1\"\n",
    )
    .unwrap_err();
    assert_eq!(error.0[0].field.as_deref(), Some("lab[1].name"));
    assert!(error.0[0].message.contains("\"x-1\""), "{}", error.0[0]);
    let error = World::parse(
        "[world]\nname = \"w\"\n[[lab]]\nname = \"Lab A\"\n[[lab]]\nname = \"Lab/A\"\n",
    )
    .unwrap_err();
    assert!(
        error.0[0].message.contains("lab[0] also gets"),
        "{}",
        error.0[0]
    );
    let error = World::parse("[world]\nname = \"w\"\n[[lab]]\nname = \"monitor\"\ncount = 2\n")
        .unwrap_err();
    assert!(error.0[0].message.contains("reserved"), "{}", error.0[0]);
    let long = "n".repeat(60);
    let error = World::parse(&format!(
        "[world]\nname = \"w\"\n[[lab]]\nname = \"{long}\"\ncount = 1000\n"
    ))
    .unwrap_err();
    assert!(
        error.0[0].message.contains("longer than 64"),
        "{}",
        error.0[0]
    );
}

#[test]
fn a_short_safety_budget_forces_unsafe_periods() {
    // c = 1 and a budget of 0.4: a lab that means to develop safely can fund it in 40% of periods,
    // so its disasters come at about p_r × 0.6 per race.
    let world = World::parse(
        "[world]\nname = \"budget\"\n[race]\nmilestone = 20.0\ndisaster_probability = 0.5\ncollective_setback = 0.0\n[learning]\nrule = \"fixed\"\ngenerations = 3000\n[[lab]]\nname = \"poor\"\nbudget = 0.4\n[[lab]]\nname = \"rich\"\n",
    )
    .unwrap();
    let off = parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
    let result = run(
        &world,
        &off,
        &RunOptions {
            seed: 4,
            record: true,
            strategies: Some(vec![Strategy::COMPLY; 2]),
            fixed: true,
            ..RunOptions::default()
        },
    );
    let disasters = |lab: &str| {
        result
            .labs
            .iter()
            .filter(|r| r.lab == lab)
            .map(|r| r.disaster_probability)
            .sum::<f64>()
            / 3000.0
    };
    assert!(
        (disasters("poor") - 0.3).abs() < 0.04,
        "{}",
        disasters("poor")
    );
    assert_eq!(disasters("rich"), 0.0);
}

#[test]
fn expected_realisation_reports_the_probability_of_a_disaster() {
    // Four labs, all unsafe, p_r = 0.5: each causes a disaster with probability
    // 0.5, so a generation has at least one with probability 1 − 0.5⁴. The
    // population shortcut (pairwise races) and racing all labs together agree.
    let off = parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
    for format in ["pairwise", "all"] {
        let world = World::parse(&format!(
            "[world]\nname = \"risk\"\n[race]\nformat = \"{format}\"\nrealisation = \"expected\"\ndisaster_probability = 0.5\n[learning]\nrule = \"fixed\"\ngenerations = 4\n[[lab]]\nname = \"lab\"\ncount = 4\ninitial = {{ development = \"unsafe\", reporting = \"honest\" }}\n"
        ))
        .unwrap();
        let result = run(&world, &off, &RunOptions::default());
        assert!(
            (result.disaster_rate - (1.0 - 0.5f64.powi(4))).abs() < 1e-12,
            "{format}: {}",
            result.disaster_rate
        );
    }
}

#[test]
fn committed_labs_never_revise() {
    // Everyone explores every revision, yet the committed safety-first labs
    // keep their strategy; the others do change.
    let world = World::parse(
        "[world]\nname = \"w\"\n[learning]\nrule = \"imitation\"\nexploration = 1.0\ngenerations = 30\nrevisions_per_generation = 4\n[[lab]]\nname = \"first\"\ncount = 3\ncommitted = true\ninitial = { development = \"safe\", reporting = \"honest\" }\n[[lab]]\nname = \"rest\"\ncount = 5\ninitial = { development = \"unsafe\", reporting = \"honest\" }\n",
    )
    .unwrap();
    let protocol = accord_core::parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
    let result = accord_sim::run(
        &world,
        &protocol,
        &accord_sim::RunOptions {
            record: true,
            ..Default::default()
        },
    );
    for record in &result.labs {
        if record.lab.starts_with("first") {
            assert_eq!(record.strategy, "safe/honest", "{record:?}");
        }
    }
    assert!(
        result
            .labs
            .iter()
            .any(|r| r.lab.starts_with("rest") && r.strategy != "unsafe/honest"),
        "uncommitted labs explore"
    );
}

#[test]
fn no_lab_is_better_off_for_a_disaster() {
    // Nine safe labs whose safety cost exceeds their share of the benefits
    // (no prize, c = 3), and one racer: the safe labs' race payoffs are negative.
    // A disaster destroys gains, never costs, so raising p_r can only lower
    // every payoff and welfare, under both realisations and in pairwise
    // races (the population shortcut) as in one race of all.
    let off = parse_protocol("[protocol]\nname = \"off\"\nformat = 1\n").unwrap();
    for (format, realisation) in [
        ("all", "expected"),
        ("pairwise", "expected"),
        ("all", "sampled"),
    ] {
        let outcome = |p_r: f64| {
            let world = World::parse(&format!(
                "[world]\nname = \"losses\"\n[race]\nformat = \"{format}\"\nrealisation = \"{realisation}\"\nprize = 0.0\nsafety_cost = 3.0\ncollective_setback = 0.5\ndisaster_probability = {p_r}\n[learning]\nrule = \"fixed\"\ngenerations = 4\n[[lab]]\nname = \"careful\"\ncount = 9\ninitial = {{ development = \"safe\", reporting = \"honest\" }}\n[[lab]]\nname = \"racer\"\ninitial = {{ development = \"unsafe\", reporting = \"honest\" }}\n"
            ))
            .unwrap();
            run(&world, &off, &RunOptions::default())
        };
        let runs: Vec<_> = [0.0, 0.25, 0.5, 0.75, 1.0].map(outcome).into();
        assert!(
            runs[0].mean_payoff[0] < 0.0,
            "the careful labs lose money: {:?}",
            runs[0].mean_payoff
        );
        for pair in runs.windows(2) {
            assert!(
                pair[1].welfare <= pair[0].welfare + 1e-12,
                "{format}, {realisation}: welfare {} then {}",
                pair[0].welfare,
                pair[1].welfare
            );
            for lab in 0..10 {
                assert!(
                    pair[1].mean_payoff[lab] <= pair[0].mean_payoff[lab] + 1e-12,
                    "{format}, {realisation}: lab {lab} gains from a riskier race"
                );
            }
        }
        // A safe lab's losses are its own whatever the racer's fate.
        assert_eq!(runs[4].mean_payoff[0], runs[0].mean_payoff[0]);
    }
}

#[test]
fn uncertainty_keys_naming_lab_fields_are_located_at_their_line() {
    let frontier = include_str!("../../../examples/worlds/frontier-labs.toml");
    let at = frontier.find("[uncertainty]").unwrap();
    let text = format!(
        "{}[uncertainty]\n\"lab[0].speed\" = [-1.0, 1.0]\n",
        &frontier[..at]
    );
    let line = text.lines().count();
    let errors = World::parse(&text).unwrap_err();
    let error = errors
        .0
        .iter()
        .find(|e| e.field.as_deref() == Some("uncertainty.lab[0].speed"))
        .unwrap_or_else(|| panic!("no error at the range in {errors:?}"));
    assert_eq!(error.line, line, "{error}");
}
