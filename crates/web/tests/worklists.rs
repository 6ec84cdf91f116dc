//! HTTP tests for sense checks on money (amounts above the council's ceilings ask for a tick,
//! changes a team manager must agree wait for one, and nothing is saved silently) and for the worklists (the caseload's stages,
//! filter and sort; the manager's plans over tolerance).

mod support;

use axum::http::StatusCode;
use support::World;
use tailor_domain::{AllocationId, PersonId};

/// Takes `person_id` to an eligibility decision with an indicative budget, as `worker`.
async fn eligible(world: &World, person_id: PersonId, worker: &str) -> AllocationId {
    let assessment_id = world.accepted_assessment(person_id, worker).await;
    let actor = world.actor(worker).await;
    let findings = support::findings_unable_in(4);
    let notes = support::decision_notes("");
    let (_, allocation) = world.app.decide_eligibility(&actor, assessment_id, findings, &notes).await.unwrap();
    allocation.unwrap().id
}

#[tokio::test]
async fn a_fifty_million_override_waits_for_a_manager_who_agrees_it() {
    a_fifty_million_override_waits_for_a_manager_who_agrees_it_in(&World::new().await).await;
}

#[tokio::test]
async fn a_change_above_tolerance_is_declined_with_a_reason_the_practitioner_reads() {
    a_change_above_tolerance_is_declined_with_a_reason_in(&World::new().await).await;
}

#[tokio::test]
async fn budget_changes_wait_for_a_manager_on_postgres() {
    let Ok(server_url) = std::env::var("POSTGRES_TEST_URL") else {
        eprintln!("POSTGRES_TEST_URL is not set: skipping the PostgreSQL budget-change checks");
        return;
    };
    a_fifty_million_override_waits_for_a_manager_who_agrees_it_in(&World::on_postgres(&server_url).await).await;
    a_change_above_tolerance_is_declined_with_a_reason_in(&World::on_postgres(&server_url).await).await;
}

