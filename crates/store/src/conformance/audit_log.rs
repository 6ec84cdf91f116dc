//! Conformance checks for the audit log as an administrator reads it: filters by person,
//! account, kind and time, paging by sequence, and names looked up by id in one statement.

use super::{now, person, seed_team_and_worker};
use crate::*;
use chrono::Duration;
use tailor_domain::audit::{AuditAction, NewAuditEvent};

pub(super) async fn audit_log_filters_pages_and_names(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let owen = person("Owen", "Morgan", "1948-03-02", None, None);
    let ada = person("Ada", "Brown", "1950-01-01", None, None);
    for someone in [&owen, &ada] {
        store
            .insert_person(someone, &NewAuditEvent::new(now(), None, "suite", AuditAction::PersonCreated))
            .await
            .unwrap();
    }
    let at = |days_ago: i64| now() - Duration::days(days_ago);
    let viewed = |who: Option<UserId>, whom: PersonId, days_ago: i64| {
        NewAuditEvent::new(at(days_ago), who, "as shown then", AuditAction::PersonViewed)
            .person(whom)
            .subject("budget", whom)
    };
    for days_ago in [10, 5, 1] {
        store.append_audit(&viewed(Some(worker.id), owen.id, days_ago)).await.unwrap();
    }
    store.append_audit(&viewed(None, ada.id, 1)).await.unwrap();
    let search = |change: &dyn Fn(&mut AuditSearch)| {
        let mut search = AuditSearch {
            limit: 50,
            ..AuditSearch::default()
        };
        change(&mut search);
        search
    };

    let owens = store.search_audit(&search(&|found| found.person_id = Some(owen.id))).await.unwrap();
    assert_eq!(owens.len(), 3);
    assert!(owens.windows(2).all(|pair| pair[0].sequence > pair[1].sequence), "newest first");
    let by_worker = store
        .search_audit(&search(&|found| found.actor_id = Some(worker.id)))
        .await
        .unwrap();
    assert_eq!(by_worker.len(), 3);
    let reads = store
        .search_audit(&search(&|found| found.action = Some(AuditAction::PersonViewed)))
        .await
        .unwrap();
    assert_eq!(reads.len(), 4);
    let this_week = store
        .search_audit(&search(&|found| {
            found.person_id = Some(owen.id);
            found.from = Some(at(7));
            found.until = Some(at(0) + Duration::minutes(1));
        }))
        .await
        .unwrap();
    assert_eq!(this_week.len(), 2, "5 and 1 days ago, not 10");
    let first_page = store
        .search_audit(&search(&|found| {
            found.person_id = Some(owen.id);
            found.limit = 2;
        }))
        .await
        .unwrap();
    let older = store
        .search_audit(&search(&|found| {
            found.person_id = Some(owen.id);
            found.before_sequence = Some(first_page[1].sequence);
        }))
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert!(older[0].sequence < first_page[1].sequence);

    let names = store.person_names(&[owen.id, ada.id, PersonId::generate()]).await.unwrap();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&(owen.id, "Owen Morgan".to_owned())));
    let users = store.user_names(&[worker.id]).await.unwrap();
    assert_eq!(users, vec![(worker.id, worker.display_name.clone())]);
    assert!(store.person_names(&[]).await.unwrap().is_empty());
}
