//! Conformance checks for two-step sign-in: a secret switched on once, a code's time step used
//! once (eight simultaneous uses of the same code, one lands), recovery codes used once each
//! and replaced, and removal ending the account's other sessions.

use super::{audit, now, seed_team_and_worker};
use crate::*;
use futures::future::join_all;
use tailor_domain::audit::AuditAction;

fn codes(count: usize) -> Vec<NewRecoveryCode> {
    (0..count)
        .map(|index| NewRecoveryCode {
            id: uuid::Uuid::now_v7(),
            salt: format!("salt-{index}"),
            code_hash: format!("hash-{index}"),
        })
        .collect()
}

fn only_one_landed(results: &[StoreResult<()>], what: &str) {
    let landed = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(landed, 1, "exactly one of eight simultaneous {what} lands: {results:?}");
    assert!(
        results
            .iter()
            .all(|result| result.is_ok() || matches!(result, Err(StoreError::StateChanged(_)))),
        "the others are refused as changed by someone else: {results:?}"
    );
}

pub(super) async fn a_code_is_used_once_even_when_typed_eight_times_at_once(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    assert!(store.two_factor(worker.id).await.unwrap().is_none());
    assert!(store.start_two_factor(worker.id, b"first secret", now()).await.unwrap());
    assert!(
        !store.start_two_factor(worker.id, b"second secret", now()).await.unwrap(),
        "a setup under way keeps its secret"
    );
    let pending = store.two_factor(worker.id).await.unwrap().unwrap();
    assert_eq!(pending.secret, b"first secret".to_vec());
    assert_eq!(pending.confirmed_at, None);
    assert!(
        matches!(
            store.use_two_factor_step(worker.id, 100, None).await,
            Err(StoreError::StateChanged(_))
        ),
        "a code from a secret being set up signs nobody in"
    );

    let event = audit(AuditAction::TwoFactorEnrolled);
    let first_codes = codes(10);
    let results = join_all((0..8).map(|_| store.confirm_two_factor(worker.id, 100, now(), &first_codes, &event))).await;
    only_one_landed(&results, "confirmations");
    let on = store.two_factor(worker.id).await.unwrap().unwrap();
    assert!(on.confirmed_at.is_some());
    assert_eq!(on.last_used_step, 100);
    assert_eq!(store.unused_recovery_codes(worker.id).await.unwrap().len(), 10);
    assert!(
        !format!("{on:?}").contains("first secret"),
        "a record's debug form hides the secret"
    );

    assert!(
        matches!(
            store.use_two_factor_step(worker.id, 100, None).await,
            Err(StoreError::StateChanged(_))
        ),
        "the code that switched it on cannot sign in"
    );
    let before = store.audit_chain(0, 10_000).await.unwrap().len();
    let signed_in = audit(AuditAction::SignedIn);
    let results = join_all((0..8).map(|_| store.use_two_factor_step(worker.id, 101, Some(&signed_in)))).await;
    only_one_landed(&results, "uses of one code");
    assert_eq!(
        store.audit_chain(0, 10_000).await.unwrap().len(),
        before + 1,
        "one audit event, for the use that landed"
    );
    assert_eq!(store.two_factor(worker.id).await.unwrap().unwrap().last_used_step, 101);
    assert!(
        matches!(
            store.use_two_factor_step(worker.id, 100, None).await,
            Err(StoreError::StateChanged(_))
        ),
        "an earlier step is refused after a later one"
    );
    store.use_two_factor_step(worker.id, 102, None).await.unwrap();
}

pub(super) async fn recovery_codes_work_once_and_are_replaced(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    assert!(
        matches!(
            store
                .replace_recovery_codes(worker.id, &codes(10), now(), &audit(AuditAction::RecoveryCodesRegenerated))
                .await,
            Err(StoreError::StateChanged(_))
        ),
        "no recovery codes without two-step sign-in switched on"
    );
    store.start_two_factor(worker.id, b"secret", now()).await.unwrap();
    store
        .confirm_two_factor(worker.id, 5, now(), &codes(10), &audit(AuditAction::TwoFactorEnrolled))
        .await
        .unwrap();
    let unused = store.unused_recovery_codes(worker.id).await.unwrap();
    assert_eq!(unused.len(), 10);
    assert!(unused.iter().any(|code| code.salt == "salt-3" && code.code_hash == "hash-3"));
    let target = unused[0].id;
    let event = audit(AuditAction::RecoveryCodeUsed);
    let results = join_all((0..8).map(|_| store.use_recovery_code(worker.id, target, now(), &event))).await;
    only_one_landed(&results, "uses of one recovery code");
    let left = store.unused_recovery_codes(worker.id).await.unwrap();
    assert_eq!(left.len(), 9);
    assert!(left.iter().all(|code| code.id != target));

    let fresh = codes(10);
    store
        .replace_recovery_codes(worker.id, &fresh, now(), &audit(AuditAction::RecoveryCodesRegenerated))
        .await
        .unwrap();
    let now_unused = store.unused_recovery_codes(worker.id).await.unwrap();
    assert_eq!(now_unused.len(), 10, "the old codes, used or not, are gone");
    assert!(now_unused.iter().all(|code| fresh.iter().any(|new| new.id == code.id)));
    assert!(
        matches!(
            store.use_recovery_code(worker.id, left[0].id, now(), &event).await,
            Err(StoreError::StateChanged(_))
        ),
        "an old code no longer works"
    );
}

pub(super) async fn removing_two_factor_ends_other_sessions_and_pending_sign_ins(store: Box<dyn Store>) {
    let (_, worker) = seed_team_and_worker(&*store).await;
    assert!(matches!(
        store.remove_two_factor(worker.id, None, &audit(AuditAction::TwoFactorReset)).await,
        Err(StoreError::StateChanged(_))
    ));
    store.start_two_factor(worker.id, b"secret", now()).await.unwrap();
    store
        .confirm_two_factor(worker.id, 5, now(), &codes(10), &audit(AuditAction::TwoFactorEnrolled))
        .await
        .unwrap();
    let at = now();
    let session = |id_hash: &str, signed_in: bool| SessionRecord {
        id_hash: id_hash.into(),
        user_id: signed_in.then_some(worker.id),
        csrf_token: "token".into(),
        created_at: at,
        last_seen_at: at,
        pending_user_id: (!signed_in).then_some(worker.id),
    };
    store.insert_session(&session("kept", true)).await.unwrap();
    store.insert_session(&session("other", true)).await.unwrap();
    store.insert_session(&session("waiting-for-a-code", false)).await.unwrap();
    assert_eq!(
        store.find_session("waiting-for-a-code").await.unwrap(),
        Some(session("waiting-for-a-code", false)),
        "a session waiting for a code keeps whose code it waits for"
    );
    let results = join_all((0..8).map(|_| {
        let event = audit(AuditAction::TwoFactorRemoved);
        let store = &store;
        async move { store.remove_two_factor(worker.id, Some("kept"), &event).await }
    }))
    .await;
    only_one_landed(&results, "removals");
    assert!(store.two_factor(worker.id).await.unwrap().is_none());
    assert!(store.unused_recovery_codes(worker.id).await.unwrap().is_empty());
    assert!(store.find_session("kept").await.unwrap().is_some());
    assert!(store.find_session("other").await.unwrap().is_none());
    assert!(store.find_session("waiting-for-a-code").await.unwrap().is_none());
    assert!(
        store.start_two_factor(worker.id, b"new secret", now()).await.unwrap(),
        "it can be set up again"
    );
}
