//! Money as a whole number of pence. There is no floating point anywhere near it, and every
//! operation that could overflow says so instead of wrapping.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money {
    pence: i64,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("the amount is too large: the most Tailor accepts is £10,000,000,000")]
    Overflow,
    #[error("enter an amount in pounds and pence, like 12.50")]
    NotAnAmount,
}

impl Money {
    pub const ZERO: Money = Money { pence: 0 };
    /// The largest amount anyone may type: far above any care budget, and far enough below
    /// `i64::MAX` pence that sums and multiples of typed amounts cannot overflow.
    pub const LARGEST_TYPED: Money = Money { pence: 1_000_000_000_000 };

    pub const fn from_pence(pence: i64) -> Self {
        Self { pence }
    }

    pub const fn pence(self) -> i64 {
        self.pence
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.pence
            .checked_add(other.pence)
            .map(Money::from_pence)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.pence
            .checked_sub(other.pence)
            .map(Money::from_pence)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, times: i64) -> Result<Money, MoneyError> {
        self.pence.checked_mul(times).map(Money::from_pence).ok_or(MoneyError::Overflow)
    }

    pub fn is_negative(self) -> bool {
        self.pence < 0
    }

    /// This amount divided into `parts`, to the nearest penny, halves rounded up (away from
    /// zero): the one rounding rule for every amount Tailor works out and shows.
    pub fn divided_rounding_half_up(self, parts: i64) -> Result<Money, MoneyError> {
        if parts <= 0 {
            return Err(MoneyError::Overflow);
        }
        let whole = self.pence / parts;
        let remainder = (self.pence % parts).unsigned_abs();
        // Compare twice the remainder with the divisor instead of adding half, so nothing overflows.
        let round_away = remainder.checked_mul(2).is_none_or(|twice| twice >= parts.unsigned_abs());
        let step = if self.pence < 0 { -1 } else { 1 };
        Ok(Money::from_pence(if round_away { whole + step } else { whole }))
    }

    /// A yearly amount as a weekly one under the council's year rule [L], worked out exactly and
    /// rounded once to the penny, halves up. £11,575 a year is £222.60 a week on 52 weeks, and
    /// £221.99 a week on 52 weeks and a day. It cannot overflow: a week is never more than a year.
    pub fn weekly_from_annual(self, rule: YearRule) -> Money {
        let (weeks, per) = rule.weeks_in_a_year();
        self.times_fraction_rounding_half_up(per, weeks)
            .expect("a weekly amount is smaller than the yearly one it comes from")
    }

    /// A weekly amount as a yearly one, by the same rule: × 52 exactly on 52 weeks, × 365/7 on 52
    /// weeks and a day, rounded once half up. Converting back gives the weekly amount within a penny.
    pub fn annual_from_weekly(self, rule: YearRule) -> Result<Money, MoneyError> {
        let (weeks, per) = rule.weeks_in_a_year();
        self.times_fraction_rounding_half_up(weeks, per)
    }

    /// This amount × `numerator` / `denominator`, worked out exactly (in 128 bits) and rounded
    /// once to the nearest penny, halves up (away from zero).
    pub fn times_fraction_rounding_half_up(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        rounded_half_up(i128::from(self.pence) * i128::from(numerator), i128::from(denominator))
    }

    /// This amount × `hundredths` / 100 × `times`, worked out exactly (in 128 bits) and then
    /// rounded once to the nearest penny, halves rounded up (away from zero). This is how a
    /// fractional quantity is costed: £16.50 × 7.5 hours × 52 weeks is £6,435.00 exactly,
    /// and £0.33 × 0.5 is 16.5p, which is 17p.
    pub fn times_hundredths_rounding_half_up(self, hundredths: i64, times: i64) -> Result<Money, MoneyError> {
        let exact = i128::from(self.pence)
            .checked_mul(i128::from(hundredths))
            .and_then(|product| product.checked_mul(i128::from(times)))
            .ok_or(MoneyError::Overflow)?;
        rounded_half_up(exact, 100)
    }

