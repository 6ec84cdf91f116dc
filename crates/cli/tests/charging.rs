//! `tailor charging calculate` as a finance officer runs it: the shipped tables and the example
//! means file give the figure worked out by hand, with its working.

use std::process::Command;

fn tailor(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(arguments)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

#[test]
fn the_example_means_file_gives_the_hand_worked_charge_with_its_working() {
    let output = tailor(&[
        "charging",
        "calculate",
        "--rates",
        "config/charging/rates-2025-26.toml",
        "--rates",
        "config/charging/rates.toml",
        "--means",
        "docs/examples/means.toml",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["rates_version"], 2);
    assert_eq!(result["weekly_charge_pence"], 16_275);
    assert_eq!(result["chargeable_weekly_cost_pence"], 30_000);
    // Without a year rule, 52 weeks: £162.75 × 52.
    assert_eq!(result["yearly_charge_pence"], 846_300);
    let working: Vec<i64> = result["working"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["weekly_pence"].as_i64().unwrap())
        .collect();
    assert_eq!(working, vec![25_000, 7_390, 0, 3_600, 11_250, 4_965, 2_000, 1_500, 16_275, 30_000]);
    assert!(result["services"][1]["label"].as_str().unwrap().contains("not charged"));
}

#[test]
fn an_assessment_date_before_every_table_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let means = directory.path().join("means.json");
    std::fs::write(
        &means,
        r#"{"date_of_birth": "1950-01-01", "assessment_date": "2024-01-01", "services": []}"#,
    )
    .unwrap();
    let output = tailor(&[
        "charging",
        "calculate",
        "--rates",
        "config/charging/rates.toml",
        "--means",
        &means.display().to_string(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("in force"));
}

#[test]
fn a_misspelt_key_in_the_means_file_is_refused_with_its_line() {
    let directory = tempfile::tempdir().unwrap();
    let means = directory.path().join("means.toml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/means.toml"))
        .unwrap()
        .replace("capital_pence", "captial_pence");
    std::fs::write(&means, text).unwrap();
    let output = tailor(&[
        "charging",
        "calculate",
        "--rates",
        "config/charging/rates.toml",
        "--means",
        &means.display().to_string(),
    ]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("captial_pence") && message.contains("line 11"), "{message}");
}

#[test]
fn the_yearly_charge_follows_the_year_rule_from_the_flag_or_the_council_file() {
    let calculate = |extra: &[&str]| {
        let mut arguments = vec![
            "charging",
            "calculate",
            "--rates",
            "config/charging/rates.toml",
            "--means",
            "docs/examples/means.toml",
        ];
        arguments.extend_from_slice(extra);
        tailor(&arguments)
    };
    // £162.75 × 365 / 7 = £8,486.25 exactly.
    let output = calculate(&["--year-rule", "52 weeks and 1 day"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["weekly_charge_pence"], 16_275);
    assert_eq!(result["yearly_charge_pence"], 848_625);
    assert!(result["year_rule"].as_str().unwrap().contains("52 weeks and 1 day"));

    let directory = tempfile::tempdir().unwrap();
    let council = directory.path().join("council.toml");
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/council.toml")).unwrap();
    std::fs::write(
        &council,
        shipped.replace("year_rule = \"52 weeks\"", "year_rule = \"52 weeks and 1 day\""),
    )
    .unwrap();
    let output = calculate(&["--council-file", &council.display().to_string()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["yearly_charge_pence"], 848_625);

    let output = calculate(&["--year-rule", "52.143 weeks"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--year-rule must be \"52 weeks\""));
}
