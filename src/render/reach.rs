//! Which templates can read the site's counts (`site.counts`), so that in
//! `serve` a brief added or deleted, which changes them, renders again only
//! the pages whose templates could show them, not every page of the site.
//!
//! Templates reach each other only by names written in them: a file name
//! (a string in `extends`, `include`, `import`,
//! `render_partial(template="…")`) or a
//! component's name. So a template can read the counts when its own text
//! could (it names `counts`, dumps the context, or uses `site` other than
//! as `site.<field>`), or it names a template that can. Comments are left
//! out. Anything the analysis cannot follow (a `render_partial` whose
//! template is not written out, the social card) puts the counts into what
//! every page shares, as before.

use std::collections::HashSet;

use super::share::CARD_TEMPLATE;
use super::theme::TemplateSource;

/// The templates whose pages can show the site's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsReaders {
    /// Every page may show them: they belong in what all pages share.
    everywhere: bool,
    /// The templates that can read them (the name's own text, or one it
    /// names, can).
    templates: HashSet<String>,
    /// Whether any template can read the number of briefs
    /// (`site.counts.briefs`, or the counts whole): when none can, a brief
    /// added or deleted changes no page through the counts.
    briefs: bool,
}

impl CountsReaders {
    /// Follows the theme's templates to those that can read the counts.
    pub fn of(templates: &[TemplateSource]) -> CountsReaders {
        let texts: Vec<String> = templates.iter().map(|t| without_comments(&t.text)).collect();
        let mut reads: Vec<bool> = texts.iter().map(|t| reads_counts(t)).collect();
        let components: Vec<Vec<&str>> = texts.iter().map(|t| components_defined(t)).collect();
        // Until no template newly names one that can read them.
        loop {
            let mut grew = false;
            for i in 0..templates.len() {
                if reads[i] {
                    continue;
                }
                let names_a_reader = (0..templates.len()).any(|j| {
                    reads[j]
                        && (names(&texts[i], &templates[j].name)
                            || components[j].iter().any(|c| contains_word(&texts[i], c)))
                });
                if names_a_reader {
                    reads[i] = true;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let readers: HashSet<String> = (templates.iter().zip(&reads))
            .filter(|(_, reads)| **reads)
            .map(|(t, _)| t.name.clone())
            .collect();
        let untraceable = texts.iter().any(|t| has_unnamed_partial(t));
        let everywhere = readers.contains(CARD_TEMPLATE) || (untraceable && !readers.is_empty());
        CountsReaders {
            everywhere,
            templates: readers,
            briefs: texts.iter().any(|t| reads_brief_count(t)),
        }
    }

    /// Whether any page may show the number of briefs.
    pub fn brief_count(&self) -> bool {
        self.everywhere || (self.briefs && !self.templates.is_empty())
    }

    /// Whether the templates that can read the counts are among `names`.
    pub fn only(&self, names: &[&str]) -> bool {
        !self.everywhere && self.templates.iter().all(|t| names.contains(&t.as_str()))
    }

    /// Whether every page may show the counts.
    pub fn everywhere(&self) -> bool {
        self.everywhere
    }

    /// Whether pages rendered with `template` may show the counts.
    pub fn reads(&self, template: &str) -> bool {
        self.everywhere || self.templates.contains(template)
    }
}

/// The text with its `{# … #}` comments left out.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("#}") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Whether a template's own text can read the counts: it names them, dumps
/// the whole context, or its code uses `site` other than as `site.<field>`.
fn reads_counts(text: &str) -> bool {
    if text.contains("counts") || text.contains("__tera_context") {
        return true;
    }
    let code = code(text);
    words(&code, "site").any(|end| {
        let after = &code[end..];
        let field = after.strip_prefix('.').and_then(|f| f.chars().next());
        !field.is_some_and(is_word_start)
    })
}

/// Whether a template's own text can read the number of briefs: it dumps
/// the whole context, uses `site` other than as `site.<field>`, or names
/// the counts other than as `counts.` and another field (`companies`,
/// `contracts`, `authors`, `tags`).
fn reads_brief_count(text: &str) -> bool {
    const OTHERS: [&str; 4] = ["companies", "contracts", "authors", "tags"];
    let code = code(text);
    let other_field = |after: &str| {
        let field = after.strip_prefix('.').unwrap_or_default();
        let end = field.find(|c: char| !is_word_char(c)).unwrap_or(field.len());
        OTHERS.contains(&&field[..end])
    };
    text.contains("__tera_context")
        || words(&code, "counts").any(|end| !other_field(&code[end..]))
        || words(&code, "site").any(|end| {
            let field = code[end..].strip_prefix('.').and_then(|f| f.chars().next());
            !field.is_some_and(is_word_start)
        })
}

/// The code of a template: what is inside its `{{ … }}` and `{% … %}`, each
/// on a line of its own (the markup around says `site-header` in a class).
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(['{']) {
        let tail = &rest[start..];
        let close = if tail.starts_with("{{") {
            "}}"
        } else if tail.starts_with("{%") {
            "%}"
        } else {
            rest = &rest[start + 1..];
            continue;
        };
        let inside = &tail[2..];
        let end = inside.find(close).unwrap_or(inside.len());
        out.push_str(&inside[..end]);
        out.push('\n');
        rest = &inside[(end + 2).min(inside.len())..];
    }
    out
}

/// The names of the components a template defines (`{% component name(…) %}`).
fn components_defined(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("component") {
        let before = text[..at].trim_end_matches([' ', '\t', '\n', '\r', '-']);
        if !before.ends_with("{%") {
            continue;
        }
        let after = text[at + "component".len()..].trim_start();
        let end = after
            .find(|c: char| !(is_word_char(c) || c == '.'))
            .unwrap_or(after.len());
        if end > 0 {
            names.push(&after[..end]);
        }
    }
    names
}

/// Whether a template calls `render_partial` without writing out which
/// template (`template="…"`): the analysis cannot tell what it renders.
fn has_unnamed_partial(text: &str) -> bool {
    text.match_indices("render_partial").any(|(at, _)| {
        let call = &text[at..];
        let call = &call[..call.find(')').unwrap_or(call.len())];
        !words(call, "template").any(|end| {
            let value = call[end..].trim_start();
            value
                .strip_prefix('=')
                .map(str::trim_start)
                .is_some_and(|v| v.starts_with(['"', '\'', '`']))
        })
    })
}

/// Whether `text` names the template `name`: as a string, the only way a
/// template can (`"_entity_index.html"` is no mention of `index.html`).
fn names(text: &str, name: &str) -> bool {
    ['"', '\'', '`'].iter().any(|q| text.contains(&format!("{q}{name}{q}")))
}

/// Where each whole-word `word` in `text` ends.
fn words<'t>(text: &'t str, word: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(word).filter_map(move |(at, _)| {
        let end = at + word.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        (!before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)).then_some(end)
    })
}

