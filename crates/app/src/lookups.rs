//! Small reads that pages need around a use case: whose record a form or page is about. Each checks access like any use case, and a read of a
//! person's data is logged.

use crate::{App, AppResult};
use std::collections::HashMap;
use tailor_domain::access::{person_access, Actor, Permission};
use tailor_domain::people::Person;
use tailor_domain::PersonId;

impl App {
    /// The person a page or form is about, for its heading and caption. Any relationship that
    /// opens part of the record opens this much: it says whose record the page is. The read is
    /// logged with what it was for.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn person_for_page(&self, actor: &Actor, person_id: PersonId, purpose: &str) -> AppResult<Person> {
        let access = self.access_to_person(actor, person_id, purpose).await?;
        let person = self.store.get_person(person_id).await?;
        self.log_read(actor, &access, person_id, &["details"], purpose).await?;
        Ok(person)
    }

    /// The names of the people in a worker's work queues. Like a caseload or a search, a list
    /// of names is not logged as a read of each record (opening one is); each person is still
    /// checked against the access rule, and anyone it does not open is left unnamed. The names
    /// and the facts the rule needs come in one statement for the whole list.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), people = people.len()))]
    pub async fn names_for_work_queues(&self, actor: &Actor, people: &[PersonId]) -> AppResult<HashMap<PersonId, String>> {
        let mut names = HashMap::new();
        // Staff without work queues (administrators, analysts) have nothing to name and are not
        // refused for it.
        if people.is_empty() {
            return Ok(names);
        }
        self.require(actor, Permission::ViewCaseload, "see work queues").await?;
        let today = self.clock.today();
        // One statement for the whole list, however many queues name however many people.
        let mut asked = people.to_vec();
        asked.sort();
        asked.dedup();
        for (facts, name) in self.store.names_with_access_facts(&asked).await? {
            if let Some(person_id) = facts.person_id.filter(|_| person_access(actor, &facts, today).any()) {
                names.insert(person_id, name);
            }
        }
        Ok(names)
    }
}
