//! Every amount shown on a page is rounded to the penny, halves up: a case whose yearly budget
//! is £10,000.38 (£192.315 a week, exactly half a penny over £192.31) is walked through the
//! pages that show money, and each weekly figure must read £192.32, never the cut-off £192.31.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::sense_checks::AmountsConfirmed;

/// Half up, worked independently of the money module: (2 × pence + divisor) ÷ (2 × divisor).
fn half_up(pence: i64, divisor: i64) -> i64 {
    (2 * pence + divisor) / (2 * divisor)
}

fn pounds(pence: i64) -> String {
    tailor_domain::money::Money::from_pence(pence).to_string()
}

/// Every "£…" amount on a page, as shown.
fn amounts(body: &str) -> Vec<String> {
    body.split('£')
        .skip(1)
        .map(|rest| {
            let figure: String = rest
                .chars()
                .take_while(|character| character.is_ascii_digit() || *character == ',' || *character == '.')
                .collect();
            format!("£{}", figure.trim_end_matches('.'))
        })
        .collect()
}

#[tokio::test]
async fn every_weekly_amount_on_the_money_pages_is_rounded_half_up() {
    let world = World::new().await;
    let yearly = 1_000_038;
    assert_eq!(yearly % 52, 26, "exactly half a penny a week over");
    let weekly = pounds(half_up(yearly, 52));
    let cut_off = pounds(yearly / 52);
    assert_eq!((weekly.as_str(), cut_off.as_str()), ("£192.32", "£192.31"));

    let practitioner = world.actor("practitioner").await;
    let manager = world.actor("manager").await;
    let person = world.own_record;
    let assessment = world.accepted_assessment(person, "practitioner").await;
    let findings = support::findings_unable_in(4);
    let notes = support::decision_notes("");
    let (_, allocation) = world
        .app
        .decide_eligibility(&practitioner, assessment, findings, &notes)
        .await
        .unwrap();
    let allocation = allocation.unwrap().id;
    world
        .app
        .override_budget(
            &manager,
            allocation,
            "10000.38",
            "Matches the agreed cost of care",
            AmountsConfirmed::No,
        )
        .await
        .unwrap();
    world
        .app
        .record_financial_assessment(&practitioner, person, tailor_domain::charging::FinancialCircumstances::declined())
        .await
        .unwrap();
    let plan = tailor_domain::plans::PlanInput {
        outcomes: "Stay at home".into(),
        risks: "Falls".into(),
        contingency: "Daughter covers".into(),
        money_manager: "direct_payment".into(),
        line_description: vec!["A year of home support".into()],
        line_unit_cost: vec!["10000.38".into()],
        line_units: vec!["1".into()],
        line_frequency: vec!["annually".into()],
        line_support: vec!["personal_care_at_home".into()],
        line_charging: vec![String::new()],
        line_meets: vec!["maintaining_personal_hygiene".into()],
        advice: "The falls prevention class at the leisure centre".into(),
        ..Default::default()
    };
    let plan = world.app.save_plan(&practitioner, person, &plan, true).await.unwrap();
    let agree = tailor_domain::plans::DecisionInput {
        verdict: "agreed".into(),
        ..Default::default()
    };
    let (_, budget) = world.app.decide_plan(&practitioner, plan.id, &agree).await.unwrap();
    let budget = budget.expect("the plan costs the indicative budget exactly").id;

    let (cookie, _) = world.session("practitioner").await;
    let pages = [
        (format!("/allocations/{allocation}"), true),
        (format!("/budgets/{budget}"), true),
        (format!("/plans/{}", plan.id), false),
        (format!("/people/{person}"), false),
    ];
    for (path, shows_weekly) in pages {
        let reply = world.get(&path, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let shown = amounts(&reply.body);
        assert!(
            shown.contains(&"£10,000.38".to_owned()),
            "{path} shows the yearly amount: {shown:?}"
        );
        assert!(!shown.contains(&cut_off), "{path} shows a cut-off weekly amount: {shown:?}");
        if shows_weekly {
            assert!(shown.contains(&weekly), "{path} shows {weekly} a week: {shown:?}");
        }
    }
}
