//! The audit trail: who did what to which record, and when; and every read of a person's record.
//!
//! Events form a hash chain: each stored event carries the hash of the one before it, so that
//! editing or deleting a past event breaks every hash after it (`verify_chain`).
//!
//! A plain hash chain can be rebuilt by anyone who can write to the database, so events are
//! sealed with HMAC-SHA256 under an `AuditKey` kept outside the database (hash version 2).
//! Events sealed before keying (version 1, plain SHA-256) stay verifiable; once a keyed event
//! appears, an unkeyed one after it is a break. Deleting the newest events leaves a shorter
//! chain that still verifies, so `AuditCheckpoint`s, signed with the same key and stored
//! outside the database, record a head that every later verification must still find.

use crate::ids::{PersonId, UserId};
use crate::people::labelled_enum;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Plain SHA-256 of the event and its place in the chain: events written before keying.
pub const UNKEYED_HASH: i64 = 1;
/// HMAC-SHA256 under the audit key: every event written with a key.
pub const KEYED_HASH: i64 = 2;

/// The secret that seals audit events and signs checkpoints. It must not be stored in the
/// database it protects; anyone holding it can forge a chain.
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("AuditKey(hidden)")
    }
}

/// The shortest key accepted: 32 characters, such as 64 hex digits from `openssl rand -hex 32`.
pub const AUDIT_KEY_MINIMUM_LENGTH: usize = 32;

impl AuditKey {
    /// A key from its text (an environment variable, a key file); surrounding white space,
    /// such as a file's last newline, is not part of it.
    pub fn from_text(text: &str) -> Result<AuditKey, String> {
        let text = text.trim();
        if text.chars().count() < AUDIT_KEY_MINIMUM_LENGTH {
            return Err(format!(
                "the audit key must be at least {AUDIT_KEY_MINIMUM_LENGTH} characters long (it has {})",
                text.chars().count()
            ));
        }
        Ok(AuditKey(text.as_bytes().to_vec()))
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }

    /// A name for the key that gives nothing of it away: written into the event that records a
    /// change of key, so a verifier holding several keys knows which one seals what follows.
    pub fn fingerprint(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"tailor-audit-key-fingerprint");
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// The detail of an `AuditKeyChanged` event naming the key that seals every event after it.
pub const NEW_KEY_FINGERPRINT: &str = "new_key_fingerprint";

labelled_enum!(
    /// Everything that is audited. Stored by code; shown by label.
    AuditAction {
        SignedIn => ("signed_in", "Signed in"),
        SignInFailed => ("sign_in_failed", "Sign-in refused: wrong email or password"),
        SignInThrottled => ("sign_in_throttled", "Sign-in refused: too many attempts"),
        SignedOut => ("signed_out", "Signed out"),
        ApiTokenCreated => ("api_token_created", "API token created"),
        CsrfRejected => ("csrf_rejected", "Form refused: it did not come from Tailor"),
        AccessRefused => ("access_refused", "Access refused"),
        PersonViewed => ("person_viewed", "Looked at the record"),
        PersonCreated => ("person_created", "Record created"),
        PersonUpdated => ("person_updated", "Details changed"),
        WorkerAllocated => ("worker_allocated", "Worker allocated"),
        CaseNoteAdded => ("case_note_added", "Case note added"),
        RelationshipAdded => ("relationship_added", "Relationship added"),
        WarningAdded => ("warning_added", "Warning added"),
        DocumentAdded => ("document_added", "Document added"),
        DocumentViewed => ("document_viewed", "Document opened"),
        DelegationGranted => ("delegation_granted", "Delegated access granted"),
        MoneyHolderAdded => ("money_holder_added", "Organisation now holds the person's money"),
        UserCreated => ("user_created", "Account created"),
        UserUpdated => ("user_updated", "Account changed"),
        TeamCreated => ("team_created", "Team created"),
        OrganisationCreated => ("organisation_created", "Organisation created"),
        DemoCouncilCreated => ("demo_council_created", "Demo council created"),
        ConfigurationLoaded => ("configuration_loaded", "Configuration version loaded"),
        AssessmentStarted => ("assessment_started", "Self-assessment started"),
        AssessmentAnswered => ("assessment_answered", "Self-assessment answers saved"),
        AssessmentSubmitted => ("assessment_submitted", "Self-assessment submitted"),
        AssessmentReviewed => ("assessment_reviewed", "Self-assessment checked by the council"),
        EligibilityDecided => ("eligibility_decided", "Eligibility decided"),
        BudgetCalculated => ("budget_calculated", "Indicative budget worked out"),
        BudgetOverridden => ("budget_overridden", "Indicative budget changed by professional judgement"),
        BudgetOverrideRequested => ("budget_override_requested", "Change to an indicative budget sent to a team manager"),
        BudgetOverrideAgreed => ("budget_override_agreed", "Change to an indicative budget agreed by a team manager"),
        BudgetOverrideDeclined => ("budget_override_declined", "Change to an indicative budget declined by a team manager"),
        FinancialAssessmentRecorded => ("financial_assessment_recorded", "Financial assessment recorded"),
        PlanSaved => ("plan_saved", "Support plan saved"),
        PlanSubmitted => ("plan_submitted", "Support plan submitted"),
        PlanDecided => ("plan_decided", "Support plan decision"),
        BudgetAgreed => ("budget_agreed", "Personal budget agreed"),
        ChallengeRaised => ("challenge_raised", "Decision challenged"),
        ChallengeAnswered => ("challenge_answered", "Challenge answered"),
        ChallengeReassigned => ("challenge_reassigned", "Challenge handed to another owner"),
        JobEnqueued => ("job_enqueued", "Later work scheduled"),
        JobFailed => ("job_failed", "Later work failed and will not be tried again"),
        AuditKeyChanged => ("audit_key_changed", "Audit key changed: later events are sealed with a new key"),
        ApiTokenRevoked => ("api_token_revoked", "API token withdrawn"),
        SignedOutEverywhere => ("signed_out_everywhere", "Signed out everywhere: every session and API token ended"),
        PasswordChanged => ("password_changed", "Password changed"),
        PasswordChangeRefused => ("password_change_refused", "Password change refused: wrong current password"),
        PasswordResetIssued => ("password_reset_issued", "Password reset link issued"),
        PasswordReset => ("password_reset", "Password set with a reset link"),
        DelegationChanged => ("delegation_changed", "Delegated access changed"),
        DelegationWithdrawn => ("delegation_withdrawn", "Delegated access withdrawn"),
        AccountLinkRequested => ("account_link_requested", "Account link to a person's record asked for"),
        AccountLinkConfirmed => ("account_link_confirmed", "Account link to a person's record confirmed"),
        AccountLinkRefused => ("account_link_refused", "Account link to a person's record refused"),
        PersonPickerSearched => ("person_picker_searched", "Searched for a person to link an account to"),
        EligibilityRedetermined => ("eligibility_redetermined", "Eligibility decided again, replacing the earlier decision"),
        AssessmentDutiesRecorded => ("assessment_duties_recorded", "How the assessment was carried out recorded (method, capacity, advocacy)"),
        TwoFactorEnrolled => ("two_factor_enrolled", "Two-step sign-in set up"),
        TwoFactorRemoved => ("two_factor_removed", "Two-step sign-in turned off by the account's owner"),
        TwoFactorReset => ("two_factor_reset", "Two-step sign-in reset by an administrator"),
        RecoveryCodesRegenerated => ("recovery_codes_regenerated", "New recovery codes made; the old ones no longer work"),
        RecoveryCodeUsed => ("recovery_code_used", "Signed in with a recovery code"),
        TwoFactorCodeWrong => ("two_factor_code_wrong", "Sign-in refused: wrong security code"),
        SignInCodeAwaited => ("sign_in_code_awaited", "Right password; waiting for the security code"),
    }
);

/// An event before it is stored. The store gives it a sequence number and chains its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEvent {
    pub at: DateTime<Utc>,
    /// `None` for events with no signed-in actor, such as a failed sign-in.
    pub actor_id: Option<UserId>,
    /// Who, as shown at the time (a name, or the email tried at a failed sign-in).
    pub actor_label: String,
    pub action: AuditAction,
    /// The kind of record touched: "person", "user", "case_note", ...
    pub subject_type: String,
    pub subject_id: String,
    /// The person whose record this concerns, so "who looked at this person" is one query.
    pub person_id: Option<PersonId>,
    /// Before and after, the reason for a refusal, or whatever else matters for this action.
    pub details: serde_json::Value,
}

