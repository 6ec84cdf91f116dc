//! The audit log for an administrator: filtered by person, account, kind and dates, paged,
//! as plain-English sentences with the names looked up when it is shown (events hold ids only),
//! and as a CSV download. Naming a person on the page is a read of their record, and is logged.

use crate::people::single_error;
use crate::{App, AppResult};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeSet, HashMap};
use tailor_domain::access::{Actor, Permission};
use tailor_domain::audit::{AuditAction, AuditEvent};
use tailor_domain::audit_log::{detail_pairs, sentence};
use tailor_domain::validation::{parse_typed_date, ValidationErrors};
use tailor_domain::{PersonId, UserId};
use tailor_store::AuditSearch;

/// Events on one page of the log.
pub const AUDIT_PAGE_SIZE: i64 = 50;
/// The most events one CSV download holds: a year of a busy council's reads is far more, so
/// a download is for a filtered slice.
pub const AUDIT_CSV_LIMIT: i64 = 10_000;

/// What the filter form sends, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AuditFilterInput {
    /// A person's id (the log's own links fill it in).
    pub person: String,
    /// An account's email address.
    pub account: String,
    /// An `AuditAction` code.
    pub kind: String,
    pub from: String,
    pub to: String,
    /// Show events older than this sequence number.
    pub before: Option<i64>,
}

/// One event, ready to read.
#[derive(Clone, Debug)]
pub struct AuditLine {
    pub sequence: i64,
    pub at: DateTime<Utc>,
    pub sentence: String,
    pub actor_name: String,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub action: AuditAction,
    pub details: String,
}

#[derive(Clone, Debug)]
pub struct AuditLogPage {
    pub lines: Vec<AuditLine>,
    /// The `before` for the next (older) page, when there may be one.
    pub older: Option<i64>,
    /// The person filtered on, by name.
    pub person_name: Option<String>,
}

const DATE_FORMATS: [&str; 6] = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y"];

/// Midnight in England at the start of `day`, as a time.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    chrono_tz::Europe::London
        .from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

