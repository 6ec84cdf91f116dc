//! Calibration: fitting a model's money (price per point, or band amounts) to a test group of
//! people whose package costs are known, and saying how well the fitted model predicts them.
//!
//! The fit is exact integer arithmetic (least squares through the origin, rounded to the penny);
//! only the goodness-of-fit statistics (mean absolute percentage error, R squared), which are not
//! money, are computed in floating point.

use super::{calculate, AllocationError, AllocationModel, Answers, Conversion};
use serde::Serialize;

/// One member of the test group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    pub person: String,
    pub annual_cost_pence: i64,
    pub answers: Answers,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    #[error("line {line}: {reason}")]
    BadRow { line: usize, reason: String },
    #[error("the test group is empty")]
    Empty,
    #[error("person {person}: {error}")]
    Calculation { person: String, error: AllocationError },
    #[error("every person in the test group scores no points after informal support, so there is nothing to fit")]
    NothingToFit,
}

/// Reads a test group: a header `person,annual_cost_pence,QUESTION,...` then one row a person,
/// each question column holding the answer id.
pub fn parse_test_group(text: &str) -> Result<Vec<TestCase>, CalibrationError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| CalibrationError::BadRow {
            line: 1,
            reason: error.to_string(),
        })?
        .clone();
    if headers.get(0) != Some("person") || headers.get(1) != Some("annual_cost_pence") {
        return Err(CalibrationError::BadRow {
            line: 1,
            reason: "the first two columns must be person and annual_cost_pence".into(),
        });
    }
    let mut cases = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|error| CalibrationError::BadRow {
            line,
            reason: error.to_string(),
        })?;
        let person = record.get(0).unwrap_or_default().to_owned();
        let cost: i64 = record.get(1).unwrap_or_default().parse().map_err(|_| CalibrationError::BadRow {
            line,
            reason: "annual_cost_pence must be a whole number of pence".into(),
        })?;
        if cost <= 0 {
            return Err(CalibrationError::BadRow {
                line,
                reason: "annual_cost_pence must be more than zero".into(),
            });
        }
        let answers = headers
            .iter()
            .zip(record.iter())
            .skip(2)
            .filter(|(_, answer)| !answer.is_empty())
            .map(|(question, answer)| (question.to_owned(), answer.to_owned()))
            .collect();
        cases.push(TestCase {
            person,
            annual_cost_pence: cost,
            answers,
        });
    }
    if cases.is_empty() {
        return Err(CalibrationError::Empty);
    }
    Ok(cases)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    pub person: String,
    pub actual_pence: i64,
    pub predicted_pence: i64,
    /// |predicted − actual| ÷ actual × 100.
    pub error_percent: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationReport {
    pub model_id: String,
    pub model_version: i64,
    pub people: usize,
    /// The fitted conversion: the new price per point, or the new band amounts.
    pub fitted: Conversion,
    /// Bands no one in the test group fell into; they keep their old amount.
    pub bands_without_people: Vec<usize>,
    pub mean_absolute_percentage_error: f64,
    pub r_squared: f64,
    /// The five people the fitted model predicts worst, worst first.
    pub worst: Vec<Prediction>,
}

/// What the money part of the model must explain for one person: their cost less any carers'
/// allocation, and the share of points-money that informal support leaves (in percent).
struct Target {
    points: i64,
    kept_percent: i64,
    cost_from_points: i64,
}

