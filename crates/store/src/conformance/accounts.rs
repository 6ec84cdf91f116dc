//! Conformance checks for the accounts half of the port: tokens revoked, passwords changed and
//! reset, delegations changed and withdrawn, account links confirmed; each with a race in which
//! eight simultaneous writers try the same change and exactly one lands.

use super::{audit, now, person, seed_team_and_worker, user};
use crate::*;
use chrono::Duration;
use futures::future::join_all;
use tailor_domain::access::DelegationScope;
use tailor_domain::audit::AuditAction;
use tailor_domain::*;

fn token(hash: &str, user_id: UserId) -> ApiTokenRecord {
    ApiTokenRecord {
        token_hash: hash.into(),
        user_id,
        created_at: now(),
        expires_at: now() + Duration::days(30),
    }
}

fn session(id_hash: &str, user_id: UserId) -> SessionRecord {
    SessionRecord {
        id_hash: id_hash.into(),
        user_id: Some(user_id),
        csrf_token: format!("csrf-{id_hash}"),
        created_at: now(),
        last_seen_at: now(),
        pending_user_id: None,
    }
}

fn only_one_landed<T: std::fmt::Debug>(results: &[StoreResult<T>], what: &str) {
    let landed = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(landed, 1, "exactly one of eight simultaneous {what} lands: {results:?}");
    assert!(
        results
            .iter()
            .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))),
        "the others are refused as changed by someone else: {results:?}"
    );
}

pub(super) async fn api_tokens_are_listed_revoked_once_and_end_with_everything(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    for hash in ["first", "second", "third"] {
        store
            .insert_api_token(&token(hash, worker.id), &audit(AuditAction::ApiTokenCreated))
            .await
            .unwrap();
    }
    let listed = store.list_api_tokens(worker.id).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|token| token.revoked_at.is_none() && token.user_id == worker.id));
    let target = listed[0].id;
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let at = now();
    let event = audit(AuditAction::ApiTokenRevoked);
    let results = join_all((0..8).map(|_| store.revoke_api_token(worker.id, target, at, &event))).await;
    only_one_landed(&results, "revocations of one token");
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + 1);
    let after = store.list_api_tokens(worker.id).await.unwrap();
    assert_eq!(after.iter().find(|token| token.id == target).unwrap().revoked_at, Some(at));
    let mut working = 0;
    for hash in ["first", "second", "third"] {
        working += usize::from(store.find_api_token(hash).await.unwrap().is_some());
    }
    assert_eq!(working, 2, "a revoked token is no longer found");

    let someone_else = user("other@example.org", Role::Practitioner, None);
    store
        .insert_user(&someone_else, "hash", &audit(AuditAction::UserCreated))
        .await
        .unwrap();
    let other_target = after.iter().find(|token| token.revoked_at.is_none()).unwrap().id;
    assert!(
        matches!(
            store
                .revoke_api_token(someone_else.id, other_target, now(), &audit(AuditAction::ApiTokenRevoked))
                .await,
            Err(StoreError::StateChanged(_))
        ),
        "nobody revokes another account's token"
    );

    store.insert_session(&session("one", worker.id)).await.unwrap();
    store.insert_session(&session("two", worker.id)).await.unwrap();
    store.insert_session(&session("theirs", someone_else.id)).await.unwrap();
    let ended = store
        .end_everything_for(worker.id, now(), &audit(AuditAction::SignedOutEverywhere))
        .await
        .unwrap();
    assert_eq!(ended, (2, 2), "two sessions and the two tokens still working");
    assert!(store.find_session("one").await.unwrap().is_none());
    assert!(store.find_session("two").await.unwrap().is_none());
    assert!(
        store.find_session("theirs").await.unwrap().is_some(),
        "other accounts are untouched"
    );
    for hash in ["first", "second", "third"] {
        assert!(store.find_api_token(hash).await.unwrap().is_none());
    }
}

