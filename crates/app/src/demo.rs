//! The demo council: a made-up English council, Tailorford, with staff in every role, providers,
//! and a population whose ages, needs, carers and relationships are spread the way a real adult
//! social care caseload is. The same seed always gives the same people.

use crate::App;
use crate::AppResult;
use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tailor_domain::access::{DelegationScope, Role};
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::notes::{CaseNote, NoteKind};
use tailor_domain::people::*;
use tailor_domain::users::{NewUser, OrganisationKind, Team, User};
use tailor_domain::*;
use tailor_store::DemoPersonBundle;

mod planning;

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub people: u32,
    pub seed: u64,
    pub password: String,
}

/// What was made, for the start-up message.
#[derive(Clone, Debug)]
pub struct DemoSummary {
    pub people: u32,
    pub accounts: Vec<(String, Role)>,
}

pub use crate::demo_accounts::{DEMO_TWO_FACTOR_ACCOUNT, DEMO_TWO_FACTOR_SECRET};
pub const DEMO_DOMAIN: &str = "demo.invalid";

/// The demo accounts, by the part of their email before `@demo.invalid`: one for every role.
pub const DEMO_ACCOUNTS: [&str; 11] = [
    "practitioner",
    "manager",
    "finance",
    "commissioner",
    "analyst",
    "admin",
    "provider",
    "person",
    "helper",
    "admin2",
    "caldicott",
];

/// The first people are all on practitioner@'s caseload: the person@ and helper@ accounts' own
/// records, the provider's client, then one person at each stage from assessment to agreed plan.
const DEMO_PLANNING_PEOPLE: u32 = 16;