impl NewAuditEvent {
    pub fn new(at: DateTime<Utc>, actor_id: Option<UserId>, actor_label: impl Into<String>, action: AuditAction) -> Self {
        NewAuditEvent {
            at,
            actor_id,
            actor_label: actor_label.into(),
            action,
            subject_type: String::new(),
            subject_id: String::new(),
            person_id: None,
            details: serde_json::Value::Null,
        }
    }

    pub fn subject(mut self, subject_type: &str, subject_id: impl ToString) -> Self {
        self.subject_type = subject_type.to_owned();
        self.subject_id = subject_id.to_string();
        self
    }

    pub fn person(mut self, person_id: PersonId) -> Self {
        self.person_id = Some(person_id);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// The unkeyed (version 1) hash of this event chained to the previous one. Timestamps are
    /// hashed at microsecond precision because that is what both databases keep.
    pub fn chain_hash(&self, sequence: i64, previous_hash: &str) -> String {
        let mut hasher = Sha256::new();
        self.feed_hash_input(sequence, previous_hash, |bytes| hasher.update(bytes));
        hex::encode(hasher.finalize())
    }

    /// The keyed (version 2) hash: the same input, sealed with HMAC-SHA256 under `key`.
    pub fn keyed_chain_hash(&self, key: &AuditKey, sequence: i64, previous_hash: &str) -> String {
        let mut mac = key.mac();
        self.feed_hash_input(sequence, previous_hash, |bytes| mac.update(bytes));
        hex::encode(mac.finalize().into_bytes())
    }

    /// The hash version and hash the store writes: keyed when there is a key.
    pub fn seal(&self, key: Option<&AuditKey>, sequence: i64, previous_hash: &str) -> (i64, String) {
        match key {
            Some(key) => (KEYED_HASH, self.keyed_chain_hash(key, sequence, previous_hash)),
            None => (UNKEYED_HASH, self.chain_hash(sequence, previous_hash)),
        }
    }

    /// Each part is preceded by its length, so that no two different events give the same input.
    fn feed_hash_input(&self, sequence: i64, previous_hash: &str, mut feed: impl FnMut(&[u8])) {
        for part in [
            previous_hash,
            &sequence.to_string(),
            &self.at.timestamp_micros().to_string(),
            &self.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            &self.actor_label,
            self.action.as_str(),
            &self.subject_type,
            &self.subject_id,
            &self.person_id.map(|id| id.to_string()).unwrap_or_default(),
            &self.details.to_string(),
        ] {
            feed(&(part.len() as u64).to_be_bytes());
            feed(part.as_bytes());
        }
    }
}

/// The hash that the first event in a chain is linked to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub sequence: i64,
    pub event: NewAuditEvent,
    pub previous_hash: String,
    pub hash: String,
    /// `UNKEYED_HASH` or `KEYED_HASH`.
    pub hash_version: i64,
}

