//! The Markdown stage: one body in, HTML plus the entities it mentions out.
//!
//! pulldown-cmark parses; dossier's extensions are passes over its events,
//! each a small function: wikilinks resolved through a [`LinkResolver`],
//! refused link schemes, heading ids, GitHub alerts as call-outs, footnotes
//! with page-unique ids, raw HTML per policy, and syntect highlighting.
//! What pulldown-cmark leaves as text although the writer meant markup (a
//! footnote reference without a note, an alert marker of no known kind) is
//! a warning at its line and column. The summary is made of rendered text,
//! never of Markdown source. The stage is pure: it reads nothing but its
//! inputs, so it runs in parallel ([`render_all`]), and a `serve` session
//! can reuse the bodies whose inputs did not change ([`BodyCache`]). Bodies
//! belong to owners this module does not know: it must not import the
//! model, which implements [`LinkResolver`].

mod cache;
pub mod embed;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::config::RawHtml;
use crate::content::Body;
use crate::diag::{Diagnostic, Position, Snippet};
use crate::highlight::Highlighter;
use crate::search::words::WordCounts;
pub use cache::{BodyCache, Recorded};
pub use embed::Embed;

/// What a [`LinkResolver`] answers: the target (if any) and its URL, or a
/// message and an optional help line.
pub type Resolution<T> = Result<(Option<T>, String), (String, Option<String>)>;

/// Resolves `[[wikilink]]` targets; implemented by the model, faked in tests.
pub trait LinkResolver: Sync {
    /// What a link points at, recorded as a mention.
    type Target: Copy + Send + PartialEq;

    /// The target and its URL, or a message and an optional help line. A
    /// `None` target is a link to something whose absence is reported
    /// elsewhere (a file with an error of its own): no message, no mention.
    fn resolve(&self, name: &str) -> Resolution<Self::Target>;

    /// What a link without a `|label` shows of what was written: all of
    /// it, unless the resolver reads part of it as syntax (a kind prefix,
    /// `[[company:TikTok]]` reads "TikTok").
    fn label<'n>(&self, written: &'n str) -> &'n str {
        written
    }

    /// The card of the local document at `path` (from the site root,
    /// `content/briefs/filing.pdf`), which `![Title](filing.pdf)` embeds,
    /// or why there is none. A resolver without documents has none.
    fn document(&self, path: &str) -> DocumentAnswer {
        Err((format!("no PDF at {path}"), None))
    }
}

/// What a body shows of a local document it embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCard {
    /// Where the document is published, from the base URL and ready for a
    /// URL: `media/<hash>.pdf`, or a static file's path (`docs/filing.pdf`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A [`DocumentCard`], or a message and an optional help line.
pub type DocumentAnswer = Result<DocumentCard, (String, Option<String>)>;

/// Settings that shape every body of a build.
#[derive(Debug)]
pub struct MarkdownOptions {
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// The base URL's path (`/` or `/repo/`), prefixed to root-relative links.
    pub link_prefix: String,
    /// Whether an unresolved wikilink is only a warning.
    pub unknown_is_warning: bool,
    /// Whether to count each body's words for the search index.
    pub search: bool,
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    /// The HTML, already sanitized per policy; safe to insert unescaped.
    pub html: String,
    /// The first paragraph as plain text, the stand-in summary.
    pub first_paragraph: String,
    /// The body's words for the search index (empty when search is off).
    pub words: WordCounts,
}

/// What rendering one body produced.
#[derive(Debug)]
pub struct Rendered<T> {
    /// The HTML, shared with a session's body cache (no copy per build).
    pub body: Arc<RenderedBody>,
    /// What its wikilinks point at, in order, without repeats.
    pub mentions: Vec<T>,
    /// The local documents it embeds (paths from the site root), for the
    /// pipeline to publish under `/media/`.
    pub documents: Vec<String>,
    /// Problems found, each at its file line.
    pub diagnostics: Vec<Diagnostic>,
}

/// The Markdown stage: renders every body on all cores, each kept with its
/// owner, in the order given.
pub fn render_all<O: Send, R: LinkResolver>(
    bodies: Vec<(O, Body)>,
    resolver: &R,
    highlighter: &Highlighter,
    options: &MarkdownOptions,
) -> Vec<(O, Rendered<R::Target>)> {
    bodies
        .into_par_iter()
        .map(|(owner, body)| (owner, render(&body, resolver, highlighter, options)))
        .collect()
}

/// `text` in an allocation of its own length when the one it grew in is
/// much larger: a body's HTML lives until its page renders, and the room it
/// was written into was about 40 % more than it used (a shorter `realloc`
/// keeps the block). At 100,000 briefs, 200 MB of peak memory.
fn right_sized(text: String) -> String {
    if text.capacity() - text.len() > text.len() / 8 {
        text.as_str().to_owned()
    } else {
        text
    }
}

/// Renders one body.
pub fn render<R: LinkResolver>(
    body: &Body,
    resolver: &R,
    highlighter: &Highlighter,
    options: &MarkdownOptions,
) -> Rendered<R::Target> {
    let markdown = body.markdown();
    let mut pass = Pass {
        body,
        diagnostics: Vec::new(),
        line_starts: Vec::new(),
    };
    let mut events: Vec<(Event<'_>, Range<usize>)> =
        Parser::new_ext(markdown, parser_options()).into_offset_iter().collect();

    // The policy applies to the writer's HTML only: it runs before links are
    // resolved, so the span marking an unresolved wikilink is never escaped.
    let mut has_raw_html = apply_raw_html_policy(&mut events, options.raw_html);
    if has_raw_html && let Some(range) = too_deep_to_sanitize(&events) {
        pass.error(
            &(range.start..range.start + 1),
            format!(
                "nested too deeply to sanitize raw HTML: more than {MAX_SANITIZED_DEPTH} levels of lists, quotes and HTML elements"
            ),
            Some(
                "flatten the nesting, or remove the raw HTML from this file (nesting is limited only where raw HTML is sanitized)"
                    .to_owned(),
            ),
            false,
        );
        // The build fails; what is rendered meanwhile is still safe.
        apply_raw_html_policy(&mut events, RawHtml::Escape);
        has_raw_html = false;
    }
    let documents = pass.embed(&mut events, resolver, options);
    let mentions = pass.resolve_links(&mut events, resolver, options);
    pass.mark_undefined_footnotes(&mut events);
    pass.check_alerts(&events);
    let mut events: Vec<Event<'_>> = events.into_iter().map(|(e, _)| e).collect();
    let first_paragraph = first_paragraph(&events);
    let words = if options.search {
        WordCounts::of(&searchable_text(&events))
    } else {
        WordCounts::default()
    };
    assign_heading_ids(&mut events);
    render_alerts(&mut events);
    highlight_code(&mut events, highlighter);
    let events = number_footnotes(events);

    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if has_raw_html {
        html = sanitizer().clean(&html).to_string();
    }
    // Only a character reference can make a control character.
    let (html, first_paragraph) = match memchr::memmem::find(markdown.as_bytes(), b"&#") {
        Some(_) => (without_controls(html), without_controls(first_paragraph)),
        None => (html, first_paragraph),
    };
    Rendered {
        body: Arc::new(RenderedBody {
            html: right_sized(html),
            first_paragraph: right_sized(first_paragraph),
            words,
        }),
        mentions,
        documents,
        diagnostics: pass.diagnostics,
    }
}

/// The words a reader sees in a body, for the search index: its text and
/// inline code, with a space between blocks and at line breaks (inline
/// markup joins: `a*b*` reads "ab"). Raw HTML and embeds are not text.
fn searchable_text(events: &[Event<'_>]) -> String {
    let inline = |tag: &TagEnd| {
        matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        )
    };
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::Start(tag) if inline(&tag.to_end()) => {}
            Event::End(tag) if inline(tag) => {}
            _ => text.push(' '),
        }
    }
    text
}