const FEMALE_NAMES: &[&str] = &[
    "Margaret",
    "Patricia",
    "Barbara",
    "Joan",
    "Dorothy",
    "Irene",
    "Eileen",
    "Sheila",
    "Valerie",
    "Brenda",
    "Maureen",
    "Pauline",
    "Christine",
    "Janet",
    "Susan",
    "Linda",
    "Carol",
    "Ann",
    "Gillian",
    "Elaine",
    "Sarah",
    "Emma",
    "Aisha",
    "Priya",
    "Fatima",
    "Grace",
    "Chloe",
    "Zainab",
    "Olga",
    "Siobhan",
    "Bernadette",
    "Hyacinth",
    "Mei",
    "Nia",
    "Amira",
    "Ruth",
    "Edith",
    "Doreen",
];
const MALE_NAMES: &[&str] = &[
    "John", "David", "Michael", "Peter", "Robert", "Brian", "Kenneth", "Dennis", "Ronald", "Derek", "Roy", "Keith", "Alan", "Trevor",
    "Colin", "Graham", "Stephen", "Mark", "Paul", "Andrew", "James", "Daniel", "Mohammed", "Ravi", "Tomasz", "Kwame", "Liam", "Owen",
    "Samuel", "Imran", "Winston", "Declan", "Arthur", "Harold", "Wei", "Emeka", "Gareth", "Jamal",
];
const FAMILY_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Hussain",
    "Begum",
    "Ali",
    "Okafor",
    "Mensah",
    "Nowak",
    "Kowalski",
    "O'Brien",
    "Murphy",
    "Chen",
    "Singh",
    "Kaur",
    "Campbell",
    "Hughes",
    "Edwards",
    "Ellis",
    "Bennett",
    "Shah",
    "Adeyemi",
    "Fernandes",
    "Lewis",
    "Harrison",
    "Morgan",
    "Price",
    "Kelly",
    "Doyle",
    "Ahmed",
];
const STREETS: &[&str] = &[
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Victoria Road",
    "Park Avenue",
    "The Crescent",
    "Queens Road",
    "Albert Street",
    "Weavers Row",
    "Bobbin Court",
    "Loom Close",
    "Cotton Street",
    "Canal Side",
    "Orchard Way",
    "Meadow View",
    "Priory Walk",
    "Highfield Road",
    "Ashgrove",
    "Beech Drive",
    "Chapel Lane",
];
const TOWNS: &[(&str, &str)] = &[
    ("Tailorford", "TF1"),
    ("Tailorford", "TF2"),
    ("Tailorford", "TF3"),
    ("Nettlebridge", "TF7"),
    ("Spindle Green", "TF9"),
];
const COMMUNICATION_NEEDS: &[&str] = &[
    "",
    "",
    "",
    "",
    "Hard of hearing: speak clearly, face them, and use the hearing loop at the office.",
    "British Sign Language interpreter needed for meetings.",
    "Prefers easy read letters.",
    "Large print (18 point) letters, please.",
    "Punjabi interpreter needed; son interprets informally but should not for assessments.",
    "Polish speaker; English is fine for everyday things but use an interpreter for decisions.",
    "Memory loss: send a letter as well as phoning, and copy in their daughter.",
    "Uses a communication board; allow extra time.",
];
const WARNINGS: &[(WarningCategory, &str)] = &[
    (
        WarningCategory::RiskToVisitors,
        "Large dog in the house: ask for it to be shut in the kitchen before entering.",
    ),
    (
        WarningCategory::Access,
        "Key safe by the back door; the code is held by the duty team.",
    ),
    (WarningCategory::Health, "Oxygen in use at home: no smoking, no naked flames."),
    (
        WarningCategory::RiskToSelf,
        "History of self-neglect in winter months; check heating on every visit.",
    ),
    (
        WarningCategory::Safeguarding,
        "Open safeguarding concern about financial abuse: speak to the allocated worker before discussing money with family.",
    ),
];
const NOTES: &[(NoteKind, &str)] = &[
    (NoteKind::PhoneCall, "Phoned to introduce myself and explain the supported self-assessment. Happy to complete it online with their daughter's help."),
    (NoteKind::Visit, "Home visit. Talked about what a good day looks like: getting out to the market on Thursdays and keeping up with the allotment."),
    (NoteKind::Conversation, "Talked through the options for holding the money. Leaning towards a direct payment on a prepaid card so they can employ their own PA."),
    (NoteKind::Email, "Sent the written record of the assessment by email and post, as asked."),
    (NoteKind::Decision, "Eligibility decision shared and explained. Agreed next steps: support planning with the broker next week."),
    (NoteKind::PhoneCall, "Carer phoned: struggling with nights. Offered a carer's assessment, which they accepted."),
    (NoteKind::Visit, "Review visit. Support is working well; the PA is reliable. No changes needed."),
    (NoteKind::Conversation, "Discussed contingency: if the PA is off sick, the agency on the plan can cover at short notice."),
];
const CARER_RELATIONSHIPS: &[&str] = &["Wife", "Husband", "Daughter", "Son", "Partner", "Niece", "Neighbour and friend"];

pub struct DemoCouncil {
    pub teams: Vec<Team>,
    pub practitioners: Vec<User>,
}

