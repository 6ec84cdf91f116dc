//! Tailor's rules, kept free of I/O so that they can be read, tested and trusted on their own.
//!
//! Nothing in this crate touches a database, the network, the clock or the file system: callers
//! pass in the time and the facts a rule needs.

pub mod access;
pub mod allocation;
pub mod assessment_duties;
pub mod assessments;
pub mod audit;
pub mod audit_log;
pub mod budget_requests;
pub mod challenges;
pub mod charging;
pub mod config_file;
pub mod council;
pub mod eligibility;
pub mod ids;
pub mod jobs;
pub mod money;
pub mod nhs_number;
pub mod notes;
#[cfg(feature = "openapi")]
mod openapi;
pub mod people;
pub mod plan_support;
pub mod plans;
pub mod questionnaires;
pub mod sense_checks;
pub mod two_factor;
pub mod users;
pub mod validation;
pub mod worklists;

pub use ids::*;
