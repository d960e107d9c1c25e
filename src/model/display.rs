//! The texts a reader sees as a headline or a name: brief and page titles,
//! entity names. None may be empty (it would publish `<h1></h1>` and
//! invisible links); one wrapped in typographic quotes is a warning, since
//! YAML keeps such quotes as part of the text.
//!
//! Only checks: the catalog places each message at its field and decides
//! what to keep.

use crate::diag::Diagnostic;

/// A field whose text readers see, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    /// The front matter key: `title` or `name`.
    pub key: &'static str,
    /// What the file is: "brief", "page", "company".
    pub owner: &'static str,
    /// What the text becomes on the page: "headline", "name".
    pub becomes: &'static str,
}

impl Shown {
    /// A brief's or page's title.
    pub fn title(owner: &'static str) -> Shown {
        Shown {
            key: "title",
            owner,
            becomes: "headline",
        }
    }

    /// An entity's name.
    pub fn name(owner: &'static str) -> Shown {
        Shown {
            key: "name",
            owner,
            becomes: "name on every page and link",
        }
    }
}

/// The problem with `text`, a [`Shown`] field, if it has one: an error when
/// it is empty or blank, a warning when typographic quotes wrap it. `at`
/// places a message at the field.
pub fn check(text: &str, shown: Shown, at: impl FnOnce(String) -> Diagnostic) -> Option<Diagnostic> {
    let Shown { key, owner, becomes } = shown;
    if text.trim().is_empty() {
        let d = at(format!("the {key} is empty"));
        return Some(d.with_help(format!("give the {owner} a {key}: it is the {becomes} readers see")));
    }
    let inner = curly_quoted(text)?;
    let message = format!(
        "the {key} {} is wrapped in typographic quotes, which become part of the {becomes}",
        text.trim()
    );
    let example = if inner.contains('"') {
        String::new()
    } else {
        format!(": {key}: \"{inner}\"")
    };
    let help = format!("remove the quotes, or use straight quotes if you meant YAML quoting{example}");
    Some(at(message).with_help(help).into_warning())
}

/// The text inside the typographic quotes that wrap `text` (“…”, ‘…’, «…»,
/// „…“ and their national variants), if they wrap the whole of it. Quotes
/// around only part of it (“Acme” Joins the “Fray”) are the writer's.
fn curly_quoted(text: &str) -> Option<&str> {
    let text = text.trim();
    let mut chars = text.chars();
    let (first, last) = (chars.next()?, chars.next_back()?);
    let pair = matches!(
        (first, last),
        ('“', '”')
            | ('„', '“' | '”')
            | ('”', '”')
            | ('‘', '’')
            | ('‚', '‘' | '’')
            | ('’', '’')
            | ('«', '»')
            | ('»', '«' | '»')
    );
    let inner = chars.as_str();
    (pair && !inner.contains(first) && !inner.trim().is_empty()).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn checked(text: &str) -> Option<Diagnostic> {
        check(text, Shown::title("brief"), |m| Diagnostic::error("a.md", m))
    }

    #[test]
    fn empty_and_blank_texts_are_errors() {
        for text in ["", "   ", "\t"] {
            let d = checked(text).unwrap();
            assert!(d.is_error());
            assert_eq!(d.message, "the title is empty");
        }
        assert!(checked("Acme Joins the Fray").is_none());
    }

    #[test]
    fn texts_wrapped_in_typographic_quotes_are_warnings() {
        for (text, inner) in [
            ("“Acme Joins the Fray”", "Acme Joins the Fray"),
            ("‘Acme’s Fray’", "Acme’s Fray"),
            ("«Acme»", "Acme"),
            ("„Acme“", "Acme"),
        ] {
            let d = checked(text).unwrap();
            assert_eq!(d.severity, Severity::Warning);
            assert!(d.message.contains("become part of the headline"), "{d}");
            assert!(
                d.help.as_deref().unwrap().ends_with(&format!("title: \"{inner}\"")),
                "{d}"
            );
        }
        for text in ["“Acme” Joins the “Fray”", "Acme’s “Fray”", "“ ”", "“"] {
            assert!(checked(text).is_none(), "{text}");
        }
    }
}
