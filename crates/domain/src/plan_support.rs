//! What a plan line is, and how much of it: the kinds of support people choose in plain words
//! (config/plans/support.toml), with the statutory return's service code behind each, and
//! quantities that may be fractional (7.5 hours a week), kept exactly in hundredths.

use crate::config_file::{self, at, ConfigError};
use crate::plans::ServiceComponent;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;
use toml::Spanned;

/// How many of something a plan line pays for, in hundredths so that 7.5 hours is exact
/// (750) and no floating point is ever near money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity {
    hundredths: i64,
}

impl Quantity {
    /// The most of anything one line can hold: far beyond any week's hours or a year's items.
    pub const LARGEST: Quantity = Quantity { hundredths: 1_000_000 };

    pub const fn from_hundredths(hundredths: i64) -> Quantity {
        Quantity { hundredths }
    }

    pub const fn whole(count: i64) -> Quantity {
        Quantity { hundredths: count * 100 }
    }

    pub const fn hundredths(self) -> i64 {
        self.hundredths
    }
}

impl fmt::Display for Quantity {
    /// "7.5", "7.25", "10": no trailing zeros, as a person would write it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.hundredths < 0 { "-" } else { "" };
        let magnitude = self.hundredths.unsigned_abs();
        let (whole, part) = (magnitude / 100, magnitude % 100);
        match part {
            0 => write!(formatter, "{sign}{whole}"),
            part if part % 10 == 0 => write!(formatter, "{sign}{whole}.{}", part / 10),
            part => write!(formatter, "{sign}{whole}.{part:02}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAQuantity;

impl FromStr for Quantity {
    type Err = NotAQuantity;

    /// Reads "7.5", "7.25", "10", "0.5": more than 0, at most 10,000, two decimal places at most.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let cleaned: String = text.trim().chars().filter(|character| *character != ',').collect();
        let (whole, part) = cleaned.split_once('.').unwrap_or((cleaned.as_str(), ""));
        let digits = |value: &str| value.chars().all(|character| character.is_ascii_digit());
        if (whole.is_empty() && part.is_empty()) || !digits(whole) || !digits(part) || part.len() > 2 || whole.len() > 6 {
            return Err(NotAQuantity);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| NotAQuantity)?
        };
        let part: i64 = match part.len() {
            0 => 0,
            1 => part.parse::<i64>().map_err(|_| NotAQuantity)? * 10,
            _ => part.parse().map_err(|_| NotAQuantity)?,
        };
        let hundredths = whole * 100 + part;
        if hundredths <= 0 || hundredths > Quantity::LARGEST.hundredths {
            return Err(NotAQuantity);
        }
        Ok(Quantity { hundredths })
    }
}

/// One kind of support a person can choose for a plan line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupportKind {
    pub id: String,
    /// What the person reads and chooses.
    pub words: String,
    /// What a quantity counts: "hour", "night", "item".
    pub unit: String,
    /// The Client Level Data `Service_Component` sent in the statutory return.
    pub component: ServiceComponent,
    /// Reablement: free for its first six weeks, so the plan asks when it starts.
    pub reablement: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    direct_payment_every_weeks: Option<Spanned<i64>>,
    plan_answer_within_working_days: Option<Spanned<i64>>,
    support: Vec<SupportKindFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportKindFile {
    id: Spanned<String>,
    words: String,
    unit: String,
    component: Spanned<String>,
    #[serde(default)]
    reablement: bool,
}

/// The kinds of support a plan line can be, in the order people see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportCatalogue {
    /// Direct payments are paid every this many weeks [L]: 4 by default, as most councils do.
    pub direct_payment_every_weeks: i64,
    /// The council aims to answer a plan sent to it within this many working days [L]; the
    /// page after sending a plan says so.
    pub plan_answer_within_working_days: i64,
    pub kinds: Vec<SupportKind>,
}

/// The shipped catalogue, built into the binary.
pub const SHIPPED_CATALOGUE: &str = include_str!("../../../config/plans/support.toml");