impl AuditEvent {
    /// Whether a writer holding `key` may append after this event without breaking the chain:
    /// the event is unkeyed, sealed with `key`, or a change of key that names `key`.
    pub fn may_be_followed_under(&self, key: &AuditKey) -> bool {
        match self.hash_version {
            KEYED_HASH => {
                let sealed_with_key = constant_time_equal(
                    self.hash.as_bytes(),
                    self.event.keyed_chain_hash(key, self.sequence, &self.previous_hash).as_bytes(),
                );
                let names_key = self.event.action == AuditAction::AuditKeyChanged
                    && self.event.details.get(NEW_KEY_FINGERPRINT).and_then(|value| value.as_str()) == Some(&key.fingerprint());
                (sealed_with_key && self.event.action != AuditAction::AuditKeyChanged) || names_key
            }
            _ => true,
        }
    }
}

/// Why a chain does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Its hash, link or sequence number does not follow from the events before it.
    DoesNotFollow,
    /// It is sealed with a key, and no key was given to check it with.
    NeedsKey,
    /// It is unkeyed although keyed events come before it: written by someone without the key.
    UnkeyedAfterKeyed,
    UnknownHashVersion,
    /// It comes after a change of key, and the new key named by that change was not given.
    NeedsNewKey,
}

/// The first event of a chain that does not verify, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainFault {
    pub sequence: i64,
    pub kind: FaultKind,
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sequence = self.sequence;
        match self.kind {
            FaultKind::DoesNotFollow => write!(formatter, "event {sequence} does not follow from the events before it"),
            FaultKind::NeedsKey => write!(
                formatter,
                "event {sequence} is sealed with the audit key, and no audit key was given"
            ),
            FaultKind::UnkeyedAfterKeyed => write!(
                formatter,
                "event {sequence} is not sealed with the audit key although earlier events are: it was written without the key"
            ),
            FaultKind::UnknownHashVersion => write!(formatter, "event {sequence} has a hash version Tailor does not know"),
            FaultKind::NeedsNewKey => write!(
                formatter,
                "event {sequence} is sealed with the key that an earlier key change named, and that key was not given"
            ),
        }
    }
}

/// Checks a chain in batches, oldest first, remembering where the last batch ended.
///
/// A chain may have been sealed with several keys in turn: each change is an `AuditKeyChanged`
/// event, sealed with the old key, naming the new key's fingerprint. The verifier is given every
/// key it may need; the first keyed event decides which key the chain starts with, and each
/// change then moves to the key it names. Nobody without the key in force can write a change,
/// so holding an old key does not let anyone continue the chain.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    keys: Vec<&'k AuditKey>,
    in_force: Option<&'k AuditKey>,
    /// A change of key named a key that was not given: events after it cannot be checked.
    named_key_missing: bool,
    previous_sequence: i64,
    previous_hash: String,
    keyed_seen: bool,
    checked: i64,
}

impl<'k> ChainVerifier<'k> {
    /// From the start of the chain.
    pub fn new(key: Option<&'k AuditKey>) -> Self {
        Self::resume(key, 0, GENESIS_HASH.to_owned())
    }

    /// From the start of a chain sealed with any of `keys` in turn (the key in force now and
    /// those it replaced).
    pub fn with_keys(keys: Vec<&'k AuditKey>) -> Self {
        let mut verifier = Self::resume(None, 0, GENESIS_HASH.to_owned());
        verifier.keys = keys;
        verifier
    }

    /// From the middle of a chain, after the event with this sequence number and hash.
    pub fn resume(key: Option<&'k AuditKey>, previous_sequence: i64, previous_hash: String) -> Self {
        ChainVerifier {
            keys: key.into_iter().collect(),
            in_force: None,
            named_key_missing: false,
            previous_sequence,
            previous_hash,
            keyed_seen: false,
            checked: 0,
        }
    }

