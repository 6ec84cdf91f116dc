//! Who may do what, decided in one place.
//!
//! Two questions, both answered here and nowhere else:
//! 1. Does the actor's role allow this kind of action at all? (`Role::allows`, one exhaustive match,
//!    so adding a role or a permission is a compile error until someone decides.)
//! 2. For a person's record, does the actor's relationship to that person allow it?
//!    (`person_access`): allocated worker, team, delegated helper within scope and expiry,
//!    provider holding the person's money, or the person themselves.
//!
//! Long because about a third of it is tests: each rule of who may do what has one beside it.

use crate::ids::{OrganisationId, PersonId, TeamId, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Person,
    Helper,
    Practitioner,
    TeamManager,
    FinanceOfficer,
    Commissioner,
    Provider,
    Analyst,
    Administrator,
    /// The senior person responsible for protecting the confidentiality of people's
    /// information: the only role that reads a person's audit trail with their personal detail.
    CaldicottGuardian,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Person,
        Role::Helper,
        Role::Practitioner,
        Role::TeamManager,
        Role::FinanceOfficer,
        Role::Commissioner,
        Role::Provider,
        Role::Analyst,
        Role::Administrator,
        Role::CaldicottGuardian,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Person => "person",
            Role::Helper => "helper",
            Role::Practitioner => "practitioner",
            Role::TeamManager => "team_manager",
            Role::FinanceOfficer => "finance_officer",
            Role::Commissioner => "commissioner",
            Role::Provider => "provider",
            Role::Analyst => "analyst",
            Role::Administrator => "administrator",
            Role::CaldicottGuardian => "caldicott_guardian",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Person => "Person receiving care and support",
            Role::Helper => "Helper with delegated access",
            Role::Practitioner => "Practitioner",
            Role::TeamManager => "Team manager",
            Role::FinanceOfficer => "Finance officer",
            Role::Commissioner => "Commissioner",
            Role::Provider => "Provider",
            Role::Analyst => "Performance analyst",
            Role::Administrator => "Administrator",
            Role::CaldicottGuardian => "Caldicott guardian",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Practitioners and team managers: the roles that can be someone's allocated worker.
    pub fn holds_caseload(self) -> bool {
        matches!(self, Role::Practitioner | Role::TeamManager)
    }

    /// Practitioners and team managers have queues of assessments to check and plans to agree.
    pub fn holds_caseload_queues(self) -> bool {
        self.holds_caseload()
    }

    /// Team managers give the second sign-off and answer challenges, so have those queues too.
    pub fn gives_second_sign_off(self) -> bool {
        self == Role::TeamManager
    }

    /// What a role may do at all, before any relationship to a particular person is considered.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Person => matches!(permission, ViewOwnHome | ViewPersonRecord | UseApi),
            Role::Helper => matches!(permission, ViewOwnHome | ViewPersonRecord | UseApi),
            Role::Provider => matches!(permission, ViewProviderHome | ViewPersonRecord | UseApi),
            Role::Practitioner => matches!(
                permission,
                ViewStaffHome
                    | ViewCaseload
                    | SearchPeople
                    | CreatePerson
                    | ViewPersonRecord
                    | EditPersonRecord
                    | ViewTeamsAndOrganisations
                    | UseApi
            ),
            Role::TeamManager => matches!(
                permission,
                ViewStaffHome
                    | ViewCaseload
                    | SearchPeople
                    | CreatePerson
                    | ViewPersonRecord
                    | EditPersonRecord
                    | AllocateWorker
                    | AnswerEscalations
                    | ViewTeamsAndOrganisations
                    | ConfirmAccountLinks
                    | UseApi
            ),
            Role::FinanceOfficer => matches!(
                permission,
                ViewStaffHome | SearchPeople | ViewPersonRecord | ViewCaseload | ViewTeamsAndOrganisations | UseApi
            ),
            Role::Commissioner => {
                matches!(permission, ViewStaffHome | ManageOrganisations | ViewTeamsAndOrganisations | UseApi)
            }
            Role::Analyst => matches!(permission, ViewStaffHome | BuildReports | ViewTeamsAndOrganisations | UseApi),
            Role::Administrator => matches!(
                permission,
                ViewStaffHome
                    | AdministerUsers
                    | ManageOrganisations
                    | ViewAuditLog
                    | ManageConfiguration
                    | ViewTeamsAndOrganisations
                    | ConfirmAccountLinks
                    | PickPersonForAccount
                    | UseApi
            ),
            Role::CaldicottGuardian => matches!(
                permission,
                ViewStaffHome | ViewAuditLog | ViewPersonAuditTrail | ViewTeamsAndOrganisations | UseApi
            ),
        }
    }
}

