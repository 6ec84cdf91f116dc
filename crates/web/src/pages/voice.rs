//! One set of words for "you" (the signed-in person, or a helper acting for them) and another
//! for staff looking at someone: "Your personal budget" to Owen and his helper, "Owen's personal
//! budget" to his worker. Pages ask a `Voice` for the words instead of writing "your".

use tailor_domain::access::{AccessBasis, PersonAccess};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voice {
    /// True for the person themselves and for someone they asked to help them.
    to_the_person: bool,
    /// The person's first name (their preferred name when they have one).
    name: String,
}

impl Voice {
    /// The words for whoever the access was granted to, about a person called `name`.
    pub fn new(access: &PersonAccess, name: &str) -> Voice {
        Voice {
            to_the_person: matches!(access.basis, Some(AccessBasis::Themselves | AccessBasis::DelegatedHelper)),
            name: name.trim().to_owned(),
        }
    }

    pub fn to_the_person(&self) -> bool {
        self.to_the_person
    }

    /// "Your" or "Owen's", to start a heading.
    pub fn whose(&self) -> String {
        if self.to_the_person {
            "Your".into()
        } else {
            format!("{}'s", self.name)
        }
    }

    /// "your" or "Owen's", inside a sentence.
    pub fn whose_in_a_sentence(&self) -> String {
        if self.to_the_person {
            "your".into()
        } else {
            format!("{}'s", self.name)
        }
    }

    /// "you" or "Owen", inside a sentence.
    pub fn who(&self) -> String {
        if self.to_the_person {
            "you".into()
        } else {
            self.name.clone()
        }
    }

    /// "You are" or "Owen is".
    pub fn who_is(&self) -> String {
        if self.to_the_person {
            "You are".into()
        } else {
            format!("{} is", self.name)
        }
    }

    /// "you pay" or "Owen pays".
    pub fn who_pays(&self) -> String {
        if self.to_the_person {
            "you pay".into()
        } else {
            format!("{} pays", self.name)
        }
    }

    /// "you want" or "Owen wants".
    pub fn who_wants(&self) -> String {
        if self.to_the_person {
            "you want".into()
        } else {
            format!("{} wants", self.name)
        }
    }

    /// Who holds the money in each of the six forms: to the person "you", to staff the name.
    pub fn money_manager_who(&self, form: tailor_domain::plans::MoneyManager) -> String {
        if self.to_the_person {
            form.who_holds_it().into()
        } else {
            form.who_holds_it_for(&self.name)
        }
    }

    /// What each form means day to day, in the same voice.
    pub fn money_manager_what(&self, form: tailor_domain::plans::MoneyManager) -> String {
        if self.to_the_person {
            form.what_you_do().into()
        } else {
            form.what_it_means_for(&self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tailor_domain::access::{Role, ScopeSet};

    fn access(role: Role, basis: AccessBasis) -> PersonAccess {
        PersonAccess {
            role,
            basis: Some(basis),
            scopes: ScopeSet::default(),
        }
    }

    #[test]
    fn the_person_and_their_helper_read_you_and_staff_read_the_name() {
        let own = Voice::new(&access(Role::Person, AccessBasis::Themselves), "Owen");
        assert_eq!(own.whose(), "Your");
        assert_eq!(own.who_wants(), "you want");
        let helper = Voice::new(&access(Role::Helper, AccessBasis::DelegatedHelper), "Owen");
        assert_eq!(helper.whose(), "Your");
        let worker = Voice::new(&access(Role::Practitioner, AccessBasis::AllocatedWorker), "Owen");
        assert_eq!(worker.whose(), "Owen's");
        assert_eq!(worker.whose_in_a_sentence(), "Owen's");
        assert_eq!(worker.who_is(), "Owen is");
        assert_eq!(worker.who_wants(), "Owen wants");
    }

    #[test]
    fn the_six_forms_are_described_to_the_person_and_about_them_to_staff() {
        use tailor_domain::plans::MoneyManager;
        let worker = Voice {
            to_the_person: false,
            name: "Owen".into(),
        };
        let person = Voice {
            to_the_person: true,
            name: "Owen".into(),
        };
        for form in MoneyManager::ALL.iter().copied() {
            for words in [worker.money_manager_who(form), worker.money_manager_what(form)] {
                assert!(
                    !words
                        .to_lowercase()
                        .split(|c: char| !c.is_alphabetic())
                        .any(|word| word == "you" || word == "your"),
                    "{words}"
                );
            }
            assert_eq!(person.money_manager_who(form), form.who_holds_it());
        }
        assert_eq!(
            worker.money_manager_what(MoneyManager::Myself),
            "Owen chooses and pays for the support, keeps receipts, and may employ a personal assistant. Most control, most to do."
        );
    }
}
