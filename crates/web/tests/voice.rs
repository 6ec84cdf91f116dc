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