/// The closed set of things a role can be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// The page a person or helper lands on.
    ViewOwnHome,
    /// The page a provider lands on: the people whose money it holds.
    ViewProviderHome,
    /// The landing page for staff: a caseload for workers, links and work queues for everyone.
    ViewStaffHome,
    ViewCaseload,
    SearchPeople,
    CreatePerson,
    /// Reaching any part of a person's record; which parts is decided by `person_access`.
    ViewPersonRecord,
    EditPersonRecord,
    AllocateWorker,
    AdministerUsers,
    ManageOrganisations,
    ViewAuditLog,
    /// Loading new versions of questionnaires, allocation models and charging rates.
    ManageConfiguration,
    /// Seeing the council's teams and the organisations it works with (not people's records).
    ViewTeamsAndOrganisations,
    /// Plans over tolerance and challenged budgets, which wait for a team manager.
    AnswerEscalations,
    /// Building reports from the JSON API, so the staff home page points to its description.
    BuildReports,
    UseApi,
    /// Reading one person's audit trail, which names them: who looked at their record and what
    /// changed. Administrators see the council-wide log without personal detail.
    ViewPersonAuditTrail,
    /// Confirming (or refusing) an account-to-person link another administrator asked for;
    /// which links a given actor may confirm is `may_confirm_account_link`.
    ConfirmAccountLinks,
    /// Finding a person by name, date of birth or NHS number to link their account, without
    /// opening their record.
    PickPersonForAccount,
}

/// The page each role lands on after signing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandingPage {
    /// A person's own home, or a helper's list of the people they help.
    OwnHome,
    /// The people whose money a provider holds.
    ProviderHome,
    /// A caseload, work queues and links for council staff.
    StaffHome,
}

pub fn landing_page(role: Role) -> LandingPage {
    if role.allows(Permission::ViewOwnHome) {
        LandingPage::OwnHome
    } else if role.allows(Permission::ViewProviderHome) {
        LandingPage::ProviderHome
    } else {
        LandingPage::StaffHome
    }
}

/// Whether an account of this role must use two-step sign-in under the council's setting.
/// Staff (everyone who is not a person or their helper) must when the setting says so; people
/// and helpers choose for themselves.
pub fn two_factor_required(role: Role, setting: crate::two_factor::StaffTwoFactor) -> bool {
    setting == crate::two_factor::StaffTwoFactor::Required && landing_page(role) != LandingPage::OwnHome
}

/// What a helper's delegation lets them see or do. A person grants these one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DelegationScope {
    /// Name, date of birth, address, contact details, communication needs.
    ViewDetails,
    /// Carers, family and other relationships.
    ViewRelationships,
    /// Letters, plans and other documents.
    ViewDocuments,
    /// Acting for the person in their assessment and plan.
    ActOnAssessmentAndPlan,
    /// Seeing and managing the person's money.
    ManageMoney,
}

impl DelegationScope {
    pub const ALL: [DelegationScope; 5] = [
        DelegationScope::ViewDetails,
        DelegationScope::ViewRelationships,
        DelegationScope::ViewDocuments,
        DelegationScope::ActOnAssessmentAndPlan,
        DelegationScope::ManageMoney,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ViewDetails => "view_details",
            Self::ViewRelationships => "view_relationships",
            Self::ViewDocuments => "view_documents",
            Self::ActOnAssessmentAndPlan => "act_on_assessment_and_plan",
            Self::ManageMoney => "manage_money",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ViewDetails => "See my personal details",
            Self::ViewRelationships => "See my carers, family and other contacts",
            Self::ViewDocuments => "See my letters and documents",
            Self::ActOnAssessmentAndPlan => "Help with my assessment and plan",
            Self::ManageMoney => "See and manage my money",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

/// Someone the person has allowed to act for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationGrant {
    pub helper: UserId,
    pub scopes: Vec<DelegationScope>,
    /// The last day the delegation is valid; `None` means until withdrawn.
    pub expires_on: Option<NaiveDate>,
}

impl DelegationGrant {
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.expires_on.is_none_or(|last_day| today <= last_day)
    }
}

/// The facts about one person that access depends on, loaded together before any decision.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PersonAccessFacts {
    pub person_id: Option<PersonId>,
    pub allocated_worker: Option<UserId>,
    pub team: Option<TeamId>,
    pub delegations: Vec<DelegationGrant>,
    pub money_held_by: Vec<OrganisationId>,
}

/// The signed-in actor, with the relationships that can open a person's record to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub person_id: Option<PersonId>,
    pub organisation_id: Option<OrganisationId>,
}