    /// This amount × `hundredths` / 100 × `numerator` / `denominator`, exactly, rounded once half
    /// up: how a line paid fortnightly costs 365/14 times a year on 52 weeks and a day.
    pub fn times_hundredths_and_fraction_rounding_half_up(
        self,
        hundredths: i64,
        (numerator, denominator): (i64, i64),
    ) -> Result<Money, MoneyError> {
        let exact = i128::from(self.pence)
            .checked_mul(i128::from(hundredths))
            .and_then(|product| product.checked_mul(i128::from(numerator)))
            .ok_or(MoneyError::Overflow)?;
        rounded_half_up(exact, i128::from(denominator).checked_mul(100).ok_or(MoneyError::Overflow)?)
    }
}

/// `exact` / `divisor` to the nearest whole number, halves away from zero, as pence.
fn rounded_half_up(exact: i128, divisor: i128) -> Result<Money, MoneyError> {
    if divisor <= 0 {
        return Err(MoneyError::Overflow);
    }
    let whole = exact / divisor;
    let remainder = (exact % divisor).abs();
    let rounded = if remainder * 2 >= divisor { whole + exact.signum() } else { whole };
    i64::try_from(rounded).map(Money::from_pence).map_err(|_| MoneyError::Overflow)
}

/// How many weeks make a year when weekly and yearly amounts are converted [L]: the council's
/// choice (domain rules section 7), set as `year_rule` in its council file. Each is an exact
/// fraction, so conversions are worked out exactly and rounded once.
///
/// "52 weeks" keeps a weekly line at exactly 52 times its weekly amount and matches direct
/// payments made every 4 weeks, 13 times a year; "52 weeks and 1 day" (365/7, about 52.143) counts
/// every day of an ordinary year; "365.25 days" (1461/28, about 52.179) also spreads leap years.
/// A plan or budget agreed under one rule keeps it (`SupportPlan::year_rule`,
/// `PersonalBudget::year_rule`, `AllocationResult::year_rule`) when the council later changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum YearRule {
    #[default]
    FiftyTwoWeeks,
    FiftyTwoWeeksAndADay,
    AverageYear,
}

impl YearRule {
    pub const ALL: [YearRule; 3] = [YearRule::FiftyTwoWeeks, YearRule::FiftyTwoWeeksAndADay, YearRule::AverageYear];

    /// Weeks in a year as (numerator, denominator): 52/1, 365/7 or 1461/28.
    pub const fn weeks_in_a_year(self) -> (i64, i64) {
        match self {
            YearRule::FiftyTwoWeeks => (52, 1),
            YearRule::FiftyTwoWeeksAndADay => (365, 7),
            YearRule::AverageYear => (1461, 28),
        }
    }

    /// The words a council writes in its file, and the code kept on records.
    pub const fn as_str(self) -> &'static str {
        match self {
            YearRule::FiftyTwoWeeks => "52 weeks",
            YearRule::FiftyTwoWeeksAndADay => "52 weeks and 1 day",
            YearRule::AverageYear => "365.25 days",
        }
    }

    pub fn parse(text: &str) -> Option<YearRule> {
        YearRule::ALL.into_iter().find(|rule| rule.as_str() == text.trim())
    }

    /// The rule in plain English, for every page that shows how an amount was worked out.
    pub fn statement(self) -> String {
        let year = match self {
            YearRule::FiftyTwoWeeks => "A year is counted as 52 weeks, so a weekly amount is multiplied by 52 for a year, and a yearly amount divided by 52 for a week.".to_owned(),
            YearRule::FiftyTwoWeeksAndADay => format!(
                "A year is counted as 52 weeks and 1 day (365 days), so a weekly amount is multiplied by {} for a year, and a yearly amount divided by {} for a week.",
                self.weeks_in_words(),
                self.weeks_in_words()
            ),
            YearRule::AverageYear => format!(
                "A year is counted as 365 and a quarter days, to allow for leap years, so a weekly amount is multiplied by {} for a year, and a yearly amount divided by {} for a week.",
                self.weeks_in_words(),
                self.weeks_in_words()
            ),
        };
        format!("{year} Amounts are worked out exactly and then rounded to the nearest penny (half a penny rounds up).")
    }

    /// Weeks in a year as a whole number and fraction: "52", "365/7 (52 and 1/7)".
    pub fn weeks_in_words(self) -> String {
        fraction_in_words(self.weeks_in_a_year())
    }
}