fn round_division(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// Fits the model's money to the test group and reports how well it then predicts.
pub fn calibrate(model: &AllocationModel, group: &[TestCase]) -> Result<(AllocationModel, CalibrationReport), CalibrationError> {
    if group.is_empty() {
        return Err(CalibrationError::Empty);
    }
    let mut targets = Vec::with_capacity(group.len());
    for case in group {
        let scored = calculate(model, &case.answers).map_err(|error| CalibrationError::Calculation {
            person: case.person.clone(),
            error,
        })?;
        targets.push(Target {
            points: scored.total_points,
            kept_percent: 100 - scored.informal_support_percent,
            cost_from_points: case.annual_cost_pence - scored.carers_allocation_pence,
        });
    }
    let mut bands_without_people = Vec::new();
    let fitted = match &model.conversion {
        Conversion::PricePerPoint { .. } => {
            // Least squares through the origin on x = points × kept% (scaled by 100), y = cost.
            let (mut sum_xy, mut sum_xx) = (0i128, 0i128);
            for target in &targets {
                let x = i128::from(target.points) * i128::from(target.kept_percent);
                sum_xy += x * i128::from(target.cost_from_points);
                sum_xx += x * x;
            }
            if sum_xx == 0 {
                return Err(CalibrationError::NothingToFit);
            }
            let price = round_division(sum_xy * 100, sum_xx);
            Conversion::PricePerPoint {
                pence_per_point: i64::try_from(price).map_err(|_| CalibrationError::NothingToFit)?.max(1),
            }
        }
        Conversion::Bands { bands } => {
            let mut fitted_bands = bands.clone();
            for (index, band) in fitted_bands.iter_mut().enumerate() {
                let members: Vec<&Target> = targets
                    .iter()
                    .filter(|target| {
                        target.points >= band.from_points && band.to_points.is_none_or(|to| target.points <= to) && target.kept_percent > 0
                    })
                    .collect();
                if members.is_empty() {
                    bands_without_people.push(index);
                    continue;
                }
                // The band amount that, after each member's informal-support reduction, best fits their costs.
                let sum: i128 = members
                    .iter()
                    .map(|target| i128::from(target.cost_from_points) * 100 / i128::from(target.kept_percent))
                    .sum();
                band.annual_pence = i64::try_from(round_division(sum, members.len() as i128)).unwrap_or(i64::MAX).max(0);
            }
            Conversion::Bands { bands: fitted_bands }
        }
    };
    let calibrated = AllocationModel {
        conversion: fitted.clone(),
        ..model.clone()
    };
    let mut predictions = Vec::with_capacity(group.len());
    for case in group {
        let predicted = calculate(&calibrated, &case.answers)
            .map_err(|error| CalibrationError::Calculation {
                person: case.person.clone(),
                error,
            })?
            .total_pence;
        let error_percent = (predicted - case.annual_cost_pence).abs() as f64 / case.annual_cost_pence as f64 * 100.0;
        predictions.push(Prediction {
            person: case.person.clone(),
            actual_pence: case.annual_cost_pence,
            predicted_pence: predicted,
            error_percent,
        });
    }
    let count = predictions.len() as f64;
    let mean_absolute_percentage_error = predictions.iter().map(|prediction| prediction.error_percent).sum::<f64>() / count;
    let mean_actual = predictions.iter().map(|prediction| prediction.actual_pence as f64).sum::<f64>() / count;
    let residual: f64 = predictions
        .iter()
        .map(|prediction| (prediction.actual_pence - prediction.predicted_pence) as f64)
        .map(|difference| difference * difference)
        .sum();
    let total: f64 = predictions
        .iter()
        .map(|prediction| prediction.actual_pence as f64 - mean_actual)
        .map(|difference| difference * difference)
        .sum();
    let r_squared = if total == 0.0 { 1.0 } else { 1.0 - residual / total };
    predictions.sort_by(|a, b| b.error_percent.total_cmp(&a.error_percent));
    predictions.truncate(5);
    let report = CalibrationReport {
        model_id: model.id.to_string(),
        model_version: model.version,
        people: group.len(),
        fitted,
        bands_without_people,
        mean_absolute_percentage_error,
        r_squared,
        worst: predictions,
    };
    Ok((calibrated, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::tests::PRICE_MODEL;

    /// A test group whose costs are exactly what a model with `price` per point would give,
    /// spread over many combinations of answers.
    fn synthetic_group(price: i64, noise_percent: i64) -> String {
        let model = AllocationModel::parse(&PRICE_MODEL.replace("pence_per_point = 5000", &format!("pence_per_point = {price}"))).unwrap();
        let mut rows = vec!["person,annual_cost_pence,nutrition,hygiene,dressing,informal_support,carer_coping".to_owned()];
        let mut index = 0;
        for nutrition in ["none", "prompting", "some_help", "full_help"] {
            for hygiene in ["none", "some_help", "full_help"] {
                for dressing in ["none", "some_help", "full_help"] {
                    for informal in ["none", "some", "lots"] {
                        let answers: Answers = [
                            ("nutrition", nutrition),
                            ("hygiene", hygiene),
                            ("dressing", dressing),
                            ("informal_support", informal),
                            ("carer_coping", "coping"),
                        ]
                        .iter()
                        .map(|(question, answer)| (question.to_string(), answer.to_string()))
                        .collect();
                        let exact = calculate(&model, &answers).unwrap().total_pence;
                        if exact == 0 {
                            continue;
                        }
                        // Alternate the noise up and down so it averages out.
                        let sign = if index % 2 == 0 { 1 } else { -1 };
                        let cost = exact + sign * exact * noise_percent / 100;
                        rows.push(format!("P{index},{cost},{nutrition},{hygiene},{dressing},{informal},coping"));
                        index += 1;
                    }
                }
            }
        }
        rows.join("\n")
    }

    #[test]
    fn calibration_recovers_a_known_price_per_point() {
        let model = AllocationModel::parse(PRICE_MODEL).unwrap();
        let group = parse_test_group(&synthetic_group(6_275, 0)).unwrap();
        let (_, report) = calibrate(&model, &group).unwrap();
        assert_eq!(report.fitted, Conversion::PricePerPoint { pence_per_point: 6_275 });
        assert!(
            report.mean_absolute_percentage_error < 0.01,
            "{}",
            report.mean_absolute_percentage_error
        );
        assert!(report.r_squared > 0.9999);
    }

    #[test]
    fn calibration_with_noise_lands_close_and_reports_the_error() {
        let model = AllocationModel::parse(PRICE_MODEL).unwrap();
        let group = parse_test_group(&synthetic_group(6_275, 8)).unwrap();
        let (_, report) = calibrate(&model, &group).unwrap();
        let Conversion::PricePerPoint { pence_per_point } = report.fitted else {
            panic!()
        };
        assert!((6_150..=6_400).contains(&pence_per_point), "{pence_per_point}");
        assert!(
            (7.0..9.0).contains(&report.mean_absolute_percentage_error),
            "{}",
            report.mean_absolute_percentage_error
        );
        assert_eq!(report.worst.len(), 5);
    }

    #[test]
    fn a_bad_row_is_refused_with_its_line() {
        let error = parse_test_group("person,annual_cost_pence,nutrition\nA,100,none\nB,lots,none\n").unwrap_err();
        assert_eq!(
            error,
            CalibrationError::BadRow {
                line: 3,
                reason: "annual_cost_pence must be a whole number of pence".into()
            }
        );
    }
}
