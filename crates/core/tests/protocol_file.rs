//! The protocol file: the shipped examples parse, and every kind of mistake
//! gets an error naming its line, field and what was expected.

use accord_core::parse_protocol;

fn examples(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../examples/protocols/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn shipped_protocols_parse() {
    let global = parse_protocol(&examples("global-protocol.toml")).unwrap();
    for (name, on) in [
        ("credits", global.credits.enabled),
        ("pacts", global.pacts.enabled),
        ("liability", global.liability.enabled),
        ("information_sharing", global.information_sharing.enabled),
        ("commitments", global.commitments.enabled),
        ("compute", global.compute.enabled),
        ("transparency", global.transparency.enabled),
        ("announcements", global.announcements.enabled),
        ("monitoring", global.monitoring.enabled),
        ("early_warning", global.early_warning.enabled),
        ("whistleblower", global.whistleblower.enabled),
        ("sanctions", global.sanctions.enabled),
        ("leaderboard", global.leaderboard.enabled),
    ] {
        assert!(on, "{name} should be on in the global protocol");
    }
    let minimal = parse_protocol(&examples("minimal.toml")).unwrap();
    assert!(!minimal.credits.enabled && !minimal.monitoring.enabled && !minimal.sanctions.enabled);
}

fn error_for(text: &str) -> accord_core::validate::FileError {
    let errors = parse_protocol(text).expect_err("should be rejected");
    errors.0.into_iter().next().unwrap()
}

const HEADER: &str = "[protocol]\nname = \"t\"\nformat = 1\n";

#[test]
fn quorum_larger_than_the_panel() {
    let error = error_for(&format!(
        "{HEADER}[monitoring]\nenabled = true\nmonitors = 2\nquorum = 3\n"
    ));
    assert_eq!(error.field.as_deref(), Some("monitoring.quorum"));
    assert_eq!(error.line, 7);
    assert!(
        error.message.contains("between 1 and the panel size 2"),
        "{error}"
    );
}

#[test]
fn fraction_outside_unit_interval() {
    let error = error_for(&format!("{HEADER}[liability]\npayout_fraction = 1.5\n"));
    assert_eq!(
        (error.field.as_deref(), error.line),
        (Some("liability.payout_fraction"), 5)
    );
    assert!(error.message.contains("[0, 1]"), "{error}");
}

#[test]
fn unknown_mechanism() {
    let error = error_for(&format!("{HEADER}[carbon_tax]\nenabled = true\n"));
    assert_eq!(error.line, 4);
    assert!(
        error.message.contains("carbon_tax") && error.message.contains("credits"),
        "{error}"
    );
}

#[test]
fn unknown_field_inside_a_section() {
    let error = error_for(&format!(
        "{HEADER}[credits]\nenabled = true\ncredit_per_unit = 3\n"
    ));
    assert_eq!(error.line, 6);
    assert!(error.message.contains("credit_per_unit"), "{error}");
}

#[test]
fn wrong_type_names_the_field() {
    let error = error_for(&format!("{HEADER}[monitoring]\nquorum = \"two\"\n"));
    assert_eq!(error.line, 5);
    assert_eq!(error.field.as_deref(), Some("monitoring.quorum"), "{error}");
}

#[test]
fn bad_format_version_and_missing_name() {
    let errors = parse_protocol("[protocol]\nname = \"\"\nformat = 2\n").unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.clone().unwrap()).collect();
    assert!(
        fields.contains(&"protocol.format".to_string())
            && fields.contains(&"protocol.name".to_string()),
        "{errors}"
    );
}

#[test]
fn array_elements_are_located() {
    let text = format!(
        "{HEADER}[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"a\"\nthreshold = 2\ndeadline_period = 1\n[[pacts.pact]]\nid = \"a\"\nthreshold = 0\ndeadline_period = 1\n"
    );
    let errors = parse_protocol(&text).unwrap_err();
    let duplicate = errors
        .0
        .iter()
        .find(|e| e.field.as_deref() == Some("pacts.pact[1].id"))
        .expect("duplicate id reported");
    assert_eq!(duplicate.line, 11);
    let zero = errors
        .0
        .iter()
        .find(|e| e.field.as_deref() == Some("pacts.pact[1].threshold"))
        .expect("zero threshold reported");
    assert_eq!(zero.line, 12);
}