/// `text` without control characters. A file cannot hold one raw, but a
/// numeric character reference (`&#1;`, `&#x85;`) in text, a link or an
/// image makes one, and no page or feed may hold one (tabs and line breaks
/// stay).
fn without_controls(mut text: String) -> String {
    if crate::control::find_control(&text).is_some() {
        text.retain(|c| !crate::control::is_refused_control(c));
    }
    text
}

/// The pulldown-cmark options of SPEC §3, in one place.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

struct Pass<'b> {
    body: &'b Body,
    diagnostics: Vec<Diagnostic>,
    /// Where each line of the body starts, made at the first diagnostic: a
    /// body with thousands of them is not read from its start for each.
    line_starts: Vec<usize>,
}

impl Pass<'_> {
    fn error(&mut self, range: &Range<usize>, message: String, help: Option<String>, warning: bool) {
        let markdown = self.body.markdown();
        if self.line_starts.is_empty() {
            self.line_starts = crate::diag::lines_with_endings(markdown)
                .scan(0, |start, line| {
                    let this = *start;
                    *start += line.len();
                    Some(this)
                })
                .collect();
        }
        // The line holding `range.start`, with its ending.
        let index = self
            .line_starts
            .partition_point(|&s| s <= range.start)
            .saturating_sub(1);
        let line_start = self.line_starts.get(index).copied().unwrap_or(0);
        let line_end = self.line_starts.get(index + 1).copied().unwrap_or(markdown.len());
        let line = &markdown[line_start..line_end];
        let first_line = self.body.first_line + index;
        let position = Position::of_offset(line, range.start.saturating_sub(line_start), first_line);
        let width = markdown
            .get(range.clone())
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        let mut d = Diagnostic::error(&self.body.path, message);
        d.position = Some(position);
        d.snippet = Snippet::from_line(line, position.line + 1 - first_line, width).map(|s| s.around(position.column));
        d.help = help;
        if warning {
            d = d.into_warning();
        }
        self.diagnostics.push(d);
    }

    /// Turns images that are embeds (SPEC §3) into players and document
    /// cards; returns the local documents embedded, without repeats. An
    /// embed must be alone in its paragraph (a figure cannot sit in a line
    /// of text); a provider URL of no known shape, an embed without a title
    /// and a document the resolver does not have are errors at the image.
    fn embed<R: LinkResolver>(
        &mut self,
        events: &mut Vec<(Event<'_>, Range<usize>)>,
        resolver: &R,
        options: &MarkdownOptions,
    ) -> Vec<String> {
        let mut documents: Vec<String> = Vec::new();
        if memchr::memmem::find(self.body.markdown().as_bytes(), b"![").is_none() {
            return documents;
        }
        let mut i = 0;
        while i < events.len() {
            let (Event::Start(Tag::Image { dest_url, .. }), range) = &events[i] else {
                i += 1;
                continue;
            };
            let (url, range) = (dest_url.to_string(), range.clone());
            let target = match local_document(&url) {
                Some(written) => EmbedTarget::Document(written),
                None => match Embed::parse(&url) {
                    Ok(Some(embed)) => EmbedTarget::Player(embed),
                    Ok(None) => {
                        i += 1;
                        continue;
                    }
                    Err(unknown) => {
                        self.error(
                            &range,
                            format!("{} link of no shape dossier can embed: {url}", unknown.provider),
                            Some(format!(
                                "embeds take the forms {}; to link to this page instead, drop the `!`: [title](url)",
                                unknown.expected
                            )),
                            false,
                        );
                        i += 1;
                        continue;
                    }
                },
            };
            let end = image_end(events, i);
            let title = plain_text(&events[i + 1..end]);
            let alone = i > 0
                && matches!(events[i - 1].0, Event::Start(Tag::Paragraph))
                && matches!(events.get(end + 1), Some((Event::End(TagEnd::Paragraph), _)));
            let what = match &target {
                EmbedTarget::Document(_) => "document",
                EmbedTarget::Player(_) => "embed",
            };
            if title.trim().is_empty() {
                self.error(
                    &range,
                    format!("this {what} has no title"),
                    Some("write what it is between the brackets, `![Hearing video](…)`: it is what readers (and screen readers) see before they open it".to_owned()),
                    false,
                );
            }
            if !alone {
                self.error(
                    &range,
                    format!("an {what} must be alone in its paragraph"),
                    Some("put it on a line of its own, with a blank line before and after".to_owned()),
                    false,
                );
                i = end + 1;
                continue;
            }
            let html = match target {
                EmbedTarget::Player(embed) => embed.placeholder(title.trim()),
                EmbedTarget::Document(written) => match self.document_key(&written) {
                    Err((message, help)) => {
                        self.error(&range, message, Some(help.to_owned()), false);
                        i = end + 1;
                        continue;
                    }
                    Ok(key) => match resolver.document(&key) {
                        Ok(card) => {
                            if !documents.contains(&key) {
                                documents.push(key);
                            }
                            document_card(title.trim(), &card, &options.link_prefix)
                        }
                        Err((message, help)) => {
                            self.error(&range, message, help, false);
                            i = end + 1;
                            continue;
                        }
                    },
                },
            };
            events.splice(i - 1..=end + 1, [(Event::Html(CowStr::from(html)), range)]);
        }
        documents
    }

    /// The path from the site root of a document written `written` in this
    /// body: beside the body's file, or under `static/` if it starts with
    /// `/`. Climbing with `..` is refused (a brief may not publish a file
    /// from anywhere else on the machine).
    fn document_key(&self, written: &str) -> Result<String, (String, &'static str)> {
        let (folder, rest) = match written.strip_prefix('/') {
            Some(rest) => ("static".to_owned(), rest),
            None => {
                let parent = self.body.path.parent().unwrap_or(Path::new(""));
                let parts: Option<Vec<&str>> = parent.components().map(|c| c.as_os_str().to_str()).collect();
                (parts.map(|p| p.join("/")).unwrap_or_default(), written)
            }
        };
        let mut key = folder;
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err((
                        format!("the document {written} climbs out of its folder with `..`"),
                        "put the PDF beside the brief and write its file name, or under static/ and write /its/path.pdf",
                    ));
                }
                part => {
                    if !key.is_empty() {
                        key.push('/');
                    }
                    key.push_str(part);
                }
            }
        }
        Ok(key)
    }

    /// Resolves wikilinks, prefixes root-relative links and refuses dangerous schemes.
    fn resolve_links<R: LinkResolver>(
        &mut self,
        events: &mut [(Event<'_>, Range<usize>)],
        resolver: &R,
        options: &MarkdownOptions,
    ) -> Vec<R::Target> {
        let mut mentions: Vec<R::Target> = Vec::new();
        let mut broken_link_open = false;
        // The text a wikilink without a label shows, when the resolver
        // shortens what was written.
        let mut relabel: Option<String> = None;
        for (event, range) in events.iter_mut() {
            match event {
                Event::Text(text) if relabel.is_some() => {
                    if let Some(label) = relabel.take() {
                        *text = CowStr::from(label);
                    }
                }
                Event::Start(Tag::Link {
                    link_type: LinkType::WikiLink { has_pothole },
                    dest_url,
                    ..
                }) => match resolver.resolve(dest_url) {
                    Ok((target, href)) => {
                        mentions.extend(target);
                        let label = resolver.label(dest_url);
                        if !*has_pothole && label.len() != dest_url.len() {
                            relabel = Some(label.to_owned());
                        }
                        *dest_url = CowStr::from(href);
                    }
                    Err((message, help)) => {
                        self.error(range, message, help, options.unknown_is_warning);
                        *event = Event::Html(CowStr::Borrowed("<span class=\"unresolved\">"));
                        broken_link_open = true;
                    }
                },
                Event::End(TagEnd::Link) if broken_link_open => {
                    *event = Event::Html(CowStr::Borrowed("</span>"));
                    broken_link_open = false;
                }
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    if let Some(scheme) = dangerous_scheme(dest_url) {
                        self.error(
                            range,
                            format!("link target uses the refused '{scheme}' scheme"),
                            Some(
                                "link to an http(s) page instead; these schemes run code in a reader's browser"
                                    .to_owned(),
                            ),
                            false,
                        );
                        *dest_url = CowStr::Borrowed("#refused");
                    } else if dest_url.starts_with('/') && !dest_url.starts_with("//") && options.link_prefix != "/" {
                        *dest_url = CowStr::from(format!("{}{}", options.link_prefix, &dest_url[1..]));
                    }
                }
                _ => {}
            }
        }
        let mut unique = Vec::with_capacity(mentions.len());
        for m in mentions {
            if !unique.contains(&m) {
                unique.push(m);
            }
        }
        unique
    }

    /// Warns about each footnote reference without a definition, which
    /// pulldown-cmark leaves as text (`[`, `^9`, `]`), and puts the literal
    /// in a span in its place: the page still shows it, as it shows an
    /// unresolved wikilink, but the summary (made of text only) leaves it out.
    fn mark_undefined_footnotes(&mut self, events: &mut Vec<(Event<'_>, Range<usize>)>) {
        let body = self.body;
        let markdown = body.markdown();
        if memchr::memmem::find(markdown.as_bytes(), b"[^").is_none() {
            return;
        }
        // (first event, number of events, bytes) of each reference.
        let mut found: Vec<(usize, usize, Range<usize>)> = Vec::new();
        let mut i = 0;
        while i < events.len() {
            match literal_footnote_reference(markdown, &events[i..]) {
                Some((count, range)) => {
                    found.push((i, count, range));
                    i += count;
                }
                None => i += 1,
            }
        }
        if found.is_empty() {
            return;
        }
        let defined: Vec<&str> = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Start(Tag::FootnoteDefinition(label)) => Some(label.as_ref()),
                _ => None,
            })
            .collect();
        for (_, _, range) in &found {
            let label = &markdown[range.start + 2..range.end - 1];
            self.error(
                range,
                format!("footnote [^{label}] has no definition"),
                Some(undefined_footnote_help(label, &defined)),
                true,
            );
        }
        // One pass, however many references there are.
        let mut marked = Vec::with_capacity(events.len());
        let mut found = found.into_iter().peekable();
        let mut skip_to = 0;
        for (i, event) in std::mem::take(events).into_iter().enumerate() {
            if let Some((_, count, range)) = found.next_if(|(first, _, _)| *first == i) {
                let html = format!(
                    "<span class=\"unresolved\">{}</span>",
                    escape_attr(&markdown[range.clone()])
                );
                marked.push((Event::Html(CowStr::from(html)), range));
                skip_to = i + count;
            }
            if i >= skip_to {
                marked.push(event);
            }
        }
        *events = marked;
    }

    /// Warns about a quote that starts like a GitHub alert but is not one
    /// (`> [!NOTES]`, or text after `> [!NOTE]` on its line): pulldown-cmark
    /// makes it a plain quote showing the marker.
    fn check_alerts(&mut self, events: &[(Event<'_>, Range<usize>)]) {
        let body = self.body;
        let markdown = body.markdown();
        // Most bodies hold no alert marker at all: one fast scan skips them.
        if memchr::memmem::find(markdown.as_bytes(), b"[!").is_none() {
            return;
        }
        for window in events.windows(3) {
            if let [
                (Event::Start(Tag::BlockQuote(None)), _),
                (Event::Start(Tag::Paragraph), paragraph),
                (Event::Text(first), _),
            ] = window
                && first.starts_with('[')
                && let Some(mistake) = alert_mistake(&markdown[paragraph.start..])
            {
                let start = paragraph.start;
                self.error(
                    &(start..start + mistake.marker.len()),
                    mistake.message,
                    Some(mistake.help),
                    true,
                );
            }
        }
    }
}

/// If `events` start with a footnote reference left as text (`[^9]` whose
/// note is not defined), how many events it spans and its bytes in `markdown`.
fn literal_footnote_reference(markdown: &str, events: &[(Event<'_>, Range<usize>)]) -> Option<(usize, Range<usize>)> {
    let (Event::Text(open), range) = events.first()? else {
        return None;
    };
    if open.as_ref() != "[" || markdown.get(range.clone()) != Some("[") {
        return None;
    }
    let start = range.start;
    // An escaped `\[` is the writer asking for the text: no warning.
    let backslashes = markdown[..start].bytes().rev().take_while(|&b| b == b'\\').count();
    if backslashes % 2 == 1 {
        return None;
    }
    let label = footnote_label(markdown[start..].strip_prefix("[^")?)?;
    let end = start + 2 + label.len() + 1;
    // The label and `]` are text too, as pulldown-cmark split them.
    for (n, (event, range)) in events.iter().enumerate().skip(1) {
        if !matches!(event, Event::Text(_)) || range.end > end {
            return None;
        }
        if range.end == end {
            return Some((n + 1, start..end));
        }
    }
    None
}

/// What an image can embed.
enum EmbedTarget {
    /// A provider's player.
    Player(Embed),
    /// A local PDF, as written.
    Document(String),
}

/// The path of a local PDF, if `url` is one: no scheme, no host, ending in
/// `.pdf` (any case) before any query or fragment.
fn local_document(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let is_pdf = path.len() > 4
        && path
            .get(path.len() - 4..)
            .is_some_and(|x| x.eq_ignore_ascii_case(".pdf"));
    let has_scheme = path.find(':').is_some_and(|colon| !path[..colon].contains('/'));
    (is_pdf && !has_scheme && !path.starts_with("//") && !path.contains('\\')).then(|| path.to_owned())
}

/// The index of the `End(Image)` closing the image opened at `start`.
fn image_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// The text of `events`, as an image's alt text shows it.
fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// The card of a local document: its title, size and a link to the copy
/// under `/media/`.
fn document_card(title: &str, card: &DocumentCard, link_prefix: &str) -> String {
    format!(
        "<figure class=\"document\">\n<a class=\"document-link\" href=\"{prefix}{path}\">\
         <span class=\"document-kind\" aria-hidden=\"true\">PDF</span> \
         <span class=\"document-title\">{title}</span> \
         <span class=\"document-meta\">Download PDF, {size}</span></a>\n</figure>\n",
        prefix = escape_attr(link_prefix),
        path = escape_attr(&card.path),
        title = escape_attr(title),
        size = human_size(card.size),
    )
}

/// A size as readers read it: "880 bytes", "12 kB", "1.2 MB" (powers of 1000).
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0..1000 => format!("{bytes} bytes"),
        1000..1_000_000 => format!("{} kB", (bytes + 500) / 1000),
        _ => {
            let tenths = (bytes + 50_000) / 100_000;
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    }
}

/// The label of a footnote reference, from the text after its `[^`: up to
/// the `]` on the same line, as pulldown-cmark would take it had the note
/// been defined (labels with brackets or backslashes, only spaces or over
/// 999 characters are not). Reads at most a label's length of `after_caret`.
fn footnote_label(after_caret: &str) -> Option<&str> {
    let close = after_caret
        .bytes()
        .take(4 * 1000)
        .position(|b| matches!(b, b']' | b'[' | b'\\' | b'\n' | b'\r'))?;
    let label = &after_caret[..close];
    let plain = after_caret.as_bytes()[close] == b']' && !label.trim().is_empty() && label.chars().count() < 1000;
    plain.then_some(label)
}

/// At most this many notes are compared with an undefined reference's label
/// for a "did you mean": a brief has a handful, and a file with thousands
/// must not take the square of that.
const MAX_NOTES_FOR_SUGGESTIONS: usize = 100;

/// How to fix a reference to `label`, which none of the `defined` notes has.
fn undefined_footnote_help(label: &str, defined: &[&str]) -> String {
    let add = format!("add the note on a line of its own, `[^{label}]: …`, or remove the reference");
    let near = match defined.len() {
        0..=MAX_NOTES_FOR_SUGGESTIONS => crate::diag::closest(label, defined.iter().copied()),
        _ => None,
    };
    match near {
        Some(near) => format!("did you mean [^{near}]? Otherwise {add}"),
        None => add,
    }
}

/// The five kinds of GitHub alert (SPEC §3), as written in the marker.
const ALERT_KINDS: [&str; 5] = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"];

/// What is wrong with a quote's first paragraph that starts like an alert.
#[derive(Debug, PartialEq)]
struct AlertMistake<'a> {
    /// The marker as written, `[!NOTES]`.
    marker: &'a str,
    message: String,
    help: String,
}

/// The mistake in an alert marker at the start of `paragraph`, if it starts
/// with one: a kind that is none of the five, or text after a good marker
/// on its line. A kind in any case is an alert, as on GitHub
/// (pulldown-cmark accepts `[!note]`).
fn alert_mistake(paragraph: &str) -> Option<AlertMistake<'_>> {
    let line = paragraph.split(['\n', '\r']).next().unwrap_or("");
    let inner = line.strip_prefix("[!")?;
    let close = inner.find(']')?;
    let kind = &inner[..close];
    let word = kind.trim();
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let marker = &line[..close + 3];
    if ALERT_KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        if inner[close + 1..].trim().is_empty() {
            return None;
        }
        return Some(AlertMistake {
            marker,
            message: format!(
                "text after the alert marker {marker} on its line makes this a plain quote: the marker must be alone on its line"
            ),
            help: format!("put `> {marker}` on a line of its own and start the text on the next line, `> …`"),
        });
    }
    let help = match crate::diag::closest(word, ALERT_KINDS) {
        Some(kind) => format!("did you mean [!{kind}]?"),
        None => format!("use one of the five kinds, or write \\{marker} to show the brackets as text"),
    };
    Some(AlertMistake {
        marker,
        message: format!(
            "unknown alert kind {marker}, shown as a plain quote: expected [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]"
        ),
        help,
    })
}