/// A fraction as people check it: "52", or "365/7 (52 and 1/7)".
pub fn fraction_in_words((numerator, denominator): (i64, i64)) -> String {
    if denominator == 1 || numerator % denominator == 0 {
        return (numerator / denominator).to_string();
    }
    let whole = numerator / denominator;
    let part = numerator % denominator;
    let common = greatest_common_divisor(part, denominator);
    let top = numerator / greatest_common_divisor(numerator, denominator);
    let bottom = denominator / greatest_common_divisor(numerator, denominator);
    format!("{top}/{bottom} ({whole} and {}/{})", part / common, denominator / common)
}

fn greatest_common_divisor(first: i64, second: i64) -> i64 {
    let (mut a, mut b) = (first.abs(), second.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl fmt::Display for YearRule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl From<YearRule> for String {
    fn from(rule: YearRule) -> String {
        rule.as_str().to_owned()
    }
}

impl TryFrom<String> for YearRule {
    type Error = String;

    fn try_from(text: String) -> Result<YearRule, String> {
        YearRule::parse(&text).ok_or_else(|| {
            format!(
                "year_rule must be \"52 weeks\", \"52 weeks and 1 day\" or \"365.25 days\", not {:?}",
                text
            )
        })
    }
}

impl fmt::Display for Money {
    /// Pounds with a thousands separator and two decimal places, as GOV.UK style asks: £1,234.50.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.pence < 0 { "-" } else { "" };
        let magnitude = self.pence.unsigned_abs();
        let pounds = (magnitude / 100).to_string();
        let mut grouped = String::with_capacity(pounds.len() + pounds.len() / 3);
        for (index, digit) in pounds.chars().enumerate() {
            if index > 0 && (pounds.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(formatter, "{sign}£{grouped}.{:02}", magnitude % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Reads what a person types: "12", "12.5", "12.50", "£1,234.56", "-3.20".
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let cleaned: String = unsigned
            .trim_start_matches('£')
            .chars()
            .filter(|character| *character != ',')
            .collect();
        let (pounds_text, pence_text) = match cleaned.split_once('.') {
            Some((pounds, pence)) => (pounds, pence),
            None => (cleaned.as_str(), ""),
        };
        let digits_only = |part: &str| part.chars().all(|character| character.is_ascii_digit());
        if pounds_text.is_empty() || !digits_only(pounds_text) || !digits_only(pence_text) || pence_text.len() > 2 {
            return Err(MoneyError::NotAnAmount);
        }
        let pounds: i64 = pounds_text.parse().map_err(|_| MoneyError::Overflow)?;
        let pence: i64 = match pence_text.len() {
            0 => 0,
            1 => pence_text.parse::<i64>().map_err(|_| MoneyError::NotAnAmount)? * 10,
            _ => pence_text.parse().map_err(|_| MoneyError::NotAnAmount)?,
        };
        let total = pounds
            .checked_mul(100)
            .and_then(|value| value.checked_add(pence))
            .filter(|total| *total <= Money::LARGEST_TYPED.pence)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_pence(if negative { -total } else { total }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearly_amounts_become_weekly_ones_rounded_half_up() {
        let weeks = YearRule::FiftyTwoWeeks;
        assert_eq!(Money::from_pence(1_157_500).weekly_from_annual(weeks), Money::from_pence(22_260));
        // 26 pence a year is exactly half a penny a week: rounded up.
        assert_eq!(Money::from_pence(26).weekly_from_annual(weeks), Money::from_pence(1));
        assert_eq!(Money::from_pence(25).weekly_from_annual(weeks), Money::from_pence(0));
        assert_eq!(Money::from_pence(-26).weekly_from_annual(weeks), Money::from_pence(-1));
        // £11,575 × 7 / 365 = £221.9863...: £221.99.
        let day = YearRule::FiftyTwoWeeksAndADay;
        assert_eq!(Money::from_pence(1_157_500).weekly_from_annual(day), Money::from_pence(22_199));
        // £100 a week × 365 / 7 = £5,214.2857...: £5,214.29.
        assert_eq!(Money::from_pence(10_000).annual_from_weekly(day), Ok(Money::from_pence(521_429)));
        // × 1461 / 28 = £5,217.857...: £5,217.86.
        assert_eq!(
            Money::from_pence(10_000).annual_from_weekly(YearRule::AverageYear),
            Ok(Money::from_pence(521_786))
        );
        // £3.65 a year on 365 days is 7p a week exactly; 365 / 730 is a half, which rounds up.
        assert_eq!(Money::from_pence(365).weekly_from_annual(day), Money::from_pence(7));
        assert_eq!(
            Money::from_pence(1).times_fraction_rounding_half_up(365, 730),
            Ok(Money::from_pence(1))
        );
        assert_eq!(
            Money::from_pence(i64::MAX).divided_rounding_half_up(1),
            Ok(Money::from_pence(i64::MAX))
        );
        assert!(Money::from_pence(5).divided_rounding_half_up(0).is_err());
    }

    proptest::proptest! {
        #[test]
        fn rounding_half_up_is_within_half_a_penny(pence in -1_000_000_000_000_i64..1_000_000_000_000, parts in 1_i64..10_000) {
            let rounded = Money::from_pence(pence).divided_rounding_half_up(parts).unwrap().pence();
            // |rounded * parts - pence| <= parts / 2, with ties going away from zero.
            let error = i128::from(rounded) * i128::from(parts) - i128::from(pence);
            proptest::prop_assert!(2 * error.abs() <= i128::from(parts));
            if 2 * error.abs() == i128::from(parts) {
                proptest::prop_assert!(rounded.signum() == pence.signum() || pence == 0);
                proptest::prop_assert!(i128::from(rounded).abs() * i128::from(parts) > i128::from(pence).abs());
            }
        }
    }
    use proptest::prelude::*;

    #[test]
    fn fractional_quantities_are_costed_exactly_then_rounded_once() {
        // £16.50 × 7.5 × 52 = £6,435.00
        assert_eq!(
            Money::from_pence(1_650).times_hundredths_rounding_half_up(750, 52),
            Ok(Money::from_pence(643_500))
        );
        // 33p × 0.5 = 16.5p: rounds up to 17p.
        assert_eq!(
            Money::from_pence(33).times_hundredths_rounding_half_up(50, 1),
            Ok(Money::from_pence(17))
        );
        // 33p × 0.49 = 16.17p: rounds down to 16p.
        assert_eq!(
            Money::from_pence(33).times_hundredths_rounding_half_up(49, 1),
            Ok(Money::from_pence(16))
        );
        assert_eq!(
            Money::from_pence(i64::MAX).times_hundredths_rounding_half_up(i64::MAX, i64::MAX),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::from_pence(10_000).annual_from_weekly(YearRule::FiftyTwoWeeks),
            Ok(Money::from_pence(520_000))
        );
    }

    proptest! {
        #[test]
        fn costing_a_quantity_never_panics_and_is_within_half_a_penny(
            pence in any::<i64>(), hundredths in any::<i64>(), times in any::<i64>()
        ) {
            if let Ok(result) = Money::from_pence(pence).times_hundredths_rounding_half_up(hundredths, times) {
                let exact = i128::from(pence) * i128::from(hundredths) * i128::from(times);
                let error = i128::from(result.pence()) * 100 - exact;
                prop_assert!(2 * error.abs() <= 100);
            }
        }

        #[test]
        fn whole_quantities_cost_the_same_as_plain_multiplication(pence in 0_i64..1_000_000_000, units in 1_i64..10_000, times in 1_i64..53) {
            prop_assert_eq!(
                Money::from_pence(pence).times_hundredths_rounding_half_up(units * 100, times),
                Money::from_pence(pence).checked_mul(units).and_then(|cost| cost.checked_mul(times))
            );
        }
    }

    #[test]
    fn the_year_rule_reads_from_its_words_and_says_what_it_does() {
        for rule in YearRule::ALL {
            assert_eq!(YearRule::parse(rule.as_str()), Some(rule));
            assert_eq!(YearRule::try_from(String::from(rule)), Ok(rule));
            assert!(rule.statement().contains("half a penny rounds up"));
        }
        assert_eq!(YearRule::default(), YearRule::FiftyTwoWeeks);
        assert_eq!(YearRule::FiftyTwoWeeks.weeks_in_words(), "52");
        assert_eq!(YearRule::FiftyTwoWeeksAndADay.weeks_in_words(), "365/7 (52 and 1/7)");
        assert_eq!(YearRule::AverageYear.weeks_in_words(), "1461/28 (52 and 5/28)");
        assert!(YearRule::FiftyTwoWeeksAndADay.statement().contains("365/7"));
        let refused = YearRule::try_from("52.143 weeks".to_owned()).unwrap_err();
        assert!(refused.starts_with("year_rule must be"), "{refused}");
    }

    fn any_year_rule() -> impl Strategy<Value = YearRule> {
        proptest::sample::select(YearRule::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn weekly_to_yearly_to_weekly_is_within_a_penny(pence in -1_000_000_000_000_i64..1_000_000_000_000, rule in any_year_rule()) {
            let weekly = Money::from_pence(pence);
            let back = weekly.annual_from_weekly(rule).unwrap().weekly_from_annual(rule);
            prop_assert!((back.pence() - pence).abs() <= 1);
        }

        #[test]
        fn conversions_never_panic(pence in any::<i64>(), rule in any_year_rule()) {
            let amount = Money::from_pence(pence);
            let _ = amount.weekly_from_annual(rule);
            let _ = amount.annual_from_weekly(rule);
        }

        #[test]
        fn conversions_round_half_up_once(pence in -1_000_000_000_000_i64..1_000_000_000_000, rule in any_year_rule()) {
            let (weeks, per) = rule.weeks_in_a_year();
            let weekly = Money::from_pence(pence).weekly_from_annual(rule).pence();
            // |weekly × weeks - pence × per| <= weeks / 2, ties away from zero.
            let error = i128::from(weekly) * i128::from(weeks) - i128::from(pence) * i128::from(per);
            prop_assert!(2 * error.abs() <= i128::from(weeks));
            if 2 * error.abs() == i128::from(weeks) {
                prop_assert!(i128::from(weekly).abs() * i128::from(weeks) > (i128::from(pence) * i128::from(per)).abs());
            }
            let yearly = Money::from_pence(pence).annual_from_weekly(rule).unwrap().pence();
            let error = i128::from(yearly) * i128::from(per) - i128::from(pence) * i128::from(weeks);
            prop_assert!(2 * error.abs() <= i128::from(per));
            if 2 * error.abs() == i128::from(per) {
                prop_assert!(i128::from(yearly).abs() * i128::from(per) > (i128::from(pence) * i128::from(weeks)).abs());
            }
        }
    }

    #[test]
    fn displays_pounds_with_separators() {
        assert_eq!(Money::from_pence(12_345_678).to_string(), "£123,456.78");
        assert_eq!(Money::from_pence(5).to_string(), "£0.05");
        assert_eq!(Money::from_pence(-100_000).to_string(), "-£1,000.00");
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!("12".parse::<Money>(), Ok(Money::from_pence(1200)));
        assert_eq!("12.5".parse::<Money>(), Ok(Money::from_pence(1250)));
        assert_eq!("£1,234.56".parse::<Money>(), Ok(Money::from_pence(123_456)));
        assert_eq!("12.345".parse::<Money>(), Err(MoneyError::NotAnAmount));
        assert_eq!("twelve".parse::<Money>(), Err(MoneyError::NotAnAmount));
        assert_eq!("".parse::<Money>(), Err(MoneyError::NotAnAmount));
    }

    #[test]
    fn typed_amounts_are_kept_in_range() {
        assert_eq!("10000000000".parse::<Money>(), Ok(Money::LARGEST_TYPED));
        assert_eq!("10000000000.01".parse::<Money>(), Err(MoneyError::Overflow));
        assert_eq!("-99999999999999999".parse::<Money>(), Err(MoneyError::Overflow));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            Money::from_pence(i64::MAX).checked_add(Money::from_pence(1)),
            Err(MoneyError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn display_then_parse_is_the_same_amount(pence in -1_000_000_000_000i64..1_000_000_000_000) {
            let money = Money::from_pence(pence);
            prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
        }

        #[test]
        fn adding_then_subtracting_returns_where_it_started(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000) {
            let start = Money::from_pence(a);
            let moved = Money::from_pence(b);
            prop_assert_eq!(start.checked_add(moved).unwrap().checked_sub(moved).unwrap(), start);
        }

        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = text.parse::<Money>();
        }
    }
}