impl SupportCatalogue {
    pub fn parse(text: &str) -> Result<SupportCatalogue, ConfigError> {
        let file: CatalogueFile = config_file::parse(text)?;
        let every_weeks = match &file.direct_payment_every_weeks {
            Some(weeks) if !(1..=52).contains(weeks.get_ref()) => {
                return Err(at(
                    text,
                    weeks,
                    "direct_payment_every_weeks must be a whole number of weeks from 1 to 52",
                ));
            }
            Some(weeks) => *weeks.get_ref(),
            None => 4,
        };
        let answer_within = match &file.plan_answer_within_working_days {
            Some(days) if !(1..=90).contains(days.get_ref()) => {
                return Err(at(text, days, "plan_answer_within_working_days must be from 1 to 90"));
            }
            Some(days) => *days.get_ref(),
            None => 10,
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut kinds = Vec::new();
        for kind in file.support {
            if !seen.insert(kind.id.get_ref().clone()) {
                return Err(at(text, &kind.id, format!("support id {:?} is used twice", kind.id.get_ref())));
            }
            let component = ServiceComponent::parse(kind.component.get_ref()).ok_or_else(|| {
                at(
                    text,
                    &kind.component,
                    format!(
                        "{:?} is not a Client Level Data service component Tailor knows (see docs/plan-support.md)",
                        kind.component.get_ref()
                    ),
                )
            })?;
            if kind.words.trim().is_empty() || kind.unit.trim().is_empty() {
                return Err(at(text, &kind.id, "each kind of support needs its words and its unit"));
            }
            kinds.push(SupportKind {
                id: kind.id.get_ref().clone(),
                words: kind.words,
                unit: kind.unit,
                component,
                reablement: kind.reablement,
            });
        }
        if kinds.is_empty() {
            return Err(ConfigError {
                line: None,
                reason: "the catalogue needs at least one kind of support".into(),
            });
        }
        Ok(SupportCatalogue {
            direct_payment_every_weeks: every_weeks,
            plan_answer_within_working_days: answer_within,
            kinds,
        })
    }

    /// The catalogue shipped in config/plans/support.toml (checked by a test, so never fails).
    pub fn shipped() -> &'static SupportCatalogue {
        static SHIPPED: OnceLock<SupportCatalogue> = OnceLock::new();
        SHIPPED.get_or_init(|| SupportCatalogue::parse(SHIPPED_CATALOGUE).expect("the shipped support catalogue is checked by its test"))
    }

    pub fn kind(&self, id: &str) -> Option<&SupportKind> {
        self.kinds.iter().find(|kind| kind.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_shipped_catalogue_reads_and_maps_every_kind_to_a_code() {
        let catalogue = SupportCatalogue::parse(SHIPPED_CATALOGUE).unwrap();
        let washing = catalogue.kind("personal_care_at_home").unwrap();
        assert_eq!(washing.words, "Help at home with washing and dressing");
        assert_eq!(washing.component, ServiceComponent::HomeSupport);
        assert!(catalogue.kind("reablement").unwrap().reablement);
        assert_eq!(catalogue.kind("carer_break").unwrap().component, ServiceComponent::CarerRespite);
    }

    #[test]
    fn a_catalogue_with_an_unknown_code_or_a_repeated_id_is_refused_with_its_line() {
        let unknown = "[[support]]\nid = \"a\"\nwords = \"A\"\nunit = \"hour\"\ncomponent = \"home_care\"\n";
        let error = SupportCatalogue::parse(unknown).unwrap_err();
        assert_eq!(error.line, Some(5));
        assert!(error.reason.contains("home_care"));
        let twice = "[[support]]\nid = \"a\"\nwords = \"A\"\nunit = \"hour\"\ncomponent = \"other\"\n[[support]]\nid = \"a\"\nwords = \"B\"\nunit = \"hour\"\ncomponent = \"other\"\n";
        assert!(SupportCatalogue::parse(twice).unwrap_err().reason.contains("used twice"));
    }

    #[test]
    fn quantities_are_read_as_people_write_them() {
        assert_eq!("7.5".parse(), Ok(Quantity::from_hundredths(750)));
        assert_eq!("7.25".parse(), Ok(Quantity::from_hundredths(725)));
        assert_eq!(".5".parse(), Ok(Quantity::from_hundredths(50)));
        assert_eq!("10".parse(), Ok(Quantity::whole(10)));
        assert_eq!("10000".parse(), Ok(Quantity::LARGEST));
        for wrong in ["0", "0.00", "-1", "7.125", "ten", "", ".", "10000.01", "1e3"] {
            assert_eq!(wrong.parse::<Quantity>(), Err(NotAQuantity), "{wrong:?}");
        }
        assert_eq!(Quantity::from_hundredths(750).to_string(), "7.5");
        assert_eq!(Quantity::from_hundredths(725).to_string(), "7.25");
        assert_eq!(Quantity::from_hundredths(705).to_string(), "7.05");
        assert_eq!(Quantity::whole(3).to_string(), "3");
    }

    proptest! {
        #[test]
        fn a_quantity_shown_reads_back_the_same(hundredths in 1_i64..=1_000_000) {
            let quantity = Quantity::from_hundredths(hundredths);
            prop_assert_eq!(quantity.to_string().parse::<Quantity>(), Ok(quantity));
        }

        #[test]
        fn reading_a_quantity_never_panics(text in ".{0,20}") {
            let _ = text.parse::<Quantity>();
        }
    }
}
