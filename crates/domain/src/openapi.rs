//! How the leaf types with their own serialisation appear in the API's OpenAPI document. They are
//! written by hand, in one place, because each serialises to something other than its Rust shape
//! (a transparent number, a year rule's words); every record built from them derives its schema.

use crate::ids::*;
use crate::money::{Money, YearRule};
use crate::plan_support::Quantity;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

fn integer(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .into()
}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        integer("An amount in whole pence (1250 is £12.50); negative where it takes away.")
    }
}

impl ToSchema for Money {}

impl PartialSchema for Quantity {
    fn schema() -> RefOr<Schema> {
        integer("How many, in hundredths, so that fractions are exact: 750 is 7.5 (hours, visits or items).")
    }
}

impl ToSchema for Quantity {}

impl PartialSchema for YearRule {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(YearRule::ALL.map(YearRule::as_str)))
            .description(Some(
                "How many weeks a year has when a weekly amount becomes a yearly one: 52, 365/7 or 1461/28.",
            ))
            .into()
    }
}

impl ToSchema for YearRule {}

macro_rules! id_schema {
    ($($name:ident),* $(,)?) => {$(
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }

        impl ToSchema for $name {}
    )*};
}

id_schema!(
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn schema_of<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    #[test]
    fn each_schema_matches_what_the_type_serialises_to() {
        assert_eq!(serde_json::to_value(Money::from_pence(-1250)).unwrap(), json!(-1250));
        assert_eq!(schema_of::<Money>()["type"], "integer");
        assert_eq!(serde_json::to_value(Quantity::from_hundredths(750)).unwrap(), json!(750));
        assert_eq!(schema_of::<Quantity>()["type"], "integer");
        let written: Vec<Value> = YearRule::ALL.iter().map(|rule| serde_json::to_value(rule).unwrap()).collect();
        assert_eq!(schema_of::<YearRule>()["enum"], Value::Array(written));
        let id = PersonId::generate();
        assert_eq!(serde_json::to_value(id).unwrap(), json!(id.to_string()));
        assert_eq!(schema_of::<PersonId>(), json!({"type": "string", "format": "uuid"}));
    }
}