/// Whether `word` is in `text` as a whole word.
fn contains_word(text: &str, word: &str) -> bool {
    words(text, word).next().is_some()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn theme(templates: &[(&str, &str)]) -> Vec<TemplateSource> {
        templates
            .iter()
            .map(|(name, text)| TemplateSource {
                name: (*name).to_owned(),
                text: (*text).to_owned(),
                origin: PathBuf::from(name),
                builtin: false,
            })
            .collect()
    }

    fn readers(templates: &[(&str, &str)]) -> CountsReaders {
        CountsReaders::of(&theme(templates))
    }

    #[test]
    fn the_default_theme_shows_the_counts_on_the_home_and_missing_pages_only() {
        let theme = crate::render::theme::load(std::path::Path::new("/nonexistent-site"), "default")
            .unwrap()
            .unwrap();
        let r = CountsReaders::of(&theme.templates);
        assert!(!r.everywhere());
        let mut names: Vec<&str> = r.templates.iter().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["404.html", "index.html"]);
    }

    #[test]
    fn a_template_reads_what_the_templates_it_names_read() {
        let r = readers(&[
            (
                "base.html",
                "<footer>{{ render_partial(template=\"_foot.html\") }}</footer>",
            ),
            ("_foot.html", "{{ site.counts.briefs }} briefs"),
            (
                "brief.html",
                "{% extends \"base.html\" %}{% block b %}{{ site.title }}{% endblock %}",
            ),
            ("tag.html", "{{ site.title }}"),
        ]);
        assert!(!r.everywhere());
        assert!(r.reads("brief.html") && r.reads("base.html") && r.reads("_foot.html"));
        assert!(!r.reads("tag.html"));
    }

    #[test]
    fn a_component_reads_for_every_template_that_calls_it() {
        let r = readers(&[
            (
                "_c.html",
                "{% component tally() %}{{ site.counts.tags }}{% endcomponent tally %}",
            ),
            ("tags.html", "{{ <tally /> }}"),
            ("tag.html", "{{ site.title }} tallying"),
        ]);
        assert!(r.reads("tags.html"));
        assert!(
            !r.reads("tag.html"),
            "a word that only begins with the name is not a call"
        );
    }

    #[test]
    fn site_used_whole_may_read_anything() {
        for text in [
            "{{ site | json_encode }}",
            "{{ site[\"co\" ~ \"unts\"] }}",
            "{% set s = site %}{{ s.title }}",
            "{{ __tera_context }}",
        ] {
            assert!(readers(&[("page.html", text)]).reads("page.html"), "{text}");
        }
        let r = readers(&[(
            "page.html",
            "{# the site counts #}<p class=\"site-note\">{{ site.title }}, the site</p> on this website",
        )]);
        assert!(!r.reads("page.html"), "comments and other words are not reads");
    }

    #[test]
    fn what_cannot_be_followed_makes_the_counts_everyones() {
        let unnamed = readers(&[
            ("index.html", "{{ site.counts.briefs }}"),
            ("tag.html", "{{ render_partial(template=which) }}"),
        ]);
        assert!(unnamed.everywhere() && unnamed.reads("tag.html"));
        let named = readers(&[
            ("index.html", "{{ site.counts.briefs }}"),
            ("tag.html", "{{ render_partial(card=c, template = 'x.html') }}"),
        ]);
        assert!(!named.everywhere());
        let card = readers(&[(CARD_TEMPLATE, "<text>{{ site.counts.briefs }}</text>")]);
        assert!(card.everywhere());
        let none = readers(&[("tag.html", "{{ render_partial(template=which) }}")]);
        assert!(!none.everywhere(), "with no reader there is nothing to follow");
    }
}
