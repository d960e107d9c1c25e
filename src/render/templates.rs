//! The theme's templates, compiled once per build with dossier's functions
//! registered, and Tera's errors turned into diagnostics at the template's
//! own file and line.
//!
//! Nothing here renders a page; [`super::renderer`] does, with the `Tera`
//! this module compiles.

use std::sync::Arc;

use tera::Tera;

use crate::diag::{Diagnostic, Diagnostics, Position};
use crate::routes::{BaseUrl, UrlPath};

use super::cards::Cards;
use super::theme::{TemplateSource, Theme};
use super::views::SiteView;
use super::{functions, partials};

/// Templates every theme must provide (feeds and sitemap are built in).
pub const REQUIRED_TEMPLATES: [&str; 10] = [
    "index.html",
    "brief.html",
    "company.html",
    "companies.html",
    "contract.html",
    "contracts.html",
    "tag.html",
    "tags.html",
    "page.html",
    "404.html",
];

/// The templates a site with author profiles needs besides
/// [`REQUIRED_TEMPLATES`]: a theme made before authors existed still builds
/// a site without them.
pub const AUTHOR_TEMPLATES: [&str; 2] = ["author.html", "authors.html"];

/// Compiles the theme's templates with dossier's functions registered (in an
/// `Arc`, which `render_partial` reaches weakly), `partials` the store of
/// their `render_partial` (see [`partials::Partials::register`]).
pub fn compile(
    theme: &Theme,
    base: &BaseUrl,
    site: &SiteView<'_>,
    cards: &Cards<'_>,
    partials: &Arc<partials::Partials>,
) -> Result<Arc<Tera>, Diagnostics> {
    let mut tera = Tera::default();
    // Tera's defaults, and the social card's SVG (XML, where a headline's
    // `&` or `<` must be escaped like in HTML).
    tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
    tera.set_escape_fn(escape_text);
    functions::register(&mut tera, base);
    functions::register_lookups(&mut tera, cards.lookups());
    partials.register(&mut tera);
    tera.global_context().insert("site", site);
    let sources = theme.templates.iter().map(|t| (t.name.as_str(), t.text.as_str()));
    if let Err(e) = tera.add_raw_templates(sources) {
        let reports = text_reports(&e.to_string(), &theme.templates);
        return Err(if reports.is_empty() {
            std::iter::once(template_error(&e, &theme.templates, None)).collect()
        } else {
            reports
        });
    }
    let author_templates = if site.counts.authors > 0 {
        &AUTHOR_TEMPLATES[..]
    } else {
        &[]
    };
    let search_template = if site.search_url.is_some() {
        &[super::search::SEARCH_TEMPLATE][..]
    } else {
        &[]
    };
    let missing: Diagnostics = (REQUIRED_TEMPLATES.iter().chain(author_templates))
        .filter(|name| !tera.contains_template(name))
        .map(|name| {
            Diagnostic::error(crate::config::FILE_NAME, format!("the theme has no template '{name}'"))
                .with_help("add it to the theme's templates/ folder or to the site's templates/")
        })
        .chain((search_template.iter()).filter(|name| !tera.contains_template(name)).map(|name| {
            Diagnostic::error(crate::config::FILE_NAME, format!("the theme has no template '{name}', which search needs"))
                .with_help("add it to the theme's templates/ folder (dossier theme eject writes the default one), or set search: false")
        }))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let tera = Arc::new(tera);
    partials.ready(&tera);
    Ok(tera)
}

/// Tera's HTML escaping. No value holds a control character, which no page
/// or feed may (no XML 1.0 document can): files cannot hold one raw, YAML
/// refuses escapes that make one (`yaml::parse`), and the Markdown stage
/// drops those that character references make. Debug builds, and so the
/// tests, check that here.
pub(super) fn escape_text(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    debug_assert_eq!(
        crate::control::find_control(input),
        None,
        "a control character reached the template engine: {input:?}"
    );
    tera::escape_html(input, out)
}