impl App {
    /// Builds the demo council on an empty database. Refuses to touch a database that has accounts.
    pub async fn build_demo_council(&self, options: &DemoOptions) -> AppResult<DemoSummary> {
        if !self.store.is_empty().await? {
            return Err(crate::people::single_error(
                "database",
                "The database already has accounts; the demo council is only built on an empty database",
            ));
        }
        self.ensure_default_configuration().await?;
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let today = self.clock.today();
        let mut accounts = Vec::new();

        let mut teams = Vec::new();
        for name in [
            "North Locality Team",
            "South Locality Team",
            "Hospital Discharge Team",
            "Learning Disability and Autism Team",
        ] {
            teams.push(self.create_team(None, name).await?);
        }
        let mut organisations = Vec::new();
        for (name, kind) in [
            ("Kindly Care Ltd", OrganisationKind::CareProvider),
            ("Brightpath Managed Accounts", OrganisationKind::ManagedAccountService),
            ("Tailorford Payroll Services", OrganisationKind::PayrollService),
            ("Spindle Green Community Brokerage", OrganisationKind::Broker),
            ("Ellis Family Independent Living Trust", OrganisationKind::Trust),
        ] {
            organisations.push(self.create_organisation(None, name, kind.as_str()).await?);
        }

        let named_staff: [(&str, &str, Role, Option<usize>); 10] = [
            ("practitioner", "Sam Okoro", Role::Practitioner, Some(0)),
            ("manager", "Helen Marsh", Role::TeamManager, Some(0)),
            // A second manager in the North team, so a challenge can be handed on.
            ("deputy", "Priya Nair", Role::TeamManager, Some(0)),
            ("finance", "Joe Lindqvist", Role::FinanceOfficer, None),
            ("commissioner", "Rukhsana Iqbal", Role::Commissioner, None),
            ("analyst", "Tom Pryce", Role::Analyst, None),
            ("admin", "Alex Morgan", Role::Administrator, None),
            ("admin2", "Chris Adeyemi", Role::Administrator, None),
            ("caldicott", "Dr Nadia Shah", Role::CaldicottGuardian, None),
            ("provider", "Bev Carter (Kindly Care)", Role::Provider, None),
        ];
        let mut practitioners: Vec<User> = Vec::new();
        for (local, name, role, team) in named_staff {
            let user = self
                .create_user_unchecked(
                    None,
                    NewUser {
                        email: format!("{local}@{DEMO_DOMAIN}"),
                        display_name: name.into(),
                        role,
                        team_id: team.map(|index| teams[index].id),
                        person_id: None,
                        organisation_id: (role == Role::Provider).then(|| organisations[0].id),
                        password: options.password.clone(),
                    },
                )
                .await?;
            accounts.push((user.email.clone(), role));
            if role == Role::Practitioner {
                practitioners.push(user);
            }
        }
        // Two more practitioners per team, so caseloads and team views have colleagues in them.
        for (team_index, team) in teams.iter().enumerate() {
            for worker in 0..2 {
                let given = pick(&mut rng, if worker == 0 { FEMALE_NAMES } else { MALE_NAMES });
                let family = pick(&mut rng, FAMILY_NAMES);
                let user = self
                    .create_user_unchecked(
                        None,
                        NewUser {
                            email: format!(
                                "{}.{}.{team_index}{worker}@{DEMO_DOMAIN}",
                                given.to_lowercase(),
                                family.to_lowercase().replace('\'', "")
                            ),
                            display_name: format!("{given} {family}"),
                            role: Role::Practitioner,
                            team_id: Some(team.id),
                            person_id: None,
                            organisation_id: None,
                            password: options.password.clone(),
                        },
                    )
                    .await?;
                practitioners.push(user);
            }
        }

        // The population, written in chunks so a million people never sit in memory at once.
        let council = DemoCouncil {
            teams: teams.clone(),
            practitioners: practitioners.clone(),
        };
        let chunk_size = 2_000u32;
        let mut first_people: Vec<Person> = Vec::new();
        let wanted = DEMO_PLANNING_PEOPLE as usize;
        let mut start = 0u32;
        while start < options.people {
            let end = (start + chunk_size).min(options.people);
            let bundles: Vec<DemoPersonBundle> = (start..end)
                .map(|index| generate_person(&mut rng, options.seed, index, &council, today, self.clock.now()))
                .collect();
            if first_people.len() < wanted {
                first_people.extend(bundles.iter().take(wanted - first_people.len()).map(|bundle| bundle.person.clone()));
            }
            self.store.insert_demo_people(&bundles).await?;
            start = end;
        }

        // The person and the helper accounts belong to the first two records, which are always in
        // the North team and allocated to practitioner@ so that every demo account meets the others.
        if let Some(own) = first_people.first() {
            let person_user = self
                .create_user_unchecked(
                    None,
                    NewUser {
                        email: format!("person@{DEMO_DOMAIN}"),
                        display_name: own.full_name(),
                        role: Role::Person,
                        team_id: None,
                        person_id: Some(own.id),
                        organisation_id: None,
                        password: options.password.clone(),
                    },
                )
                .await?;
            accounts.push((person_user.email.clone(), Role::Person));
            let letter = format!(
                "Dear {},\n\nThank you for completing your supported self-assessment with us. This letter is your written record of it.\n\nYours sincerely,\nSam Okoro\nNorth Locality Team, Tailorford Council\n",
                own.details.given_name
            );
            let actor = crate::auth::actor_for(&practitioners[0]);
            self.add_document(
                &actor,
                own.id,
                "Written record of your assessment",
                "assessment-record.txt",
                letter.as_bytes(),
            )
            .await?;
        }
        if let Some(helped) = first_people.get(1) {
            let helper = self
                .create_user_unchecked(
                    None,
                    NewUser {
                        email: format!("helper@{DEMO_DOMAIN}"),
                        display_name: format!("Priya {}", helped.details.family_name),
                        role: Role::Helper,
                        team_id: None,
                        person_id: None,
                        organisation_id: None,
                        password: options.password.clone(),
                    },
                )
                .await?;
            accounts.push((helper.email.clone(), Role::Helper));
            let actor = crate::auth::actor_for(&practitioners[0]);
            self.grant_delegation(
                &actor,
                helped.id,
                &crate::people::DelegationInput {
                    helper_email: helper.email.clone(),
                    scopes: [
                        DelegationScope::ViewDetails,
                        DelegationScope::ViewRelationships,
                        DelegationScope::ActOnAssessmentAndPlan,
                    ]
                    .iter()
                    .map(|scope| scope.as_str().to_owned())
                    .collect(),
                    expires_on: (today + Duration::days(365)).to_string(),
                },
            )
            .await?;
        }
        self.demo_self_service(options, &first_people).await?;
        if let Some(held) = first_people.get(2) {
            let actor = crate::auth::actor_for(&practitioners[0]);
            self.add_money_holder(&actor, held.id, &organisations[0].id.to_string()).await?;
        }
        // Kindly Care also holds the money of every twentieth person, as ISF holder.
        let mut index = 20u32;
        while index < options.people.min(2_000) {
            let person_id = demo_person_id(options.seed, index);
            let event = NewAuditEvent::new(self.clock.now(), None, "demo council", AuditAction::MoneyHolderAdded)
                .person(person_id)
                .subject("organisation", organisations[0].id);
            self.store
                .insert_money_holder(person_id, organisations[0].id, today - Duration::days(90), &event)
                .await?;
            index += 20;
        }
        let manager = self
            .store
            .find_user_by_email(&format!("manager@{DEMO_DOMAIN}"))
            .await?
            .map(|(user, _)| crate::auth::actor_for(&user));
        if let Some(manager) = manager {
            let practitioner = crate::auth::actor_for(&practitioners[0]);
            self.demo_planning_records(&practitioner, &manager, first_people.get(3..).unwrap_or_default(), &mut rng)
                .await?;
        }
        let event = NewAuditEvent::new(self.clock.now(), None, "demo council", AuditAction::DemoCouncilCreated)
            .details(serde_json::json!({ "people": options.people, "seed": options.seed }));
        self.store.append_audit(&event).await?;
        Ok(DemoSummary {
            people: options.people,
            accounts,
        })
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a str]) -> &'a str {
    from.choose(rng).copied().unwrap_or_default()
}

