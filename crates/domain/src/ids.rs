//! One id type per entity, so that a note id can never be passed where a person id is wanted.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! entity_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// An id made from caller-supplied random bytes, so that seeded generators
            /// (the demo council) produce the same ids every time.
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }
    )*};
}

entity_id!(
    UserId,
    PersonId,
    TeamId,
    OrganisationId,
    NoteId,
    RelationshipId,
    WarningId,
    DocumentId,
    DelegationId,
    AssessmentId,
    EligibilityDecisionId,
    AllocationId,
    OverrideRequestId,
    FinancialAssessmentId,
    PlanId,
    PlanDecisionId,
    BudgetId,
    ChallengeId,
    JobId,
    ApiTokenId,
    PasswordResetId,
    AccountLinkId,
);