async fn a_fifty_million_override_waits_for_a_manager_who_agrees_it_in(world: &World) {
    let allocation = eligible(world, world.own_record, "practitioner").await;
    let path = format!("/allocations/{allocation}/override");
    let (cookie, csrf) = world.session("practitioner").await;
    let body = format!("csrf_token={csrf}&annual=50000000&reason=Round+the+clock+care");
    // Far above any usual budget: the practitioner is asked to check the amount first.
    let asked = world.post_form(&path, Some(&cookie), &body).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", asked.body);
    assert!(asked
        .body
        .contains("£50,000,000.00 a year is far more than usual. Check the amount"));
    assert!(asked.body.contains("name=\"confirm_amounts\""), "{}", asked.body);
    let practitioner = world.actor("practitioner").await;
    assert!(world.app.override_requests_for(&practitioner, allocation).await.unwrap().is_empty());
    // Ticked, it is not saved: it waits for a team manager.
    let sent = world.post_form(&path, Some(&cookie), &format!("{body}&confirm_amounts=yes")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let unchanged = world.app.open_allocation(&practitioner, allocation).await.unwrap();
    assert!(unchanged.override_.is_none(), "not saved until a manager agrees");
    let page = world.get(&format!("/allocations/{allocation}"), Some(&cookie)).await;
    assert!(
        page.body
            .contains("Waiting for a team manager to agree £50,000,000.00 a year; asked by"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Agree the change"), "a practitioner cannot agree it");
    assert!(world
        .audit_actions(Some(world.own_record))
        .await
        .contains(&"budget_override_requested".to_owned()));
    // A second change while one waits is refused plainly.
    let again = world.post_form(&path, Some(&cookie), &format!("{body}&confirm_amounts=yes")).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("A change to this budget is already waiting for a team manager"));
    let request = world.app.override_requests_for(&practitioner, allocation).await.unwrap().remove(0);
    // The practitioner cannot decide it by posting either.
    let decision_path = format!("/override-requests/{}/decision", request.id);
    let refused = world
        .post_form(
            &decision_path,
            Some(&cookie),
            &format!("csrf_token={csrf}&allocation_id={allocation}&decision=agree&decision_reason="),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The manager's queue says how far above, since when and who asked.
    let (manager, manager_csrf) = world.session("manager").await;
    let home = world.get("/home", Some(&manager)).await;
    assert!(home.body.contains("Budget changes waiting for you (1)"), "{}", home.body);
    assert!(home.body.contains("£50,000,000.00 a year asked for"));
    assert!(home.body.contains("beyond the 10% tolerance"));
    assert!(home.body.contains("ceiling of £"), "{}", home.body);
    assert!(home.body.contains(&format!("Asked by {}", practitioner.display_name)));
    let page = world.get(&format!("/allocations/{allocation}"), Some(&manager)).await;
    assert!(page.body.contains("Agree the change"), "{}", page.body);
    let agreed = world
        .post_form(
            &decision_path,
            Some(&manager),
            &format!("csrf_token={manager_csrf}&allocation_id={allocation}&decision=agree&decision_reason="),
        )
        .await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let changed = world.app.open_allocation(&practitioner, allocation).await.unwrap();
    assert_eq!(changed.indicative().pence(), 5_000_000_000);
    let actions = world.audit_actions(Some(world.own_record)).await;
    assert!(actions.contains(&"budget_override_agreed".to_owned()));
    assert!(actions.contains(&"budget_overridden".to_owned()));
    // The practitioner sees the outcome; the queue is empty; deciding again is refused.
    let page = world.get(&format!("/allocations/{allocation}"), Some(&cookie)).await;
    assert!(page.body.contains("agreed the change to £50,000,000.00 a year"), "{}", page.body);
    assert!(!page.body.contains("Waiting for a team manager"));
    let home = world.get("/home", Some(&manager)).await;
    assert!(!home.body.contains("Budget changes waiting for you"));
    let twice = world
        .post_form(
            &decision_path,
            Some(&manager),
            &format!("csrf_token={manager_csrf}&allocation_id={allocation}&decision=decline&decision_reason=No"),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("already decided"));
}

async fn a_change_above_tolerance_is_declined_with_a_reason_in(world: &World) {
    let allocation = eligible(world, world.own_record, "practitioner").await;
    let practitioner = world.actor("practitioner").await;
    let worked_out = world.app.open_allocation(&practitioner, allocation).await.unwrap().indicative();
    let (cookie, csrf) = world.session("practitioner").await;
    // Half as much again: within the ceiling, beyond the 10% tolerance, so no tick is asked.
    let asked = worked_out.pence() * 3 / 2 / 100;
    let sent = world
        .post_form(
            &format!("/allocations/{allocation}/override"),
            Some(&cookie),
            &format!("csrf_token={csrf}&annual={asked}&reason=Two+carers+for+every+visit"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let request = world.app.override_requests_for(&practitioner, allocation).await.unwrap().remove(0);
    assert!(request.is_pending());
    let (manager, manager_csrf) = world.session("manager").await;
    let decision_path = format!("/override-requests/{}/decision", request.id);
    // Declining needs a reason.
    let bare = world
        .post_form(
            &decision_path,
            Some(&manager),
            &format!("csrf_token={manager_csrf}&allocation_id={allocation}&decision=decline&decision_reason=+"),
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.body);
    assert!(bare.body.contains("govuk-error-summary"));
    assert!(bare.body.contains("Explain why the change is declined"));
    let declined = world
        .post_form(
            &decision_path,
            Some(&manager),
            &format!(
                "csrf_token={manager_csrf}&allocation_id={allocation}&decision=decline&decision_reason=Try+the+single-handed+hoist+first"
            ),
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let unchanged = world.app.open_allocation(&practitioner, allocation).await.unwrap();
    assert_eq!(unchanged.indicative(), worked_out, "declined: the budget stays as it was");
    let page = world.get(&format!("/allocations/{allocation}"), Some(&cookie)).await;
    assert!(
        page.body.contains("declined the change to") && page.body.contains("because: Try the single-handed hoist first"),
        "{}",
        page.body
    );
    assert!(world
        .audit_actions(Some(world.own_record))
        .await
        .contains(&"budget_override_declined".to_owned()));
}

#[tokio::test]
async fn a_usual_override_saves_without_a_tick() {
    let world = World::new().await;
    let allocation = eligible(&world, world.own_record, "practitioner").await;
    let worker = world.actor("practitioner").await;
    let worked_out = world.app.open_allocation(&worker, allocation).await.unwrap().indicative();
    let (cookie, csrf) = world.session("practitioner").await;
    let amount = format!("{}", worked_out.pence() / 100);
    let reply = world
        .post_form(
            &format!("/allocations/{allocation}/override"),
            Some(&cookie),
            &format!("csrf_token={csrf}&annual={amount}&reason=Rounded"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn a_plan_line_far_above_usual_is_saved_only_once_ticked() {
    let world = World::new().await;
    eligible(&world, world.own_record, "practitioner").await;
    let (cookie, csrf) = world.session("practitioner").await;
    let path = format!("/people/{}/plan", world.own_record);
    let body = format!(
        "csrf_token={csrf}&outcomes=Home&risks=Falls&contingency=Daughter&money_manager=direct_payment\
         &line_description=Assistant&line_unit_cost=50000&line_units=1&line_frequency=weekly&line_component=direct_payment&line_charging="
    );
    let asked = world.post_form(&path, Some(&cookie), &body).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", asked.body);
    assert!(asked.body.contains("£50,000.00 a week is far more than usual. Check the amount"));
    assert!(asked.body.contains("name=\"confirm_amounts\""));
    let worker = world.actor("practitioner").await;
    let overview = world.app.planning_overview(&worker, world.own_record).await.unwrap();
    assert!(overview.plans.is_empty(), "not even a draft is saved");
    let saved = world.post_form(&path, Some(&cookie), &format!("{body}&confirm_amounts=yes")).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let overview = world.app.planning_overview(&worker, world.own_record).await.unwrap();
    assert_eq!(overview.plans.len(), 1);
}

#[tokio::test]
async fn a_weekly_income_far_above_usual_needs_a_tick() {
    let world = World::new().await;
    let (cookie, csrf) = world.session("practitioner").await;
    let path = format!("/people/{}/financial-assessment", world.own_record);
    let body = format!(
        "csrf_token={csrf}&declined=no&household=single&dependent_children=0&income_source=state_pension&income_weekly=50000&capital=0"
    );
    let asked = world.post_form(&path, Some(&cookie), &body).await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", asked.body);
    assert!(asked.body.contains("£50,000.00 a week is far more than usual. Check the amount"));
    let worker = world.actor("practitioner").await;
    let overview = world.app.planning_overview(&worker, world.own_record).await.unwrap();
    assert!(overview.financial.is_none(), "nothing saved");
    let saved = world.post_form(&path, Some(&cookie), &format!("{body}&confirm_amounts=yes")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn the_caseload_shows_stages_and_filters_and_sorts_by_them() {
    let world = World::new().await;
    world.accepted_assessment(world.own_record, "practitioner").await;
    let (cookie, _) = world.session("practitioner").await;
    let all = world.get("/home", Some(&cookie)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("Olive Owner") && all.body.contains("Harold Helped"));
    assert!(all.body.contains("Eligibility to decide"), "{}", all.body);
    assert!(all.body.contains("No self-assessment yet"));
    assert!(all.body.contains("Today"), "days waiting");
    let filtered = world.get("/home?stage=eligibility_to_decide&sort=waiting", Some(&cookie)).await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains("Olive Owner"));
    assert!(!filtered.body.contains("Harold Helped"));
    assert!(filtered.body.contains("1 of 2 people"), "{}", filtered.body);
    assert!(filtered.body.contains("<option value=\"eligibility_to_decide\" selected>"));
    let nobody = world.get("/home?stage=plan_agreed", Some(&cookie)).await;
    assert!(nobody.body.contains("No one on the caseload is at this stage."));
    let unknown = world.get("/home?stage=nonsense&sort=nonsense", Some(&cookie)).await;
    assert_eq!(unknown.status, StatusCode::OK, "an unknown choice shows everyone");
    assert!(unknown.body.contains("Harold Helped"));
}

#[tokio::test]
async fn the_manager_sees_how_far_over_tolerance_a_plan_is() {
    let world = World::new().await;
    let allocation = eligible(&world, world.own_record, "practitioner").await;
    let worker = world.actor("practitioner").await;
    let indicative = world.app.open_allocation(&worker, allocation).await.unwrap().indicative();
    // Half as much again as the indicative budget, a week at a time.
    let weekly_pounds = indicative.pence() * 3 / 2 / 52 / 100 + 1;
    let plan = tailor_domain::plans::PlanInput {
        outcomes: "Stay at home".into(),
        risks: "Falls".into(),
        contingency: "Daughter covers".into(),
        money_manager: "direct_payment".into(),
        line_description: vec!["Personal assistant".into()],
        line_unit_cost: vec![weekly_pounds.to_string()],
        line_units: vec!["1".into()],
        line_frequency: vec!["weekly".into()],
        line_support: vec!["personal_assistant".into()],
        line_charging: vec![String::new()],
        line_meets: vec!["maintaining_personal_hygiene".into()],
        advice: "The falls prevention class at the leisure centre".into(),
        ..Default::default()
    };
    let saved = world.app.save_plan(&worker, world.own_record, &plan, true).await.unwrap();
    let agree = tailor_domain::plans::DecisionInput {
        verdict: "agreed".into(),
        ..Default::default()
    };
    let (decided, _) = world.app.decide_plan(&worker, saved.id, &agree).await.unwrap();
    assert_eq!(decided.status, tailor_domain::plans::PlanStatus::AwaitingManager);
    let (manager, _) = world.session("manager").await;
    let home = world.get("/home", Some(&manager)).await;
    assert!(home.body.contains("Plans over tolerance, waiting for you (1)"), "{}", home.body);
    assert!(home.body.contains(&format!("href=\"/plans/{}\"", saved.id)));
    assert!(home.body.contains("Olive Owner"));
    assert!(home.body.contains("beyond the 10% tolerance"), "{}", home.body);
    assert!(home.body.contains("Agreed by practitioner user"));
    let (practitioner, _) = world.session("practitioner").await;
    let theirs = world.get("/home", Some(&practitioner)).await;
    assert!(!theirs.body.contains("Plans over tolerance, waiting for you"));
    assert!(theirs.body.contains("Plan waiting for a team manager"));
}
