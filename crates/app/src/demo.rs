//! The demo council: a made-up English council, Tailorford, with staff in every role, providers,
//! and a population whose ages, needs, carers and relationships are spread the way a real adult
//! social care caseload is. The same seed always gives the same people.
//!
//! Long because the demo council walks people through every stage with the real use cases.

use crate::App;
use crate::AppResult;
use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tailor_domain::access::{Actor, DelegationScope, Role};
use tailor_domain::audit::{AuditAction, NewAuditEvent};
use tailor_domain::nhs_number::NhsNumber;
use tailor_domain::notes::{CaseNote, NoteKind};
use tailor_domain::people::*;
use tailor_domain::users::{NewUser, OrganisationKind, Team, User};
use tailor_domain::*;
use tailor_store::DemoPersonBundle;

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

        let named_staff: [(&str, &str, Role, Option<usize>); 9] = [
            ("practitioner", "Sam Okoro", Role::Practitioner, Some(0)),
            ("manager", "Helen Marsh", Role::TeamManager, Some(0)),
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

/// The stages the demo shows, one person each, in the order `demo_planning_records` builds them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DemoStage {
    Submitted,
    Accepted,
    NotEligible,
    Drafting,
    PlanSubmitted,
    OverTolerance,
    Agreed,
    Challenged,
    /// Still answering the self-assessment.
    Started,
    /// The council asked for some answers to be looked at again.
    SentBack,
    /// Found not eligible, challenged, the challenge upheld and eligibility decided again.
    Redetermined,
}

impl DemoStage {
    /// How many days ago this person's record began, so each waits a realistic time at their
    /// stage (the steps after it follow a few days apart; see `demo_planning_records`).
    fn began_days_ago(self) -> i64 {
        match self {
            DemoStage::Started => 3,
            DemoStage::Submitted => 6,
            DemoStage::Accepted => 10,
            DemoStage::SentBack => 12,
            DemoStage::Drafting => 15,
            DemoStage::PlanSubmitted => 20,
            DemoStage::NotEligible => 21,
            DemoStage::OverTolerance => 24,
            DemoStage::Agreed => 60,
            DemoStage::Challenged => 90,
            DemoStage::Redetermined => 45,
        }
    }
}