pub(super) async fn passwords_change_once_and_end_the_other_sessions(store: Box<dyn Store>) {
    let (team, _) = seed_team_and_worker(&*store).await;
    let someone = user("new@example.org", Role::Practitioner, Some(team.id));
    store
        .insert_user_with_first_password(&someone, "first-hash", None, &[audit(AuditAction::UserCreated)])
        .await
        .unwrap();
    let state = store.password_state(someone.id).await.unwrap();
    assert_eq!(
        state,
        PasswordState {
            hash: "first-hash".into(),
            version: 1,
            must_change: true
        }
    );
    store.insert_session(&session("here", someone.id)).await.unwrap();
    store.insert_session(&session("elsewhere", someone.id)).await.unwrap();
    store
        .insert_api_token(&token("a-token", someone.id), &audit(AuditAction::ApiTokenCreated))
        .await
        .unwrap();
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let hashes: Vec<String> = (0..8).map(|index| format!("new-hash-{index}")).collect();
    let changes: Vec<NewPassword> = hashes
        .iter()
        .map(|hash| NewPassword {
            user_id: someone.id,
            hash,
            expected_version: 1,
            must_change: false,
            keep_session: Some("here"),
            at: now(),
        })
        .collect();
    let event = audit(AuditAction::PasswordChanged);
    let results = join_all(changes.iter().map(|change| store.change_password(change, &event))).await;
    only_one_landed(&results, "password changes");
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + 1);
    let after = store.password_state(someone.id).await.unwrap();
    assert_eq!(after.version, 2);
    assert!(!after.must_change);
    assert!(after.hash.starts_with("new-hash-"));
    assert!(
        store.find_session("here").await.unwrap().is_some(),
        "the session that changed it stays"
    );
    assert!(store.find_session("elsewhere").await.unwrap().is_none(), "every other session ends");
    assert!(store.find_api_token("a-token").await.unwrap().is_none(), "tokens are revoked");
    assert!(matches!(store.password_state(UserId::generate()).await, Err(StoreError::NotFound)));
}