    /// The keyed hash of `stored` under the key in force, choosing that key at the first keyed
    /// event of the chain.
    fn keyed_hash(&mut self, stored: &AuditEvent) -> Result<String, FaultKind> {
        if self.named_key_missing {
            return Err(FaultKind::NeedsNewKey);
        }
        let key = match self.in_force {
            Some(key) => key,
            None if self.keys.is_empty() => return Err(FaultKind::NeedsKey),
            None => {
                let fits = |key: &&AuditKey| {
                    let hash = stored.event.keyed_chain_hash(key, stored.sequence, &self.previous_hash);
                    constant_time_equal(stored.hash.as_bytes(), hash.as_bytes())
                };
                let chosen = self.keys.iter().copied().find(fits).unwrap_or(self.keys[0]);
                self.in_force = Some(chosen);
                chosen
            }
        };
        Ok(stored.event.keyed_chain_hash(key, stored.sequence, &self.previous_hash))
    }

    /// After a verified change of key, the key it names is in force.
    fn follow_key_change(&mut self, stored: &AuditEvent) {
        if stored.event.action != AuditAction::AuditKeyChanged {
            return;
        }
        let named = stored.event.details.get(NEW_KEY_FINGERPRINT).and_then(|value| value.as_str());
        let next = named.and_then(|fingerprint| self.keys.iter().copied().find(|key| key.fingerprint() == fingerprint));
        self.in_force = next;
        self.named_key_missing = next.is_none();
    }

    /// True when the newest change of key named a key that was not given, so that the key
    /// given cannot be the key in force.
    pub fn named_key_missing(&self) -> bool {
        self.named_key_missing
    }

    /// The key sealing the newest event checked, if any was keyed.
    pub fn key_in_force(&self) -> Option<&'k AuditKey> {
        self.in_force
    }

    /// Checks the next run of events. Sequence numbers must run on without gaps, so a deleted
    /// event is found even where the hashes around it were recomputed without the key.
    pub fn check(&mut self, events: &[AuditEvent]) -> Result<(), ChainFault> {
        for stored in events {
            let fault = |kind| ChainFault {
                sequence: stored.sequence,
                kind,
            };
            let expected = match stored.hash_version {
                UNKEYED_HASH if self.keyed_seen => return Err(fault(FaultKind::UnkeyedAfterKeyed)),
                UNKEYED_HASH => stored.event.chain_hash(stored.sequence, &self.previous_hash),
                KEYED_HASH => {
                    let hash = self.keyed_hash(stored).map_err(fault)?;
                    self.keyed_seen = true;
                    hash
                }
                _ => return Err(fault(FaultKind::UnknownHashVersion)),
            };
            // Hashes are compared whole, in constant time, as the keyed hash is a MAC.
            let hash_matches = constant_time_equal(stored.hash.as_bytes(), expected.as_bytes());
            if stored.sequence != self.previous_sequence + 1 || stored.previous_hash != self.previous_hash || !hash_matches {
                return Err(fault(FaultKind::DoesNotFollow));
            }
            if stored.hash_version == KEYED_HASH {
                self.follow_key_change(stored);
            }
            self.previous_sequence = stored.sequence;
            self.previous_hash = stored.hash.clone();
            self.checked += 1;
        }
        Ok(())
    }

    /// How many events have been checked.
    pub fn checked(&self) -> i64 {
        self.checked
    }

    /// The sequence number and hash of the last event checked (0 and `GENESIS_HASH` before any).
    pub fn head(&self) -> (i64, &str) {
        (self.previous_sequence, &self.previous_hash)
    }
}

fn constant_time_equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |difference, (a, b)| difference | (a ^ b)) == 0
}

/// Checks a whole chain from its first event.
pub fn verify_chain(events: &[AuditEvent], key: Option<&AuditKey>) -> Result<(), ChainFault> {
    ChainVerifier::new(key).check(events)
}

/// The format name written in every checkpoint, so a file of another kind is not mistaken for one.
pub const CHECKPOINT_FORMAT: &str = "tailor-audit-checkpoint/1";