#[test]
fn detector_needs_a_threshold() {
    let text = format!(
        "{HEADER}[[early_warning.metric]]\nname = \"x\"\nbunching = {{ bin_width = 0.1, window_below = 0.3, max_window_above = 0.5, fit_range = 2.0, polynomial_order = 5, bootstrap_replicates = 100, min_reports = 10 }}\n"
    );
    let error = error_for(&text);
    assert_eq!(
        error.field.as_deref(),
        Some("early_warning.metric[0].bunching")
    );
    assert_eq!(error.line, 6);
}

#[test]
fn credit_threshold_without_credits() {
    let error = error_for(&format!(
        "{HEADER}[compute]\nenabled = true\ncredit_threshold = 5\n"
    ));
    assert_eq!(error.field.as_deref(), Some("compute.credit_threshold"));
    assert!(error.message.contains("[credits]"), "{error}");
}

#[test]
fn schema_describes_every_section() {
    let schema = serde_json::to_value(schemars::schema_for!(accord_core::Protocol)).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for section in [
        "protocol",
        "credits",
        "pacts",
        "monitoring",
        "early_warning",
        "sanctions",
        "leaderboard",
        "compute",
    ] {
        assert!(properties.contains_key(section), "schema lacks {section}");
    }
}

/// Files that parse but cannot work as a protocol (issue 9, items 7, 8, 12, 14, 16).
#[test]
fn settings_that_cannot_work_are_refused() {
    for (body, field, words) in [
        (
            "[monitoring]\nenabled = true\nmonitors = 5\nquorum = 2\n",
            "monitoring.quorum",
            "minority",
        ),
        (
            "[credits]\nenabled = true\nmax_credits_per_period = 18446744073709551615\n",
            "credits.max_credits_per_period",
            "at most",
        ),
        (
            "[credits]\nenabled = true\n[liability]\nenabled = true\nbase_premium_credits = 0\n",
            "liability.base_premium_credits",
            "never pays",
        ),
        (
            "[credits]\nenabled = true\n[compute]\nenabled = true\ncredit_threshold = 10\n",
            "compute.credit_threshold",
            "monitoring",
        ),
        (
            "[credits]\nsurrender_per_period = 10\n",
            "credits.surrender_per_period",
            "[credits] enabled",
        ),
        (
            "[credits]\nenabled = true\nsurrender_per_period = 10\n",
            "credits.surrender_per_period",
            "monitoring",
        ),
        (
            "[credits]\nenabled = true\nmax_credits_per_period = 99\nsurrender_per_period = 100\n[monitoring]\nenabled = true\n",
            "credits.surrender_per_period",
            "earns at most 99",
        ),
        (
            "[sanctions]\nenabled = true\n[[sanctions.ladder]]\nname = \"out\"\nexpels = true\n[[sanctions.ladder]]\nname = \"fine\"\n",
            "sanctions.ladder[0].expels",
            "top rung",
        ),
        (
            "[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\nthreshold = 2\ndeadline_period = 0\n",
            "pacts.pact[0].deadline_period",
            "after period 0",
        ),
        (
            "[commitments]\nenabled = true\nmax_per_participant = 0\n",
            "commitments.max_per_participant",
            "expected 1 to",
        ),
        (
            "[monitoring]\naudit_window_periods = 4000000000\n",
            "monitoring.audit_window_periods",
            "fewer than",
        ),
    ] {
        let error = error_for(&format!("{HEADER}{body}"));
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert!(error.message.contains(words), "{error}");
    }
}

/// Amounts the state charges as obligations are bounded like an event's,
/// so a debt can never saturate and swallow later charges.
#[test]
fn credit_amounts_charged_by_the_file_are_bounded() {
    for (body, field) in [
        (
            "[sanctions]\nenabled = true\n[[sanctions.ladder]]\nname = \"warning\"\n[[sanctions.ladder]]\nname = \"fine\"\nfine_credits = 18446744073709551615\n",
            "sanctions.ladder[1].fine_credits",
        ),
        (
            "[commitments]\nenabled = true\ndefault_compensation_credits = 1000000000001\n",
            "commitments.default_compensation_credits",
        ),
    ] {
        let error = error_for(&format!("{HEADER}[credits]\nenabled = true\n{body}"));
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert_eq!(error.line, 5 + body.lines().count(), "{error}");
        assert!(
            error.message.contains("at most 1000000000000 credits"),
            "{error}"
        );
    }
    let at_the_bound = format!(
        "{HEADER}[credits]\nenabled = true\n[commitments]\nenabled = true\ndefault_compensation_credits = 1000000000000\n"
    );
    assert!(parse_protocol(&at_the_bound).is_ok());
}