impl App {
    async fn audit_search(&self, input: &AuditFilterInput, limit: i64) -> AppResult<AuditSearch> {
        let mut errors = ValidationErrors::default();
        let person_id = match input.person.trim() {
            "" => None,
            typed => match typed.parse::<PersonId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("person", "Choose a person from the log's own links");
                    None
                }
            },
        };
        let actor_id = match input.account.trim() {
            "" => None,
            email => match self.store.find_user_by_email(&email.to_lowercase()).await? {
                Some((user, _)) => Some(user.id),
                None => {
                    errors.add("account", "There is no account with that email address");
                    None
                }
            },
        };
        let action = match input.kind.trim() {
            "" => None,
            code => {
                let found = AuditAction::parse(code);
                if found.is_none() {
                    errors.add("kind", "Select a kind of event from the list");
                }
                found
            }
        };
        let mut date = |field: &str, label: &str, text: &str| match text.trim() {
            "" => None,
            typed => {
                let found = parse_typed_date(typed, &DATE_FORMATS);
                if found.is_none() {
                    errors.add(field, format!("Enter the {label} as a date, like 27/3/2026"));
                }
                found
            }
        };
        let from = date("from", "first day", &input.from);
        let to = date("to", "last day", &input.to);
        if let (Some(first), Some(last)) = (from, to) {
            if last < first {
                errors.add("to", "The last day must be the same as or after the first day");
            }
        }
        errors.into_result(())?;
        Ok(AuditSearch {
            person_id,
            actor_id,
            action,
            from: from.map(start_of),
            until: to.and_then(|last| last.succ_opt()).map(start_of),
            before_sequence: input.before.filter(|before| *before > 0),
            limit,
        })
    }

    /// Names for the accounts and people these events refer to, in two statements. Naming a
    /// person is a read of their record: each is logged, once per page.
    async fn audit_lines(&self, actor: &Actor, events: &[AuditEvent], purpose: &str) -> AppResult<Vec<AuditLine>> {
        let user_ids: Vec<UserId> = events
            .iter()
            .filter_map(|stored| stored.event.actor_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let person_ids: Vec<PersonId> = events
            .iter()
            .filter_map(|stored| stored.event.person_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let users: HashMap<UserId, String> = self.store.user_names(&user_ids).await?.into_iter().collect();
        let people: HashMap<PersonId, String> = self.store.person_names(&person_ids).await?.into_iter().collect();
        for person_id in people.keys() {
            let read = self
                .event(actor, AuditAction::PersonViewed)
                .person(*person_id)
                .subject("person", person_id)
                .details(serde_json::json!({ "parts": ["name"], "purpose": purpose }));
            self.store.append_audit(&read).await?;
        }
        Ok(events
            .iter()
            .map(|stored| {
                let event = &stored.event;
                let actor_name = event
                    .actor_id
                    .and_then(|id| users.get(&id).cloned())
                    .unwrap_or_else(|| event.actor_label.clone());
                let person_name = event.person_id.and_then(|id| people.get(&id).cloned());
                AuditLine {
                    sequence: stored.sequence,
                    at: event.at,
                    sentence: sentence(event, &actor_name, person_name.as_deref()),
                    actor_name,
                    person_id: event.person_id,
                    person_name,
                    action: event.action,
                    details: detail_pairs(event),
                }
            })
            .collect())
    }

    /// A page of the audit log, newest first, filtered as asked.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn audit_log(&self, actor: &Actor, input: &AuditFilterInput) -> AppResult<AuditLogPage> {
        self.require(actor, Permission::ViewAuditLog, "see the audit log").await?;
        let search = self.audit_search(input, AUDIT_PAGE_SIZE + 1).await?;
        let mut events = self.store.search_audit(&search).await?;
        let more = events.len() as i64 > AUDIT_PAGE_SIZE;
        events.truncate(AUDIT_PAGE_SIZE as usize);
        let lines = self.audit_lines(actor, &events, "see the audit log").await?;
        let person_name = match search.person_id {
            Some(person_id) => self
                .store
                .person_names(&[person_id])
                .await?
                .into_iter()
                .next()
                .map(|(_, name)| name),
            None => None,
        };
        Ok(AuditLogPage {
            older: if more { lines.last().map(|line| line.sequence) } else { None },
            lines,
            person_name,
        })
    }

    /// The filtered log as CSV (up to `AUDIT_CSV_LIMIT` events, newest first).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn audit_log_csv(&self, actor: &Actor, input: &AuditFilterInput) -> AppResult<String> {
        self.require(actor, Permission::ViewAuditLog, "download the audit log").await?;
        let search = self.audit_search(input, AUDIT_CSV_LIMIT).await?;
        let events = self.store.search_audit(&search).await?;
        if events.len() as i64 >= AUDIT_CSV_LIMIT {
            return Err(single_error(
                "from",
                &format!("More than {AUDIT_CSV_LIMIT} events match: choose a shorter date range or another filter"),
            ));
        }
        let lines = self.audit_lines(actor, &events, "download the audit log").await?;
        let mut csv = String::from("number,when,who,what,person,kind,details\r\n");
        for line in lines {
            let fields = [
                line.sequence.to_string(),
                line.at.to_rfc3339(),
                line.actor_name,
                line.sentence,
                line.person_name.unwrap_or_default(),
                line.action.as_str().to_owned(),
                line.details,
            ];
            csv.push_str(&fields.iter().map(|field| csv_field(field)).collect::<Vec<_>>().join(","));
            csv.push_str("\r\n");
        }
        Ok(csv)
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break, quotes doubled; and a
/// leading `=`, `+`, `-` or `@` made inert, so a spreadsheet never runs a name as a formula.
pub fn csv_field(value: &str) -> String {
    let safe = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_made_inert() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Okoro, Sam"), "\"Okoro, Sam\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }

    #[test]
    fn days_start_at_midnight_in_england() {
        // 1 July is in British Summer Time: midnight there is 23:00 the day before in UTC.
        assert_eq!(start_of("2026-07-01".parse().unwrap()).to_rfc3339(), "2026-06-30T23:00:00+00:00");
        assert_eq!(start_of("2026-01-01".parse().unwrap()).to_rfc3339(), "2026-01-01T00:00:00+00:00");
    }
}
