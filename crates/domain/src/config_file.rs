//! Reading council configuration files (questionnaires, allocation models, charging tables):
//! TOML, with every problem reported as a line number and a reason a person can act on.

use serde::de::DeserializeOwned;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line of the file the problem is on, when it is known.
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "line {line}: {}", self.reason),
            None => formatter.write_str(&self.reason),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line that a byte offset falls on.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|byte| *byte == b'\n').count() + 1
}

/// Parses TOML into `T`, turning syntax and shape errors into a line and a reason.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|error| ConfigError {
        line: error.span().map(|span| line_of(text, span.start)),
        // The TOML reader gives no message for some characters it refuses (a lone carriage
        // return, a delete character in a comment); a blank reason would leave the council
        // with "line 12:" and nothing to act on.
        reason: match error.message().trim() {
            "" => {
                "this line has a character that is not allowed here, such as a control character or a carriage return on its own".to_owned()
            }
            message => message.to_owned(),
        },
    })
}

/// A problem found after parsing, placed at the line of the value it concerns.
pub fn at<T>(text: &str, spanned: &toml::Spanned<T>, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        line: Some(line_of(text, spanned.span().start)),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn a_stray_control_character_gets_a_reason() {
        let error = parse::<Sample>("#\u{7f} comment\nname = \"x\"\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(error.reason.contains("control character"), "{}", error.reason);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let error = parse::<Sample>("# comment\nname = \"x\"\nnmae = \"y\"\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.reason.contains("nmae"), "{error}");
    }
}