pub(super) async fn reset_links_work_once_and_not_after_expiry(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    let issuer = user("admin@example.org", Role::Administrator, None);
    store.insert_user(&issuer, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    let reset = |hash: &str, expires_at| PasswordReset {
        id: PasswordResetId::generate(),
        user_id: worker.id,
        token_hash: hash.into(),
        issued_by: issuer.id,
        issued_at: now(),
        expires_at,
        used_at: None,
    };
    let live = reset("live-link", now() + Duration::hours(24));
    let stale = reset("stale-link", now() - Duration::minutes(1));
    for link in [&live, &stale] {
        store
            .insert_password_reset(link, &audit(AuditAction::PasswordResetIssued))
            .await
            .unwrap();
    }
    assert_eq!(store.find_password_reset("live-link").await.unwrap(), Some(live.clone()));
    assert_eq!(store.find_password_reset("unknown").await.unwrap(), None);
    store.insert_session(&session("old", worker.id)).await.unwrap();
    store
        .insert_api_token(&token("old-token", worker.id), &audit(AuditAction::ApiTokenCreated))
        .await
        .unwrap();
    let at = now();
    let change = NewPassword {
        user_id: worker.id,
        hash: "reset-hash",
        expected_version: 1,
        must_change: false,
        keep_session: None,
        at,
    };
    assert!(matches!(
        store
            .use_password_reset(stale.id, &change, &audit(AuditAction::PasswordReset))
            .await,
        Err(StoreError::StateChanged(_))
    ));
    let event = audit(AuditAction::PasswordReset);
    let results = join_all((0..8).map(|_| store.use_password_reset(live.id, &change, &event))).await;
    only_one_landed(&results, "uses of one reset link");
    assert_eq!(store.password_state(worker.id).await.unwrap().hash, "reset-hash");
    assert_eq!(store.find_password_reset("live-link").await.unwrap().unwrap().used_at, Some(at));
    assert!(store.find_session("old").await.unwrap().is_none());
    assert!(store.find_api_token("old-token").await.unwrap().is_none());
}

pub(super) async fn delegations_change_scopes_and_are_withdrawn_once(store: Box<dyn Store>) {
    let (team, _) = seed_team_and_worker(&*store).await;
    let someone = person("Ada", "Okafor", "1948-11-04", None, Some(team.id));
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    let helper = user("helper@example.org", Role::Helper, None);
    store.insert_user(&helper, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    let delegation = Delegation {
        id: DelegationId::generate(),
        person_id: someone.id,
        helper_id: helper.id,
        helper_name: helper.display_name.clone(),
        scopes: vec![DelegationScope::ViewDetails],
        expires_on: None,
        granted_at: now(),
    };
    store
        .insert_delegation(&delegation, &audit(AuditAction::DelegationGranted))
        .await
        .unwrap();
    assert_eq!(store.find_delegation(delegation.id).await.unwrap(), Some((delegation.clone(), 1)));
    let wider = [DelegationScope::ViewDetails, DelegationScope::ManageMoney];
    let event = audit(AuditAction::DelegationChanged);
    let results = join_all((0..8).map(|_| store.change_delegation_scopes(delegation.id, someone.id, &wider, 1, &event))).await;
    only_one_landed(&results, "scope changes");
    let (changed, version) = store.find_delegation(delegation.id).await.unwrap().unwrap();
    assert_eq!((changed.scopes.as_slice(), version), (&wider[..], 2));
    assert!(matches!(
        store
            .change_delegation_scopes(
                delegation.id,
                PersonId::generate(),
                &wider,
                2,
                &audit(AuditAction::DelegationChanged)
            )
            .await,
        Err(StoreError::StateChanged(_))
    ));

    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let at = now();
    let event = audit(AuditAction::DelegationWithdrawn);
    let results = join_all((0..8).map(|_| store.withdraw_delegation(delegation.id, someone.id, 2, helper.id, at, &event))).await;
    only_one_landed(&results, "withdrawals");
    assert_eq!(store.audit_chain(0, 10_000).await.unwrap().len(), before + 1);
    assert_eq!(store.find_delegation(delegation.id).await.unwrap(), None);
    assert!(store.person_access_facts(someone.id).await.unwrap().delegations.is_empty());
    assert!(store.list_delegations_for_helper(helper.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .count_people(&PeopleFilter::DelegatedTo {
                helper: helper.id,
                on: at.date_naive()
            })
            .await
            .unwrap(),
        0,
        "the helper's list no longer has the person"
    );
}

pub(super) async fn account_links_wait_for_a_second_person(store: Box<dyn Store>) {
    let (team, _) = seed_team_and_worker(&*store).await;
    let someone = person("Ada", "Okafor", "1948-11-04", None, Some(team.id));
    store.insert_person(&someone, &audit(AuditAction::PersonCreated)).await.unwrap();
    let first = user("first-admin@example.org", Role::Administrator, None);
    let second = user("second-admin@example.org", Role::Administrator, None);
    for admin in [&first, &second] {
        store.insert_user(admin, "hash", &audit(AuditAction::UserCreated)).await.unwrap();
    }
    let account = user("ada@example.org", Role::Person, None);
    let link = AccountLink {
        id: AccountLinkId::generate(),
        user_id: account.id,
        person_id: someone.id,
        status: "pending".into(),
        requested_by: first.id,
        requested_at: now(),
        decided_by: None,
        decided_at: None,
        version: 1,
    };
    store
        .insert_user_with_first_password(
            &account,
            "hash",
            Some(&link),
            &[audit(AuditAction::UserCreated), audit(AuditAction::AccountLinkRequested)],
        )
        .await
        .unwrap();
    assert_eq!(store.get_user(account.id).await.unwrap().person_id, None, "not linked yet");
    assert_eq!(store.pending_account_links().await.unwrap(), vec![link.clone()]);
    let again = AccountLink {
        id: AccountLinkId::generate(),
        ..link.clone()
    };
    assert!(
        matches!(
            store.request_account_link(&again, &audit(AuditAction::AccountLinkRequested)).await,
            Err(StoreError::Conflict { .. })
        ),
        "one waiting link an account"
    );
    let at = now();
    let event = audit(AuditAction::AccountLinkConfirmed);
    let results = join_all((0..8).map(|_| store.decide_account_link(link.id, true, second.id, at, 1, &event))).await;
    only_one_landed(&results, "confirmations");
    assert_eq!(store.get_user(account.id).await.unwrap().person_id, Some(someone.id));
    let decided = store.get_account_link(link.id).await.unwrap();
    assert_eq!(
        (decided.status.as_str(), decided.decided_by, decided.decided_at, decided.version),
        ("confirmed", Some(second.id), Some(at), 2)
    );
    assert!(store.pending_account_links().await.unwrap().is_empty());

    let refused = AccountLink {
        id: AccountLinkId::generate(),
        requested_at: now(),
        ..link
    };
    store
        .request_account_link(&refused, &audit(AuditAction::AccountLinkRequested))
        .await
        .unwrap();
    store
        .decide_account_link(refused.id, false, second.id, now(), 1, &audit(AuditAction::AccountLinkRefused))
        .await
        .unwrap();
    assert_eq!(store.get_account_link(refused.id).await.unwrap().status, "refused");
    assert_eq!(
        store.get_user(account.id).await.unwrap().person_id,
        Some(someone.id),
        "a refusal changes no account"
    );
}
