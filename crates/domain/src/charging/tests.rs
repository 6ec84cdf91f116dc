//! Hand-worked cases, each with its lines of working, and the properties that keep anyone from
//! being over-charged.

use super::*;
use proptest::prelude::*;

const RATES: &str = include_str!("../../../../config/charging/rates.toml");
const EARLIER_RATES: &str = include_str!("../../../../config/charging/rates-2025-26.toml");

fn rates() -> ChargingRates {
    ChargingRates::parse(RATES).unwrap()
}

fn pounds(pence: i64) -> Money {
    Money::from_pence(pence)
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

/// Aged 56 on the assessment date: the guarantee for a single person aged 25 to pension age.
fn single_person() -> FinancialCircumstances {
    FinancialCircumstances {
        declined: false,
        date_of_birth: Some(date(1970, 1, 1)),
        assessment_date: Some(date(2026, 5, 1)),
        household: Household::Single,
        partner_date_of_birth: None,
        dependent_children: 0,
        disability_premium: false,
        enhanced_disability_premium: false,
        carer_premium: false,
        income: vec![IncomeLine {
            source: IncomeSource::EmploymentAndSupportAllowance,
            weekly: pounds(250_00),
        }],
        capital: Money::ZERO,
        joint_capital: Money::ZERO,
        housing_costs: vec![CostLine {
            description: "Rent not covered by Housing Benefit".into(),
            weekly: pounds(20_00),
        }],
        disability_related_expenditure: vec![ExpenditureLine {
            description: "Extra heating".into(),
            weekly: pounds(15_00),
            evidence: "Winter gas bills, seen".into(),
        }],
        recorded_age_group: None,
    }
}

fn home_support(weekly: i64) -> ServiceLine {
    ServiceLine {
        description: "Home support".into(),
        weekly_cost: pounds(weekly),
        never_charged: None,
        weeks_already_received: 0,
    }
}

fn amounts(contribution: &Contribution) -> Vec<i64> {
    contribution.working.iter().map(|line| line.weekly.pence()).collect()
}

#[test]
fn capital_at_the_lower_limit_adds_no_tariff_income() {
    let mut person = single_person();
    person.capital = pounds(14_250_00);
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    // ESA £250.00 counted; tariff £0; guarantee £112.50; rent £20; heating £15:
    // £250.00 − £112.50 − £20.00 − £15.00 = £102.50 a week, less than the £300 cost.
    assert_eq!(amounts(&contribution), vec![250_00, 0, 112_50, 20_00, 15_00, 102_50, 300_00]);
    assert_eq!(contribution.weekly, pounds(102_50));
}

#[test]
fn capital_at_exactly_the_upper_limit_pays_tariff_income_not_the_full_cost() {
    let mut person = single_person();
    person.capital = pounds(23_250_00);
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    // £9,000 over £14,250 is 36 steps of £250: £36 a week. £102.50 + £36.00 = £138.50.
    assert_eq!(contribution.working[1].weekly, pounds(36_00));
    assert_eq!(amounts(&contribution), vec![250_00, 36_00, 112_50, 20_00, 15_00, 138_50, 300_00]);
    assert_eq!(contribution.weekly, pounds(138_50));
}

#[test]
fn a_penny_above_the_upper_limit_pays_the_full_chargeable_cost() {
    let mut person = single_person();
    person.capital = pounds(23_250_01);
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    assert_eq!(contribution.weekly, pounds(300_00));
    assert!(
        contribution.working[1].label.contains("more than £23,250.00"),
        "{:?}",
        contribution.working
    );
}

#[test]
fn part_of_250_pounds_counts_as_a_whole_step() {
    let table = rates();
    assert_eq!(tariff_income(&table, pounds(14_250_01)).unwrap(), pounds(1_00));
    assert_eq!(tariff_income(&table, pounds(14_500_00)).unwrap(), pounds(1_00));
    assert_eq!(tariff_income(&table, pounds(14_500_01)).unwrap(), pounds(2_00));
}

#[test]
fn a_couple_each_get_the_couples_guarantee_and_half_their_joint_savings_count() {
    let mut person = single_person();
    person.household = Household::Couple;
    // Their partner is 68, over pension age, so the couple's pension-age rate applies.
    person.partner_date_of_birth = Some(date(1958, 3, 1));
    person.income = vec![
        IncomeLine {
            source: IncomeSource::EmploymentAndSupportAllowance,
            weekly: pounds(150_00),
        },
        IncomeLine {
            source: IncomeSource::PrivatePension,
            weekly: pounds(50_00),
        },
    ];
    person.capital = pounds(10_000_00);
    person.joint_capital = pounds(12_000_00);
    person.housing_costs.clear();
    person.disability_related_expenditure.clear();
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    // Savings £10,000 + half of £12,000 = £16,000: £1,750 over the limit is 7 steps, £7.
    // £150 + £50 + £7 − £177.60 = £29.40.
    assert_eq!(amounts(&contribution), vec![150_00, 50_00, 7_00, 177_60, 29_40, 300_00]);
    assert!(contribution.working[3].label.contains("couple"));
    assert_eq!(contribution.weekly, pounds(29_40));
}

#[test]
fn a_lone_parent_keeps_the_guarantee_for_each_child_and_child_benefit_and_earnings_are_not_counted() {
    let mut person = single_person();
    person.date_of_birth = Some(date(1995, 6, 1));
    person.household = Household::LoneParent;
    person.dependent_children = 2;
    person.income = vec![
        IncomeLine {
            source: IncomeSource::UniversalCredit,
            weekly: pounds(400_00),
        },
        IncomeLine {
            source: IncomeSource::ChildBenefit,
            weekly: pounds(43_10),
        },
        IncomeLine {
            source: IncomeSource::Earnings,
            weekly: pounds(100_00),
        },
    ];
    person.housing_costs.clear();
    person.disability_related_expenditure.clear();
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    // £400 − £112.50 (lone parent) − 2 × £102.95 = £81.60.
    assert_eq!(amounts(&contribution), vec![400_00, 0, 0, 0, 112_50, 205_90, 81_60, 300_00]);
    assert!(contribution.working[1].label.contains("not counted"));
    assert_eq!(contribution.weekly, pounds(81_60));
}

#[test]
fn the_mobility_part_of_pip_is_not_counted_and_the_daily_living_part_is() {
    let mut person = single_person();
    person.disability_premium = true;
    person.income.push(IncomeLine {
        source: IncomeSource::PersonalIndependencePaymentDailyLiving,
        weekly: pounds(73_90),
    });
    person.income.push(IncomeLine {
        source: IncomeSource::PersonalIndependencePaymentMobility,
        weekly: pounds(77_05),
    });
    person.housing_costs.clear();
    person.disability_related_expenditure.clear();
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    // £250 + £73.90 − (£112.50 + £49.65 Disability Premium) = £161.75.
    assert_eq!(amounts(&contribution), vec![250_00, 73_90, 0, 0, 112_50, 49_65, 161_75, 300_00]);
    assert!(contribution.working[2].label.contains("£77.05 a week, not counted"));
    assert_eq!(contribution.weekly, pounds(161_75));
}

#[test]
fn replacement_care_in_a_carers_plan_is_not_charged_to_the_carer() {
    let services = [
        ServiceLine {
            description: "Replacement care while Sam has a break".into(),
            weekly_cost: pounds(120_00),
            never_charged: Some(NeverCharged::CarerSupportForCaredForPerson),
            weeks_already_received: 0,
        },
        ServiceLine {
            description: "Gym membership".into(),
            weekly_cost: pounds(10_00),
            never_charged: None,
            weeks_already_received: 0,
        },
    ];
    let contribution = weekly_contribution(&rates(), &single_person(), &services).unwrap();
    // £102.50 is affordable, but only the £10 gym membership can be charged for.
    assert_eq!(contribution.chargeable_weekly_cost, pounds(10_00));
    assert_eq!(contribution.weekly, pounds(10_00));
    assert!(contribution.services[0].label.contains("not charged"));
    assert_eq!(contribution.services[0].weekly, Money::ZERO);
}

#[test]
fn reablement_is_free_for_six_weeks_and_only_the_rest_is_charged() {
    let mut reablement = ServiceLine {
        description: "Reablement after hospital".into(),
        weekly_cost: pounds(400_00),
        never_charged: Some(NeverCharged::ReablementOrIntermediateCare),
        weeks_already_received: 2,
    };
    let contribution = weekly_contribution(&rates(), &single_person(), &[reablement.clone(), home_support(50_00)]).unwrap();
    assert_eq!(contribution.chargeable_weekly_cost, pounds(50_00));
    assert_eq!(contribution.weekly, pounds(50_00));
    // In its seventh week, reablement can be charged for like any other service.
    reablement.weeks_already_received = 6;
    let contribution = weekly_contribution(&rates(), &single_person(), &[reablement]).unwrap();
    assert_eq!(contribution.chargeable_weekly_cost, pounds(400_00));
    assert_eq!(contribution.weekly, pounds(102_50));
}

#[test]
fn declining_pays_the_full_cost_of_chargeable_services_only() {
    let services = [
        home_support(180_00),
        ServiceLine {
            description: "Grab rails".into(),
            weekly_cost: pounds(5_00),
            never_charged: Some(NeverCharged::EquipmentOrMinorAdaptation),
            weeks_already_received: 0,
        },
    ];
    let contribution = weekly_contribution(&rates(), &FinancialCircumstances::declined(), &services).unwrap();
    assert_eq!(contribution.weekly, pounds(180_00));
}

#[test]
fn a_council_free_service_must_be_on_its_list() {
    let mut service = home_support(30_00);
    service.never_charged = Some(NeverCharged::CouncilFreeService("support_for_carers".into()));
    let contribution = weekly_contribution(&rates(), &single_person(), std::slice::from_ref(&service)).unwrap();
    assert_eq!(contribution.weekly, Money::ZERO);
    service.never_charged = Some(NeverCharged::CouncilFreeService("lunch_club".into()));
    assert_eq!(
        weekly_contribution(&rates(), &single_person(), &[service]),
        Err(ChargingError::UnknownFreeService("lunch_club".into()))
    );
}

#[test]
fn the_age_band_comes_from_the_dates() {
    let born = date(2001, 5, 2);
    assert_eq!(AgeGroup::on(born, date(2026, 5, 1), 66), Some(AgeGroup::From18To24));
    assert_eq!(AgeGroup::on(born, date(2026, 5, 2), 66), Some(AgeGroup::From25ToPensionAge));
    assert_eq!(AgeGroup::on(date(1960, 5, 2), date(2026, 5, 2), 66), Some(AgeGroup::PensionAge));
    assert_eq!(AgeGroup::on(date(2010, 1, 1), date(2026, 5, 2), 66), None);
    let mut person = single_person();
    person.date_of_birth = Some(born);
    let contribution = weekly_contribution(&rates(), &person, &[home_support(300_00)]).unwrap();
    assert_eq!(contribution.working[2].weekly, pounds(89_15));
}

#[test]
fn the_table_in_force_on_the_assessment_date_is_used() {
    let tables = [ChargingRates::parse(EARLIER_RATES).unwrap(), rates()];
    assert_eq!(rates_in_force(&tables, date(2025, 12, 1)).unwrap().version, 1);
    assert_eq!(rates_in_force(&tables, date(2026, 4, 6)).unwrap().version, 2);
    assert!(rates_in_force(&tables, date(2025, 1, 1)).is_none());
}

#[test]
fn assessments_stored_before_income_was_itemised_still_read() {
    let stored = r#"{"declined":false,"age_group":"pension_age","disability_premium":false,
        "enhanced_disability_premium":false,"weekly_income":26000,"capital":0,
        "weekly_housing_costs":1000,"weekly_disability_related_expenditure":0}"#;
    let person: FinancialCircumstances = serde_json::from_str(stored).unwrap();
    assert_eq!(person.recorded_age_group, Some(AgeGroup::PensionAge));
    assert_eq!(person.income.len(), 1);
    assert_eq!(person.housing_costs[0].weekly, pounds(10_00));
    assert!(person.disability_related_expenditure.is_empty());
    let contribution = weekly_contribution(&rates(), &person, &[home_support(100_00)]).unwrap();
    // £260 − £10 − £228.70 = £21.30.
    assert_eq!(contribution.weekly, pounds(21_30));
    let again: FinancialCircumstances = serde_json::from_str(&serde_json::to_string(&person).unwrap()).unwrap();
    assert_eq!(again, person);
}

