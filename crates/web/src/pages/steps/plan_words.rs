//! The plan form's words in the reader's voice: "you" and "your" to the person and their
//! helper, the person's name to staff ("Owen's plan", "what Owen will spend the budget on"),
//! including the radio labels and the plan's check messages.

use tailor_domain::plans::MoneyManager;
use tailor_domain::validation::ValidationErrors;

/// Every sentence on the plan form that speaks of the person: "you" and "your" to the person
/// and their helper, the person's name to staff ("Owen's plan", "what Owen will spend").
pub(super) struct PlanWords {
    pub heading: String,
    pub intro: String,
    pub money_card: String,
    pub plan_costs: String,
    pub over_note: String,
    pub outcomes_label: String,
    pub outcomes_hint: String,
    pub spending_heading: String,
    pub one_line_each: String,
    pub bought_once: String,
    pub risks_label: String,
    pub contingency_label: String,
    pub advice_label: String,
    pub advice_hint: String,
    pub ways_held: String,
    pub means_for: String,
    pub manager_hint: String,
    pub send: String,
}

/// Who will manage the money, in the person's words ("Me, as a direct payment") to them and
/// their helper, and with their name to staff ("Owen, as a direct payment").
pub(super) fn money_manager_label(manager: MoneyManager, voice: &crate::pages::voice::Voice) -> String {
    if voice.to_the_person() {
        return manager.label().to_owned();
    }
    let who = voice.who();
    match manager {
        MoneyManager::Myself => format!("{who}, as a direct payment"),
        MoneyManager::NominatedOrAuthorisedPerson => format!("Someone {who} trusts, as a nominated or authorised person"),
        MoneyManager::Trust => format!("A trust set up for {who}"),
        MoneyManager::Broker | MoneyManager::Provider | MoneyManager::Council => manager.label().to_owned(),
    }
}

/// The plan's checks (`PlanInput::parse`) speak to the person, who writes most plans; to staff
/// the same messages name the person instead.
pub(super) fn errors_in_voice(mut errors: ValidationErrors, voice: &crate::pages::voice::Voice) -> ValidationErrors {
    if voice.to_the_person() {
        return errors;
    }
    let who = voice.who();
    let phrases = [
        ("what you want to achieve", format!("what {who} wants to achieve")),
        (
            "the information and advice you have been given",
            format!("the information and advice {who} has been given"),
        ),
        ("way you will spend the budget", format!("way {who} will spend the budget")),
    ];
    for error in &mut errors.0 {
        for (to_the_person, to_staff) in &phrases {
            error.message = error.message.replace(to_the_person, to_staff);
        }
    }
    errors
}

impl PlanWords {
    pub(super) fn new(voice: &crate::pages::voice::Voice) -> PlanWords {
        let whose = voice.whose_in_a_sentence();
        let who = voice.who();
        if voice.to_the_person() {
            PlanWords {
                heading: "Your support plan".into(),
                intro: "Write in your own words. You can save and come back at any time.".into(),
                money_card: "Your money".into(),
                plan_costs: "Your plan costs".into(),
                over_note: "That is fine if your needs call for it: say why in your plan. A team manager may also look at it.".into(),
                outcomes_label: "What do you want to achieve?".into(),
                outcomes_hint: "For example: get to the allotment twice a week; stay in my own home; see my grandchildren.".into(),
                spending_heading: "How you will spend the budget".into(),
                one_line_each: "One line for each thing you will pay for.".into(),
                bought_once: "Amounts can have parts, like 7.5 hours. Something you buy once is counted once, not every year.".into(),
                risks_label: "What could go wrong, and how will you manage it?".into(),
                contingency_label: "What will happen if your support does not turn up?".into(),
                advice_label: "What information and advice have you been given?".into(),
                advice_hint: "About meeting or reducing your needs, and about preventing or delaying needs in future: for example \
                              a falls class, a benefits check or a carers' centre. Your worker can help you fill this in."
                    .into(),
                ways_held: "There are six ways your budget can be held. Each has the same money; they differ in who holds it \
                            and how much you do yourself."
                    .into(),
                means_for: "What it means for you".into(),
                manager_hint: "Choose one. You can change this later.".into(),
                send: "Send my plan to be agreed".into(),
            }
        } else {
            PlanWords {
                heading: format!("{} support plan", voice.whose()),
                intro: format!("Write {whose} plan in {whose} own words. You can save and come back at any time."),
                money_card: format!("{} money", voice.whose()),
                plan_costs: format!("{} plan costs", voice.whose()),
                over_note: format!("That is fine if {whose} needs call for it: say why in the plan. A team manager may also look at it."),
                outcomes_label: format!("What does {who} want to achieve?"),
                outcomes_hint: format!(
                    "In {whose} words, for example: get to the allotment twice a week; stay in my own home; see my grandchildren."
                ),
                spending_heading: format!("What {who} will spend the budget on"),
                one_line_each: format!("One line for each thing {who} will pay for."),
                bought_once: "Amounts can have parts, like 7.5 hours. Something bought once is counted once, not every year.".into(),
                risks_label: format!("What could go wrong, and how will {who} manage it?"),
                contingency_label: format!("What will happen if {whose} support does not turn up?"),
                advice_label: format!("What information and advice has {who} been given?"),
                advice_hint: format!(
                    "About meeting or reducing {whose} needs, and about preventing or delaying needs in future: for example \
                     a falls class, a benefits check or a carers' centre."
                ),
                ways_held: format!(
                    "There are six ways {whose} budget can be held. Each has the same money; they differ in who holds it \
                     and how much {who} does."
                ),
                means_for: format!("What it means for {who}"),
                manager_hint: format!("Choose one with {who}. It can be changed later."),
                send: format!("Send {whose} plan to be agreed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tailor_domain::access::{AccessBasis, PersonAccess, Role, ScopeSet};
    use tailor_domain::plans::PlanInput;

    fn voice(role: Role, basis: AccessBasis) -> crate::pages::voice::Voice {
        let access = PersonAccess {
            role,
            basis: Some(basis),
            scopes: ScopeSet::default(),
        };
        crate::pages::voice::Voice::new(&access, "Owen")
    }

    #[test]
    fn the_plans_checks_name_the_person_to_staff_and_say_you_to_them() {
        let empty = PlanInput::default().parse(true).unwrap_err();
        let staff = errors_in_voice(empty.clone(), &voice(Role::Practitioner, AccessBasis::AllocatedWorker));
        let outcomes = staff.message_for("outcomes").unwrap();
        assert!(outcomes.contains("what Owen wants to achieve"), "{outcomes}");
        assert!(staff.0.iter().all(|error| !error.message.contains(" you ")), "{staff:?}");
        let own = errors_in_voice(empty.clone(), &voice(Role::Person, AccessBasis::Themselves));
        assert_eq!(own, empty);
        assert!(own.message_for("outcomes").unwrap().contains("what you want to achieve"));
    }
}