/// The scheme of a URL that must never reach a page, if `url` has one.
pub fn dangerous_scheme(url: &str) -> Option<&'static str> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .into_iter()
        .find(|s| cleaned.starts_with(s))
}

/// Applies the raw HTML policy; returns whether sanitizing is still needed.
fn apply_raw_html_policy(events: &mut [(Event<'_>, Range<usize>)], policy: RawHtml) -> bool {
    let mut found = false;
    for (event, _) in events.iter_mut() {
        if let Event::Html(html) | Event::InlineHtml(html) = event {
            found = true;
            if policy == RawHtml::Escape {
                *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
            }
        }
    }
    found && policy == RawHtml::Sanitize
}

/// How deep a body that needs sanitizing may nest: lists, quotes, emphasis
/// and raw HTML elements together (markdown-it's default limit is 100 too).
///
/// The sanitizer's HTML parser (html5ever) checks the stack of open elements
/// for every tag, as the HTML standard says, so its time grows with the
/// square of the depth (BENCHMARKS.md). At 100 levels it stays linear in
/// the size of the body, with a small factor.
pub const MAX_SANITIZED_DEPTH: usize = 100;

/// Where a body first nests deeper than [`MAX_SANITIZED_DEPTH`], if it does;
/// counts Markdown containers and the tags in raw HTML, in one pass.
fn too_deep_to_sanitize(events: &[(Event<'_>, Range<usize>)]) -> Option<Range<usize>> {
    let mut markdown_depth = 0usize;
    let mut html_depth = 0usize;
    for (event, range) in events {
        let peak = match event {
            Event::Start(_) => {
                markdown_depth += 1;
                markdown_depth + html_depth
            }
            Event::End(_) => {
                markdown_depth = markdown_depth.saturating_sub(1);
                0
            }
            Event::Html(html) | Event::InlineHtml(html) => markdown_depth + raw_html_depth(html, &mut html_depth),
            _ => 0,
        };
        if peak > MAX_SANITIZED_DEPTH {
            return Some(range.clone());
        }
    }
    None
}

/// Elements not counted: void elements, and those whose end tag may be left
/// out (the parser closes them itself, so counting their start tags would
/// overcount; the lists and tables around them are counted).
const FLAT_ELEMENTS: [&str; 32] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rb",
    "rt", "rtc", "rp",
];

/// Follows the start and end tags of a raw HTML fragment, updating `depth`
/// (the open elements of earlier fragments); returns the deepest it got.
///
/// An estimate that is cheap and errs on the deep side: attribute values
/// holding `<` may count as tags; comments are skipped.
fn raw_html_depth(html: &str, depth: &mut usize) -> usize {
    let mut peak = *depth;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let (closing, name) = match rest.strip_prefix('/') {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let len = name
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .unwrap_or(name.len());
        let name = &name[..len];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || FLAT_ELEMENTS.iter().any(|flat| flat.eq_ignore_ascii_case(name))
        {
            continue;
        }
        if closing {
            *depth = depth.saturating_sub(1);
        } else {
            *depth += 1;
            peak = peak.max(*depth);
        }
    }
    peak
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes([
            "class",
            "id",
            "role",
            "aria-label",
            "aria-hidden",
            "title",
            "lang",
            "dir",
        ])
        .add_tags([
            "aside",
            "section",
            "figure",
            "figcaption",
            "details",
            "summary",
            "input",
            "mark",
            "time",
            "abbr",
        ])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .add_tag_attributes("time", ["datetime"])
        // An embed's placeholder (SPEC §3); `data-embed` only ever holds a
        // player URL dossier writes, so raw HTML cannot aim the theme's
        // script at another page.
        .add_tag_attributes("a", ["data-embed", "data-title"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "data-embed") if !embed::is_player_url(value) => None,
            _ => Some(value.into()),
        })
        .link_rel(None);
        b
    })
}