impl App {
    /// Walks people through steps 1 to 3 with the real use cases, stopping each at a different
    /// stage, so every work queue and page has something in it.
    async fn demo_planning_records(&self, practitioner: &Actor, manager: &Actor, people: &[Person], rng: &mut ChaCha8Rng) -> AppResult<()> {
        use tailor_domain::charging::{CostLine, ExpenditureLine, FinancialCircumstances, Household, IncomeLine, IncomeSource};
        use tailor_domain::eligibility::{outcomes, AssessmentKind, EligibilityFindings, OutcomeFinding, UnableReason};
        use tailor_domain::money::Money;
        use tailor_domain::plans::{DecisionInput, PlanInput};
        let stages = [
            DemoStage::Submitted,
            DemoStage::Accepted,
            DemoStage::NotEligible,
            DemoStage::Drafting,
            DemoStage::PlanSubmitted,
            DemoStage::OverTolerance,
            DemoStage::Agreed,
            DemoStage::Challenged,
            DemoStage::Agreed,
            DemoStage::Agreed,
            DemoStage::Started,
            DemoStage::SentBack,
            DemoStage::Redetermined,
        ];
        // Every one of the six forms of budget on some plan; the draft has not chosen yet.
        let forms = [
            "",
            "trust_fund",
            "council_managed",
            "direct_payment",
            "individual_service_fund",
            "indirect_payment",
            "brokered_fund",
        ];
        let mut plans_written = 0;
        let mut challenge_near_deadline_shown = false;
        for (index, (person, stage)) in people.iter().zip(stages).enumerate() {
            // Each person's records are dated as if written over the past weeks, a few days
            // between steps, so worklists show realistic dates and days waiting.
            let clock = std::sync::Arc::new(crate::clock::FixedClock::new(
                self.clock.now() - Duration::days(stage.began_days_ago()),
            ));
            let mut dated = self.clone();
            dated.clock = clock.clone();
            let later = |days: i64| clock.advance(Duration::days(days));
            let assessment = dated.start_assessment(practitioner, person.id, AssessmentKind::Adult).await?;
            let (_, questionnaire, _) = dated.open_assessment(practitioner, assessment.id).await?;
            // The outcomes the eligibility decision will find the person unable to achieve, chosen
            // first so that the answers agree with it.
            let unable = if matches!(stage, DemoStage::NotEligible | DemoStage::Redetermined) {
                1
            } else {
                3 + rng.gen_range(0..4)
            };
            let unable_codes: Vec<&str> = outcomes(AssessmentKind::Adult)
                .into_iter()
                .take(unable)
                .map(|(code, _)| code)
                .collect();
            let questions: Vec<_> = questionnaire.questions().collect();
            let answering = if stage == DemoStage::Started {
                questions.len() / 2
            } else {
                questions.len()
            };
            for question in questions.iter().take(answering) {
                let most = question.answers.len() - 1;
                let grade = match &question.outcome {
                    Some(outcome) if unable_codes.contains(&outcome.as_str()) => rng.gen_range(most.saturating_sub(1).max(1)..=most),
                    Some(_) => 0,
                    None => rng.gen_range(0..question.answers.len()),
                };
                dated
                    .answer_question(practitioner, assessment.id, &question.id, &question.answers[grade].id)
                    .await?;
            }
            // What matters, strengths and the support around them, in the person's words: taken
            // in turn rather than at random, so the rest of the demo stays the same.
            let (what_matters, strengths, support_around) = DEMO_ABOUT[index % DEMO_ABOUT.len()];
            dated
                .save_about_you(
                    practitioner,
                    assessment.id,
                    &tailor_domain::assessments::AboutYouInput {
                        what_matters: what_matters.into(),
                        strengths: strengths.into(),
                        support_around: support_around.into(),
                    },
                )
                .await?;
            if stage == DemoStage::Started {
                continue;
            }
            later(2);
            dated.submit_assessment(practitioner, assessment.id).await?;
            if stage == DemoStage::Submitted {
                continue;
            }
            later(3);
            if stage == DemoStage::SentBack {
                let questions_back: Vec<String> = questions.iter().take(2).map(|question| question.id.clone()).collect();
                dated
                    .review_assessment(
                        practitioner,
                        assessment.id,
                        false,
                        &questions_back,
                        "Your answers about washing and meals do not fit together: could you look at them again?",
                    )
                    .await?;
                continue;
            }
            dated.review_assessment(practitioner, assessment.id, true, &[], "").await?;
            // The accepted one waits for its duties to be recorded, so the practitioner sees that
            // step; the rest show each way an assessment can be carried out.
            if stage == DemoStage::Accepted {
                continue;
            }
            let duties = match stage {
                DemoStage::Drafting => tailor_domain::assessment_duties::DutiesInput {
                    self_assessment_offered: "yes".into(),
                    method: "practitioner_in_person".into(),
                    capacity: "assessed_has_capacity".into(),
                    capacity_notes: "Two-stage test by Sam Okoro at the home visit: understands and weighs the choices, \
                                     with time and pictures."
                        .into(),
                    substantial_difficulty: "yes".into(),
                    advocacy: "advocate".into(),
                    advocate_name: "Priya Shah".into(),
                    advocate_organisation: "Tailorford Advocacy Hub".into(),
                    advocate_contact: "01632 960 456".into(),
                    ..Default::default()
                },
                DemoStage::PlanSubmitted => tailor_domain::assessment_duties::DutiesInput {
                    self_assessment_offered: "yes".into(),
                    method: "practitioner_remote".into(),
                    capacity: "no_doubt".into(),
                    substantial_difficulty: "yes".into(),
                    advocacy: "appropriate_person".into(),
                    appropriate_person: "Their daughter, who is not paid to care for them and lives nearby".into(),
                    ..Default::default()
                },
                _ => tailor_domain::assessment_duties::DutiesInput {
                    self_assessment_offered: "yes".into(),
                    method: "supported_self_assessment".into(),
                    capacity: "no_doubt".into(),
                    substantial_difficulty: "no".into(),
                    ..Default::default()
                },
            };
            dated.record_assessment_duties(practitioner, assessment.id, &duties, None).await?;
            let findings = EligibilityFindings {
                kind: AssessmentKind::Adult,
                needs_condition_met: true,
                carer_health_at_risk: false,
                outcomes: outcomes(AssessmentKind::Adult)
                    .into_iter()
                    .enumerate()
                    .map(|(index, (code, _))| OutcomeFinding {
                        outcome: code.into(),
                        unable: (index < unable).then_some(UnableReason::NeedsAssistance),
                        evidence: if index < unable {
                            "Needs another person's help every day.".into()
                        } else {
                            String::new()
                        },
                    })
                    .collect(),
                significant_impact_on_wellbeing: true,
                wellbeing_reasons: "Without support their health, dignity and contact with family are at risk.".into(),
            };
            let notes = tailor_domain::assessments::DecisionNotesInput {
                needs_fluctuate: "no".into(),
                fluctuation_period: "The eight weeks before the assessment visit".into(),
                fluctuation_description: String::new(),
                prevention_advice: if matches!(stage, DemoStage::NotEligible | DemoStage::Redetermined) {
                    "Keep going to the strength and balance class at the leisure centre: it lowers the risk of falls. \
                     Ask the pharmacist for a dosette box for your tablets. If things get harder, call us and we will look again."
                        .into()
                } else {
                    String::new()
                },
            };
            later(2);
            let (decided, allocation) = dated
                .decide_eligibility(practitioner, assessment.id, findings.clone(), &notes)
                .await?;
            if stage == DemoStage::Redetermined {
                later(7);
                dated
                    .demo_redetermination(practitioner, manager, &decided, findings, &notes)
                    .await?;
                continue;
            }
            let Some(allocation) = allocation else { continue };
            // One indicative-budget challenge near its deadline is enough to show the queue.
            if stage == DemoStage::Agreed && !challenge_near_deadline_shown {
                challenge_near_deadline_shown = true;
                self.demo_challenge_near_its_deadline(practitioner, manager, &allocation).await?;
            }
            later(1);
            dated
                .record_financial_assessment(
                    practitioner,
                    person.id,
                    FinancialCircumstances {
                        declined: false,
                        household: Household::Single,
                        income: vec![
                            IncomeLine {
                                source: IncomeSource::StatePension,
                                weekly: Money::from_pence(rng.gen_range(20_000..30_000)),
                            },
                            IncomeLine {
                                source: IncomeSource::AttendanceAllowance,
                                weekly: Money::from_pence(rng.gen_range(0..11_000)),
                            },
                        ],
                        capital: Money::from_pence(rng.gen_range(0..2_000_000)),
                        housing_costs: vec![CostLine {
                            description: "Council tax".into(),
                            weekly: Money::from_pence(rng.gen_range(0..5_000)),
                        }],
                        disability_related_expenditure: vec![ExpenditureLine {
                            description: "Extra heating and laundry".into(),
                            weekly: Money::from_pence(rng.gen_range(0..3_000)),
                            evidence: "Gas bills and launderette receipts, seen at the visit".into(),
                        }],
                        ..FinancialCircumstances::declined()
                    },
                )
                .await?;
            // A plan near the budget (or well over it, for the manager's queue): a personal
            // assistant for a fractional number of hours a week, a club, and a one-off item.
            let weekly_budget = allocation.indicative().weekly_from_annual().pence();
            let share = if stage == DemoStage::OverTolerance { 125 } else { 95 };
            // Hours to the nearest half hour at £16.50 an hour, after the club (£25 a week) and
            // the shower chair (£85 once, about £1.63 a week).
            let half_hours = ((weekly_budget * share / 100 - 2_663).max(1_650) * 2 / 1_650).max(2);
            let assistant_hours = format!("{}{}", half_hours / 2, if half_hours % 2 == 1 { ".5" } else { "" });
            let form = forms[plans_written % forms.len()];
            plans_written += 1;
            let (nutrition, hygiene) = (
                unable_codes.first().copied().unwrap_or_default().to_owned(),
                unable_codes.get(1).copied().unwrap_or_default().to_owned(),
            );
            // A personal assistant is employed with a direct payment; otherwise a care agency comes.
            let (helper, helper_kind) = if tailor_domain::plans::MoneyManager::parse(form).is_some_and(|form| form.is_direct_payment()) {
                ("Personal assistant, mornings", "personal_assistant")
            } else {
                ("Help with washing and dressing, mornings", "personal_care_at_home")
            };
            let plan = PlanInput {
                outcomes: "Stay living at home, get out to the market on Thursdays, and keep seeing my grandchildren.".into(),
                risks: "Falls in the bathroom: a personal assistant is there for washing. Forgetting tablets: a dosette box and a reminder call.".into(),
                contingency: "If the personal assistant is off sick, Brightpath's on-call list covers; my son can come the same day.".into(),
                money_manager: form.into(),
                advice: "Tailorford's falls prevention classes at the leisure centre; the carers' centre for my son; \
                         Age UK's benefits check, to see if Attendance Allowance can go up."
                    .into(),
                line_description: vec![helper.into(), "Lunch club".into(), "Shower chair".into()],
                line_unit_cost: vec!["16.50".into(), "25".into(), "85".into()],
                line_units: vec![assistant_hours, "1".into(), "1".into()],
                line_frequency: vec!["weekly".into(), "weekly".into(), "one_off".into()],
                line_support: vec![helper_kind.into(), "getting_out".into(), "equipment".into()],
                line_charging: vec![String::new(), String::new(), "equipment".into()],
                line_meets: vec![hygiene.clone(), nutrition, hygiene],
                ..PlanInput::default()
            };
            let submit = stage != DemoStage::Drafting;
            later(5);
            let saved = dated.save_plan(practitioner, person.id, &plan, submit).await?;
            if stage <= DemoStage::PlanSubmitted {
                continue;
            }
            let agree = DecisionInput {
                verdict: "agreed".into(),
                ..Default::default()
            };
            later(3);
            let (decided, budget) = dated.decide_plan(practitioner, saved.id, &agree).await?;
            if stage == DemoStage::OverTolerance {
                continue;
            }
            let budget = match budget {
                Some(budget) => budget,
                None => match dated.decide_plan(manager, decided.id, &agree).await?.1 {
                    Some(budget) => budget,
                    None => continue,
                },
            };
            // The budget statement is read, as people and workers do: part of the audit history.
            later(1);
            dated.open_budget(practitioner, budget.id).await?;
            if stage == DemoStage::Challenged {
                // The person told their worker, who recorded it on their behalf.
                // Raised this week, so it waits in the manager's queue within its answer date.
                self.raise_challenge(
                    practitioner,
                    tailor_domain::challenges::ChallengeSubject::Budget(budget.id),
                    &tailor_domain::challenges::ChallengeInput {
                        reason: "The budget does not cover help at night, when I am most at risk of falling.".into(),
                    },
                    true,
                    &tailor_domain::challenges::ChallengeRules::default(),
                )
                .await?;
                // And the charge, challenged and answered: not upheld, with the reasons.
                if let Some(financial) = budget.financial_assessment_id {
                    let charge = self
                        .raise_challenge(
                            practitioner,
                            tailor_domain::challenges::ChallengeSubject::Charge(financial),
                            &tailor_domain::challenges::ChallengeInput {
                                reason: "The heating costs more than was allowed for: I am cold without it.".into(),
                            },
                            true,
                            &tailor_domain::challenges::ChallengeRules::default(),
                        )
                        .await?;
                    self.answer_challenge(
                        manager,
                        charge.id,
                        &tailor_domain::challenges::AnswerInput {
                            outcome: "not_upheld".into(),
                            reasons: "We looked again at the gas bills. The extra heating allowed, £15 a week, is above what the bills show, so the charge stays the same. If your bills go up, send them to us and we will look again.".into(),
                        },
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// A person found not eligible challenges it (their worker records it for them); the team
    /// manager upholds the challenge and decides eligibility again, on the record.
    async fn demo_redetermination(
        &self,
        practitioner: &Actor,
        manager: &Actor,
        decided: &tailor_domain::assessments::EligibilityRecord,
        mut findings: tailor_domain::eligibility::EligibilityFindings,
        notes: &tailor_domain::assessments::DecisionNotesInput,
    ) -> AppResult<()> {
        use tailor_domain::challenges::{AnswerInput, ChallengeInput, ChallengeRules, ChallengeSubject};
        use tailor_domain::eligibility::UnableReason;
        let challenge = self
            .raise_challenge(
                practitioner,
                ChallengeSubject::Eligibility(decided.id),
                &ChallengeInput {
                    reason: "I cannot get in and out of the bath or cook a hot meal on my own. My daughter does it, and she was not asked."
                        .into(),
                },
                true,
                &ChallengeRules::default(),
            )
            .await?;
        self.answer_challenge(
            manager,
            challenge.id,
            &AnswerInput {
                outcome: "upheld".into(),
                reasons: "I spoke to you and your daughter. Washing and preparing meals need another person's help every day, which the first decision missed. I have decided eligibility again: you are eligible.".into(),
            },
        )
        .await?;
        for finding in findings.outcomes.iter_mut().take(3) {
            finding.unable = Some(UnableReason::NeedsAssistance);
            finding.evidence = "Needs another person's help every day (found when the challenge was looked at).".into();
        }
        self.redetermine_eligibility(
            manager,
            decided.id,
            findings,
            notes,
            "The challenge was upheld: washing and preparing meals need help every day.",
            Some(challenge.id),
        )
        .await?;
        Ok(())
    }

    /// A challenge to an indicative budget raised 26 days ago, open and due in two days, so the
    /// manager's queue shows one near its deadline. Written through the store with its audit
    /// event, as the use case would have written it then.
    async fn demo_challenge_near_its_deadline(
        &self,
        practitioner: &Actor,
        manager: &Actor,
        allocation: &tailor_domain::assessments::AllocationRecord,
    ) -> AppResult<()> {
        use tailor_domain::challenges::{Challenge, ChallengeRules, ChallengeSubject, StaffMember};
        let raised_at = self.clock.now() - Duration::days(26);
        let challenge = Challenge {
            id: tailor_domain::ChallengeId::generate(),
            person_id: allocation.person_id,
            subject: ChallengeSubject::IndicativeBudget(allocation.id),
            reason: "The budget leaves out the evenings, when I need help to get to bed.".into(),
            raised_by: practitioner.user_id,
            raised_by_name: practitioner.display_name.clone(),
            recorded_by_staff: Some(StaffMember {
                id: practitioner.user_id,
                name: practitioner.display_name.clone(),
            }),
            raised_at,
            decision_maker: Some(allocation.calculated_by),
            owner: Some(StaffMember {
                id: manager.user_id,
                name: manager.display_name.clone(),
            }),
            answer_by: ChallengeRules::default().answer_by(raised_at),
            answer: None,
            version: 1,
        };
        let event = NewAuditEvent::new(
            self.clock.now(),
            Some(practitioner.user_id),
            &practitioner.display_name,
            AuditAction::ChallengeRaised,
        )
        .person(allocation.person_id)
        .subject("challenge", challenge.id)
        .details(serde_json::json!({ "kind": "indicative_budget", "on_behalf": true, "demo": true }));
        self.store.insert_challenge(&challenge, &event).await?;
        Ok(())
    }
}

/// "About you" as demo people wrote it: what matters, strengths, the support around them.
const DEMO_ABOUT: [(&str, &str, &str); 4] = [
    (
        "Staying in my own home, getting to the market on Thursdays and seeing my grandchildren.",
        "I still cook my own tea and I know everyone on the street.",
        "My son comes on Sundays; my neighbour Pat looks in most mornings.",
    ),
    (
        "Going to church and singing in the choir. Keeping my garden tidy.",
        "Forty years a nurse: I know my tablets and when something is wrong.",
        "My daughter rings every evening. The lunch club on Tuesdays.",
    ),
    (
        "Being able to wash and dress without rushing, and getting out once a day.",
        "I do the crossword every morning and I am good with money.",
        "My wife, who is tired now; the carers' centre has helped her.",
    ),
    (
        "Walking the dog by the canal and my Friday pint with friends.",
        "I was a joiner and I can still fix most things around the house.",
        "Nobody nearby since my brother moved; friends from the pub check on me.",
    ),
];

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
