//! The demo council's planning records: people walked through steps 1 to 3 with the real use
//! cases, each stopped at a different stage, so every work queue and page has something in it.

use super::*;
use crate::App;
use crate::AppResult;
use chrono::Duration;
use rand_chacha::ChaCha8Rng;
use tailor_domain::access::Actor;
use tailor_domain::people::Person;

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
    pub(super) async fn demo_planning_records(
        &self,
        practitioner: &Actor,
        manager: &Actor,
        people: &[Person],
        rng: &mut ChaCha8Rng,
    ) -> AppResult<()> {
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
            // A practitioner asks for more than the tolerance allows: one change still waits for
            // the manager, and one the manager declined, with why.
            if matches!(stage, DemoStage::PlanSubmitted | DemoStage::Drafting) {
                later(1);
                let asked = Money::from_pence((allocation.result.total_pence * 3 / 2 / 100 + 1) * 100);
                let outcome = dated
                    .override_budget(
                        practitioner,
                        allocation.id,
                        &asked.to_string(),
                        "Two carers are needed for every visit: the hoist cannot be used safely by one",
                        tailor_domain::sense_checks::AmountsConfirmed::No,
                    )
                    .await?;
                if let (DemoStage::Drafting, crate::steps::budget_requests::OverrideOutcome::SentToManager(request)) = (stage, outcome) {
                    later(2);
                    dated
                        .decline_override_request(
                            manager,
                            request.id,
                            "The occupational therapist found a single-handed hoist will do: try it for six weeks first",
                        )
                        .await?;
                }
            }
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
            let weekly_budget = allocation.indicative_weekly().pence();
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
                    // Helen hands it to the North team's other manager while she is on leave.
                    let deputy = self
                        .store
                        .find_user_by_email(&format!("deputy@{}", crate::demo::DEMO_DOMAIN))
                        .await?
                        .map(|(user, _)| crate::auth::actor_for(&user));
                    let answerer = match &deputy {
                        Some(deputy) => {
                            self.reassign_challenge(
                                manager,
                                charge.id,
                                &tailor_domain::challenges::ReassignInput {
                                    owner_id: deputy.user_id.to_string(),
                                    reason: "I am on leave until after the answer date; Priya knows the heating allowance rules well."
                                        .into(),
                                },
                                None,
                            )
                            .await?;
                            deputy
                        }
                        None => manager,
                    };
                    self.answer_challenge(
                        answerer,
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