/// Something an actor may want to do with one person's record. Use cases and pages ask
/// `may` (or `PersonAccess::may`) for these; nothing outside this module matches on roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    ViewDetails,
    ViewRelationships,
    ViewCaseNotes,
    ViewWarnings,
    ViewDocuments,
    /// Changing details, adding notes, warnings, relationships and documents.
    EditRecord,
    ManageDelegations,
    /// Choosing the person's allocated worker (a team manager, within their team).
    AllocateWorker,
    /// Seeing the self-assessment's answers and the council's check of them.
    ViewAssessment,
    /// Answering the self-assessment for or with the person.
    FillInAssessment,
    ReviewAssessment,
    ViewEligibility,
    DecideEligibility,
    /// Seeing the indicative budget and how it was worked out.
    ViewAllocation,
    OverrideBudget,
    /// Agreeing an override above the model's tolerance or panel threshold.
    OverrideBudgetAboveTolerance,
    ViewFinancialAssessment,
    RecordFinancialAssessment,
    ViewPlan,
    WritePlan,
    AgreePlan,
    /// The second sign-off a plan over tolerance needs.
    AgreePlanAboveTolerance,
    ViewBudget,
    /// Challenging a decision in the person's own name: the person, or a helper they chose.
    RaiseChallenge,
    AnswerChallenge,
    /// Staff recording a challenge the person made to them, on the person's behalf (never as
    /// the person): a separate form, and the record names the member of staff.
    RecordChallengeOnBehalf,
    /// Handing an open challenge to another owner (a team manager, within the person's team).
    ReassignChallenge,
}

impl Capability {
    pub const ALL: [Capability; 27] = [
        Capability::ViewDetails,
        Capability::ViewRelationships,
        Capability::ViewCaseNotes,
        Capability::ViewWarnings,
        Capability::ViewDocuments,
        Capability::EditRecord,
        Capability::ManageDelegations,
        Capability::AllocateWorker,
        Capability::ViewAssessment,
        Capability::FillInAssessment,
        Capability::ReviewAssessment,
        Capability::ViewEligibility,
        Capability::DecideEligibility,
        Capability::ViewAllocation,
        Capability::OverrideBudget,
        Capability::OverrideBudgetAboveTolerance,
        Capability::ViewFinancialAssessment,
        Capability::RecordFinancialAssessment,
        Capability::ViewPlan,
        Capability::WritePlan,
        Capability::AgreePlan,
        Capability::AgreePlanAboveTolerance,
        Capability::ViewBudget,
        Capability::RaiseChallenge,
        Capability::AnswerChallenge,
        Capability::RecordChallengeOnBehalf,
        Capability::ReassignChallenge,
    ];
}

/// The delegation scopes a helper holds for one person, as a small set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScopeSet(u8);

impl ScopeSet {
    pub fn contains(self, scope: DelegationScope) -> bool {
        self.0 & (1 << scope as u8) != 0
    }

    pub fn with(self, scope: DelegationScope) -> ScopeSet {
        ScopeSet(self.0 | (1 << scope as u8))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<DelegationScope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = DelegationScope>>(scopes: I) -> Self {
        scopes.into_iter().fold(ScopeSet::default(), ScopeSet::with)
    }
}

/// What one actor is to one person: their role and the relationship that opens the record
/// (`basis`), with a helper's scopes. No basis means no access at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PersonAccess {
    pub role: Role,
    /// Why access was granted, in words recorded in the read log ("allocated worker", "team").
    pub basis: Option<AccessBasis>,
    pub scopes: ScopeSet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessBasis {
    Themselves,
    AllocatedWorker,
    Team,
    DelegatedHelper,
    ProviderHoldingMoney,
    FinanceDuty,
}

impl AccessBasis {
    pub fn label(self) -> &'static str {
        match self {
            AccessBasis::Themselves => "their own record",
            AccessBasis::AllocatedWorker => "allocated worker",
            AccessBasis::Team => "member of the person's team",
            AccessBasis::DelegatedHelper => "delegated helper",
            AccessBasis::ProviderHoldingMoney => "provider holding the person's money",
            AccessBasis::FinanceDuty => "finance officer",
        }
    }
}

impl PersonAccess {
    pub fn none(role: Role) -> Self {
        PersonAccess {
            role,
            basis: None,
            scopes: ScopeSet::default(),
        }
    }

    /// Whether any part of the record is open to the actor.
    pub fn any(&self) -> bool {
        self.basis.is_some()
    }

    /// Whether what this actor writes is the person's own word (themselves, or a helper they
    /// chose), rather than staff recording it on the person's behalf.
    pub fn acts_for_the_person(&self) -> bool {
        matches!(self.basis, Some(AccessBasis::Themselves | AccessBasis::DelegatedHelper))
    }

    pub fn may(&self, capability: Capability) -> bool {
        capability_allowed(self.role, self.basis, self.scopes, capability)
    }
}

/// The question every use case and page asks: may this actor, related to this person as
/// `access` says, do this?
pub fn may(actor: &Actor, access: &PersonAccess, capability: Capability) -> bool {
    actor.role == access.role && access.may(capability)
}

