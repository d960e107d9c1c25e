//! The one place dossier calls the YAML library.
//!
//! Keeping every YAML call here means the parser can be swapped (serde-saphyr
//! is the likely successor of serde_yaml_ng) by editing one file. This module
//! turns the library's errors into a message plus a position relative to the
//! YAML text it was given; callers add their own line offset.

use serde::de::DeserializeOwned;

use crate::diag::Position;

/// A YAML error: what went wrong, and where in the text given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The library's message, without its own "at line … column …" suffix.
    pub message: String,
    /// Position within the YAML text, when the library knows it.
    pub position: Option<Position>,
}

/// Deserializes `text` into `T`; empty text counts as an empty mapping.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(text).map_err(|error| {
        let full = error.to_string();
        let message = match full.find(" at line ") {
            Some(cut) => full[..cut].to_owned(),
            None => full,
        };
        YamlError {
            message: message.replace('`', "'"),
            position: error.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            }),
        }
    })
}

/// A hint for YAML mistakes writers make often, if `message` looks like one.
pub fn hint(message: &str, line: &str) -> Option<&'static str> {
    if message.contains("mapping values are not allowed") {
        Some("a value containing ': ' must be quoted, e.g. title: \"JEDI: what happened\"")
    } else if message.contains("found character that cannot start any token") && line.contains('\t') {
        Some("YAML does not allow tabs for indentation; use spaces")
    } else if message.contains("invalid type: boolean") {
        Some("YAML reads yes/no/on/off as booleans; quote the word if you meant text")
    } else if message.contains("did not find expected key") || message.contains("did not find expected '-'") {
        Some("check the indentation of this line against the lines above it")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[allow(dead_code)]
        title: String,
    }

    #[test]
    fn errors_carry_a_position_without_the_suffix() {
        let err = parse::<Doc>("title: x\ntagz: [a]\n").unwrap_err();
        assert!(err.message.starts_with("unknown field 'tagz'"), "{}", err.message);
        assert!(!err.message.contains("at line"));
        assert_eq!(err.position.unwrap().line, 2);
    }

    #[test]
    fn an_unquoted_colon_gets_a_hint() {
        let err = parse::<Doc>("title: JEDI: what happened\n").unwrap_err();
        assert!(hint(&err.message, "").unwrap().contains("quoted"));
    }

    #[test]
    fn empty_text_is_an_empty_mapping() {
        assert!(parse::<Doc>("").unwrap_err().message.contains("missing field 'title'"));
    }
}
