//! A small world for HTTP tests: one council with two teams, an account in every role, and
//! people related to them in every way access depends on. Each test gets its own SQLite file.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::sync::Arc;
use tailor_app::clock::SystemClock;
use tailor_app::people::DelegationInput;
use tailor_app::{App, SessionPolicy};
use tailor_domain::access::{DelegationScope, Role};
use tailor_domain::people::PersonDetailsInput;
use tailor_domain::users::NewUser;
use tailor_domain::{OrganisationId, PersonId, TeamId};
use tailor_store::Store;
use tailor_store_sqlite::SqliteStore;
use tailor_web::{router, AppState, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "a long test password";
/// The token the test world's metrics collector holds.
pub const METRICS_TOKEN: &str = "a test metrics token";

pub struct World {
    pub app: App,
    /// The app's store, for checking what a request changed without going through a use case.
    pub store: Arc<dyn Store>,
    pub router: Router,
    _directory: Option<tempfile::TempDir>,
    pub team_a: TeamId,
    pub team_b: TeamId,
    pub organisation: OrganisationId,
    /// The person@ account's own record, in team A.
    pub own_record: PersonId,
    /// Delegated to helper@ (details only), in team A.
    pub helped: PersonId,
    /// In team B: only the finance officer may open it.
    pub stranger: PersonId,
    /// In team B, money held by the provider's organisation.
    pub provider_client: PersonId,
}

pub fn details(given: &str, family: &str) -> PersonDetailsInput {
    PersonDetailsInput {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth_day: "4".into(),
        date_of_birth_month: "11".into(),
        date_of_birth_year: "1948".into(),
        address_line_1: "1 Mill Lane".into(),
        town: "Tailorford".into(),
        postcode: "TF1 1AA".into(),
        contact_preference: "letter".into(),
        ..Default::default()
    }
}

impl World {
    pub async fn new() -> World {
        Self::with_council(tailor_domain::council::CouncilContact::demo()).await
    }

    /// The world of a council with its own council file (its year rule, say).
    pub async fn with_council(council: tailor_domain::council::CouncilContact) -> World {
        Self::on_sqlite(council, SessionPolicy::default()).await
    }

    /// A world whose sessions follow `policy` (two-step sign-in required for staff, say).
    pub async fn with_policy(policy: SessionPolicy) -> World {
        Self::on_sqlite(tailor_domain::council::CouncilContact::demo(), policy).await
    }

    async fn on_sqlite(council: tailor_domain::council::CouncilContact, policy: SessionPolicy) -> World {
        let directory = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::connect(&format!("sqlite:{}", directory.path().join("test.db").display()))
                .await
                .unwrap(),
        );
        Self::on(store, Some(directory), council, policy).await
    }

    /// The same world in a new database on the PostgreSQL server at `server_url`, named
    /// `tailor_web_test_...` (dropped by `drop_postgres_test_databases`).
    pub async fn on_postgres(server_url: &str) -> World {
        Self::on_postgres_with(server_url, tailor_domain::council::CouncilContact::demo(), SessionPolicy::default()).await
    }

    pub async fn on_postgres_with_policy(server_url: &str, policy: SessionPolicy) -> World {
        Self::on_postgres_with(server_url, tailor_domain::council::CouncilContact::demo(), policy).await
    }

    /// As `on_postgres`, for a council with its own council file.
    pub async fn on_postgres_with_council(server_url: &str, council: tailor_domain::council::CouncilContact) -> World {
        Self::on_postgres_with(server_url, council, SessionPolicy::default()).await
    }

    async fn on_postgres_with(server_url: &str, council: tailor_domain::council::CouncilContact, policy: SessionPolicy) -> World {
        use sqlx::Connection;
        let name = format!("tailor_web_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(server_url).await.unwrap();
        sqlx::query(&format!("create database {name}")).execute(&mut admin).await.unwrap();
        let (base, _) = server_url.rsplit_once('/').unwrap();
        let store: Arc<dyn Store> = Arc::new(
            tailor_store_postgres::PostgresStore::connect(&format!("{base}/{name}"))
                .await
                .unwrap(),
        );
        Self::on(store, None, council, policy).await
    }

    /// The council changes its council file (and restarts): the same records, served under it.
    pub fn change_council(&mut self, council: tailor_domain::council::CouncilContact) {
        self.app = self.app.clone().with_year_rule(council.year_rule);
        let state = AppState::new(self.app.clone(), Self::web_config(council));
        state.ready.store(true, std::sync::atomic::Ordering::Release);
        self.router = router(state);
    }

    fn web_config(council: tailor_domain::council::CouncilContact) -> WebConfig {
        WebConfig {
            metrics_token: Some(METRICS_TOKEN.into()),
            strict_transport_security: true,
            council,
            ..WebConfig::default()
        }
    }

    async fn on(
        store: Arc<dyn Store>,
        directory: Option<tempfile::TempDir>,
        council: tailor_domain::council::CouncilContact,
        policy: SessionPolicy,
    ) -> World {
        let app = App::new(store.clone(), Arc::new(SystemClock), policy).with_year_rule(council.year_rule);
        app.ensure_default_configuration().await.unwrap();
        let team_a = app.create_team(None, "Team A").await.unwrap().id;
        let team_b = app.create_team(None, "Team B").await.unwrap().id;
        let organisation = app.create_organisation(None, "Kindly Care", "care_provider").await.unwrap().id;
        let make =
            |local: &str, role: Role, team: Option<TeamId>, person: Option<PersonId>, organisation: Option<OrganisationId>| NewUser {
                email: format!("{local}@example.org"),
                display_name: format!("{local} user"),
                role,
                team_id: team,
                person_id: person,
                organisation_id: organisation,
                password: PASSWORD.into(),
            };
        let practitioner = app
            .create_user_unchecked(None, make("practitioner", Role::Practitioner, Some(team_a), None, None))
            .await
            .unwrap();
        let practitioner_b = app
            .create_user_unchecked(None, make("practitioner-b", Role::Practitioner, Some(team_b), None, None))
            .await
            .unwrap();
        let actor_a = tailor_app::auth::actor_for(&practitioner);
        let actor_b = tailor_app::auth::actor_for(&practitioner_b);
        let own_record = app.create_person(&actor_a, &details("Olive", "Owner")).await.unwrap().id;
        let helped = app.create_person(&actor_a, &details("Harold", "Helped")).await.unwrap().id;
        let stranger = app.create_person(&actor_b, &details("Stella", "Stranger")).await.unwrap().id;
        let provider_client = app.create_person(&actor_b, &details("Percy", "Provided")).await.unwrap().id;
        app.add_money_holder(&actor_b, provider_client, &organisation.to_string())
            .await
            .unwrap();
        for (local, role, team, person, holder) in [
            ("manager", Role::TeamManager, Some(team_a), None, None),
            ("finance", Role::FinanceOfficer, None, None, None),
            ("commissioner", Role::Commissioner, None, None, None),
            ("analyst", Role::Analyst, None, None, None),
            ("admin", Role::Administrator, None, None, None),
            ("caldicott", Role::CaldicottGuardian, None, None, None),
            ("provider", Role::Provider, None, None, Some(organisation)),
            ("person", Role::Person, None, Some(own_record), None),
            ("helper", Role::Helper, None, None, None),
        ] {
            app.create_user_unchecked(None, make(local, role, team, person, holder))
                .await
                .unwrap();
        }
        let details_only = DelegationInput {
            helper_email: "helper@example.org".into(),
            scopes: vec![DelegationScope::ViewDetails.as_str().into()],
            expires_on: String::new(),
        };
        app.grant_delegation(&actor_a, helped, &details_only).await.unwrap();
        let state = AppState::new(app.clone(), Self::web_config(council));
        state.ready.store(true, std::sync::atomic::Ordering::Release);
        World {
            router: router(state),
            app,
            store,
            _directory: directory,
            team_a,
            team_b,
            organisation,
            own_record,
            helped,
            stranger,
            provider_client,
        }
    }

    /// Signs in as `local@example.org` through the app and returns (cookie value, CSRF token).
    pub async fn session(&self, local: &str) -> (String, String) {
        let (cookie, session) = self
            .app
            .sign_in(&format!("{local}@example.org"), PASSWORD, "test client", None)
            .await
            .unwrap();
        (cookie, session.record.csrf_token)
    }

    pub async fn token(&self, local: &str) -> String {
        self.app
            .create_api_token(&format!("{local}@example.org"), PASSWORD, None, "test client")
            .await
            .unwrap()
            .0
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("tailor_session={cookie}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: Option<&str>, body: &str) -> Reply {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("tailor_session={cookie}"));
        }
        self.send(request.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// A form posted from a client at `address`, as the server sees its peer.
    pub async fn post_form_from(&self, path: &str, cookie: Option<&str>, body: &str, address: &str) -> Reply {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("tailor_session={cookie}"));
        }
        let peer: std::net::SocketAddr = format!("{address}:50000").parse().unwrap();
        let request = request.extension(axum::extract::ConnectInfo(peer));
        self.send(request.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// A multipart form, as a browser sends a file upload: text fields, then an optional file.
    pub async fn post_multipart(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Reply {
        let boundary = "tailor-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        if let Some((file_name, content)) = file {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = Request::post(path).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("tailor_session={cookie}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(&self, method: &str, path: &str, token: Option<&str>, json: Option<serde_json::Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match json {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// The audit events about a person with this action code, newest first.
    pub async fn audit_actions(&self, person: Option<PersonId>) -> Vec<String> {
        self.store
            .list_audit(&tailor_store::AuditQuery {
                person_id: person,
                action: None,
                limit: 1000,
            })
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.event.action.as_str().to_owned())
            .collect()
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for replies that are not text (PDFs).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// The ids of one person's records from steps 1 to 3, all the way to an agreed budget.
pub struct AgreedBudget {
    pub assessment: tailor_domain::AssessmentId,
    pub allocation: tailor_domain::AllocationId,
    pub financial: tailor_domain::FinancialAssessmentId,
    pub plan: tailor_domain::PlanId,
    pub budget: tailor_domain::BudgetId,
}

impl World {
    /// An actor for `local@example.org`, as the use cases see them.
    pub async fn actor(&self, local: &str) -> tailor_domain::access::Actor {
        let (user, _) = self
            .store
            .find_user_by_email(&format!("{local}@example.org"))
            .await
            .unwrap()
            .unwrap();
        tailor_app::auth::actor_for(&user)
    }

    /// Walks `person_id` through steps 1 to 3 with the real use cases, as `worker` (who must be
    /// the person's team's practitioner), to an agreed budget.
    pub async fn agreed_budget(&self, person_id: PersonId, worker_local: &str) -> AgreedBudget {
        let (assessment, allocation, financial, plan) = self.submitted_plan(person_id, worker_local).await;
        let worker = self.actor(worker_local).await;
        let agree = tailor_domain::plans::DecisionInput {
            verdict: "agreed".into(),
            ..Default::default()
        };
        let (_, budget) = self.app.decide_plan(&worker, plan, &agree).await.unwrap();
        AgreedBudget {
            assessment,
            allocation,
            financial,
            plan,
            budget: budget.expect("a plan well under its budget is agreed at once").id,
        }
    }

    /// Steps 1 and 2 for `person_id`, up to a plan sent for agreement.
    pub async fn submitted_plan(
        &self,
        person_id: PersonId,
        worker: &str,
    ) -> (
        tailor_domain::AssessmentId,
        tailor_domain::AllocationId,
        tailor_domain::FinancialAssessmentId,
        tailor_domain::PlanId,
    ) {
        let assessment_id = self.accepted_assessment(person_id, worker).await;
        let worker = self.actor(worker).await;
        let app = &self.app;
        let (_, allocation) = app
            .decide_eligibility(&worker, assessment_id, findings_unable_in(4), &decision_notes(""))
            .await
            .unwrap();
        let allocation = allocation.unwrap();
        let financial = app.record_financial_assessment(&worker, person_id, declined()).await.unwrap();
        let plan = tailor_domain::plans::PlanInput {
            outcomes: "Stay at home".into(),
            risks: "Falls".into(),
            contingency: "Daughter covers".into(),
            money_manager: "individual_service_fund".into(),
            line_description: vec!["Home support".into()],
            line_unit_cost: vec!["20".into()],
            line_units: vec!["1".into()],
            line_frequency: vec!["weekly".into()],
            line_support: vec!["personal_care_at_home".into()],
            line_charging: vec![String::new()],
            line_meets: vec!["maintaining_personal_hygiene".into()],
            advice: "The falls prevention class at the leisure centre".into(),
            ..Default::default()
        };
        let plan = app.save_plan(&worker, person_id, &plan, true).await.unwrap();
        (assessment_id, allocation.id, financial.id, plan.id)
    }

    /// A self-assessment answered (with the most need in every answer), sent and accepted by
    /// `worker`, waiting for its eligibility decision.
    pub async fn accepted_assessment(&self, person_id: PersonId, worker: &str) -> tailor_domain::AssessmentId {
        let worker = self.actor(worker).await;
        let app = &self.app;
        let assessment = app
            .start_assessment(&worker, person_id, tailor_domain::eligibility::AssessmentKind::Adult)
            .await
            .unwrap();
        let (_, questionnaire, _) = app.open_assessment(&worker, assessment.id).await.unwrap();
        for question in questionnaire.questions() {
            let answer = &question.answers[question.answers.len() - 1];
            app.answer_question(&worker, assessment.id, &question.id, &answer.id).await.unwrap();
        }
        app.submit_assessment(&worker, assessment.id).await.unwrap();
        app.review_assessment(&worker, assessment.id, true, &[], "").await.unwrap();
        // How the assessment was carried out, which the eligibility decision needs first.
        let duties = tailor_domain::assessment_duties::DutiesInput {
            self_assessment_offered: "yes".into(),
            method: "supported_self_assessment".into(),
            capacity: "no_doubt".into(),
            substantial_difficulty: "no".into(),
            ..Default::default()
        };
        app.record_assessment_duties(&worker, assessment.id, &duties, None).await.unwrap();
        assessment.id
    }
}

/// A financial assessment the person declined: they pay the full cost.
fn declined() -> tailor_domain::charging::FinancialCircumstances {
    tailor_domain::charging::FinancialCircumstances::declined()
}

/// Drops the databases `World::on_postgres` made.
pub async fn drop_postgres_test_databases(server_url: &str) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(server_url).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("select datname from pg_database where datname like 'tailor\\_web\\_test\\_%'")
        .fetch_all(&mut admin)
        .await
        .unwrap();
    for name in names {
        sqlx::query(&format!("drop database if exists {name} with (force)"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

/// An adult unable to achieve the first `unable` outcomes without help (two or more is eligible).
pub fn findings_unable_in(unable: usize) -> tailor_domain::eligibility::EligibilityFindings {
    use tailor_domain::eligibility::{outcomes, AssessmentKind, EligibilityFindings, OutcomeFinding, UnableReason};
    EligibilityFindings {
        kind: AssessmentKind::Adult,
        needs_condition_met: true,
        carer_health_at_risk: false,
        outcomes: outcomes(AssessmentKind::Adult)
            .into_iter()
            .enumerate()
            .map(|(index, (code, _))| OutcomeFinding {
                outcome: code.into(),
                unable: (index < unable).then_some(UnableReason::NeedsAssistance),
                evidence: String::new(),
            })
            .collect(),
        significant_impact_on_wellbeing: true,
        wellbeing_reasons: "At risk without help".into(),
    }
}

/// A decision's notes: needs looked at over eight weeks and not fluctuating, with the advice on
/// preventing or delaying needs that a decision of not eligible requires.
pub fn decision_notes(prevention_advice: &str) -> tailor_domain::assessments::DecisionNotesInput {
    tailor_domain::assessments::DecisionNotesInput {
        needs_fluctuate: "no".into(),
        fluctuation_period: "The eight weeks before the visit".into(),
        prevention_advice: prevention_advice.into(),
        ..Default::default()
    }
}
