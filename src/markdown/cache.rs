//! What a [`Session`](crate::pipeline::Session) remembers of rendered bodies
//! between builds, so an edit re-renders the Markdown of the edited file only.
//! It knows bodies by file and by owner, whatever the owner is: this module
//! must not know the model.
//!
//! A body's HTML depends on its own text and on what its wikilinks resolve
//! to, nothing else. The cache records every question the body asked the
//! resolver together with the answer; a later build reuses the HTML when the
//! text is the same and every recorded question still gets the same answer
//! (a renamed company changes the answer, so the bodies linking to it are
//! rendered again). Mentions are re-derived from the new answers, since ids
//! move when briefs are added or re-dated.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::{DocumentAnswer, LinkResolver, MarkdownOptions, Rendered, RenderedBody, Resolution};
use crate::content::Body;
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;

/// What a resolver said about one wikilink: the URL, or the message and help.
type Answer = Result<String, (String, Option<String>)>;

/// Rendered bodies of the previous build, by source file, each with its
/// owner `O` (whose body it was in that build).
#[derive(Debug)]
pub struct BodyCache<O> {
    /// The options the entries were rendered with.
    options: String,
    /// By path, as bytes (hashing a `Path` parses its components).
    entries: HashMap<OsString, (O, Arc<Entry>)>,
}

impl<O> Default for BodyCache<O> {
    fn default() -> Self {
        BodyCache {
            options: String::new(),
            entries: HashMap::new(),
        }
    }
}

/// A body rendered through the cache, with what it asked to get there, for
/// [`BodyCache::keep`].
#[derive(Debug)]
pub struct Recorded(Arc<Entry>);

/// One body as rendered last time, and what it asked to get there.
#[derive(Debug)]
struct Entry {
    source: Body,
    questions: Vec<(String, Answer)>,
    /// The documents it asked about, with what each answer was.
    documents: Vec<(String, DocumentAnswer)>,
    body: Arc<RenderedBody>,
    diagnostics: Vec<Diagnostic>,
}

impl<O: Copy + Send + Sync> BodyCache<O> {
    /// Renders every body on all cores like [`render_all`](super::render_all),
    /// reusing last build's rendering of a file when nothing it depends on
    /// changed; keeps this build's bodies for the next build.
    pub fn render_all<R: LinkResolver>(
        &mut self,
        bodies: Vec<(O, Body)>,
        resolver: &R,
        highlighter: &Highlighter,
        options: &MarkdownOptions,
    ) -> Vec<(O, Rendered<R::Target>)> {
        self.forget_unless_rendered_with(options);
        let cache = &*self;
        let (rendered, entries): (Vec<_>, Vec<_>) = bodies
            .into_par_iter()
            .map(|(owner, body)| {
                let (rendered, entry) = cache.render(&body, resolver, highlighter, options);
                ((owner, rendered), (body.path.into_os_string(), (owner, entry)))
            })
            .unzip();
        self.entries = entries.into_iter().collect();
        rendered
    }

    /// Whose body the file at `path` (relative to the site root) was in the
    /// last build, if it was one.
    pub fn owner(&self, path: &Path) -> Option<O> {
        self.entries.get(path.as_os_str()).map(|(owner, _)| *owner)
    }

    /// The documents the file at `path` embedded in the last build that
    /// rendered it through this cache, if it was one.
    pub fn documents(&self, path: &Path) -> Option<Vec<String>> {
        let (_, entry) = self.entries.get(path.as_os_str())?;
        Some(entry.embedded())
    }

    /// Renders one more body as [`BodyCache::render_all`] renders each
    /// (with the options the cache holds), for [`BodyCache::keep`] to
    /// keep beside the others once it is known to be wanted: a brief a
    /// `serve` session puts in place without a full build.
    pub fn render_alone<R: LinkResolver>(
        &self,
        body: &Body,
        resolver: &R,
        highlighter: &Highlighter,
        options: &MarkdownOptions,
    ) -> (Rendered<R::Target>, Recorded) {
        let (rendered, entry) = self.render(body, resolver, highlighter, options);
        (rendered, Recorded(entry))
    }

    /// Keeps a body rendered by [`BodyCache::render_alone`] as the file
    /// at `path`'s, whose owner is `owner`.
    pub fn keep(&mut self, path: &Path, owner: O, recorded: Recorded) {
        self.entries.insert(path.as_os_str().to_owned(), (owner, recorded.0));
    }

    /// Gives each entry the owner `remap` says; forgets those it gives none
    /// (bodies whose owners moved or went in a `serve` session).
    pub fn remap_owners(&mut self, remap: impl Fn(O) -> Option<O>) {
        self.entries.retain(|_, (owner, _)| match remap(*owner) {
            Some(new) => {
                *owner = new;
                true
            }
            None => false,
        });
    }

    /// Whether a body other than the file at `path`'s embeds the document
    /// `document`, so that the site publishes it with or without that file.
    pub fn embedded_elsewhere(&self, document: &str, path: &Path) -> bool {
        (self.entries.iter())
            .filter(|(at, _)| at.as_os_str() != path.as_os_str())
            .any(|(_, (_, entry))| entry.embedded().iter().any(|d| d == document))
    }