fn random_id(rng: &mut ChaCha8Rng) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// Person ids come from their own stream, keyed by seed and index, so other code can find
/// the n-th demo person without regenerating everyone before them.
pub fn demo_person_id(seed: u64, index: u32) -> PersonId {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5045_5253_4f4e);
    rng.set_word_pos(u128::from(index) * 4);
    PersonId::from_random_bytes(random_id(&mut rng))
}

/// NHS numbers from the range NHS England reserves for test data (999 000 0000 to 999 999 9999),
/// so no demo number can ever be a real person's. About one in eleven has no valid check digit
/// and is left blank, as is everyone past the end of the range.
fn demo_nhs_number(index: u32) -> Option<NhsNumber> {
    if index >= 1_000_000 {
        return None;
    }
    let value = 999_000_000 + index;
    let mut first_nine = [0u8; 9];
    for (position, slot) in first_nine.iter_mut().enumerate() {
        *slot = ((value / 10u32.pow(8 - position as u32)) % 10) as u8;
    }
    NhsNumber::from_first_nine(first_nine)
}

/// Ages as in English adult social care: most people over 65, a long tail past 90, and a working-age group.
fn demo_age(rng: &mut ChaCha8Rng) -> i32 {
    match rng.gen_range(0..100) {
        0..=11 => rng.gen_range(18..40),
        12..=29 => rng.gen_range(40..65),
        30..=54 => rng.gen_range(65..80),
        55..=89 => rng.gen_range(80..90),
        _ => rng.gen_range(90..102),
    }
}

