//! Small reads that pages need around a use case: whose record a form or page is about. Each checks access like any use case, and a read of a
//! person's data is logged.

use crate::{App, AppResult};
use tailor_domain::access::Actor;
use tailor_domain::people::Person;
use tailor_domain::PersonId;

impl App {
    /// The person a page or form is about, for its heading and caption. Any relationship that
    /// opens part of the record opens this much: it says whose record the page is. The read is
    /// logged with what it was for.
    pub async fn person_for_page(&self, actor: &Actor, person_id: PersonId, purpose: &str) -> AppResult<Person> {
        let access = self.access_to_person(actor, person_id, purpose).await?;
        let person = self.store.get_person(person_id).await?;
        self.log_read(actor, &access, person_id, &["details"], purpose).await?;
        Ok(person)
    }
}
