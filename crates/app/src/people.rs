//! Finding people, opening their record (every read logged), and changing it.

use crate::{App, AppError, AppResult};
use tailor_domain::access::{
    allocates_new_records_to_creator, caseload_scope, may, may_allocate_to, may_receive_delegation, own_people_scope, person_access,
    search_scope, Actor, Capability, CaseloadScope, DelegationScope, OwnPeopleScope, Permission, PersonAccess, SearchScope,
};
use tailor_domain::audit::AuditAction;
use tailor_domain::notes::{check_document, CaseNote, CaseNoteInput, DocumentMeta};
use tailor_domain::people::{
    may_be_the_same_person, PeopleSearch, Person, PersonDetails, PersonDetailsInput, PersonSummary, Relationship, RelationshipInput,
    Warning, WarningInput,
};
use tailor_domain::users::{Organisation, User};
use tailor_domain::validation::ValidationErrors;
use tailor_domain::*;
use tailor_store::{Delegation, PeopleFilter, PeopleQuery, StoreError};

/// Everything on a person's page that this actor may see; parts they may not see are `None`.
#[derive(Clone, Debug)]
pub struct PersonView {
    pub person: Person,
    pub access: PersonAccess,
    pub allocated_worker: Option<User>,
    pub team_name: Option<String>,
    pub relationships: Option<Vec<Relationship>>,
    pub warnings: Option<Vec<Warning>>,
    pub notes: Option<Vec<CaseNote>>,
    pub documents: Option<Vec<DocumentMeta>>,
    pub delegations: Option<Vec<Delegation>>,
}

/// What was typed on the form that lets a helper act for a person.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct DelegationInput {
    #[serde(default)]
    pub helper_email: String,
    /// Scope codes, as `DelegationScope::as_str` writes them.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The last day of access, as 31/12/2027 or 2027-12-31; empty for no end.
    #[serde(default)]
    pub expires_on: String,
}

/// A person's or helper's home page.
#[derive(Clone, Debug)]
pub struct MyHome {
    pub people: Vec<PersonSummary>,
    /// For a person, their own record; `None` for a helper, who acts for others.
    pub own_record: Option<PersonId>,
    pub worker_name: Option<String>,
}

/// An existing record that may be the person about to be added, and whether the actor may open it.
#[derive(Clone, Debug)]
pub struct PossibleDuplicate {
    pub person: PersonSummary,
    pub opens_for_actor: bool,
}

/// A page of people and how many there are in all.
#[derive(Clone, Debug)]
pub struct PeoplePage {
    pub people: Vec<PersonSummary>,
    pub total: i64,
}

pub const PAGE_SIZE: i64 = 50;

/// The choices on the allocation form.
#[derive(Clone, Debug)]
pub struct AllocationOptions {
    pub current: Option<UserId>,
    pub workers: Vec<User>,
}