fn generate_person(
    rng: &mut ChaCha8Rng,
    seed: u64,
    index: u32,
    council: &DemoCouncil,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> DemoPersonBundle {
    let id = demo_person_id(seed, index);
    let female = rng.gen_bool(0.6);
    let given = pick(rng, if female { FEMALE_NAMES } else { MALE_NAMES }).to_owned();
    let family = pick(rng, FAMILY_NAMES).to_owned();
    let age = demo_age(rng);
    let born = NaiveDate::from_ymd_opt(today.year() - age, 1, 1)
        .map(|new_year| new_year + Duration::days(rng.gen_range(0..365)))
        .unwrap_or(today);
    let (town, district) = TOWNS[rng.gen_range(0..TOWNS.len())];
    let letters = ["AB", "BD", "EF", "GH", "JL", "NP", "QR", "ST", "UW", "XY"];
    let postcode = format!("{district} {}{}", rng.gen_range(1..10), letters[rng.gen_range(0..letters.len())]);
    let (team_index, worker) = if index < DEMO_PLANNING_PEOPLE {
        (0, Some(council.practitioners[0].id))
    } else {
        let team_index = if age < 65 && rng.gen_bool(0.3) { 3 } else { rng.gen_range(0..3) };
        let team_workers: Vec<&User> = council
            .practitioners
            .iter()
            .filter(|user| user.team_id == Some(council.teams[team_index].id))
            .collect();
        let worker = if rng.gen_bool(0.6) {
            team_workers.choose(rng).map(|user| user.id)
        } else {
            None
        };
        (team_index, worker)
    };
    let phone = format!("01632 96{:04}", rng.gen_range(0..10_000));
    let contact_preference = *[
        ContactPreference::Phone,
        ContactPreference::Phone,
        ContactPreference::Letter,
        ContactPreference::TextMessage,
    ]
    .choose(rng)
    .unwrap_or(&ContactPreference::Letter);
    let consent_status = *[
        ConsentStatus::Yes,
        ConsentStatus::Yes,
        ConsentStatus::Yes,
        ConsentStatus::YesWithLimitations,
        ConsentStatus::NotAsked,
        ConsentStatus::UnableToConsent,
    ]
    .choose(rng)
    .unwrap_or(&ConsentStatus::NotAsked);
    let limitations = if consent_status == ConsentStatus::YesWithLimitations {
        "Do not share health information with their son.".to_owned()
    } else {
        String::new()
    };
    let created_at = now - Duration::days(rng.gen_range(30..1500));
    let person = Person {
        id,
        details: PersonDetails {
            given_name: given.clone(),
            family_name: family.clone(),
            preferred_name: None,
            date_of_birth: born,
            nhs_number: if rng.gen_bool(0.96) { demo_nhs_number(index) } else { None },
            address: Address {
                line_1: format!("{} {}", rng.gen_range(1..180), pick(rng, STREETS)),
                line_2: None,
                town: town.into(),
                postcode,
            },
            phone: Some(phone),
            email: None,
            contact_preference,
            communication_needs: pick(rng, COMMUNICATION_NEEDS).into(),
            consent: Consent {
                status: consent_status,
                limitations,
                recorded_on: (consent_status != ConsentStatus::NotAsked).then(|| (created_at + Duration::days(3)).date_naive()),
            },
        },
        allocated_worker: worker,
        team_id: Some(council.teams[team_index].id),
        created_at,
        updated_at: created_at,
    };

    let mut relationships = Vec::new();
    if rng.gen_bool(0.45) {
        let relation = pick(rng, CARER_RELATIONSHIPS);
        let carer_given = pick(
            rng,
            if matches!(relation, "Husband" | "Son") {
                MALE_NAMES
            } else {
                FEMALE_NAMES
            },
        );
        relationships.push(Relationship {
            id: RelationshipId::from_random_bytes(random_id(rng)),
            person_id: id,
            kind: RelationshipKind::Carer,
            name: format!("{carer_given} {family}"),
            phone: Some(format!("07700 9{:05}", rng.gen_range(0..100_000))),
            related_person_id: None,
            lives_with_person: matches!(relation, "Wife" | "Husband" | "Partner"),
            notes: format!("{relation}; main unpaid carer."),
            created_at,
        });
    }
    if rng.gen_bool(0.2) {
        relationships.push(Relationship {
            id: RelationshipId::from_random_bytes(random_id(rng)),
            person_id: id,
            kind: RelationshipKind::Family,
            name: format!("{} {family}", pick(rng, FEMALE_NAMES)),
            phone: Some(format!("07700 9{:05}", rng.gen_range(0..100_000))),
            related_person_id: None,
            lives_with_person: false,
            notes: "Lives out of area; phone on Sundays.".into(),
            created_at,
        });
    }
    if rng.gen_bool(0.06) {
        relationships.push(Relationship {
            id: RelationshipId::from_random_bytes(random_id(rng)),
            person_id: id,
            kind: if rng.gen_bool(0.5) {
                RelationshipKind::Advocate
            } else {
                RelationshipKind::NominatedPerson
            },
            name: format!("{} {}", pick(rng, MALE_NAMES), pick(rng, FAMILY_NAMES)),
            phone: Some(format!("01632 95{:04}", rng.gen_range(0..10_000))),
            related_person_id: None,
            lives_with_person: false,
            notes: String::new(),
            created_at,
        });
    }
    let author = worker
        .and_then(|worker_id| council.practitioners.iter().find(|user| user.id == worker_id))
        .unwrap_or(&council.practitioners[0]);
    let warnings = if rng.gen_bool(0.08) {
        let (category, text) = WARNINGS[rng.gen_range(0..WARNINGS.len())];
        vec![Warning {
            id: WarningId::from_random_bytes(random_id(rng)),
            person_id: id,
            category,
            text: text.into(),
            created_by: author.id,
            created_by_name: author.display_name.clone(),
            created_at,
        }]
    } else {
        Vec::new()
    };
    let note_count = rng.gen_range(1..=4);
    let notes = (0..note_count)
        .map(|note_index| {
            let (kind, text) = NOTES[(rng.gen_range(0..NOTES.len()) + note_index) % NOTES.len()];
            let written = created_at + Duration::days(7 * note_index as i64 + rng.gen_range(0..7));
            CaseNote {
                id: NoteId::from_random_bytes(random_id(rng)),
                person_id: id,
                kind,
                occurred_on: written.date_naive().min(today),
                text: text.into(),
                author_id: author.id,
                author_name: author.display_name.clone(),
                created_at: written.min(now),
            }
        })
        .collect();
    DemoPersonBundle {
        person,
        relationships,
        warnings,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_nhs_numbers_are_valid_test_numbers() {
        let numbers: Vec<NhsNumber> = (0..1000).filter_map(demo_nhs_number).collect();
        assert!(numbers.len() > 850, "about ten in eleven are valid");
        assert!(numbers.iter().all(|number| number.digits().starts_with("999")));
        assert_eq!(demo_nhs_number(1_000_000), None);
    }

    #[test]
    fn person_ids_depend_only_on_seed_and_index() {
        assert_eq!(demo_person_id(7, 42), demo_person_id(7, 42));
        assert_ne!(demo_person_id(7, 42), demo_person_id(7, 43));
        assert_ne!(demo_person_id(7, 42), demo_person_id(8, 42));
    }

    #[test]
    fn ages_follow_the_adult_social_care_spread() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let ages: Vec<i32> = (0..10_000).map(|_| demo_age(&mut rng)).collect();
        let over_65 = ages.iter().filter(|age| **age >= 65).count();
        assert!(ages.iter().all(|age| (18..102).contains(age)));
        assert!((6_500..7_500).contains(&over_65), "{over_65}");
    }
}
