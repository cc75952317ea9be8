//! End-to-end tests of `accord games`: each classic model answers from the
//! command line with the published value.

use serde_json::Value;
use std::process::Command;

fn json(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("games")
        .args(args)
        .arg("--json")
        .output()
        .expect("run accord");
    assert!(
        output.status.success(),
        "accord games {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn error(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("games")
        .args(args)
        .output()
        .expect("run accord");
    assert!(
        !output.status.success(),
        "accord games {args:?} should fail"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn float(value: &Value) -> f64 {
    value.as_f64().expect("number")
}

#[test]
fn global_game_thresholds_and_multiplicity() {
    let unique = json(&["global-game"]);
    assert_eq!(unique["unique"], true);
    assert_eq!(unique["thresholds"].as_array().unwrap().len(), 1);
    let several = json(&[
        "global-game",
        "--prior-mean",
        "0.5",
        "--prior-precision",
        "6",
        "--signal-precision",
        "1",
        "--cost",
        "0.5",
    ]);
    assert_eq!(several["unique"], false);
    assert_eq!(several["unique_for_every_cost"], false);
    assert_eq!(several["thresholds"].as_array().unwrap().len(), 3);
    // Just below β = α²/2π (0.9947 for α = 2.5) the condition bends too
    // little to cross Φ⁻¹(c) more than once at this cost: one equilibrium,
    // though other costs have several.
    let barely = json(&[
        "global-game",
        "--prior-mean",
        "0.5",
        "--prior-precision",
        "2.5",
        "--signal-precision",
        "0.99",
        "--cost",
        "0.3",
    ]);
    assert_eq!(barely["thresholds"].as_array().unwrap().len(), 1);
    assert_eq!(barely["unique"], true);
    assert_eq!(barely["unique_for_every_cost"], false);
    assert_eq!(unique["unique_for_every_cost"], true);
}

#[test]
fn email_game_follows_rubinstein() {
    assert_eq!(
        json(&["email-game", "--loss", "2"])["sustains_coordination"],
        false
    );
    assert_eq!(
        json(&["email-game", "--loss", "0.5"])["sustains_coordination"],
        true
    );
}

#[test]
fn inspection_and_dresher() {
    let eq = json(&["inspection"]);
    assert!((float(&eq["inspection_probability"]) - 0.4).abs() < 1e-12);
    // v(10, 3) = C(9, 3) / (C(10, 0) + … + C(10, 3)) = 84/176.
    let d = json(&["dresher", "-n", "10", "-m", "3"]);
    assert!((float(&d["value"]) - 84.0 / 176.0).abs() < 1e-12);
    assert!(error(&["dresher", "-n", "3", "-m", "4"]).contains("inspections"));
}

#[test]
fn thresholds_cascades_and_tipping() {
    assert_eq!(
        float(&json(&["threshold", "--thresholds", "0,1,2,3"])["equilibrium"]),
        4.0
    );
    assert_eq!(
        float(&json(&["threshold", "--thresholds", "0,2,2,3"])["equilibrium"]),
        1.0
    );
    // Spaces around the numbers of a list are allowed.
    assert_eq!(
        float(&json(&["threshold", "--thresholds", " 0, 1,2 , 3"])["equilibrium"]),
        4.0
    );
    // A list starting with a negative number is a value, not a flag.
    assert_eq!(
        float(&json(&["threshold", "--thresholds", "-0.5,1,2"])["equilibrium"]),
        3.0
    );
    let cascade = json(&["cascade", "--accuracy", "0.7", "--agents", "2"]);
    assert!((float(&cascade["none"]) - 0.21).abs() < 1e-12);
    let p_c = float(&json(&["naming-game"])["critical_share"]);
    // The module's p_c = 0.0978891766 over its horizon; the share printed
    // tips and one 1e-9 below it does not (an outside review found 1e-6).
    assert!((p_c - 0.097_889_176_6).abs() < 2e-9, "{p_c}");
    assert!(error(&["cascade", "--accuracy", "0.4"]).contains("accuracy"));
}

#[test]
fn assurance_and_permits() {
    let eq = json(&[
        "assurance",
        "--agents",
        "5",
        "--threshold",
        "5",
        "--bonus",
        "0.1",
    ]);
    assert_eq!(eq["pledging_dominant"], true);
    let market = json(&["permits", "--cost-slopes", "1,2,4", "--requirement", "14"]);
    assert!((float(&market["price"]) - 8.0).abs() < 1e-12);
    assert!(error(&["permits", "--cost-slopes", "1,0"]).contains("cost slopes"));
    assert!(
        error(&[
            "permits",
            "--cost-slopes",
            "1e300,1e300",
            "--requirement",
            "1e300"
        ])
        .contains("overflows")
    );
    assert!(error(&["equilibria", "--row", "9e307,-9e307;-9e307,9e307"]).contains("rescale"));
}

#[test]
fn equilibria_of_bimatrix_and_symmetric_games() {
    // Battle of the sexes: two pure equilibria and one mixed (2/3, 1/3).
    let out = json(&["equilibria", "--row", "2,0;0,1", "--column", "1,0;0,2"]);
    let equilibria = out["equilibria"].as_array().unwrap();
    assert_eq!(equilibria.len(), 3);
    assert!((float(&equilibria[1]["row"][0]) - 2.0 / 3.0).abs() < 1e-9);
    for e in out["exploitability"].as_array().unwrap() {
        assert!(float(e).abs() < 1e-9);
    }
    // Committing to a mixed strategy: 3 + 2/3 for the row player (ties to the leader).
    let commit = json(&["equilibria", "--row", "2,4;1,3", "--column", "1,0;0,2"]);
    assert!((float(&commit["row_leads"]["mixed"]["leader_payoff"]) - 11.0 / 3.0).abs() < 1e-9);
    // The collective-risk dilemma: everyone defecting, and two interior equilibria.
    let crd = json(&["symmetric", "--model", "crd"]);
    assert_eq!(crd["equilibria"].as_array().unwrap().len(), 3);
    assert!(error(&["equilibria", "--row", "1,x"]).contains("not a number"));
    // A degenerate game (a tie in the column player's payoffs) says so.
    assert_eq!(out["degenerate"], false);
    let tie = json(&["equilibria", "--row", "1,1;1,1", "--column", "1,0;0,1"]);
    assert_eq!(tie["degenerate"], true);
    // A symmetric game whose strategies always tie has a continuum of
    // symmetric equilibria: only its ends are listed, and it says so.
    let dir = std::env::temp_dir().join(format!("accord-games-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ties.toml");
    std::fs::write(
        &file,
        "kind = \"matrix\"\nstrategies = [\"A\", \"B\"]\npayoffs = [[1.0, 0.0], [1.0, 0.0]]\n",
    )
    .unwrap();
    let ties = json(&["symmetric", "--game", file.to_str().unwrap()]);
    assert_eq!(ties["degenerate"], true);
    assert_eq!(crd["degenerate"], serde_json::Value::Null, "a group game");
    let pd = json(&["symmetric", "--model", "dsair"]);
    assert_eq!(pd["degenerate"], false);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn racing_to_the_precipice() {
    // Armstrong, Bostrom & Shulman (2016), no information: s* = min(1, μ/(n·e));
    // with information about capabilities the race is less safe.
    let race = json(&[
        "precipice",
        "--teams",
        "4",
        "--spread",
        "1",
        "--enmity",
        "0.5",
    ]);
    let regime = |race: &Value, information: &str| {
        race["regimes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["information"] == information)
            .unwrap_or_else(|| panic!("no {information} regime"))
            .clone()
    };
    let none = regime(&race, "none");
    assert!((float(&none["safety"]) - 0.5).abs() < 1e-12);
    assert!((float(&none["disaster_probability"]) - 0.5).abs() < 1e-12);
    // Private: k = 1 + 3·0.5 = 2.5 ≥ μ, so n·μ/((n + 1)·k) = 4/12.5.
    assert!((float(&regime(&race, "private")["safety"]) - 0.32).abs() < 1e-12);
    // Public: e/μ = 0.5, so μ·(1 − 0.5^5)/(5·e) = 0.3875.
    assert!((float(&regime(&race, "public")["safety"]) - 0.3875).abs() < 1e-12);
    let calm = json(&[
        "precipice",
        "--teams",
        "2",
        "--spread",
        "3",
        "--enmity",
        "1",
    ]);
    assert_eq!(float(&regime(&calm, "none")["safety"]), 1.0);
    assert!(error(&["precipice", "--teams", "1"]).contains("at least 2 teams"));
}

#[test]
fn liability_pools_dilute_care_unless_premiums_are_rated() {
    // Flat premiums: x* = ln(p₀h/N); rated (ρ = 1): ln(p₀h), the efficient care.
    let pool = |labs: &str, rho: &str| {
        json(&[
            "liability",
            "--labs",
            labs,
            "--base-accident-probability",
            "0.5",
            "--harm",
            "1000",
            "--rating-weight",
            rho,
        ])
    };
    let flat = pool("10", "0");
    assert!((float(&flat["care"]) - 50f64.ln()).abs() < 1e-12);
    assert!((float(&flat["efficient_care"]) - 500f64.ln()).abs() < 1e-12);
    assert!(float(&flat["social_cost_per_lab"]) > float(&flat["efficient_social_cost_per_lab"]));
    let rated = pool("10", "1");
    assert!((float(&rated["care"]) - 500f64.ln()).abs() < 1e-12);
    assert!((float(&rated["accident_probability"]) - 0.001).abs() < 1e-12);
    assert!(error(&["liability", "--rating-weight", "2"]).contains("rating weight"));
}