impl App {
    /// Decides what this actor may see of this person. A refusal is audited against the person.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn access_to_person(&self, actor: &Actor, person_id: PersonId, what: &str) -> AppResult<PersonAccess> {
        if !actor.role.allows(Permission::ViewPersonRecord) {
            self.record_refusal(actor, what, None).await;
            return Err(AppError::Forbidden);
        }
        let facts = match self.store.person_access_facts(person_id).await {
            Ok(facts) => facts,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(error) => return Err(error.into()),
        };
        let access = person_access(actor, &facts, self.clock.today());
        if !access.any() {
            self.record_refusal(actor, what, Some(person_id)).await;
            return Err(AppError::Forbidden);
        }
        Ok(access)
    }

    /// Appends the `person_viewed` event every read of a person's data leaves: who, on what
    /// basis, which parts, and what for.
    pub(crate) async fn log_read(
        &self,
        actor: &Actor,
        access: &PersonAccess,
        person_id: PersonId,
        parts: &[&str],
        purpose: &str,
    ) -> AppResult<()> {
        let read = self
            .event(actor, AuditAction::PersonViewed)
            .person(person_id)
            .subject("person", person_id)
            .details(serde_json::json!({
                "basis": access.basis.map(|basis| basis.label()),
                "parts": parts,
                "purpose": purpose,
            }));
        self.store.append_audit(&read).await?;
        Ok(())
    }

    pub(crate) async fn refuse_part(&self, actor: &Actor, person_id: PersonId, allowed: bool, what: &str) -> AppResult<()> {
        if allowed {
            Ok(())
        } else {
            self.record_refusal(actor, what, Some(person_id)).await;
            Err(AppError::Forbidden)
        }
    }

    /// Opens a person's record: loads only the parts the actor may see, and logs the read.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn view_person(&self, actor: &Actor, person_id: PersonId) -> AppResult<PersonView> {
        let access = self.access_to_person(actor, person_id, "open a person's record").await?;
        let person = self.store.get_person(person_id).await?;
        let store = &self.store;
        let relationships = if access.may(Capability::ViewRelationships) {
            Some(store.list_relationships(person_id).await?)
        } else {
            None
        };
        let warnings = if access.may(Capability::ViewWarnings) {
            Some(store.list_warnings(person_id).await?)
        } else {
            None
        };
        let notes = if access.may(Capability::ViewCaseNotes) {
            Some(store.list_notes(person_id, 200).await?)
        } else {
            None
        };
        let documents = if access.may(Capability::ViewDocuments) {
            Some(store.list_documents(person_id).await?)
        } else {
            None
        };
        let delegations = if access.may(Capability::ManageDelegations) {
            Some(store.list_delegations_for_person(person_id).await?)
        } else {
            None
        };
        let allocated_worker = match person.allocated_worker {
            Some(worker) if access.may(Capability::ViewDetails) => Some(store.get_user(worker).await?),
            _ => None,
        };
        let team_name = match person.team_id {
            Some(team) => store
                .list_teams()
                .await?
                .into_iter()
                .find(|candidate| candidate.id == team)
                .map(|found| found.name),
            None => None,
        };
        let parts: Vec<&str> = [
            (access.may(Capability::ViewDetails), "details"),
            (access.may(Capability::ViewRelationships), "relationships"),
            (access.may(Capability::ViewWarnings), "warnings"),
            (access.may(Capability::ViewCaseNotes), "case_notes"),
            (access.may(Capability::ViewDocuments), "documents"),
        ]
        .iter()
        .filter(|(seen, _)| *seen)
        .map(|(_, name)| *name)
        .collect();
        self.log_read(actor, &access, person_id, &parts, "open their record").await?;
        Ok(PersonView {
            person,
            access,
            allocated_worker,
            team_name,
            relationships,
            warnings,
            notes,
            documents,
            delegations,
        })
    }

    /// Staff search, limited to the people the actor's role and team allow.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn search_people(&self, actor: &Actor, search: PeopleSearch, page: i64) -> AppResult<PeoplePage> {
        self.require(actor, Permission::SearchPeople, "search for people").await?;
        let mut errors = tailor_domain::validation::ValidationErrors::default();
        let page = tailor_domain::validation::check_page(&mut errors, "page", page);
        if let Some(name) = &search.name {
            tailor_domain::validation::refuse_control_characters(&mut errors, "q", "the search", name, false);
        }
        errors.into_result(())?;
        let filter = match search_scope(actor) {
            SearchScope::Everyone => PeopleFilter::Everyone,
            SearchScope::TeamOrAllocated { team, worker } => PeopleFilter::TeamOrAllocated { team, worker },
            SearchScope::Nobody => return Err(AppError::Forbidden),
        };
        let people = self
            .store
            .search_people(&PeopleQuery {
                filter: filter.clone(),
                search,
                limit: PAGE_SIZE,
                offset: page * PAGE_SIZE,
            })
            .await?;
        let total = self.store.count_people(&filter).await?;
        Ok(PeoplePage { people, total })
    }

    /// The people allocated to this worker, for the caseload page.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn caseload(&self, actor: &Actor, page: i64) -> AppResult<PeoplePage> {
        self.require(actor, Permission::ViewCaseload, "see a caseload").await?;
        let mut errors = tailor_domain::validation::ValidationErrors::default();
        let page = tailor_domain::validation::check_page(&mut errors, "page", page);
        errors.into_result(())?;
        let filter = match caseload_scope(actor) {
            CaseloadScope::AllocatedTo(worker) => PeopleFilter::AllocatedTo(worker),
            CaseloadScope::TeamOrAllocated { team, worker } => PeopleFilter::TeamOrAllocated { team, worker },
            CaseloadScope::Everyone => PeopleFilter::Everyone,
            CaseloadScope::Nobody => {
                self.record_refusal(actor, "see a caseload", None).await;
                return Err(AppError::Forbidden);
            }
        };
        let people = self
            .store
            .search_people(&PeopleQuery {
                filter: filter.clone(),
                search: PeopleSearch::default(),
                limit: PAGE_SIZE,
                offset: page * PAGE_SIZE,
            })
            .await?;
        let total = self.store.count_people(&filter).await?;
        Ok(PeoplePage { people, total })
    }

    /// The people a helper or provider may act for; for a person, themselves.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn my_people(&self, actor: &Actor) -> AppResult<Vec<PersonSummary>> {
        let filter = match own_people_scope(actor, self.clock.today()) {
            OwnPeopleScope::DelegatedTo { helper, on } => PeopleFilter::DelegatedTo { helper, on },
            OwnPeopleScope::MoneyHeldBy(organisation) => PeopleFilter::MoneyHeldBy(organisation),
            OwnPeopleScope::Themselves(own) => {
                let person = self.store.get_person(own).await?;
                return Ok(vec![PersonSummary {
                    id: person.id,
                    given_name: person.details.given_name,
                    family_name: person.details.family_name,
                    date_of_birth: person.details.date_of_birth,
                    nhs_number: person.details.nhs_number,
                    postcode: person.details.address.postcode,
                    allocated_worker: person.allocated_worker,
                    allocated_worker_name: None,
                    team_id: person.team_id,
                }]);
            }
            OwnPeopleScope::Nobody => {
                self.record_refusal(actor, "list people they act for", None).await;
                return Err(AppError::Forbidden);
            }
        };
        Ok(self
            .store
            .search_people(&PeopleQuery {
                filter,
                search: PeopleSearch::default(),
                limit: 500,
                offset: 0,
            })
            .await?)
    }

    /// What a person's (or helper's) home page shows: the people they act for, and for a person,
    /// their own record and the name of their allocated worker.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn my_home(&self, actor: &Actor) -> AppResult<MyHome> {
        let people = self.my_people(actor).await?;
        let own_record = match own_people_scope(actor, self.clock.today()) {
            OwnPeopleScope::Themselves(own) => Some(own),
            _ => None,
        };
        let worker_name = match (own_record, people.first().and_then(|person| person.allocated_worker)) {
            (Some(_), Some(worker)) => Some(self.store.get_user(worker).await?.display_name),
            _ => None,
        };
        Ok(MyHome {
            people,
            own_record,
            worker_name,
        })
    }

    /// Creates a record, in the creator's team and, for a practitioner, allocated to them.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str()))]
    pub async fn create_person(&self, actor: &Actor, input: &PersonDetailsInput) -> AppResult<Person> {
        self.require(actor, Permission::CreatePerson, "create a person's record").await?;
        let details = input.parse(self.clock.today(), None)?;
        let possible_duplicates = self.possible_duplicates(actor, &details).await?;
        let duplicate_reason = input.duplicate_reason.trim();
        if !possible_duplicates.is_empty() && duplicate_reason.is_empty() {
            let mut errors = ValidationErrors::default();
            errors.add(
                "duplicate_reason",
                "There may already be a record for this person. Check the records listed, or say why a new record is needed",
            );
            return Err(AppError::Invalid(errors));
        }
        let now = self.clock.now();
        let person = Person {
            id: PersonId::generate(),
            details,
            allocated_worker: allocates_new_records_to_creator(actor.role).then_some(actor.user_id),
            team_id: actor.team_id,
            created_at: now,
            updated_at: now,
        };
        let event = self
            .event(actor, AuditAction::PersonCreated)
            .person(person.id)
            .subject("person", person.id)
            .details(serde_json::json!({
                "after": person.details,
                "possible_duplicates": possible_duplicates.iter().map(|found| found.person.id).collect::<Vec<_>>(),
                "duplicate_reason": (!possible_duplicates.is_empty()).then_some(duplicate_reason),
            }));
        self.store.insert_person(&person, &event).await.map_err(duplicate_nhs_number)?;
        Ok(person)
    }

    /// Records that may be the same person as one about to be added: the same date of birth and a
    /// name the same or nearly so, across the whole council, since a duplicate in another team is
    /// still a duplicate. Each one shown is a look at that record, and is logged as one.
    pub async fn possible_duplicates(&self, actor: &Actor, details: &PersonDetails) -> AppResult<Vec<PossibleDuplicate>> {
        self.require(actor, Permission::CreatePerson, "check for an existing record")
            .await?;
        let born_that_day = self
            .store
            .search_people(&PeopleQuery {
                filter: PeopleFilter::Everyone,
                search: PeopleSearch {
                    date_of_birth: Some(details.date_of_birth),
                    ..Default::default()
                },
                limit: 500,
                offset: 0,
            })
            .await?;
        let today = self.clock.today();
        let mut found = Vec::new();
        for person in born_that_day
            .into_iter()
            .filter(|existing| may_be_the_same_person(details, existing))
        {
            let facts = self.store.person_access_facts(person.id).await?;
            let access = person_access(actor, &facts, today);
            let read = self
                .event(actor, AuditAction::PersonViewed)
                .person(person.id)
                .subject("person", person.id)
                .details(serde_json::json!({ "parts": ["name", "date_of_birth"], "purpose": "check for an existing record" }));
            self.store.append_audit(&read).await?;
            found.push(PossibleDuplicate {
                opens_for_actor: access.any(),
                person,
            });
        }
        Ok(found)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn update_person(&self, actor: &Actor, person_id: PersonId, input: &PersonDetailsInput) -> AppResult<Person> {
        self.require(actor, Permission::EditPersonRecord, "change a person's details")
            .await?;
        let access = self.access_to_person(actor, person_id, "change a person's details").await?;
        self.refuse_part(actor, person_id, access.may(Capability::EditRecord), "change a person's details")
            .await?;
        let before = self.store.get_person(person_id).await?;
        let details = input.parse(self.clock.today(), Some(&before.details.consent))?;
        let after = Person {
            details,
            updated_at: self.clock.now(),
            ..before.clone()
        };
        let event = self
            .event(actor, AuditAction::PersonUpdated)
            .person(person_id)
            .subject("person", person_id)
            .details(serde_json::json!({ "before": before.details, "after": after.details }));
        self.store.update_person(&after, &event).await.map_err(duplicate_nhs_number)?;
        Ok(after)
    }

    /// The person's details as they stand, to fill in the form that changes them. The read is
    /// logged like any other.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn person_for_editing(&self, actor: &Actor, person_id: PersonId) -> AppResult<Person> {
        self.require(actor, Permission::EditPersonRecord, "change a person's details")
            .await?;
        let access = self.access_to_person(actor, person_id, "change a person's details").await?;
        self.refuse_part(actor, person_id, access.may(Capability::EditRecord), "change a person's details")
            .await?;
        let person = self.store.get_person(person_id).await?;
        self.log_read(actor, &access, person_id, &["details"], "change their details")
            .await?;
        Ok(person)
    }

    /// Who the actor may choose as the person's allocated worker (active workers of the manager's
    /// own team), and who it is now.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn allocation_options(&self, actor: &Actor, person_id: PersonId) -> AppResult<AllocationOptions> {
        self.require(actor, Permission::AllocateWorker, "allocate a worker").await?;
        let access = self.access_to_person(actor, person_id, "allocate a worker").await?;
        self.refuse_part(
            actor,
            person_id,
            may(actor, &access, Capability::AllocateWorker),
            "allocate a worker",
        )
        .await?;
        let current = self.store.get_person(person_id).await?.allocated_worker;
        let workers = self
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|user| may_allocate_to(actor, &access, user.role, user.team_id, user.active))
            .collect();
        Ok(AllocationOptions { current, workers })
    }

    /// Allocates (or, with an empty choice, unallocates) a worker. Only a team manager may, and
    /// only a worker of their own team.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn allocate_worker(&self, actor: &Actor, person_id: PersonId, worker_choice: &str) -> AppResult<Person> {
        self.require(actor, Permission::AllocateWorker, "allocate a worker").await?;
        let access = self.access_to_person(actor, person_id, "allocate a worker").await?;
        self.refuse_part(
            actor,
            person_id,
            may(actor, &access, Capability::AllocateWorker),
            "allocate a worker",
        )
        .await?;
        let worker_id = match worker_choice.trim() {
            "" => None,
            text => Some(
                text.parse::<UserId>()
                    .map_err(|_| single_error("worker_id", "Select a worker from the list"))?,
            ),
        };
        if let Some(worker) = worker_id {
            let user = match self.store.get_user(worker).await {
                Ok(user) => user,
                Err(StoreError::NotFound) => return Err(single_error("worker_id", "Select a worker from the list")),
                Err(error) => return Err(error.into()),
            };
            if !may_allocate_to(actor, &access, user.role, user.team_id, user.active) {
                return Err(single_error(
                    "worker_id",
                    "Select a practitioner or team manager from your own team",
                ));
            }
        }
        let before = self.store.get_person(person_id).await?;
        let after = Person {
            allocated_worker: worker_id,
            updated_at: self.clock.now(),
            ..before.clone()
        };
        let event = self
            .event(actor, AuditAction::WorkerAllocated)
            .person(person_id)
            .subject("person", person_id)
            .details(serde_json::json!({ "before": before.allocated_worker, "after": worker_id }));
        self.store.update_person(&after, &event).await?;
        Ok(after)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn add_case_note(&self, actor: &Actor, person_id: PersonId, input: &CaseNoteInput) -> AppResult<CaseNote> {
        let access = self.access_to_person(actor, person_id, "add a case note").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ViewCaseNotes) && access.may(Capability::EditRecord),
            "add a case note",
        )
        .await?;
        let (kind, occurred_on, text) = input.parse(self.clock.today())?;
        let note = CaseNote {
            id: NoteId::generate(),
            person_id,
            kind,
            occurred_on,
            text,
            author_id: actor.user_id,
            author_name: actor.display_name.clone(),
            created_at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::CaseNoteAdded)
            .person(person_id)
            .subject("case_note", note.id)
            .details(serde_json::json!({ "kind": kind.as_str(), "occurred_on": occurred_on }));
        self.store.insert_note(&note, &event).await?;
        Ok(note)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn add_relationship(&self, actor: &Actor, person_id: PersonId, input: &RelationshipInput) -> AppResult<Relationship> {
        let access = self.access_to_person(actor, person_id, "add a relationship").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ViewRelationships) && access.may(Capability::EditRecord),
            "add a relationship",
        )
        .await?;
        let (kind, name, phone, lives_with_person, notes) = input.parse()?;
        let relationship = Relationship {
            id: RelationshipId::generate(),
            person_id,
            kind,
            name,
            phone,
            related_person_id: None,
            lives_with_person,
            notes,
            created_at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::RelationshipAdded)
            .person(person_id)
            .subject("relationship", relationship.id)
            .details(serde_json::json!({ "after": relationship }));
        self.store.insert_relationship(&relationship, &event).await?;
        Ok(relationship)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn add_warning(&self, actor: &Actor, person_id: PersonId, input: &WarningInput) -> AppResult<Warning> {
        let access = self.access_to_person(actor, person_id, "add a warning").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ViewWarnings) && access.may(Capability::EditRecord),
            "add a warning",
        )
        .await?;
        let (category, text) = input.parse()?;
        let warning = Warning {
            id: WarningId::generate(),
            person_id,
            category,
            text,
            created_by: actor.user_id,
            created_by_name: actor.display_name.clone(),
            created_at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::WarningAdded)
            .person(person_id)
            .subject("warning", warning.id)
            .details(serde_json::json!({ "after": warning }));
        self.store.insert_warning(&warning, &event).await?;
        Ok(warning)
    }

    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn add_document(
        &self,
        actor: &Actor,
        person_id: PersonId,
        title: &str,
        file_name: &str,
        content: &[u8],
    ) -> AppResult<DocumentMeta> {
        let access = self.access_to_person(actor, person_id, "add a document").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ViewDocuments) && access.may(Capability::EditRecord),
            "add a document",
        )
        .await?;
        let (title, file_name, content_type) = check_document(title, file_name, content)?;
        let document = DocumentMeta {
            id: DocumentId::generate(),
            person_id,
            title,
            file_name,
            content_type,
            size_bytes: content.len() as i64,
            uploaded_by: actor.user_id,
            uploaded_by_name: actor.display_name.clone(),
            uploaded_at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::DocumentAdded)
            .person(person_id)
            .subject("document", document.id)
            .details(serde_json::json!({ "title": document.title, "file_name": document.file_name, "size_bytes": document.size_bytes }));
        self.store.insert_document(&document, content, &event).await?;
        Ok(document)
    }

    /// Opens a document; the read is logged like any read of the record.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn open_document(&self, actor: &Actor, person_id: PersonId, document_id: DocumentId) -> AppResult<(DocumentMeta, Vec<u8>)> {
        let access = self.access_to_person(actor, person_id, "open a document").await?;
        self.refuse_part(actor, person_id, access.may(Capability::ViewDocuments), "open a document")
            .await?;
        let (meta, content) = self.store.get_document(document_id).await?;
        if meta.person_id != person_id {
            return Err(AppError::NotFound);
        }
        let event = self
            .event(actor, AuditAction::DocumentViewed)
            .person(person_id)
            .subject("document", document_id);
        self.store.append_audit(&event).await?;
        Ok((meta, content))
    }

    /// The person (or their worker) lets a helper act for them, within scopes and until a date.
    /// Access is checked before anything typed is read, so a refusal echoes nothing back.
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn grant_delegation(&self, actor: &Actor, person_id: PersonId, input: &DelegationInput) -> AppResult<Delegation> {
        let access = self.access_to_person(actor, person_id, "grant delegated access").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::ManageDelegations),
            "grant delegated access",
        )
        .await?;
        let mut errors = ValidationErrors::default();
        let helper = match self.store.find_user_by_email(&input.helper_email.trim().to_lowercase()).await? {
            Some((user, _)) if may_receive_delegation(user.role) && user.active => Some(user),
            _ => {
                errors.add("helper_email", "Enter the email address of a helper who has a Tailor account");
                None
            }
        };
        let mut scopes: Vec<DelegationScope> = input.scopes.iter().filter_map(|scope| DelegationScope::parse(scope)).collect();
        if scopes.is_empty() {
            errors.add("scopes", "Select at least one thing the helper may do");
        }
        let expires_on = match input.expires_on.trim() {
            "" => None,
            text => match tailor_domain::validation::parse_typed_date(text, &["%d/%m/%Y", "%Y-%m-%d"]) {
                Some(day) if day < self.clock.today() => {
                    errors.add("expires_on", "The end date must be today or in the future");
                    None
                }
                Some(day) => Some(day),
                None => {
                    errors.add("expires_on", "The last day must be a real date, like 31/12/2027");
                    None
                }
            },
        };
        let helper = errors.into_result(helper)?.ok_or(AppError::NotFound)?;
        scopes.sort();
        scopes.dedup();
        let delegation = Delegation {
            id: DelegationId::generate(),
            person_id,
            helper_id: helper.id,
            helper_name: helper.display_name.clone(),
            scopes,
            expires_on,
            granted_at: self.clock.now(),
        };
        let event = self
            .event(actor, AuditAction::DelegationGranted)
            .person(person_id)
            .subject("delegation", delegation.id)
            .details(serde_json::json!({ "helper": helper.email, "scopes": delegation.scopes, "expires_on": expires_on }));
        self.store.insert_delegation(&delegation, &event).await?;
        Ok(delegation)
    }

    /// Records that an organisation holds the person's money (an ISF provider, a managed account).
    #[tracing::instrument(skip_all, fields(actor = %actor.user_id, role = actor.role.as_str(), person = %person_id))]
    pub async fn add_money_holder(&self, actor: &Actor, person_id: PersonId, organisation_choice: &str) -> AppResult<Organisation> {
        self.require(actor, Permission::EditPersonRecord, "record who holds a person's money")
            .await?;
        let access = self.access_to_person(actor, person_id, "record who holds a person's money").await?;
        self.refuse_part(
            actor,
            person_id,
            access.may(Capability::EditRecord),
            "record who holds a person's money",
        )
        .await?;
        let organisation_id: OrganisationId = organisation_choice
            .trim()
            .parse()
            .map_err(|_| single_error("organisation_id", "Select an organisation"))?;
        let organisation = match self.store.get_organisation(organisation_id).await {
            Ok(organisation) => organisation,
            Err(StoreError::NotFound) => return Err(single_error("organisation_id", "Select an organisation")),
            Err(error) => return Err(error.into()),
        };
        let event = self
            .event(actor, AuditAction::MoneyHolderAdded)
            .person(person_id)
            .subject("organisation", organisation_id)
            .details(serde_json::json!({ "organisation": organisation.name }));
        self.store
            .insert_money_holder(person_id, organisation_id, self.clock.today(), &event)
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => single_error("organisation_id", "This organisation already holds the person's money"),
                other => other.into(),
            })?;
        Ok(organisation)
    }
}

pub(crate) fn single_error(field: &str, message: &str) -> AppError {
    let mut errors = ValidationErrors::default();
    errors.add(field, message);
    AppError::Invalid(errors)
}

fn duplicate_nhs_number(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict { what: "nhs_number" } => {
            single_error("nhs_number", "Another record already has this NHS number: search for it instead")
        }
        other => other.into(),
    }
}