/// The text of the first top-level paragraph.
fn first_paragraph(events: &[Event<'_>]) -> String {
    let mut depth = 0usize;
    let mut text = String::new();
    let mut inside = false;
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) | Tag::Table(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition | TagEnd::Table) => {
                depth = depth.saturating_sub(1)
            }
            Event::Text(t) | Event::Code(t) if inside => text.push_str(t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    text
}

/// Gives every heading an id: its `{#id}` or a unique slug of its text.
///
/// Heading attributes (`{#id .class key=value}`) come from writers we may not
/// know: arbitrary `key=value` pairs are dropped (they could be `onclick`),
/// classes and ids keep only characters that cannot break out.
/// Id prefixes of footnotes, their back links and side notes, which
/// generated heading ids must not start with.
const NOTE_ID_PREFIXES: [&str; 3] = ["fn-", "fnref-", "sn-"];

fn assign_heading_ids(events: &mut [Event<'_>]) {
    for event in events.iter_mut() {
        if let Event::Start(Tag::Heading { id, classes, attrs, .. }) = event {
            attrs.clear();
            classes.retain(|c| is_plain_name(c));
            if id.as_ref().is_some_and(|i| !is_plain_name(i)) {
                *id = None;
            }
            // `{#fn-1}` would give two elements a note's id: the heading's
            // id gets a prefix, like a generated one.
            if let Some(explicit) = id.as_ref()
                && NOTE_ID_PREFIXES.iter().any(|p| explicit.starts_with(p))
            {
                *id = Some(CowStr::from(format!("h-{explicit}")));
            }
        }
    }
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = slug::slugify(&text);
            let base = if base.is_empty() {
                "section".to_owned()
            } else if NOTE_ID_PREFIXES.iter().any(|p| base.starts_with(p)) {
                // "## Fn- notes" must not take a note's id; no suffix would
                // change the prefix, so the heading gets one of its own.
                format!("h-{base}")
            } else {
                base
            };
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                n += 1;
                candidate = format!("{base}-{n}");
            }
            used.insert(candidate.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(candidate));
            }
        }
        i += 1;
    }
}

