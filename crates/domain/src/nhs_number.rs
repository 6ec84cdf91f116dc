//! The NHS number: ten digits whose last is a modulus-11 check digit (domain rules 5.6).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber([u8; 10]);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NhsNumberError {
    #[error("NHS number must be 10 digits")]
    WrongLength,
    #[error("NHS number must only include numbers 0 to 9")]
    NotDigits,
    #[error("Enter a valid NHS number: this one's last digit does not match the rest")]
    WrongCheckDigit,
}

impl NhsNumber {
    /// The check digit the first nine digits call for, or `None` when no digit can satisfy them
    /// (the sum leaves remainder 1, which such numbers are never issued with).
    pub fn check_digit_for(first_nine: &[u8; 9]) -> Option<u8> {
        let sum: u32 = first_nine
            .iter()
            .zip((2..=10u32).rev())
            .map(|(digit, weight)| u32::from(*digit) * weight)
            .sum();
        match 11 - (sum % 11) {
            11 => Some(0),
            10 => None,
            digit => Some(digit as u8),
        }
    }

    /// Builds a valid number from nine digits, for generated demo data.
    pub fn from_first_nine(first_nine: [u8; 9]) -> Option<Self> {
        let check = Self::check_digit_for(&first_nine)?;
        let mut digits = [0u8; 10];
        digits[..9].copy_from_slice(&first_nine);
        digits[9] = check;
        Some(Self(digits))
    }

    /// The ten digits with no spaces, as stored and exchanged.
    pub fn digits(&self) -> String {
        self.0.iter().map(|digit| char::from(b'0' + digit)).collect()
    }
}

impl FromStr for NhsNumber {
    type Err = NhsNumberError;

    /// Accepts the number as people write it: with spaces or dashes in the 3-3-4 grouping.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let compact: Vec<char> = text
            .chars()
            .filter(|character| !character.is_whitespace() && *character != '-')
            .collect();
        if compact.iter().any(|character| !character.is_ascii_digit()) {
            return Err(NhsNumberError::NotDigits);
        }
        if compact.len() != 10 {
            return Err(NhsNumberError::WrongLength);
        }
        let mut digits = [0u8; 10];
        for (slot, character) in digits.iter_mut().zip(&compact) {
            *slot = *character as u8 - b'0';
        }
        let mut first_nine = [0u8; 9];
        first_nine.copy_from_slice(&digits[..9]);
        match Self::check_digit_for(&first_nine) {
            Some(check) if check == digits[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::WrongCheckDigit),
        }
    }
}

impl fmt::Display for NhsNumber {
    /// The 3-3-4 grouping that people read and say aloud.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits();
        write!(formatter, "{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<NhsNumber> for String {
    fn from(number: NhsNumber) -> String {
        number.digits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_published_example() {
        // 943 476 5919 is the example NHS England uses in its own documentation.
        let number: NhsNumber = "943 476 5919".parse().unwrap();
        assert_eq!(number.digits(), "9434765919");
        assert_eq!(number.to_string(), "943 476 5919");
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!("9434765918".parse::<NhsNumber>(), Err(NhsNumberError::WrongCheckDigit));
    }

    #[test]
    fn refuses_the_wrong_length_and_letters() {
        assert_eq!("943476591".parse::<NhsNumber>(), Err(NhsNumberError::WrongLength));
        assert_eq!("94347659A9".parse::<NhsNumber>(), Err(NhsNumberError::NotDigits));
    }

    #[test]
    fn remainder_of_ten_is_never_valid() {
        // 1,0,0,0,0,0,0,0,0 weighs 10, 11 - 10 = 1; find digits whose check would be 10.
        let first_nine = [0, 0, 0, 0, 0, 0, 0, 0, 5];
        // 5 * 2 = 10, 11 - 10 = 1: valid with check digit 1.
        assert_eq!(NhsNumber::check_digit_for(&first_nine), Some(1));
        let impossible = [0, 0, 0, 0, 0, 0, 0, 0, 6]; // 12 % 11 = 1, 11 - 1 = 10
        assert_eq!(NhsNumber::check_digit_for(&impossible), None);
    }

    proptest! {
        #[test]
        fn every_generated_number_parses_back(first_nine in proptest::array::uniform9(0u8..10)) {
            if let Some(number) = NhsNumber::from_first_nine(first_nine) {
                prop_assert_eq!(number.to_string().parse::<NhsNumber>(), Ok(number));
            }
        }

        #[test]
        fn changing_one_digit_is_caught(first_nine in proptest::array::uniform9(0u8..10), position in 0usize..9, change in 1u8..10) {
            if let Some(number) = NhsNumber::from_first_nine(first_nine) {
                let mut digits = number.digits().into_bytes();
                digits[position] = b'0' + (digits[position] - b'0' + change) % 10;
                let altered = String::from_utf8(digits).unwrap();
                prop_assert!(altered.parse::<NhsNumber>().is_err());
            }
        }

        #[test]
        fn parsing_never_panics(text in ".{0,30}") {
            let _ = text.parse::<NhsNumber>();
        }
    }
}