/// The one table of who may do what to a person's record, by relationship and role.
fn capability_allowed(role: Role, basis: Option<AccessBasis>, scopes: ScopeSet, capability: Capability) -> bool {
    use Capability::*;
    let Some(basis) = basis else {
        return false;
    };
    match basis {
        AccessBasis::AllocatedWorker | AccessBasis::Team => match capability {
            AllocateWorker | OverrideBudgetAboveTolerance | AgreePlanAboveTolerance | AnswerChallenge | ReassignChallenge => {
                role == Role::TeamManager
            }
            // Staff never challenge as the person; they record the person's challenge on the
            // person's behalf, marked so (`RecordChallengeOnBehalf`).
            RaiseChallenge => false,
            _ => true,
        },
        AccessBasis::FinanceDuty => matches!(
            capability,
            ViewDetails | ViewWarnings | ViewFinancialAssessment | RecordFinancialAssessment | ViewBudget
        ),
        AccessBasis::Themselves => matches!(
            capability,
            ViewDetails
                | ViewRelationships
                | ViewDocuments
                | ManageDelegations
                | ViewAssessment
                | FillInAssessment
                | ViewEligibility
                | ViewAllocation
                | ViewFinancialAssessment
                | ViewPlan
                | WritePlan
                | ViewBudget
                | RaiseChallenge
        ),
        AccessBasis::DelegatedHelper => match capability {
            ViewDetails => scopes.contains(DelegationScope::ViewDetails),
            ViewRelationships => scopes.contains(DelegationScope::ViewRelationships),
            ViewDocuments => scopes.contains(DelegationScope::ViewDocuments),
            ViewAssessment | FillInAssessment | ViewEligibility | ViewAllocation | ViewPlan | WritePlan | RaiseChallenge => {
                scopes.contains(DelegationScope::ActOnAssessmentAndPlan)
            }
            ViewFinancialAssessment | ViewBudget => scopes.contains(DelegationScope::ManageMoney),
            _ => false,
        },
        // A provider holding the money delivers the plan as an individual service fund: it sees
        // how to reach the person and the plan it delivers, never their assessment or finances.
        AccessBasis::ProviderHoldingMoney => matches!(capability, ViewDetails | ViewPlan),
    }
}

/// Whether a team manager may make `worker` someone's allocated worker: active staff who hold
/// a caseload, in the manager's own team.
pub fn may_allocate_to(actor: &Actor, access: &PersonAccess, worker_role: Role, worker_team: Option<TeamId>, worker_active: bool) -> bool {
    may(actor, access, Capability::AllocateWorker)
        && worker_active
        && worker_role.holds_caseload()
        && actor.team_id.is_some()
        && worker_team == actor.team_id
}

/// Whether `candidate` may own (answer) a challenge to a decision `decision_maker` made: they
/// may answer challenges for this person, and they did not make the decision themselves.
pub fn may_own_challenge(candidate: &Actor, access: &PersonAccess, decision_maker: Option<UserId>) -> bool {
    may(candidate, access, Capability::AnswerChallenge) && decision_maker != Some(candidate.user_id)
}

/// Whether `actor` may hand a challenge to `new_owner`: the actor may reassign challenges for
/// this person, and the new owner may own it (never the decision maker) and is not already its
/// owner.
pub fn may_reassign_challenge_to(
    actor: &Actor,
    access: &PersonAccess,
    new_owner: &Actor,
    new_owner_access: &PersonAccess,
    decision_maker: Option<UserId>,
    current_owner: Option<UserId>,
) -> bool {
    may(actor, access, Capability::ReassignChallenge)
        && may_own_challenge(new_owner, new_owner_access, decision_maker)
        && current_owner != Some(new_owner.user_id)
}

/// Whether a person may let an account of this role act for them: only helper accounts, so
/// that delegated access never widens what a member of staff can see.
pub fn may_receive_delegation(role: Role) -> bool {
    role == Role::Helper
}

/// The single rule for reaching a person's record.
pub fn person_access(actor: &Actor, facts: &PersonAccessFacts, today: NaiveDate) -> PersonAccess {
    let none = PersonAccess::none(actor.role);
    if !actor.role.allows(Permission::ViewPersonRecord) {
        return none;
    }
    let with = |basis| PersonAccess {
        basis: Some(basis),
        ..none
    };
    match actor.role {
        Role::Practitioner | Role::TeamManager => {
            if facts.allocated_worker == Some(actor.user_id) {
                with(AccessBasis::AllocatedWorker)
            } else if actor.team_id.is_some() && facts.team == actor.team_id {
                with(AccessBasis::Team)
            } else {
                none
            }
        }
        Role::FinanceOfficer => with(AccessBasis::FinanceDuty),
        Role::Person => {
            if actor.person_id.is_some() && actor.person_id == facts.person_id {
                with(AccessBasis::Themselves)
            } else {
                none
            }
        }
        Role::Helper => {
            let scopes: ScopeSet = facts
                .delegations
                .iter()
                .filter(|grant| grant.helper == actor.user_id && grant.is_current(today))
                .flat_map(|grant| grant.scopes.iter().copied())
                .collect();
            if scopes.is_empty() {
                return none;
            }
            PersonAccess {
                scopes,
                ..with(AccessBasis::DelegatedHelper)
            }
        }
        Role::Provider => match actor.organisation_id {
            Some(organisation) if facts.money_held_by.contains(&organisation) => with(AccessBasis::ProviderHoldingMoney),
            _ => none,
        },
        Role::Commissioner | Role::Analyst | Role::Administrator | Role::CaldicottGuardian => none,
    }
}