/// Letters, digits, `-` and `_` only.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Renders GitHub alerts as labelled call-outs.
fn render_alerts(events: &mut [Event<'_>]) {
    for event in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = alert_label(*kind);
                *event = Event::Html(CowStr::from(format!(
                    "<aside class=\"callout callout-{class}\" role=\"note\" aria-label=\"{label}\">\n<p class=\"callout-title\">{label}</p>\n"
                )));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => *event = Event::Html(CowStr::Borrowed("</aside>\n")),
            _ => {}
        }
    }
}

fn alert_label(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// Replaces fenced code in a known language with highlighted markup.
fn highlight_code(events: &mut Vec<Event<'_>>, highlighter: &Highlighter) {
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) = &events[i] {
            let lang = lang.split([' ', ',']).next().unwrap_or("").to_owned();
            let end = (i..events.len())
                .find(|&j| matches!(events[j], Event::End(TagEnd::CodeBlock)))
                .unwrap_or(events.len() - 1);
            let code: String = events[i + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            if let Some(html) = highlighter.highlight(&code, &lang) {
                let block = format!(
                    "<pre class=\"code\" data-lang=\"{}\"><code>{html}</code></pre>\n",
                    escape_attr(&lang)
                );
                events.splice(i..=end, [Event::Html(CowStr::from(block))]);
            }
        }
        i += 1;
    }
}

/// Escapes text for an HTML attribute value.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// Numbers footnotes in order of first reference and gives them page-unique
/// ids: `fnref-N` in the text, `sn-N` for the side note placed after the
/// top-level block that first cites it (a `<details>`: a margin note on wide
/// screens, an expandable note on phones), and `fn-N` in the endnotes list
/// kept at the end for print and readers without CSS.
fn number_footnotes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // Most bodies have no notes: hand them on without copying their events.
    let notes = |e: &Event<'_>| {
        matches!(
            e,
            Event::FootnoteReference(_) | Event::Start(Tag::FootnoteDefinition(_))
        )
    };
    if !events.iter().any(notes) {
        return events;
    }
    let (body, definitions) = split_definitions(events);
    if !body.iter().any(|e| matches!(e, Event::FootnoteReference(_))) {
        return body;
    }
    let definition = |label: &str| definitions.iter().find(|(l, _)| l == label).map(|(_, d)| d);
    let mut out = Vec::with_capacity(body.len() + definitions.iter().map(|(_, d)| 2 * d.len() + 4).sum::<usize>());
    let mut order: Vec<(String, usize)> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    for event in body {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let ends_block = depth == 0 && matches!(event, Event::End(_));
        if let Event::FootnoteReference(label) = &event {
            if definition(label).is_none() {
                out.push(Event::Text(CowStr::from(format!("[^{label}]"))));
                continue;
            }
            let n = match order.iter().position(|(l, _)| l == label.as_ref()) {
                Some(i) => i + 1,
                None => {
                    order.push((label.to_string(), 0));
                    pending.push(order.len());
                    order.len()
                }
            };
            order[n - 1].1 += 1;
            let seen = order[n - 1].1;
            let suffix = if seen > 1 { format!("-{seen}") } else { String::new() };
            out.push(Event::Html(CowStr::from(format!(
                "<sup class=\"fn-ref\" id=\"fnref-{n}{suffix}\"><a href=\"#sn-{n}\" role=\"doc-noteref\">{n}</a></sup>"
            ))));
            continue;
        }
        out.push(event);
        if ends_block {
            for n in pending.drain(..) {
                push_side_note(
                    &mut out,
                    n,
                    definition(&order[n - 1].0).expect("only defined notes are numbered"),
                );
            }
        }
    }
    for n in pending.drain(..) {
        push_side_note(
            &mut out,
            n,
            definition(&order[n - 1].0).expect("only defined notes are numbered"),
        );
    }
    out.push(Event::Html(CowStr::Borrowed(
        "<section class=\"footnotes\" role=\"doc-endnotes\" aria-label=\"Notes\">\n<ol>\n",
    )));
    for (i, (label, _)) in order.iter().enumerate() {
        let n = i + 1;
        out.push(Event::Html(CowStr::from(format!("<li id=\"fn-{n}\">\n"))));
        out.extend(definition(label).into_iter().flatten().cloned());
        out.push(Event::Html(CowStr::from(format!(
            "<a href=\"#fnref-{n}\" class=\"fn-back\" role=\"doc-backlink\" aria-label=\"Back to note {n} in the text\">↩</a>\n</li>\n"
        ))));
    }
    out.push(Event::Html(CowStr::Borrowed("</ol>\n</section>\n")));
    out
}

/// Takes footnote definitions out of the event stream, by label.
fn split_definitions(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<(String, Vec<Event<'_>>)>) {
    let mut definitions = Vec::new();
    let mut body = Vec::with_capacity(events.len());
    let mut current: Option<(String, Vec<Event<'_>>)> = None;
    for event in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => current = Some((label.to_string(), Vec::new())),
            Event::End(TagEnd::FootnoteDefinition) => definitions.extend(current.take()),
            other => match &mut current {
                Some((_, inner)) => inner.push(other),
                None => body.push(other),
            },
        }
    }
    (body, definitions)
}