/// The head of the chain at one moment, signed with the audit key and kept outside the database
/// (a file, a ticket, an email to the auditor). A later chain must still hold this event with
/// this hash: that finds a deleted tail, a truncated table, and a chain rebuilt or renumbered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditCheckpoint {
    pub format: String,
    pub sequence: i64,
    pub hash: String,
    pub made_at: DateTime<Utc>,
    /// HMAC-SHA256, in hex, of the other fields.
    pub signature: String,
}

impl AuditCheckpoint {
    pub fn sign(key: &AuditKey, sequence: i64, hash: &str, made_at: DateTime<Utc>) -> Self {
        let mut checkpoint = AuditCheckpoint {
            format: CHECKPOINT_FORMAT.to_owned(),
            sequence,
            hash: hash.to_owned(),
            made_at,
            signature: String::new(),
        };
        checkpoint.signature = hex::encode(checkpoint.signed_mac(key).finalize().into_bytes());
        checkpoint
    }

    /// True when the signature was made with `key` over these very fields.
    pub fn signature_holds(&self, key: &AuditKey) -> bool {
        let Ok(signature) = hex::decode(&self.signature) else {
            return false;
        };
        self.format == CHECKPOINT_FORMAT && self.signed_mac(key).verify_slice(&signature).is_ok()
    }

    fn signed_mac(&self, key: &AuditKey) -> HmacSha256 {
        let mut mac = key.mac();
        for part in [
            self.format.as_str(),
            &self.sequence.to_string(),
            &self.hash,
            &self.made_at.timestamp_micros().to_string(),
        ] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac
    }

    /// Compares the checkpoint with what the database holds now: `at_checkpoint` is the stored
    /// event with the checkpoint's sequence number, if there is one.
    pub fn check(&self, key: &AuditKey, at_checkpoint: Option<&AuditEvent>) -> Result<(), CheckpointFault> {
        if !self.signature_holds(key) {
            return Err(CheckpointFault::BadSignature);
        }
        if self.sequence == 0 {
            return Ok(());
        }
        match at_checkpoint {
            None => Err(CheckpointFault::Missing { sequence: self.sequence }),
            Some(stored) if stored.sequence == self.sequence && stored.hash == self.hash => Ok(()),
            Some(_) => Err(CheckpointFault::Different { sequence: self.sequence }),
        }
    }
}

/// Why the database does not match a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointFault {
    /// The checkpoint was not signed with this key, or was edited after signing.
    BadSignature,
    /// The event the checkpoint names is gone: events were deleted from the end, or all of them.
    Missing { sequence: i64 },
    /// The event is there with another hash: the chain was rebuilt or renumbered.
    Different { sequence: i64 },
}