#[test]
fn a_table_that_counts_earnings_or_is_malformed_is_refused_with_its_line() {
    let counting = RATES.replace("earnings = \"all\"", "earnings = 500");
    let error = ChargingRates::parse(&counting).unwrap_err();
    assert!(error.reason.contains("never counted"), "{error}");
    let broken = RATES.replace("contribution_basis = \"net\"", "contribution_basis = \"nett\"");
    assert!(ChargingRates::parse(&broken).unwrap_err().line.is_some());
}

#[test]
fn a_table_from_before_households_still_works_for_a_single_person() {
    let old = "version = 1\neffective_from = 2026-04-06\nupper_capital_limit_pence = 2325000\n\
        lower_capital_limit_pence = 1425000\ntariff_step_pence = 25000\ntariff_weekly_pence_per_step = 100\n\
        contribution_basis = \"net\"\n[minimum_income_guarantee]\nsingle_18_to_24 = 8915\n\
        single_25_to_pension_age = 11250\npension_age = 22870\ndisability_premium = 4965\n\
        enhanced_disability_premium = 2425\n";
    let table = ChargingRates::parse(old).unwrap();
    let contribution = weekly_contribution(&table, &single_person(), &[home_support(300_00)]).unwrap();
    assert_eq!(contribution.weekly, pounds(102_50));
    let mut couple = single_person();
    couple.household = Household::Couple;
    assert!(matches!(
        weekly_contribution(&table, &couple, &[home_support(300_00)]),
        Err(ChargingError::MissingRate(_))
    ));
}

