//! Staff pages in the staff's voice and the person's pages in the person's: "Your personal
//! budget" to Olive, "Olive's personal budget" to her worker.

mod support;

use support::World;

#[tokio::test]
async fn the_person_reads_you_and_staff_read_the_persons_name() {
    let world = World::new().await;
    let records = world.agreed_budget(world.own_record, "practitioner").await;
    let (worker, _) = world.session("practitioner").await;
    let (person, _) = world.session("person").await;
    let pages = [
        (
            format!("/budgets/{}", records.budget),
            "Your personal budget",
            "Olive&#39;s personal budget",
        ),
        (
            format!("/assessments/{}", records.assessment),
            "Your answers",
            "Olive&#39;s answers",
        ),
        (
            format!("/assessments/{}", records.assessment),
            "You are eligible",
            "Olive is eligible",
        ),
        (
            format!("/plans/{}", records.plan),
            "What you want to achieve",
            "What Olive wants to achieve",
        ),
        (
            format!("/allocations/{}", records.allocation),
            "How we worked out your budget",
            "How we worked out Olive&#39;s budget",
        ),
    ];
    for (path, to_the_person, to_staff) in pages {
        let own = world.get(&path, Some(&person)).await;
        assert!(own.body.contains(to_the_person), "{path} to Olive: {to_the_person}");
        assert!(!own.body.contains(to_staff), "{path} to Olive");
        let staff = world.get(&path, Some(&worker)).await;
        assert!(staff.body.contains(to_staff), "{path} to her worker: {to_staff}");
        assert!(!staff.body.contains(to_the_person), "{path} to her worker says {to_the_person}");
    }
}

/// Every sentence on the plan form that speaks of the person: "you" to Olive and to a helper she
/// chose, "Olive" to her worker; and the page after sending the plan.
#[tokio::test]
async fn the_plan_form_speaks_to_the_person_and_of_them_to_staff() {
    let world = World::new().await;
    let worker = world.actor("practitioner").await;
    world
        .app
        .grant_delegation(
            &worker,
            world.own_record,
            &tailor_app::people::DelegationInput {
                helper_email: "helper@example.org".into(),
                scopes: vec![
                    tailor_domain::access::DelegationScope::ViewDetails.as_str().into(),
                    tailor_domain::access::DelegationScope::ActOnAssessmentAndPlan.as_str().into(),
                ],
                expires_on: String::new(),
            },
        )
        .await
        .unwrap();
    let (_, _, _, plan) = world.submitted_plan(world.own_record, "practitioner").await;
    let (staff, _) = world.session("practitioner").await;
    let (person, _) = world.session("person").await;
    let (helper, _) = world.session("helper").await;
    let to_the_person = [
        "Your support plan",
        "Write in your own words",
        "Your plan costs",
        "What do you want to achieve?",
        "How you will spend the budget",
        "One line for each thing you will pay for",
        "how will you manage it?",
        "What will happen if your support does not turn up?",
        "What information and advice have you been given?",
        "six ways your budget can be held",
        "What it means for you",
        "Send my plan to be agreed",
        "Me, as a direct payment",
    ];
    let to_staff = [
        "Olive&#39;s support plan",
        "Write Olive&#39;s plan in Olive&#39;s own words",
        "Olive&#39;s plan costs",
        "What does Olive want to achieve?",
        "What Olive will spend the budget on",
        "One line for each thing Olive will pay for",
        "how will Olive manage it?",
        "What will happen if Olive&#39;s support does not turn up?",
        "What information and advice has Olive been given?",
        "six ways Olive&#39;s budget can be held",
        "What it means for Olive",
        "Send Olive&#39;s plan to be agreed",
        "Olive, as a direct payment",
    ];
    let path = format!("/people/{}/plan", world.own_record);
    for (reader, cookie) in [("Olive", &person), ("her helper", &helper)] {
        let page = world.get(&path, Some(cookie)).await;
        assert_eq!(page.status, axum::http::StatusCode::OK, "{reader}: {}", page.body);
        for words in to_the_person {
            assert!(page.body.contains(words), "{reader} reads {words:?}");
        }
        for words in to_staff {
            assert!(!page.body.contains(words), "{reader} does not read {words:?}");
        }
    }
    let page = world.get(&path, Some(&staff)).await;
    for words in to_staff {
        assert!(page.body.contains(words), "her worker reads {words:?}");
    }
    for words in to_the_person {
        assert!(!page.body.contains(words), "her worker does not read {words:?}");
    }
    // After sending: "Your plan has been sent" to Olive and her helper, "Olive's" to staff.
    let sent = format!("/plans/{plan}/sent");
    for cookie in [&person, &helper] {
        let page = world.get(&sent, Some(cookie)).await;
        assert!(page.body.contains("Your plan has been sent"), "{}", page.body);
    }
    let page = world.get(&sent, Some(&staff)).await;
    assert!(page.body.contains("Olive&#39;s plan has been sent"), "{}", page.body);
    assert!(!page.body.contains("Your plan has been sent"));
}