impl std::fmt::Display for CheckpointFault {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckpointFault::BadSignature => formatter
                .write_str("the checkpoint's signature does not match the audit key: it was made with another key or changed since"),
            CheckpointFault::Missing { sequence } => write!(
                formatter,
                "event {sequence}, the head at the checkpoint, is no longer in the database: events have been deleted"
            ),
            CheckpointFault::Different { sequence } => write!(
                formatter,
                "event {sequence} is not the event the checkpoint recorded: the chain has been rewritten"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> AuditKey {
        AuditKey::from_text(&text.repeat(32)).unwrap()
    }

    fn chain(count: i64) -> Vec<AuditEvent> {
        sealed_chain(count, None)
    }

    fn sealed_chain(count: i64, key: Option<&AuditKey>) -> Vec<AuditEvent> {
        let mut previous = GENESIS_HASH.to_owned();
        (1..=count)
            .map(|sequence| {
                let event = NewAuditEvent::new(
                    DateTime::from_timestamp(1_700_000_000 + sequence, 0).unwrap(),
                    None,
                    "tester",
                    AuditAction::SignedIn,
                );
                let (hash_version, hash) = event.seal(key, sequence, &previous);
                let stored = AuditEvent {
                    sequence,
                    event,
                    previous_hash: previous.clone(),
                    hash: hash.clone(),
                    hash_version,
                };
                previous = hash;
                stored
            })
            .collect()
    }

    /// Events 1 to 3 sealed with `old`, event 4 the change to `new` (sealed with `old`), then
    /// events 5 and 6 sealed with `new`.
    fn rotated_chain(old: &AuditKey, new: &AuditKey) -> Vec<AuditEvent> {
        let mut events = sealed_chain(3, Some(old));
        let mut append = |event: NewAuditEvent, key: &AuditKey| {
            let previous = events.last().map_or(GENESIS_HASH.to_owned(), |last| last.hash.clone());
            let sequence = events.len() as i64 + 1;
            let (hash_version, hash) = event.seal(Some(key), sequence, &previous);
            events.push(AuditEvent {
                sequence,
                event,
                previous_hash: previous,
                hash,
                hash_version,
            });
        };
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        append(
            NewAuditEvent::new(at, None, "tailor audit rotate-key", AuditAction::AuditKeyChanged)
                .details(serde_json::json!({ NEW_KEY_FINGERPRINT: new.fingerprint() })),
            old,
        );
        append(NewAuditEvent::new(at, None, "tester", AuditAction::SignedIn), new);
        append(NewAuditEvent::new(at, None, "tester", AuditAction::SignedOut), new);
        events
    }

    #[test]
    fn a_chain_verifies_across_a_change_of_key_given_both_keys() {
        let (old, new) = (key("o"), key("n"));
        let events = rotated_chain(&old, &new);
        let mut verifier = ChainVerifier::with_keys(vec![&new, &old]);
        assert_eq!(verifier.check(&events), Ok(()));
        assert_eq!(verifier.checked(), 6);
        assert_eq!(verifier.key_in_force().map(AuditKey::fingerprint), Some(new.fingerprint()));
    }

    #[test]
    fn without_the_new_key_the_events_after_the_change_cannot_be_checked() {
        let (old, new) = (key("o"), key("n"));
        let events = rotated_chain(&old, &new);
        assert_eq!(verify_chain(&events, Some(&old)), fault(5, FaultKind::NeedsNewKey));
        // The new key alone cannot vouch for what the old key sealed.
        assert_eq!(verify_chain(&events, Some(&new)), fault(1, FaultKind::DoesNotFollow));
    }

    #[test]
    fn an_old_key_cannot_continue_the_chain_after_it_was_replaced() {
        let (old, new) = (key("o"), key("n"));
        let mut events = rotated_chain(&old, &new);
        // Someone holding only the retired key appends an event sealed with it.
        let previous = events.last().unwrap().hash.clone();
        let event = NewAuditEvent::new(
            DateTime::from_timestamp(1_800_000_100, 0).unwrap(),
            None,
            "intruder",
            AuditAction::PersonViewed,
        );
        let (hash_version, hash) = event.seal(Some(&old), 7, &previous);
        events.push(AuditEvent {
            sequence: 7,
            event,
            previous_hash: previous,
            hash,
            hash_version,
        });
        assert_eq!(
            ChainVerifier::with_keys(vec![&old, &new]).check(&events),
            fault(7, FaultKind::DoesNotFollow)
        );
    }

    #[test]
    fn only_the_key_in_force_may_append() {
        let (old, new) = (key("o"), key("n"));
        let events = rotated_chain(&old, &new);
        assert!(events[2].may_be_followed_under(&old));
        assert!(!events[2].may_be_followed_under(&new));
        // After the change, only the new key may follow it.
        assert!(events[3].may_be_followed_under(&new));
        assert!(!events[3].may_be_followed_under(&old));
        assert!(events[5].may_be_followed_under(&new));
        assert!(chain(1)[0].may_be_followed_under(&old));
    }

    #[test]
    fn fingerprints_name_keys_without_giving_them_away() {
        let (first, second) = (key("a"), key("b"));
        assert_eq!(first.fingerprint(), key("a").fingerprint());
        assert_ne!(first.fingerprint(), second.fingerprint());
        assert_eq!(first.fingerprint().len(), 32);
        assert!(!first.fingerprint().contains("aaaa"));
    }

    fn fault(sequence: i64, kind: FaultKind) -> Result<(), ChainFault> {
        Err(ChainFault { sequence, kind })
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5), None), Ok(()));
        assert_eq!(verify_chain(&sealed_chain(5, Some(&key("a"))), Some(&key("a"))), Ok(()));
    }

    #[test]
    fn editing_an_event_is_detected() {
        let mut events = chain(5);
        events[2].event.actor_label = "someone else".into();
        assert_eq!(verify_chain(&events, None), fault(3, FaultKind::DoesNotFollow));
    }

    #[test]
    fn deleting_an_event_is_detected() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(verify_chain(&events, None), fault(3, FaultKind::DoesNotFollow));
    }

    #[test]
    fn a_keyed_chain_rebuilt_with_another_key_or_none_is_detected() {
        let right = key("a");
        assert_eq!(
            verify_chain(&sealed_chain(3, Some(&key("b"))), Some(&right)),
            fault(1, FaultKind::DoesNotFollow)
        );
        assert_eq!(verify_chain(&sealed_chain(3, Some(&right)), None), fault(1, FaultKind::NeedsKey));
        // Unkeyed events after keyed ones were written by someone without the key.
        let mut events = sealed_chain(4, Some(&right));
        let unkeyed = sealed_chain(4, None);
        let forged = events[2].event.chain_hash(4, &events[2].hash);
        events[3] = AuditEvent {
            previous_hash: events[2].hash.clone(),
            hash: forged,
            ..unkeyed[3].clone()
        };
        assert_eq!(verify_chain(&events, Some(&right)), fault(4, FaultKind::UnkeyedAfterKeyed));
    }

    #[test]
    fn unkeyed_events_before_keyed_ones_still_verify() {
        let right = key("a");
        let mut events = chain(2);
        let third = NewAuditEvent::new(
            DateTime::from_timestamp(1_700_000_003, 0).unwrap(),
            None,
            "tester",
            AuditAction::SignedOut,
        );
        let (hash_version, hash) = third.seal(Some(&right), 3, &events[1].hash);
        events.push(AuditEvent {
            sequence: 3,
            event: third,
            previous_hash: events[1].hash.clone(),
            hash,
            hash_version,
        });
        assert_eq!(verify_chain(&events, Some(&right)), Ok(()));
    }

    #[test]
    fn a_checkpoint_finds_a_deleted_tail_and_a_rewritten_chain() {
        let right = key("a");
        let events = sealed_chain(5, Some(&right));
        let checkpoint = AuditCheckpoint::sign(&right, 5, &events[4].hash, DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        assert_eq!(checkpoint.check(&right, Some(&events[4])), Ok(()));
        assert_eq!(checkpoint.check(&right, None), Err(CheckpointFault::Missing { sequence: 5 }));
        let rewritten = chain(5);
        assert_eq!(
            checkpoint.check(&right, Some(&rewritten[4])),
            Err(CheckpointFault::Different { sequence: 5 })
        );
        assert_eq!(checkpoint.check(&key("b"), Some(&events[4])), Err(CheckpointFault::BadSignature));
        let mut moved = checkpoint.clone();
        moved.sequence = 4;
        assert_eq!(moved.check(&right, Some(&events[3])), Err(CheckpointFault::BadSignature));
        let json = serde_json::to_string(&checkpoint).unwrap();
        assert_eq!(serde_json::from_str::<AuditCheckpoint>(&json).unwrap(), checkpoint);
    }

    #[test]
    fn short_keys_are_refused_and_keys_are_not_printed() {
        assert!(AuditKey::from_text("too short\n").is_err());
        assert_eq!(format!("{:?}", key("s")), "AuditKey(hidden)");
    }

    #[test]
    fn action_codes_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
    }
}