#[test]
fn a_missing_section_is_named_as_the_field() {
    let error = error_for("[credits]\nenabled = true\n");
    assert_eq!(error.field.as_deref(), Some("protocol"), "{error}");
    let error = error_for(&format!(
        "{HEADER}[pacts]\nenabled = true\n[[pacts.pact]]\nid = \"p\"\ndeadline_period = 3\n"
    ));
    assert_eq!(
        error.field.as_deref(),
        Some("pacts.pact[0].threshold"),
        "{error}"
    );
}

/// Found by an outside review: a file whose first line opens the table
/// missing the field named the field alone, not its table.
#[test]
fn a_missing_field_of_the_first_table_is_named_with_its_table() {
    #[derive(serde::Deserialize, Debug)]
    struct Lab {
        #[allow(dead_code)]
        cost_slope: f64,
    }
    #[derive(serde::Deserialize, Debug)]
    struct Market {
        #[allow(dead_code)]
        lab: Vec<Lab>,
    }
    for (text, field) in [
        ("[[lab]]\nname = 1\n", "lab[0].cost_slope"),
        ("[[lab]]\ncost_slope = 1\n[[lab]]\n", "lab[1].cost_slope"),
    ] {
        let errors = accord_core::validate::parse_located::<Market>(text, |_| Vec::new())
            .expect_err("a field is missing");
        assert_eq!(errors.0[0].field.as_deref(), Some(field), "{errors}");
    }
}

#[test]
fn a_metric_role_belongs_to_one_metric() {
    let error = error_for(&format!(
        "{HEADER}[[early_warning.metric]]\nname = \"a\"\nrole = \"training_compute\"\n[[early_warning.metric]]\nname = \"b\"\nrole = \"training_compute\"\n"
    ));
    assert_eq!(error.field.as_deref(), Some("early_warning.metric[1].role"));
    assert_eq!(error.line, 9);
    assert!(error.message.contains("\"training_compute\""), "{error}");
    let unknown = error_for(&format!(
        "{HEADER}[[early_warning.metric]]\nname = \"a\"\nrole = \"flops\"\n"
    ));
    assert!(unknown.message.contains("training_compute"), "{unknown}");
}

/// Without credits nothing can settle a fine, compensation or a claim: a
/// protocol that charges them anyway is refused, naming the field.
#[test]
fn charges_in_credits_need_credits() {
    for (body, field) in [
        (
            "[sanctions]\nenabled = true\n[[sanctions.ladder]]\nname = \"fine\"\nfine_credits = 20\n",
            "sanctions.ladder[0].fine_credits",
        ),
        (
            "[commitments]\nenabled = true\ndefault_compensation_credits = 20\n",
            "commitments.default_compensation_credits",
        ),
        ("[liability]\nenabled = true\n", "liability.enabled"),
    ] {
        let error = error_for(&format!("{HEADER}{body}"));
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert!(error.message.contains("[credits]"), "{error}");
    }
    let warning_only =
        format!("{HEADER}[sanctions]\nenabled = true\n[[sanctions.ladder]]\nname = \"warning\"\n");
    assert!(accord_core::parse_protocol(&warning_only).is_ok());
}

/// Windows longer than the history the state keeps would be cut short silently.
#[test]
fn windows_beyond_the_kept_history_are_refused() {
    for (body, field) in [
        (
            "[credits]\nenabled = true\n[liability]\nenabled = true\nbase_premium_credits = 1\nrating_window_periods = 2000\n",
            "liability.rating_window_periods",
        ),
        (
            "[leaderboard]\nenabled = true\nwindow_periods = 2000\n",
            "leaderboard.window_periods",
        ),
    ] {
        let error = error_for(&format!("{HEADER}{body}"));
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert!(error.message.contains("at most 1024"), "{error}");
    }
}

#[test]
fn a_problem_with_a_field_the_file_leaves_out_is_located_at_its_table() {
    // `quorum` is not written; its table `[monitoring]` is, on line 4.
    let text = format!("{HEADER}[monitoring]\nenabled = true\nmonitors = 2\n");
    let errors = parse_protocol(&text).unwrap_err();
    let quorum = errors
        .0
        .iter()
        .find(|e| e.field.as_deref() == Some("monitoring.quorum"))
        .unwrap_or_else(|| panic!("quorum reported in {errors}"));
    assert_eq!(quorum.line, 4, "{quorum}");
}

#[test]
fn a_header_that_is_not_a_table_says_what_it_should_be() {
    let errors = parse_protocol("protocol = \"B\"\n").unwrap_err();
    let text = errors.to_string();
    assert!(
        text.contains("a table such as { name = \"My protocol\", format = 1 }"),
        "{text}"
    );
    assert!(!text.contains("Meta"), "{text}");
}