/// Which people a staff search may return: the same rule as `person_access`, as a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchScope {
    Everyone,
    TeamOrAllocated { team: Option<TeamId>, worker: UserId },
    Nobody,
}

pub fn search_scope(actor: &Actor) -> SearchScope {
    if !actor.role.allows(Permission::SearchPeople) {
        return SearchScope::Nobody;
    }
    match actor.role {
        Role::FinanceOfficer => SearchScope::Everyone,
        Role::Practitioner | Role::TeamManager => SearchScope::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        },
        _ => SearchScope::Nobody,
    }
}

/// Whose records make up a worker's caseload: the same rule as `person_access`, as a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseloadScope {
    /// A practitioner's caseload: the people allocated to them.
    AllocatedTo(UserId),
    /// A team manager's: their team's people, and anyone allocated to them elsewhere.
    TeamOrAllocated {
        team: Option<TeamId>,
        worker: UserId,
    },
    /// A finance officer works for everyone the council supports.
    Everyone,
    Nobody,
}

pub fn caseload_scope(actor: &Actor) -> CaseloadScope {
    if !actor.role.allows(Permission::ViewCaseload) {
        return CaseloadScope::Nobody;
    }
    match actor.role {
        Role::Practitioner => CaseloadScope::AllocatedTo(actor.user_id),
        Role::TeamManager => CaseloadScope::TeamOrAllocated {
            team: actor.team_id,
            worker: actor.user_id,
        },
        Role::FinanceOfficer => CaseloadScope::Everyone,
        _ => CaseloadScope::Nobody,
    }
}

/// The people someone outside the council acts for, for their home page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnPeopleScope {
    /// A person: their own record.
    Themselves(PersonId),
    /// A helper: whoever has a current delegation to them on this day.
    DelegatedTo {
        helper: UserId,
        on: NaiveDate,
    },
    /// A provider: the people whose money it holds.
    MoneyHeldBy(OrganisationId),
    Nobody,
}

pub fn own_people_scope(actor: &Actor, today: NaiveDate) -> OwnPeopleScope {
    match (actor.role, actor.person_id, actor.organisation_id) {
        (Role::Person, Some(own), _) => OwnPeopleScope::Themselves(own),
        (Role::Helper, _, _) => OwnPeopleScope::DelegatedTo {
            helper: actor.user_id,
            on: today,
        },
        (Role::Provider, _, Some(organisation)) => OwnPeopleScope::MoneyHeldBy(organisation),
        _ => OwnPeopleScope::Nobody,
    }
}

/// Whether the record a worker creates is allocated to them straight away: a practitioner's is,
/// so it appears on their caseload; a team manager allocates it later, within the team.
pub fn allocates_new_records_to_creator(role: Role) -> bool {
    role.allows(Permission::CreatePerson) && !role.allows(Permission::AllocateWorker)
}