    /// Whether any body links to `url`: a wikilink was answered with it.
    pub fn links_to(&self, url: &str) -> bool {
        (self.entries.values()).any(|(_, entry)| entry.questions.iter().any(|(_, answer)| answer.as_deref() == Ok(url)))
    }

    /// Forgets the entries if they were rendered with other options.
    fn forget_unless_rendered_with(&mut self, options: &MarkdownOptions) {
        let key = format!("{options:?}");
        if key != self.options {
            self.entries.clear();
            self.options = key;
        }
    }

    /// Renders `body`, or reuses last build's rendering of the same file when
    /// nothing it depends on changed. Returns the entry to keep for the next build.
    fn render<R: LinkResolver>(
        &self,
        body: &Body,
        resolver: &R,
        highlighter: &Highlighter,
        options: &MarkdownOptions,
    ) -> (Rendered<R::Target>, Arc<Entry>) {
        if let Some((_, entry)) = self.entries.get(body.path.as_os_str())
            && entry.source.same_as(body)
            && let Some(mentions) = replay(&entry.questions, resolver)
            && entry
                .documents
                .iter()
                .all(|(path, answer)| resolver.document(path) == *answer)
        {
            let rendered = Rendered {
                body: Arc::clone(&entry.body),
                mentions,
                documents: entry.embedded(),
                diagnostics: entry.diagnostics.clone(),
            };
            return (rendered, Arc::clone(entry));
        }
        let recording = Recording {
            inner: resolver,
            questions: Mutex::default(),
            documents: Mutex::default(),
        };
        let rendered = super::render(body, &recording, highlighter, options);
        let questions = recording.questions.into_inner().unwrap_or_else(|e| e.into_inner());
        let documents = recording.documents.into_inner().unwrap_or_else(|e| e.into_inner());
        let entry = Entry {
            source: body.clone(),
            questions: questions
                .into_iter()
                .map(|(name, answer)| (name, answer.map(|(_, url)| url)))
                .collect(),
            documents,
            body: Arc::clone(&rendered.body),
            diagnostics: rendered.diagnostics.clone(),
        };
        (rendered, Arc::new(entry))
    }
}

impl Entry {
    /// The documents the body embeds, in order, without repeats.
    fn embedded(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for (path, answer) in &self.documents {
            if answer.is_ok() && !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        paths
    }
}

/// Asks the questions again; the mentions, if every answer is unchanged.
fn replay<R: LinkResolver>(questions: &[(String, Answer)], resolver: &R) -> Option<Vec<R::Target>> {
    let mut mentions: Vec<R::Target> = Vec::new();
    for (name, before) in questions {
        match (resolver.resolve(name), before) {
            (Ok((target, url)), Ok(old)) if url == *old => {
                if let Some(target) = target
                    && !mentions.contains(&target)
                {
                    mentions.push(target);
                }
            }
            (Err(now), Err(old)) if now == *old => {}
            _ => return None,
        }
    }
    Some(mentions)
}

/// A resolver that writes down every question and answer.
struct Recording<'a, R: LinkResolver> {
    inner: &'a R,
    questions: Mutex<Vec<(String, Resolution<R::Target>)>>,
    documents: Mutex<Vec<(String, DocumentAnswer)>>,
}

impl<R: LinkResolver> LinkResolver for Recording<'_, R> {
    type Target = R::Target;

    fn resolve(&self, name: &str) -> Resolution<R::Target> {
        let answer = self.inner.resolve(name);
        self.questions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name.to_owned(), answer.clone()));
        answer
    }

    fn label<'n>(&self, written: &'n str) -> &'n str {
        self.inner.label(written)
    }

    fn document(&self, path: &str) -> DocumentAnswer {
        let answer = self.inner.document(path);
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_owned(), answer.clone()));
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawHtml;

    /// Knows no wikilink target.
    struct Nothing;
    impl LinkResolver for Nothing {
        type Target = u8;
        fn resolve(&self, name: &str) -> Resolution<u8> {
            Err((format!("unknown reference '{name}'"), None))
        }
    }

    use super::super::tests::body;

    #[test]
    fn a_reused_body_still_reports_its_warnings() {
        let options = MarkdownOptions {
            raw_html: RawHtml::Sanitize,
            link_prefix: "/".to_owned(),
            unknown_is_warning: true,
            search: false,
        };
        let highlighter = Highlighter::default();
        let markdown = "A claim[^9].\n\n> [!NOTES]\n> Careful.\n";
        let mut cache = BodyCache::default();
        let first = cache.render_all(vec![(0u8, body(markdown))], &Nothing, &highlighter, &options);
        let entry = Arc::clone(&cache.entries[Path::new("b.md").as_os_str()].1);
        let second = cache.render_all(vec![(0u8, body(markdown))], &Nothing, &highlighter, &options);
        assert!(
            Arc::ptr_eq(&entry, &cache.entries[Path::new("b.md").as_os_str()].1),
            "the second build reuses the first one's rendering"
        );
        let warnings = |rendered: &[(u8, Rendered<u8>)]| {
            rendered[0]
                .1
                .diagnostics
                .iter()
                .map(|d| (d.is_error(), d.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(warnings(&first).len(), 2, "{:?}", warnings(&first));
        assert_eq!(warnings(&second), warnings(&first));
        assert_eq!(second[0].1.body.first_paragraph, "A claim.");
    }
}