fn push_side_note<'a>(out: &mut Vec<Event<'a>>, n: usize, definition: &[Event<'a>]) {
    out.push(Event::Html(CowStr::from(format!(
        "<details class=\"sidenote\" id=\"sn-{n}\">\n<summary><span class=\"sn-num\">{n}</span> <span class=\"sn-label\">Note</span></summary>\n<div class=\"sn-body\">\n"
    ))));
    out.extend(definition.iter().cloned());
    out.push(Event::Html(CowStr::Borrowed("</div>\n</details>\n")));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A three-line fake: knows "aws" and nothing else.
    struct Fake;
    impl LinkResolver for Fake {
        type Target = u8;
        fn label<'n>(&self, written: &'n str) -> &'n str {
            written.strip_prefix("company:").unwrap_or(written)
        }
        fn document(&self, path: &str) -> DocumentAnswer {
            match path {
                "filing.pdf" | "static/docs/x.pdf" => Ok(DocumentCard {
                    path: "media/abc.pdf".to_owned(),
                    size: 1_234_567,
                }),
                _ => Err((format!("no PDF at {path}"), None)),
            }
        }
        fn resolve(&self, name: &str) -> Resolution<u8> {
            match name.to_lowercase().as_str() {
                "aws" | "company:aws" => Ok((Some(1), "/companies/aws/".to_owned())),
                _ => Err((
                    format!("unknown reference '{name}'"),
                    Some("did you mean 'aws'?".to_owned()),
                )),
            }
        }
    }

    /// A body of `markdown` in a page file, for the tests here and in `cache`.
    pub(super) fn body(markdown: &str) -> Body {
        crate::content::parse_file::<crate::content::raw::RawPage>(
            PathBuf::from("b.md"),
            format!("---\ntitle: t\n---\n{markdown}"),
        )
        .unwrap()
        .file
        .into_body()
    }

    fn run(markdown: &str, raw_html: RawHtml) -> Rendered<u8> {
        let options = MarkdownOptions {
            raw_html,
            link_prefix: "/repo/".to_owned(),
            unknown_is_warning: false,
            search: true,
        };
        render(&body(markdown), &Fake, &Highlighter::default(), &options)
    }

    #[test]
    fn a_video_alone_in_its_paragraph_becomes_a_placeholder() {
        let r = run(
            "Intro.\n\n![Hearing *video*](https://youtu.be/dQw4w9WgXcQ?t=90)\n",
            RawHtml::Sanitize,
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let html = &r.body.html;
        assert!(
            html.contains("<figure class=\"embed embed-youtube\">\n<a class=\"embed-link\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=90s\" data-embed=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90\" data-title=\"Hearing video\">"),
            "{html}"
        );
        assert!(!html.contains("<p><figure") && !html.contains("<img"), "{html}");
    }

    #[test]
    fn raw_html_keeps_dossiers_placeholders_but_not_forged_ones() {
        let markdown = "<sup>1</sup>\n\n![Talk](https://vimeo.com/76979871)\n\n<a class=\"embed-link\" href=\"/x\" data-embed=\"https://evil.example/\">forged</a>\n";
        let html = run(markdown, RawHtml::Sanitize).body.html.clone();
        assert!(
            html.contains("data-embed=\"https://player.vimeo.com/video/76979871\""),
            "{html}"
        );
        assert!(!html.contains("evil.example"), "{html}");
        let escaped = run(markdown, RawHtml::Escape).body.html.clone();
        assert!(escaped.contains("<figure class=\"embed embed-vimeo\">"), "{escaped}");
    }

    #[test]
    fn a_body_has_a_placeholder_only_when_it_shows_a_player() {
        let player = run("![Talk](https://vimeo.com/76979871)\n", RawHtml::Sanitize);
        assert!(embed::has_placeholder(&player.body.html), "{}", player.body.html);
        let forged = "<a class=\"embed-link\" href=\"/x\" data-embed=\"https://evil.example/\">forged</a>";
        let mentions = format!(
            "`{forged}` and [a](/x \"{}\")\n\n```html\n{forged}\n```\n\n{forged}\n",
            forged.replace('"', "\\\"")
        );
        let html = run(&mentions, RawHtml::Sanitize).body.html.clone();
        assert!(!embed::has_placeholder(&html), "{html}");
        let html = run(&mentions, RawHtml::Escape).body.html.clone();
        assert!(!embed::has_placeholder(&html), "{html}");
    }

    #[test]
    fn embed_mistakes_are_errors_at_the_image() {
        let r = run(
            "Intro.\n\n![Trending](https://www.youtube.com/feed/trending)\n",
            RawHtml::Sanitize,
        );
        let d = &r.diagnostics[0];
        assert!(d.is_error() && d.message.contains("YouTube link of no shape"), "{d}");
        assert_eq!(d.position, Some(Position { line: 6, column: 1 }), "{d}");
        assert!(d.help.as_deref().unwrap_or("").contains("youtu.be/ID"), "{d}");

        let r = run("See ![clip](https://youtu.be/dQw4w9WgXcQ) inline.", RawHtml::Sanitize);
        assert!(
            r.diagnostics[0].message.contains("alone in its paragraph"),
            "{:?}",
            r.diagnostics
        );
        let r = run("![](https://youtu.be/dQw4w9WgXcQ)", RawHtml::Sanitize);
        assert!(r.diagnostics[0].message.contains("no title"), "{:?}", r.diagnostics);
        let r = run("![A photo](https://example.org/a.jpg)", RawHtml::Sanitize);
        assert!(
            r.diagnostics.is_empty() && r.body.html.contains("<img"),
            "other URLs stay images"
        );
    }

    #[test]
    fn a_local_pdf_becomes_a_document_card() {
        let r = run(
            "![The filing](filing.pdf)\n\n![Again](./filing.pdf)\n\n![X](/docs/x.pdf)",
            RawHtml::Sanitize,
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.documents, ["filing.pdf", "static/docs/x.pdf"]);
        let html = &r.body.html;
        assert!(
            html.contains("<a class=\"document-link\" href=\"/repo/media/abc.pdf\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"document-title\">The filing</span>"),
            "{html}"
        );
        assert!(html.contains("Download PDF, 1.2 MB"), "{html}");

        for (markdown, message) in [
            ("![Up](../secret.pdf)", "climbs out"),
            ("![Missing](nope.pdf)", "no PDF at nope.pdf"),
        ] {
            let r = run(markdown, RawHtml::Sanitize);
            assert!(
                r.diagnostics[0].message.contains(message),
                "{markdown}: {:?}",
                r.diagnostics
            );
            assert_eq!(r.diagnostics[0].position.map(|p| p.column), Some(1));
            assert!(r.documents.is_empty());
        }
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(880), "880 bytes");
        assert_eq!(human_size(12_345), "12 kB");
        assert_eq!(human_size(1_234_567), "1.2 MB");
        assert_eq!(human_size(999_999), "1000 kB");
    }

    #[test]
    fn character_references_make_no_control_characters() {
        let markdown =
            "Nul &#1; next &#x85; tab &#9; [a &#27;](https://x.example/&#1; \"t &#7;\") ![i &#1;](/i.png)\n\n`&#1;`\n";
        for raw_html in [RawHtml::Sanitize, RawHtml::Escape, RawHtml::Allow] {
            let out = run(markdown, raw_html);
            assert_eq!(
                crate::control::find_control(&out.body.html),
                None,
                "{:?}",
                out.body.html
            );
            assert_eq!(out.body.first_paragraph.matches('\t').count(), 1);
            assert_eq!(crate::control::find_control(&out.body.first_paragraph), None);
            assert!(out.body.html.contains("<code>&amp;#1;</code>"), "{}", out.body.html);
        }
    }

    #[test]
    fn wikilinks_resolve_and_count_as_mentions() {
        let r = run("See [[AWS]] and [[aws|Amazon]].", RawHtml::Sanitize);
        assert!(
            r.body.html.contains("<a href=\"/companies/aws/\">AWS</a>"),
            "{}",
            r.body.html
        );
        assert!(r.body.html.contains(">Amazon</a>"), "{}", r.body.html);
        assert_eq!(r.mentions, vec![1]);
    }

    #[test]
    fn a_typed_wikilink_reads_without_its_kind() {
        let r = run("See [[company:AWS]], [[company:AWS|Amazon]].", RawHtml::Sanitize);
        assert!(r.body.html.contains("\">AWS</a>, <a"), "{}", r.body.html);
        assert!(r.body.html.contains(">Amazon</a>"), "{}", r.body.html);
    }

    #[test]
    fn unknown_wikilinks_are_errors_at_their_line() {
        let r = run("First line.\n\nSee [[Nope]].", RawHtml::Sanitize);
        let d = &r.diagnostics[0];
        assert_eq!(d.position, Some(Position { line: 6, column: 5 }), "{d}");
        assert_eq!(d.help.as_deref(), Some("did you mean 'aws'?"));
    }

    #[test]
    fn an_unresolved_wikilink_is_marked_under_every_raw_html_policy() {
        for policy in [RawHtml::Escape, RawHtml::Sanitize, RawHtml::Allow] {
            let options = MarkdownOptions {
                raw_html: policy,
                link_prefix: "/".to_owned(),
                unknown_is_warning: true,
                search: false,
            };
            let r = render(
                &body("See [[Nope]] <b>x</b>."),
                &Fake,
                &Highlighter::default(),
                &options,
            );
            let html = &r.body.html;
            assert!(
                html.contains("<span class=\"unresolved\">Nope</span>"),
                "{policy:?}: {html}"
            );
            if policy == RawHtml::Escape {
                assert!(
                    html.contains("&lt;b&gt;x&lt;/b&gt;"),
                    "the writer's HTML is still escaped: {html}"
                );
            }
        }
    }

    #[test]
    fn dangerous_links_are_refused() {
        let r = run(
            "[x](javascript:alert(1)) ![y](data:text/html;base64,xx)",
            RawHtml::Allow,
        );
        assert_eq!(r.diagnostics.len(), 2);
        assert!(!r.body.html.contains("javascript:"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let r = run("[about](/about/) [ext](https://x.org/)", RawHtml::Sanitize);
        assert!(r.body.html.contains("href=\"/repo/about/\""), "{}", r.body.html);
        assert!(r.body.html.contains("href=\"https://x.org/\""));
    }

    #[test]
    fn raw_html_follows_the_policy() {
        let input = "Hi <sup>1</sup> <script>alert(1)</script> <a href=\"javascript:x\" onclick=\"y\">z</a>";
        let sanitized = run(input, RawHtml::Sanitize).body.html.clone();
        assert!(sanitized.contains("<sup>1</sup>"), "{sanitized}");
        assert!(
            !sanitized.contains("<script") && !sanitized.contains("onclick") && !sanitized.contains("javascript:"),
            "{sanitized}"
        );
        let escaped = run(input, RawHtml::Escape).body.html.clone();
        assert!(escaped.contains("&lt;sup&gt;"), "{escaped}");
        assert!(run(input, RawHtml::Allow).body.html.contains("<script>"));
    }

    #[test]
    fn raw_html_is_sanitized_only_up_to_a_depth() {
        let list = |levels: usize| format!("{}deep <abbr>ok</abbr>\n", "- ".repeat(levels));
        // A list and an item per level, and the <abbr>: 49 levels are 99 deep.
        let r = run(&list(MAX_SANITIZED_DEPTH / 2 - 1), RawHtml::Sanitize);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(r.body.html.contains("<abbr>ok</abbr>"), "{}", r.body.html);

        let r = run(&format!("First.\n\n{}", list(10_000)), RawHtml::Sanitize);
        let d = &r.diagnostics[0];
        assert_eq!(d.position.map(|p| p.line), Some(6), "{d}");
        assert!(d.message.contains("nested too deeply"), "{d}");
        assert!(d.help.is_some(), "{d}");
        assert!(r.body.html.contains("&lt;abbr&gt;"), "escaped, not passed through");

        // Without raw HTML there is nothing to sanitize and no limit.
        assert!(run(&"- ".repeat(10_000), RawHtml::Sanitize).diagnostics.is_empty());
        // Neither when raw HTML is escaped or allowed.
        assert!(run(&list(10_000), RawHtml::Escape).diagnostics.is_empty());
    }

    #[test]
    fn deep_raw_html_is_refused_at_its_line() {
        let deep = format!(
            "Intro.\n\n<div>\n{}x{}\n</div>\n",
            "<span>".repeat(200),
            "</span>".repeat(200)
        );
        let d = &run(&deep, RawHtml::Sanitize).diagnostics[0];
        assert_eq!(d.position.map(|p| p.line), Some(7), "{d}");
        let shallow = format!("<div>\n{}x{}\n</div>\n", "<span>".repeat(90), "</span>".repeat(90));
        assert!(run(&shallow, RawHtml::Sanitize).diagnostics.is_empty());
    }

    #[test]
    fn raw_html_depth_follows_tags() {
        let mut depth = 0;
        assert_eq!(raw_html_depth("<div><p>a<p>b<br><span>c</span></div>", &mut depth), 2);
        assert_eq!(depth, 0);
        assert_eq!(raw_html_depth("<section><!-- <div><div> -->", &mut depth), 1);
        assert_eq!(raw_html_depth("<UL><li>x", &mut depth), 2);
        assert_eq!(raw_html_depth("</ul></section></extra> 1 < 2 <3", &mut depth), 2);
        assert_eq!(depth, 0);
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = run("## What next\n\n## What next\n\n## Custom {#mine}", RawHtml::Sanitize)
            .body
            .html
            .clone();
        assert!(html.contains("id=\"what-next\""), "{html}");
        assert!(html.contains("id=\"what-next-2\""), "{html}");
        assert!(html.contains("id=\"mine\""), "{html}");
    }

    #[test]
    fn headings_named_like_notes_get_ids_of_their_own() {
        // Found by fuzzing: a base id starting with a note prefix looped forever.
        let html = run(
            "## Fn- notes\n\n## fnref-1\n\n## SN 2\n\n## Fn- notes\n",
            RawHtml::Escape,
        )
        .body
        .html
        .clone();
        for id in ["h-fn-notes", "h-fnref-1", "h-sn-2", "h-fn-notes-2"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
    }

    #[test]
    fn explicit_heading_ids_cannot_take_a_notes_id() {
        let html = run(
            "## Notes {#fn-1}

Text.[^1]

[^1]: The note.
",
            RawHtml::Escape,
        )
        .body
        .html
        .clone();
        assert!(html.contains("id=\"h-fn-1\""), "{html}");
        assert_eq!(html.matches("id=\"fn-1\"").count(), 1, "one element per id: {html}");
    }

    #[test]
    fn heading_attributes_cannot_carry_handlers() {
        let html = run("# T {#ok .c onclick=alert(1) style=x}\n\n## U {#\"bad}", RawHtml::Allow)
            .body
            .html
            .clone();
        assert!(!html.contains("onclick") && !html.contains("style"), "{html}");
        assert!(html.contains("id=\"ok\"") && html.contains("class=\"c\""), "{html}");
    }

    #[test]
    fn table_cell_styles_keep_only_alignment() {
        let html = run(
            "<table><tr><td style=\"text-align: left; position: fixed; background: url(x)\">a</td></tr></table>",
            RawHtml::Sanitize,
        )
        .body
        .html
        .clone();
        assert!(!html.contains("position") && !html.contains("url("), "{html}");
    }

    #[test]
    fn alerts_become_labelled_callouts() {
        let html = run("> [!WARNING]\n> Careful.", RawHtml::Sanitize).body.html.clone();
        assert!(html.contains("class=\"callout callout-warning\""), "{html}");
        assert!(html.contains("<p class=\"callout-title\">Warning</p>"), "{html}");
    }

    #[test]
    fn footnotes_are_numbered_with_prefixed_ids() {
        let html = run(
            "A[^x] and B[^y] and A again[^x].\n\n[^y]: Why.\n[^x]: What.",
            RawHtml::Sanitize,
        )
        .body
        .html
        .clone();
        assert!(html.contains("id=\"fnref-1\""), "{html}");
        assert!(html.contains("id=\"fnref-1-2\""), "{html}");
        let what = html.find("What.").unwrap();
        let why = html.find("Why.").unwrap();
        assert!(what < why, "notes are listed in reference order: {html}");
        assert!(html.contains("<li id=\"fn-2\">"), "{html}");
        assert!(html.contains("<details class=\"sidenote\" id=\"sn-1\">"), "{html}");
        let paragraph_end = html.find("</p>").unwrap();
        assert!(
            html.find("id=\"sn-1\"").unwrap() > paragraph_end,
            "side notes follow the paragraph: {html}"
        );
        assert!(run("A[^nope].", RawHtml::Sanitize).body.html.contains("[^nope]"));
    }

    #[test]
    fn an_undefined_footnote_is_a_warning_at_its_reference() {
        let r = run(
            "Intro.\n\nA claim[^9] and a note[^1].\n\n[^1]: Defined.",
            RawHtml::Sanitize,
        );
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        let d = &r.diagnostics[0];
        assert!(!d.is_error(), "a warning: {d}");
        assert_eq!(d.position, Some(Position { line: 6, column: 8 }), "{d}");
        assert_eq!(d.message, "footnote [^9] has no definition");
        assert_eq!(
            d.help.as_deref(),
            Some("add the note on a line of its own, `[^9]: …`, or remove the reference")
        );
        assert_eq!(d.snippet.as_ref().map(|s| s.width), Some(4), "underlines [^9]: {d}");
        assert!(
            r.body
                .html
                .contains("A claim<span class=\"unresolved\">[^9]</span> and"),
            "{}",
            r.body.html
        );
        assert!(r.body.html.contains("id=\"fnref-1\""), "{}", r.body.html);
    }

    #[test]
    fn an_undefined_footnote_stays_out_of_the_summary() {
        let r = run("A claim[^9] and **more**.", RawHtml::Sanitize);
        assert_eq!(r.body.first_paragraph, "A claim and more.");
        let r = run("[^9] opens it.", RawHtml::Escape);
        assert_eq!(r.body.first_paragraph.trim(), "opens it.");
    }

    #[test]
    fn a_misspelled_footnote_label_gets_a_suggestion() {
        let r = run("A[^note2].\n\n[^note-2]: The note.", RawHtml::Sanitize);
        let help = r.diagnostics[0].help.as_deref().unwrap_or("");
        assert!(help.starts_with("did you mean [^note-2]?"), "{help}");
    }

    #[test]
    fn many_undefined_footnotes_are_each_warned_without_suggestions() {
        let n = 5_000;
        let references: String = (0..n).map(|i| format!("a[^u{i}]\n")).collect();
        let notes: String = (0..n).map(|i| format!("[^d{i}]: Note.\n")).collect();
        let r = run(&format!("{references}\n\n{notes}"), RawHtml::Sanitize);
        assert_eq!(r.diagnostics.len(), n);
        let help = r.diagnostics[n - 1].help.as_deref().unwrap_or("");
        assert!(help.starts_with("add the note"), "{help}");
        assert_eq!(r.body.html.matches("<span class=\"unresolved\">").count(), n);
    }

    #[test]
    fn diagnostics_are_placed_as_from_the_start_of_the_body() {
        // The line index agrees with reading the whole body, whatever the line endings.
        let b = body("a\r\nbé\rc\n\r\nlast é [x]\n");
        let markdown = b.markdown();
        let mut pass = Pass {
            body: &b,
            diagnostics: Vec::new(),
            line_starts: Vec::new(),
        };
        for offset in (0..=markdown.len()).filter(|&o| markdown.is_char_boundary(o)) {
            pass.error(&(offset..offset + 1), String::new(), None, false);
            let d = pass.diagnostics.pop().unwrap();
            let whole = Position::of_offset(markdown, offset, b.first_line);
            assert_eq!(d.position, Some(whole), "offset {offset}");
            let relative = whole.line + 1 - b.first_line;
            let snippet = Snippet::from_line(markdown, relative, 1).map(|s| s.around(whole.column));
            assert_eq!(d.snippet.map(|s| s.line), snippet.map(|s| s.line), "offset {offset}");
        }
    }

    #[test]
    fn what_only_looks_like_an_undefined_footnote_is_no_warning() {
        for markdown in [
            "Escaped \\[^9] stays text.",
            "Code `[^9]` stays code.",
            "```\n[^9]\n```",
            "A link [^9](https://x.example/).",
            "Any case[^Z].\n\n[^z]: Defined.",
            "Spaces [^ ] and brackets [^a[b]] and nothing [^].",
        ] {
            let r = run(markdown, RawHtml::Sanitize);
            assert!(r.diagnostics.is_empty(), "{markdown:?}: {:?}", r.diagnostics);
        }
        // Escaped backslash, then a real reference.
        assert_eq!(run("Two \\\\[^9].", RawHtml::Sanitize).diagnostics.len(), 1);
    }

    #[test]
    fn undefined_footnotes_in_headings_tables_and_alt_text_are_warned_once_each() {
        let r = run(
            "## Why[^a]\n\n| x[^b] |\n| - |\n\n![alt[^c]](/i.png) and[^it's_me]",
            RawHtml::Sanitize,
        );
        let lines: Vec<_> = r.diagnostics.iter().map(|d| d.position.map(|p| p.line)).collect();
        assert_eq!(lines, [Some(4), Some(6), Some(9), Some(9)], "{:?}", r.diagnostics);
        assert!(
            r.body.html.contains("alt=\"alt\""),
            "no markup in alt text: {}",
            r.body.html
        );
    }

    #[test]
    fn the_summary_is_text_without_markdown_syntax() {
        let r = run(
            "**Bold**, *it*, `code`, [[AWS]], [[Nope|a label]], [a link](/x/), \\*stars\\*, a&amp;b[^9].",
            RawHtml::Sanitize,
        );
        assert_eq!(
            r.body.first_paragraph,
            "Bold, it, code, AWS, a label, a link, *stars*, a&b."
        );
    }

    #[test]
    fn an_unknown_alert_kind_is_a_warning_with_a_suggestion() {
        let r = run("Intro.\n\n> [!NOTES]\n> Careful.", RawHtml::Sanitize);
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        let d = &r.diagnostics[0];
        assert!(!d.is_error(), "a warning: {d}");
        assert_eq!(d.position, Some(Position { line: 6, column: 3 }), "{d}");
        assert_eq!(
            d.message,
            "unknown alert kind [!NOTES], shown as a plain quote: expected [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]"
        );
        assert_eq!(d.help.as_deref(), Some("did you mean [!NOTE]?"));
        assert_eq!(d.snippet.as_ref().map(|s| s.width), Some(8), "underlines [!NOTES]: {d}");
        // Nested, and without the space after `>`.
        let r = run("- item\n\n  >[!warn]\n  > x", RawHtml::Sanitize);
        let d = &r.diagnostics[0];
        assert_eq!(d.position, Some(Position { line: 6, column: 4 }), "{d}");
        assert_eq!(d.help.as_deref(), Some("did you mean [!WARNING]?"));
    }

    #[test]
    fn alert_kinds_are_matched_in_any_case() {
        for marker in ["[!note]", "[!Tip]", "[!IMPORTANT]", "[!wArNiNg]", "[!caution]  "] {
            let r = run(&format!("> {marker}\n> Text."), RawHtml::Sanitize);
            assert!(r.diagnostics.is_empty(), "{marker}: {:?}", r.diagnostics);
            assert!(
                r.body.html.contains("class=\"callout callout-"),
                "{marker}: {}",
                r.body.html
            );
        }
    }

    #[test]
    fn quotes_that_are_not_alert_markers_are_no_warning() {
        for markdown in [
            "> Plain quote.",
            "> [!] bare",
            "> [!42]",
            "> \\[!NOTES] escaped",
            "> [a link](/x/)",
            "> text\n> [!NOTES] not first",
            "[!NOTES] outside a quote",
        ] {
            let r = run(markdown, RawHtml::Sanitize);
            assert!(r.diagnostics.is_empty(), "{markdown:?}: {:?}", r.diagnostics);
        }
    }

    #[test]
    fn alert_markers_are_checked_for_each_mistake() {
        let mistake = |paragraph| alert_mistake(paragraph).map(|m| (m.marker, m.help));
        assert_eq!(
            mistake("[!NOTE] on the same line\n> more"),
            Some((
                "[!NOTE]",
                "put `> [!NOTE]` on a line of its own and start the text on the next line, `> …`".to_owned()
            ))
        );
        assert_eq!(
            mistake("[! NOTE]\nx"),
            Some(("[! NOTE]", "did you mean [!NOTE]?".to_owned()))
        );
        assert_eq!(
            mistake("[!INFO]"),
            Some((
                "[!INFO]",
                "use one of the five kinds, or write \\[!INFO] to show the brackets as text".to_owned()
            ))
        );
        assert_eq!(mistake("[!caution]\r\nx"), None);
        assert_eq!(mistake("[!NOTE"), None);
        assert_eq!(mistake("[!é]"), None);
        let text = alert_mistake("[!NOTE] x").map(|m| m.message).unwrap_or_default();
        assert!(text.contains("must be alone on its line"), "{text}");
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let html = run("```rust\nfn main() {}\n```", RawHtml::Sanitize).body.html.clone();
        assert!(html.contains("<pre class=\"code\" data-lang=\"rust\">"), "{html}");
        assert!(html.contains("hl-"), "{html}");
    }

    #[test]
    fn the_first_paragraph_is_the_fallback_summary() {
        let r = run("> quote\n\nThe *real* dek.\n\nMore.", RawHtml::Sanitize);
        assert_eq!(r.body.first_paragraph, "The real dek.");
    }
}
