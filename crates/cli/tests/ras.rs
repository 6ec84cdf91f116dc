//! `tailor ras` as an operator runs it: hand-written model and answers give the hand-worked figure.

use std::process::Command;

fn tailor(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tailor"))
        .args(arguments)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap()
}

fn write(directory: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = directory.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const PRICE_MODEL: &str = r#"
id = "hand"
version = 1
name = "Worked by hand"
effective_from = 2026-04-01
conversion = "price_per_point"
pence_per_point = 4250
tolerance_percent = 10
panel_threshold_pence = 3000000
[informal_support]
question = "family"
reduction_percent = { none = 0, some = 15 }
[[sections]]
id = "care"
title = "Care"
questions = { washing = { none = 0, help = 7 }, eating = { none = 0, help = 5 } }
"#;

#[test]
fn calculate_prints_the_figure_worked_out_by_hand_for_price_per_point_and_bands() {
    let directory = tempfile::tempdir().unwrap();
    let model = write(&directory, "model.toml", PRICE_MODEL);
    let answers = write(
        &directory,
        "answers.json",
        r#"{"washing": "help", "eating": "help", "family": "some"}"#,
    );
    let output = tailor(&["ras", "calculate", "--model", &model, "--answers", &answers]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // 12 points × £42.50 = £510.00; less 15% (£76.50) = £433.50.
    assert_eq!(result["total_pence"], 43_350);
    assert_eq!(result["model_version"], 1);
    assert_eq!(result["sections"][0]["points"], 12);

    let banded = PRICE_MODEL
        .replace("conversion = \"price_per_point\"\npence_per_point = 4250", "conversion = \"bands\"\n[[bands]]\nfrom_points = 0\nto_points = 9\nannual_pence = 100000\n[[bands]]\nfrom_points = 10\nannual_pence = 400000")
        .replace("tolerance_percent = 10\npanel_threshold_pence = 3000000\n", "");
    let banded = banded.replacen(
        "name = \"Worked by hand\"\n",
        "name = \"Worked by hand\"\ntolerance_percent = 10\npanel_threshold_pence = 3000000\n",
        1,
    );
    let model = write(&directory, "banded.toml", &banded);
    let answers = write(
        &directory,
        "answers.toml",
        "washing = \"help\"\neating = \"help\"\nfamily = \"none\"\n",
    );
    let output = tailor(&["ras", "calculate", "--model", &model, "--answers", &answers]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["total_pence"], 400_000);
}

#[test]
fn a_model_with_a_typo_is_refused_with_its_line() {
    let directory = tempfile::tempdir().unwrap();
    let model = write(&directory, "model.toml", &PRICE_MODEL.replace("pence_per_point", "pence_per_piont"));
    let answers = write(&directory, "answers.json", "{}");
    let output = tailor(&["ras", "calculate", "--model", &model, "--answers", &answers]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("line 7") && message.contains("pence_per_piont"), "{message}");
}

#[test]
fn calibrate_reports_the_fit_for_the_example_test_group() {
    let output = tailor(&[
        "ras",
        "calibrate",
        "--model",
        "config/allocation/adult.toml",
        "--test-group",
        "docs/examples/test-group.csv",
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["people"], 60);
    assert!(report["fitted"]["pence_per_point"].as_i64().unwrap() > 0);
    assert_eq!(report["worst"].as_array().unwrap().len(), 5);
}

#[test]
fn check_passes_the_shipped_models_and_warns_about_a_carer_band_paying_nothing() {
    for model in ["config/allocation/adult.toml", "config/allocation/carer.toml"] {
        let output = tailor(&["ras", "check", "--model", model]);
        assert!(output.status.success(), "{model}: {}", String::from_utf8_lossy(&output.stdout));
    }
    let directory = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/allocation/carer.toml")).unwrap();
    let old = shipped
        .replace("to_points = 0\n", "to_points = 5\n")
        .replace("from_points = 1\nto_points = 15", "from_points = 6\nto_points = 15");
    let model = write(&directory, "old-carer.toml", &old);
    let output = tailor(&["ras", "check", "--model", &model]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("health at risk"));
}

#[test]
fn calculate_with_findings_scores_a_carer_whose_health_is_at_risk() {
    let directory = tempfile::tempdir().unwrap();
    let answers = write(
        &directory,
        "answers.toml",
        "carer_health = \"fine\"\ncare_for_children = \"none\"\ncare_for_others = \"none\"\ncarer_home = \"none\"\n\
         carer_nutrition = \"none\"\ncarer_relationships = \"none\"\ncarer_work = \"none\"\ncarer_community = \"none\"\n\
         carer_leisure = \"none\"\n",
    );
    let findings = write(
        &directory,
        "findings.json",
        r#"{"kind": "carer", "needs_condition_met": true, "carer_health_at_risk": true, "outcomes": [],
            "significant_impact_on_wellbeing": true, "wellbeing_reasons": "Not sleeping."}"#,
    );
    let output = tailor(&[
        "ras",
        "calculate",
        "--model",
        "config/allocation/carer.toml",
        "--answers",
        &answers,
        "--findings",
        &findings,
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["total_pence"], 30_000);
}
