//! End-to-end tests of `accord market`.

mod common;

use common::{fail, repo, succeed, tempdir};
use serde_json::Value;

#[test]
fn the_shipped_market_clears_at_montgomerys_price_with_every_obligation_met() {
    let output: Value = serde_json::from_str(&succeed(&["market", "--json"], "2")).unwrap();
    // Five labs of slopes 0.5 … 8 owe 100 credits each: λ = 500 / (2 + 1 + ½ + ¼ + ⅛).
    let price = 500.0 / 3.875;
    for period in output["periods"].as_array().unwrap() {
        assert!((period["price_per_credit"].as_f64().unwrap() - price).abs() < 1e-9);
        assert!(!period["trades"].as_array().unwrap().is_empty());
    }
    for lab in output["labs"].as_array().unwrap() {
        assert_eq!(lab["credits_owed"], 0, "{lab}");
    }
    assert_eq!(output["credits_burned"], 2000);
    assert_eq!(output["events_rejected"], 0);
    let text = succeed(&["market"], "2");
    assert!(text.contains("Montgomery"), "{text}");
    // The explicit files are the defaults.
    let explicit: Value = serde_json::from_str(&succeed(
        &[
            "market",
            repo("examples/protocols/credit-market.toml")
                .to_str()
                .unwrap(),
            "--labs",
            repo("examples/markets/frontier-labs.toml")
                .to_str()
                .unwrap(),
            "--json",
        ],
        "1",
    ))
    .unwrap();
    assert_eq!(explicit, output);
}

#[test]
fn a_bad_market_file_is_named_with_its_line_and_field() {
    let dir = tempdir("market", "bad-file");
    let file = dir.join("labs.toml");
    std::fs::write(
        &file,
        "[[lab]]\nname = \"a\"\ncost_slope = 1.0\n\n[[lab]]\nname = \"b\"\ncost_slope = 0\n",
    )
    .unwrap();
    let error = fail(&["market", "--labs", file.to_str().unwrap()]);
    assert!(error.contains("labs.toml: line 7"), "{error}");
    assert!(error.contains("lab[1].cost_slope"), "{error}");
    let error = fail(&[
        "market",
        repo("examples/protocols/minimal.toml").to_str().unwrap(),
    ]);
    assert!(error.contains("surrender_per_period"), "{error}");
}
