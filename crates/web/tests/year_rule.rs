//! A council that counts a year as 52 weeks and a day (365/7 weeks) gets its own figures from
//! plan to budget statement, and an agreed plan and budget keep them when the council later
//! changes its rule, while a plan still being written is costed under the new one.

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::council::{CouncilContact, DEMO_COUNCIL};
use tailor_domain::money::YearRule;

fn council_on(rule: YearRule) -> CouncilContact {
    let text = DEMO_COUNCIL.replace("year_rule = \"52 weeks\"", &format!("year_rule = \"{rule}\""));
    let council = CouncilContact::parse(&text).unwrap();
    assert_eq!(council.year_rule, rule);
    council
}

#[tokio::test]
async fn a_council_on_365_days_gets_its_figures_end_to_end_on_sqlite() {
    let mut world = World::with_council(council_on(YearRule::FiftyTwoWeeksAndADay)).await;
    an_agreed_budget_keeps_the_rule_it_was_agreed_under(&mut world).await;
}

#[tokio::test]
async fn a_council_on_365_days_gets_its_figures_end_to_end_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL year rule checks");
        return;
    };
    let mut world = World::on_postgres_with_council(&server_url, council_on(YearRule::FiftyTwoWeeksAndADay)).await;
    an_agreed_budget_keeps_the_rule_it_was_agreed_under(&mut world).await;
    support::drop_postgres_test_databases(&server_url).await;
}

async fn an_agreed_budget_keeps_the_rule_it_was_agreed_under(world: &mut World) {
    // The plan: home support at £20 a week. £20 × 365 / 7 = £1,042.857...: £1,042.86 a year (on
    // 52 weeks it would be £1,040.00). The person declined a financial assessment, so they pay
    // the full weekly cost, £20 a week, which over the same year is the same £1,042.86.
    let records = world.agreed_budget(world.own_record, "practitioner").await;
    let (cookie, _) = world.session("practitioner").await;
    agreed_figures(world, &cookie, &records).await;
    let budget = world.store.get_budget(records.budget).await.unwrap();
    assert_eq!(budget.year_rule, YearRule::FiftyTwoWeeksAndADay);
    assert_eq!(budget.annual_cost.pence(), 104_286);
    assert_eq!(budget.annual_contribution.pence(), 104_286);
    assert_eq!(budget.annual_council_amount.pence(), 0);
    let allocation = world.store.get_allocation(records.allocation).await.unwrap();
    assert_eq!(allocation.result.year_rule, YearRule::FiftyTwoWeeksAndADay);

    // The council goes back to 52 weeks: what was agreed stays as agreed.
    world.change_council(council_on(YearRule::FiftyTwoWeeks));
    agreed_figures(world, &cookie, &records).await;

    // A new plan, still being written, is costed under the rule of the day: £20 × 52 = £1,040.
    let practitioner = world.actor("practitioner").await;
    let draft = tailor_domain::plans::PlanInput {
        outcomes: "Stay at home".into(),
        line_description: vec!["Home support".into()],
        line_unit_cost: vec!["20".into()],
        line_units: vec!["1".into()],
        line_frequency: vec!["weekly".into()],
        ..Default::default()
    };
    let draft = world.app.save_plan(&practitioner, world.own_record, &draft, false).await.unwrap();
    let page = world.get(&format!("/plans/{}", draft.id), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("£1,040.00"), "a draft is costed on 52 weeks now");
    assert!(page.body.contains("A year is counted as 52 weeks,"), "and says so");
}

/// The agreed plan and budget, on their pages and printed, show the figures of 365 days.
async fn agreed_figures(world: &World, cookie: &str, records: &support::AgreedBudget) {
    for path in [format!("/plans/{}", records.plan), format!("/plans/{}/print", records.plan)] {
        let page = world.get(&path, Some(cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("£1,042.86"), "{path} costs the plan over 365 days");
        assert!(!page.body.contains("£1,040.00"), "{path} does not use 52 weeks");
        assert!(page.body.contains("365/7 (52 and 1/7) times a year"), "{path} shows the working");
        assert!(
            page.body.contains("A year is counted as 52 weeks and 1 day (365 days)"),
            "{path} states the rule"
        );
    }
    for path in [format!("/budgets/{}", records.budget), format!("/budgets/{}/print", records.budget)] {
        let page = world.get(&path, Some(cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("£1,042.86"), "{path} shows the agreed yearly cost");
        assert!(page.body.contains("£20.00"), "{path} shows the weekly cost");
        assert!(
            page.body.contains("A year is counted as 52 weeks and 1 day (365 days)"),
            "{path} states the rule"
        );
    }
}