/// Tera reports unknown filters, functions and components found while
/// compiling as pre-formatted text (`error: …` then `--> name:line:col`);
/// turn each into a diagnostic at the template's real path.
fn text_reports(text: &str, templates: &[TemplateSource]) -> Diagnostics {
    let mut out = Diagnostics::default();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = Some(m.to_owned());
        } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let (Some(col), Some(line_no), Some(name), Some(msg)) =
                (parts.next(), parts.next(), parts.next(), message.take())
            else {
                continue;
            };
            let (Ok(line_no), Ok(col)) = (line_no.parse::<usize>(), col.parse::<usize>()) else {
                continue;
            };
            let d = match templates.iter().find(|t| t.name == name) {
                Some(t) => Diagnostic::error(&t.origin, msg).at(
                    &t.text,
                    Position {
                        line: line_no,
                        column: col,
                    },
                    1,
                ),
                None => Diagnostic::error(name, msg),
            };
            let help = reference_help(d.message.as_str());
            out.push(d.with_help(help));
        }
    }
    out
}

/// What to do about what Tera could not find while compiling: an unknown
/// filter, test, function or component, or a block no parent template has
/// (a site's own copy of a theme's parent that dropped one of its blocks).
fn reference_help(message: &str) -> String {
    if let Some((block, _)) = message.strip_prefix("Block `").and_then(|m| m.split_once('`')) {
        return format!(
            "add `{{% block {block} %}}{{% endblock {block} %}}` to the template this one extends \
             (a site's templates/ copy of a theme template must keep its blocks), or remove the block here"
        );
    }
    let what = ["filter", "test", "function", "component"]
        .into_iter()
        .find(|what| message.starts_with(&format!("Unknown {what} ")))
        .unwrap_or("filter or function");
    format!("register the {what}, or fix its name (see docs/themes.md)")
}

/// Turns a Tera error into a diagnostic at the template's file and line,
/// with the whole source chain in the message. An error Tera gives no place
/// (a component recursing too deep) is put on the template being rendered.
pub fn template_error(
    error: &tera::Error,
    templates: &[TemplateSource],
    rendering: Option<(&str, &UrlPath)>,
) -> Diagnostic {
    let page = rendering.map(|(_, path)| path);
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let help = page.map(|p| format!("while rendering {p}"));
    let reported = std::iter::successors(Some(error), |e| {
        std::error::Error::source(*e).and_then(|s| s.downcast_ref::<tera::Error>())
    })
    .find(|e| {
        matches!(
            e.kind(),
            tera::ErrorKind::SyntaxError(_) | tera::ErrorKind::RenderingError(_)
        )
    })
    .unwrap_or(error);
    let mut d = match reported.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let template = templates.iter().find(|t| t.name == report.filename());
            let path = template.map_or_else(|| report.filename().into(), |t| t.origin.clone());
            let span = report.span();
            let mut message = report.message().to_owned();
            for c in &chain {
                message.push_str(": ");
                message.push_str(c);
            }
            let d = Diagnostic::error(path, message);
            match template {
                Some(t) => {
                    let width = if span.end_line == span.start_line {
                        span.end_col.saturating_sub(span.start_col)
                    } else {
                        1
                    };
                    d.at(
                        &t.text,
                        Position {
                            line: span.start_line,
                            column: span.start_col + 1,
                        },
                        width,
                    )
                }
                None => d,
            }
        }
        _ => {
            let mut message = error.to_string();
            for c in &chain {
                message.push_str(": ");
                message.push_str(c);
            }
            let template = rendering.and_then(|(name, _)| templates.iter().find(|t| t.name == name));
            match template {
                Some(t) => Diagnostic::error(&t.origin, message),
                None => Diagnostic::error("templates", message),
            }
        }
    };
    d.help = help;
    d
}

#[cfg(test)]
mod tests {
    use super::escape_text;

    #[test]
    fn escaping_escapes_markup_and_keeps_the_rest() {
        let escape = |s: &str| {
            let mut out = Vec::new();
            escape_text(s, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(escape("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(escape("© 2020 — é\tx\n"), "© 2020 — é\tx\n");
    }
}