/// Whether `actor` may confirm an account-to-person link: never the administrator who asked
/// for it (one administrator alone cannot open a record to an account), but another
/// administrator, or a team manager of the person's own team.
pub fn may_confirm_account_link(actor: &Actor, requested_by: UserId, person_team: Option<TeamId>) -> bool {
    if !actor.role.allows(Permission::ConfirmAccountLinks) || actor.user_id == requested_by {
        return false;
    }
    match actor.role {
        Role::Administrator => true,
        Role::TeamManager => actor.team_id.is_some() && actor.team_id == person_team,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::generate(),
            display_name: "Test".into(),
            role,
            team_id: None,
            person_id: None,
            organisation_id: None,
        }
    }

    #[test]
    fn a_practitioner_sees_their_teams_people_and_no_one_else() {
        let team = TeamId::generate();
        let mut practitioner = actor(Role::Practitioner);
        practitioner.team_id = Some(team);
        let in_team = PersonAccessFacts {
            team: Some(team),
            ..Default::default()
        };
        let elsewhere = PersonAccessFacts {
            team: Some(TeamId::generate()),
            ..Default::default()
        };
        assert_eq!(
            person_access(&practitioner, &in_team, day("2026-01-01")).basis,
            Some(AccessBasis::Team)
        );
        assert!(!person_access(&practitioner, &elsewhere, day("2026-01-01")).any());
    }

    #[test]
    fn an_allocated_worker_sees_the_person_even_outside_their_team() {
        let practitioner = actor(Role::Practitioner);
        let facts = PersonAccessFacts {
            allocated_worker: Some(practitioner.user_id),
            ..Default::default()
        };
        assert!(person_access(&practitioner, &facts, day("2026-01-01")).may(Capability::ViewCaseNotes));
    }

    #[test]
    fn a_helper_sees_only_what_the_delegation_allows_until_it_expires() {
        let helper = actor(Role::Helper);
        let facts = PersonAccessFacts {
            delegations: vec![DelegationGrant {
                helper: helper.user_id,
                scopes: vec![DelegationScope::ViewDetails],
                expires_on: Some(day("2026-06-30")),
            }],
            ..Default::default()
        };
        let access = person_access(&helper, &facts, day("2026-06-30"));
        assert!(access.may(Capability::ViewDetails));
        assert!(!access.may(Capability::ViewDocuments));
        assert!(!access.may(Capability::ViewCaseNotes));
        assert!(!person_access(&helper, &facts, day("2026-07-01")).any());
    }

    #[test]
    fn a_helper_without_a_delegation_sees_nothing() {
        let helper = actor(Role::Helper);
        let facts = PersonAccessFacts {
            delegations: vec![DelegationGrant {
                helper: UserId::generate(),
                scopes: DelegationScope::ALL.to_vec(),
                expires_on: None,
            }],
            ..Default::default()
        };
        assert!(!person_access(&helper, &facts, day("2026-01-01")).any());
    }

    #[test]
    fn a_provider_sees_only_people_whose_money_it_holds() {
        let organisation = OrganisationId::generate();
        let mut provider = actor(Role::Provider);
        provider.organisation_id = Some(organisation);
        let held = PersonAccessFacts {
            money_held_by: vec![organisation],
            ..Default::default()
        };
        let not_held = PersonAccessFacts {
            money_held_by: vec![OrganisationId::generate()],
            ..Default::default()
        };
        let access = person_access(&provider, &held, day("2026-01-01"));
        assert!(access.may(Capability::ViewDetails) && !access.may(Capability::ViewCaseNotes));
        for hidden in [
            Capability::ViewAssessment,
            Capability::ViewAllocation,
            Capability::ViewFinancialAssessment,
            Capability::ViewBudget,
            Capability::ViewEligibility,
        ] {
            assert!(!access.may(hidden), "{hidden:?}");
        }
        assert!(
            access.may(Capability::ViewPlan),
            "an individual service fund's provider sees the plan it delivers"
        );
        assert!(!person_access(&provider, &not_held, day("2026-01-01")).any());
    }

    #[test]
    fn a_person_sees_their_own_record_only() {
        let own = PersonId::generate();
        let mut person = actor(Role::Person);
        person.person_id = Some(own);
        assert!(person_access(
            &person,
            &PersonAccessFacts {
                person_id: Some(own),
                ..Default::default()
            },
            day("2026-01-01")
        )
        .may(Capability::ViewDetails));
        assert!(!person_access(
            &person,
            &PersonAccessFacts {
                person_id: Some(PersonId::generate()),
                ..Default::default()
            },
            day("2026-01-01")
        )
        .any());
    }

    #[test]
    fn analysts_commissioners_and_administrators_never_open_a_record() {
        for role in [Role::Analyst, Role::Commissioner, Role::Administrator] {
            let mut someone = actor(role);
            let team = TeamId::generate();
            someone.team_id = Some(team);
            let facts = PersonAccessFacts {
                team: Some(team),
                allocated_worker: Some(someone.user_id),
                ..Default::default()
            };
            assert!(!person_access(&someone, &facts, day("2026-01-01")).any(), "{role:?}");
        }
    }

    #[test]
    fn a_helper_without_the_money_scope_never_sees_budgets_or_finances() {
        let helper = actor(Role::Helper);
        let facts = PersonAccessFacts {
            delegations: vec![DelegationGrant {
                helper: helper.user_id,
                scopes: vec![DelegationScope::ViewDetails, DelegationScope::ActOnAssessmentAndPlan],
                expires_on: None,
            }],
            ..Default::default()
        };
        let access = person_access(&helper, &facts, day("2026-01-01"));
        assert!(access.may(Capability::WritePlan) && access.may(Capability::ViewAssessment));
        assert!(!access.may(Capability::ViewBudget) && !access.may(Capability::ViewFinancialAssessment));
        let with_money = PersonAccessFacts {
            delegations: vec![DelegationGrant {
                helper: helper.user_id,
                scopes: vec![DelegationScope::ManageMoney],
                expires_on: None,
            }],
            ..Default::default()
        };
        let access = person_access(&helper, &with_money, day("2026-01-01"));
        assert!(access.may(Capability::ViewBudget) && !access.may(Capability::WritePlan));
    }

    #[test]
    fn only_a_team_manager_gives_the_second_sign_off_and_answers_challenges() {
        let team = TeamId::generate();
        let facts = PersonAccessFacts {
            team: Some(team),
            ..Default::default()
        };
        for (role, expected) in [(Role::Practitioner, false), (Role::TeamManager, true)] {
            let mut worker = actor(role);
            worker.team_id = Some(team);
            let access = person_access(&worker, &facts, day("2026-01-01"));
            assert!(may(&worker, &access, Capability::AgreePlan));
            for capability in [
                Capability::AgreePlanAboveTolerance,
                Capability::OverrideBudgetAboveTolerance,
                Capability::AnswerChallenge,
                Capability::ReassignChallenge,
                Capability::AllocateWorker,
            ] {
                assert_eq!(may(&worker, &access, capability), expected, "{role:?} {capability:?}");
            }
            assert!(
                !may(&worker, &access, Capability::RaiseChallenge),
                "staff never challenge as the person"
            );
            assert!(may(&worker, &access, Capability::RecordChallengeOnBehalf) && !access.acts_for_the_person());
        }
    }

    #[test]
    fn a_manager_hands_a_challenge_only_to_another_owner_who_did_not_decide() {
        let team = TeamId::generate();
        let facts = PersonAccessFacts {
            team: Some(team),
            ..Default::default()
        };
        let in_team = |role| {
            let mut someone = actor(role);
            someone.team_id = Some(team);
            let access = person_access(&someone, &facts, day("2026-01-01"));
            (someone, access)
        };
        let (manager, manager_access) = in_team(Role::TeamManager);
        let (colleague, colleague_access) = in_team(Role::TeamManager);
        let (practitioner, practitioner_access) = in_team(Role::Practitioner);
        let decision_maker = Some(UserId::generate());
        assert!(may_reassign_challenge_to(
            &manager,
            &manager_access,
            &colleague,
            &colleague_access,
            decision_maker,
            Some(manager.user_id)
        ));
        assert!(
            !may_reassign_challenge_to(
                &manager,
                &manager_access,
                &colleague,
                &colleague_access,
                Some(colleague.user_id),
                Some(manager.user_id)
            ),
            "never to the decision maker"
        );
        assert!(
            !may_reassign_challenge_to(
                &manager,
                &manager_access,
                &colleague,
                &colleague_access,
                decision_maker,
                Some(colleague.user_id)
            ),
            "not to the owner it already has"
        );
        assert!(
            !may_reassign_challenge_to(&manager, &manager_access, &practitioner, &practitioner_access, decision_maker, None),
            "only to someone who may answer challenges"
        );
        assert!(
            !may_reassign_challenge_to(
                &practitioner,
                &practitioner_access,
                &colleague,
                &colleague_access,
                decision_maker,
                None
            ),
            "only a manager hands challenges on"
        );
        let outsider = PersonAccessFacts {
            team: Some(TeamId::generate()),
            ..Default::default()
        };
        let (other_manager, _) = in_team(Role::TeamManager);
        let other_access = person_access(&other_manager, &outsider, day("2026-01-01"));
        assert!(
            !may_reassign_challenge_to(&other_manager, &other_access, &colleague, &colleague_access, decision_maker, None),
            "not for a person outside the manager's team"
        );
    }

    #[test]
    fn a_challenge_is_owned_by_a_manager_who_did_not_make_the_decision() {
        let team = TeamId::generate();
        let facts = PersonAccessFacts {
            team: Some(team),
            ..Default::default()
        };
        let mut manager = actor(Role::TeamManager);
        manager.team_id = Some(team);
        let access = person_access(&manager, &facts, day("2026-01-01"));
        assert!(may_own_challenge(&manager, &access, Some(UserId::generate())));
        assert!(
            !may_own_challenge(&manager, &access, Some(manager.user_id)),
            "never the decision maker"
        );
        let mut practitioner = actor(Role::Practitioner);
        practitioner.team_id = Some(team);
        let access = person_access(&practitioner, &facts, day("2026-01-01"));
        assert!(!may_own_challenge(&practitioner, &access, None));
        let person = Actor {
            person_id: Some(PersonId::generate()),
            ..actor(Role::Person)
        };
        let own = PersonAccessFacts {
            person_id: person.person_id,
            ..Default::default()
        };
        let access = person_access(&person, &own, day("2026-01-01"));
        assert!(may(&person, &access, Capability::RaiseChallenge) && !may(&person, &access, Capability::RecordChallengeOnBehalf));
    }

    #[test]
    fn a_team_manager_allocates_only_workers_of_their_own_team() {
        let team = TeamId::generate();
        let mut manager = actor(Role::TeamManager);
        manager.team_id = Some(team);
        let access = person_access(
            &manager,
            &PersonAccessFacts {
                team: Some(team),
                ..Default::default()
            },
            day("2026-01-01"),
        );
        assert!(may_allocate_to(&manager, &access, Role::Practitioner, Some(team), true));
        assert!(!may_allocate_to(
            &manager,
            &access,
            Role::Practitioner,
            Some(TeamId::generate()),
            true
        ));
        assert!(!may_allocate_to(&manager, &access, Role::Practitioner, Some(team), false));
        assert!(!may_allocate_to(&manager, &access, Role::FinanceOfficer, Some(team), true));
    }

    #[test]
    fn no_relationship_means_no_capability() {
        for role in Role::ALL {
            let access = PersonAccess::none(role);
            for capability in Capability::ALL {
                assert!(!access.may(capability), "{role:?} {capability:?}");
            }
        }
    }

    #[test]
    fn each_role_lands_on_one_home_page() {
        let expected = |role| match role {
            Role::Person | Role::Helper => LandingPage::OwnHome,
            Role::Provider => LandingPage::ProviderHome,
            _ => LandingPage::StaffHome,
        };
        for role in Role::ALL {
            assert_eq!(landing_page(role), expected(role), "{role:?}");
            assert!(role.allows(match landing_page(role) {
                LandingPage::OwnHome => Permission::ViewOwnHome,
                LandingPage::ProviderHome => Permission::ViewProviderHome,
                LandingPage::StaffHome => Permission::ViewStaffHome,
            }));
        }
    }

    #[test]
    fn a_caseload_is_a_practitioners_own_people_and_a_managers_team() {
        let team = TeamId::generate();
        let mut practitioner = actor(Role::Practitioner);
        practitioner.team_id = Some(team);
        assert_eq!(caseload_scope(&practitioner), CaseloadScope::AllocatedTo(practitioner.user_id));
        let mut manager = actor(Role::TeamManager);
        manager.team_id = Some(team);
        assert_eq!(
            caseload_scope(&manager),
            CaseloadScope::TeamOrAllocated {
                team: Some(team),
                worker: manager.user_id
            }
        );
        assert_eq!(caseload_scope(&actor(Role::FinanceOfficer)), CaseloadScope::Everyone);
        for role in [Role::Person, Role::Helper, Role::Provider, Role::Analyst, Role::Administrator] {
            assert_eq!(caseload_scope(&actor(role)), CaseloadScope::Nobody, "{role:?}");
        }
    }

    #[test]
    fn people_outside_the_council_see_only_the_people_they_act_for() {
        let today = day("2026-01-01");
        let own = PersonId::generate();
        let mut person = actor(Role::Person);
        person.person_id = Some(own);
        assert_eq!(own_people_scope(&person, today), OwnPeopleScope::Themselves(own));
        let helper = actor(Role::Helper);
        assert_eq!(
            own_people_scope(&helper, today),
            OwnPeopleScope::DelegatedTo {
                helper: helper.user_id,
                on: today
            }
        );
        let organisation = OrganisationId::generate();
        let mut provider = actor(Role::Provider);
        provider.organisation_id = Some(organisation);
        assert_eq!(own_people_scope(&provider, today), OwnPeopleScope::MoneyHeldBy(organisation));
        assert_eq!(own_people_scope(&actor(Role::Provider), today), OwnPeopleScope::Nobody);
        assert_eq!(own_people_scope(&actor(Role::Practitioner), today), OwnPeopleScope::Nobody);
    }

    #[test]
    fn only_a_practitioners_new_records_are_allocated_to_them() {
        for role in Role::ALL {
            assert_eq!(allocates_new_records_to_creator(role), role == Role::Practitioner, "{role:?}");
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for scope in DelegationScope::ALL {
            assert_eq!(DelegationScope::parse(scope.as_str()), Some(scope));
        }
    }

    #[test]
    fn a_link_is_confirmed_by_a_second_administrator_or_the_persons_team_manager() {
        let team = TeamId::generate();
        let first = actor(Role::Administrator);
        let second = actor(Role::Administrator);
        assert!(
            !may_confirm_account_link(&first, first.user_id, Some(team)),
            "not the one who asked"
        );
        assert!(may_confirm_account_link(&second, first.user_id, Some(team)));
        let mut manager = actor(Role::TeamManager);
        manager.team_id = Some(team);
        assert!(may_confirm_account_link(&manager, first.user_id, Some(team)));
        assert!(!may_confirm_account_link(&manager, first.user_id, Some(TeamId::generate())));
        assert!(!may_confirm_account_link(&manager, first.user_id, None));
        for role in [
            Role::Practitioner,
            Role::CaldicottGuardian,
            Role::Person,
            Role::Helper,
            Role::Analyst,
        ] {
            let mut someone = actor(role);
            someone.team_id = Some(team);
            assert!(!may_confirm_account_link(&someone, first.user_id, Some(team)), "{role:?}");
        }
    }

    #[test]
    fn only_the_caldicott_guardian_reads_a_persons_audit_trail() {
        for role in Role::ALL {
            assert_eq!(
                role.allows(Permission::ViewPersonAuditTrail),
                role == Role::CaldicottGuardian,
                "{role:?}"
            );
        }
        assert!(Role::Administrator.allows(Permission::ViewAuditLog));
        assert!(!Role::CaldicottGuardian.allows(Permission::AdministerUsers));
        assert!(!person_access(&actor(Role::CaldicottGuardian), &PersonAccessFacts::default(), day("2026-01-01")).any());
    }
}

#[cfg(test)]
mod two_factor_tests {
    use super::*;
    use crate::two_factor::StaffTwoFactor;

    #[test]
    fn staff_must_use_two_step_sign_in_when_required_and_people_and_helpers_never_must() {
        for role in Role::ALL {
            let own_home = landing_page(role) == LandingPage::OwnHome;
            assert_eq!(two_factor_required(role, StaffTwoFactor::Required), !own_home, "{role:?}");
            assert!(!two_factor_required(role, StaffTwoFactor::Optional), "{role:?}");
        }
        assert!(two_factor_required(Role::Administrator, StaffTwoFactor::Required));
        assert!(!two_factor_required(Role::Person, StaffTwoFactor::Required));
        assert!(!two_factor_required(Role::Helper, StaffTwoFactor::Required));
    }
}