fn someone(income: i64, capital: i64, housing: i64, expenditure: i64, born: i64) -> FinancialCircumstances {
    let mut person = single_person();
    person.date_of_birth = Some(date(1940 + born as i32, 1, 1));
    person.income = vec![IncomeLine {
        source: IncomeSource::StatePension,
        weekly: pounds(income),
    }];
    person.capital = pounds(capital);
    person.housing_costs[0].weekly = pounds(housing);
    person.disability_related_expenditure[0].weekly = pounds(expenditure);
    person
}

proptest! {
    #[test]
    fn the_charge_is_never_negative_nor_more_than_the_chargeable_cost(
        income in 0i64..200_000,
        capital in 0i64..5_000_000,
        housing in 0i64..50_000,
        expenditure in 0i64..50_000,
        born in 0i64..60,
        chargeable in 0i64..200_000,
        free in 0i64..200_000,
        declined: bool,
    ) {
        let mut person = someone(income, capital, housing, expenditure, born);
        person.declined = declined;
        let services = [
            home_support(chargeable),
            ServiceLine {
                description: "Section 117 aftercare".into(),
                weekly_cost: pounds(free),
                never_charged: Some(NeverCharged::MentalHealthAftercare),
                weeks_already_received: 0,
            },
        ];
        let contribution = weekly_contribution(&rates(), &person, &services).unwrap();
        prop_assert!(contribution.weekly >= Money::ZERO);
        prop_assert!(contribution.weekly <= pounds(chargeable));
        prop_assert_eq!(contribution.chargeable_weekly_cost, pounds(chargeable));
    }

    #[test]
    fn more_income_never_means_a_smaller_charge(
        income in 0i64..200_000,
        more in 0i64..100_000,
        capital in 0i64..5_000_000,
        housing in 0i64..50_000,
        expenditure in 0i64..50_000,
        born in 0i64..60,
        cost in 0i64..200_000,
    ) {
        let table = rates();
        let services = [home_support(cost)];
        let less = weekly_contribution(&table, &someone(income, capital, housing, expenditure, born), &services).unwrap();
        let richer = weekly_contribution(&table, &someone(income + more, capital, housing, expenditure, born), &services).unwrap();
        prop_assert!(richer.weekly >= less.weekly);
    }

    #[test]
    fn tariff_income_never_exceeds_the_amount_at_the_upper_limit(capital in 0i64..10_000_000) {
        let table = rates();
        prop_assert!(tariff_income(&table, pounds(capital)).unwrap() <= pounds(36_00));
    }
}
