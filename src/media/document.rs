//! The PDFs a site may embed as document cards (SPEC §3): every `.pdf`
//! the content walk found under the kinds' folders ([`crate::content::Content::documents`])
//! and every one under `static/`, read once per build before the Markdown
//! stage, so that stage stays pure and asks this library about a document
//! as it asks the model about a wikilink. A good PDF beside the content is
//! published once at `/media/<hash>.pdf` ([`super::path_of`]) however many
//! bodies embed it; one under `static/` is already published at its own
//! path, as every static file is, so a body links it there and it is not
//! copied (nor is a PDF with the same bytes as one). A file that is no PDF, or a symbolic link out of the site, is
//! kept as a problem and reported only where a body embeds it. It must not
//! parse PDFs: the `%PDF-` signature is all it checks.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::{self, LinkTarget};
use crate::diag::EnvError;
use crate::markdown::{DocumentAnswer, DocumentCard};
use crate::routes::UrlPath;

/// What every PDF starts with.
const SIGNATURE: &[u8] = b"%PDF-";

/// A PDF ready to publish.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it is published: `media/<hash>.pdf`, or, for a file of
    /// `static/`, its path there (`docs/filing.pdf`).
    pub path: UrlPath,
    /// Its bytes, shared by every body that embeds it.
    pub bytes: Arc<[u8]>,
    /// Whether the site's static files publish it (it is a file of
    /// `static/`, or has the same bytes as one): it is not copied to
    /// `/media/` too.
    pub in_static: bool,
}

/// Every PDF of a site by its path from the site root (`content/briefs/a.pdf`),
/// or why it may not be published.
#[derive(Debug, Default)]
pub struct Library {
    documents: BTreeMap<String, Result<Document, String>>,
}

impl Library {
    /// Reads the PDFs the content walk `found` (a relative `filing.pdf`
    /// beside a brief leads to one of them) and every `.pdf` under
    /// `static/` (`/docs/filing.pdf`). A file or folder that cannot be read
    /// is an environment error naming it.
    pub fn load(root: &Path, found: &[PathBuf]) -> Result<Library, EnvError> {
        let mut documents = BTreeMap::new();
        for path in found.iter().cloned().chain(static_documents(root)?) {
            // A path no body can write (not UTF-8) is no document.
            let Some(key) = key(root, &path) else { continue };
            let metadata = path
                .symlink_metadata()
                .map_err(|e| EnvError::io("cannot read", &path, e))?;
            let document = read(root, &path, metadata.file_type().is_symlink(), &key)?;
            documents.insert(key, document);
        }
        share_static(&mut documents);
        Ok(Library { documents })
    }

    /// The library of `documents` given in memory, for tests.
    pub fn from_bytes<'a>(documents: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Library {
        let mut documents = documents
            .into_iter()
            .map(|(key, bytes)| (key.to_owned(), checked(key, bytes.into())))
            .collect();
        share_static(&mut documents);
        Library { documents }
    }

    /// How many PDFs the site has.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether the site has no PDF.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// What a body embedding the document at `key` (a path from the site
    /// root) shows, or why it cannot.
    pub fn answer(&self, key: &str) -> DocumentAnswer {
        match self.documents.get(key) {
            Some(Ok(document)) => Ok(DocumentCard {
                path: document.path.escaped().into_owned(),
                size: document.bytes.len() as u64,
            }),
            Some(Err(problem)) => Err((problem.clone(), Some(NOT_A_PDF_HELP.to_owned()))),
            None => {
                let folder = key.rsplit_once('/').map_or("", |(folder, _)| folder);
                let near = crate::diag::closest(
                    key,
                    self.documents
                        .keys()
                        .map(String::as_str)
                        .filter(|k| k.starts_with(folder)),
                );
                let help = match near {
                    Some(near) => format!("did you mean {near}?"),
                    None => {
                        "put the PDF beside the brief and write its file name, or under static/ and write /its/path.pdf"
                            .to_owned()
                    }
                };
                Err((format!("no PDF at {key}"), Some(help)))
            }
        }
    }

    /// The documents at `keys` to publish under `/media/`, each file once:
    /// two paths holding the same bytes are one file, named for the first
    /// path. Files of `static/` are left out: they are published already.
    pub fn published<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Vec<(String, Document)> {
        let keys: std::collections::BTreeSet<&str> = keys.into_iter().collect();
        let mut seen = std::collections::HashSet::new();
        keys.into_iter()
            .filter_map(|k| Some((k.to_owned(), self.documents.get(k)?.as_ref().ok()?.clone())))
            .filter(|(_, document)| !document.in_static && seen.insert(document.path.clone()))
            .collect()
    }
}

const NOT_A_PDF_HELP: &str =
    "save the document as a PDF again and replace the file, or link to it with [text](file) instead of ![text](file)";

/// The `.pdf` files under the site's `static/`, hidden ones skipped.
fn static_documents(root: &Path) -> Result<Vec<PathBuf>, EnvError> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let walk = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !content::is_hidden(e.file_name()));
    let mut found = Vec::new();
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(&dir).to_owned();
            EnvError::io("cannot read", &path, e.into())
        })?;
        let is_pdf = entry.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf"));
        if is_pdf && (entry.file_type().is_file() || entry.path_is_symlink()) {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// `path` relative to `root`, with `/` between its parts.
fn key(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Reads the PDF at `path`, whose key is `key`; a symbolic link must stay
/// inside the site.
fn read(root: &Path, path: &Path, symlink: bool, key: &str) -> Result<Result<Document, String>, EnvError> {
    if symlink {
        match content::check_symlink(root, path) {
            LinkTarget::InsideFile => {}
            LinkTarget::NotAFile => return Ok(Err(format!("{key} is not a file"))),
            other => return Ok(Err(format!("{key}: {}", other.describe()))),
        }
    }
    let bytes = std::fs::read(path).map_err(|e| EnvError::io("read", path, e))?;
    Ok(checked(key, bytes.into()))
}

/// The document at `key`, if `bytes` start like a PDF: a file of `static/`
/// where the static files publish it, any other under `/media/`.
fn checked(key: &str, bytes: Arc<[u8]>) -> Result<Document, String> {
    if !bytes.starts_with(SIGNATURE) {
        return Err(format!("{key} is not a PDF: it does not start with %PDF-"));
    }
    let (path, in_static) = match key.strip_prefix("static/") {
        Some(relative) => (UrlPath::from_static(relative), true),
        None => (super::path_of(&bytes, "", "pdf"), false),
    };
    Ok(Document { path, bytes, in_static })
}

/// Points each PDF with the bytes of one under `static/` at that file (the
/// first by path), which the static files publish: the same bytes are one
/// file, wherever they are.
fn share_static(documents: &mut BTreeMap<String, Result<Document, String>>) {
    let mut in_static: HashMap<UrlPath, UrlPath> = HashMap::new();
    for document in documents.values().flatten().filter(|d| d.in_static) {
        (in_static.entry(super::path_of(&document.bytes, "", "pdf"))).or_insert_with(|| document.path.clone());
    }
    for document in documents.values_mut().flatten().filter(|d| !d.in_static) {
        if let Some(path) = in_static.get(&document.path) {
            document.path = path.clone();
            document.in_static = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_name_the_published_file_or_the_problem() {
        let library = Library::from_bytes([
            ("content/briefs/filing.pdf", &b"%PDF-1.4 x"[..]),
            ("content/briefs/fake.pdf", &b"<html>"[..]),
        ]);
        let card = library.answer("content/briefs/filing.pdf").unwrap();
        assert_eq!(card.size, 10);
        assert!(card.path.starts_with("media/") && card.path.ends_with(".pdf"));
        let (message, _) = library.answer("content/briefs/fake.pdf").unwrap_err();
        assert!(message.contains("not a PDF"), "{message}");
        let (message, help) = library.answer("content/briefs/filing2.pdf").unwrap_err();
        assert!(message.contains("no PDF at"), "{message}");
        assert_eq!(help.as_deref(), Some("did you mean content/briefs/filing.pdf?"));
        let published = library.published(["content/briefs/filing.pdf", "content/briefs/filing.pdf"]);
        assert_eq!(published.len(), 1);
        let twins = Library::from_bytes([("a.pdf", &b"%PDF-1"[..]), ("b.pdf", &b"%PDF-1"[..])]);
        assert_eq!(
            twins.published(["b.pdf", "a.pdf"]).len(),
            1,
            "the same bytes are one file"
        );
    }

    #[test]
    fn a_static_pdf_is_linked_where_it_is_and_not_published_again() {
        let library = Library::from_bytes([
            ("static/docs/a filing%.pdf", &b"%PDF-1.7 static"[..]),
            ("static/docs/z.pdf", &b"%PDF-1.7 static"[..]),
            ("content/briefs/copy.pdf", &b"%PDF-1.7 static"[..]),
            ("content/briefs/own.pdf", &b"%PDF-1.7 own"[..]),
        ]);
        let card = library.answer("static/docs/a filing%.pdf").unwrap();
        assert_eq!(card.path, "docs/a%20filing%25.pdf");
        assert_eq!(card.size, 15);
        assert_eq!(library.answer("static/docs/z.pdf").unwrap().path, "docs/z.pdf");
        assert_eq!(
            library.answer("content/briefs/copy.pdf").unwrap().path,
            "docs/a%20filing%25.pdf",
            "the same bytes as a static file: linked there"
        );
        let all = [
            "static/docs/a filing%.pdf",
            "static/docs/z.pdf",
            "content/briefs/copy.pdf",
            "content/briefs/own.pdf",
        ];
        let keys: Vec<String> = library.published(all).into_iter().map(|(key, _)| key).collect();
        assert_eq!(
            keys,
            ["content/briefs/own.pdf"],
            "only a PDF of its own goes to /media/"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_site_is_a_problem() {
        let outside = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.pdf"), b"%PDF-1.4").unwrap();
        std::fs::create_dir_all(site.path().join("content")).unwrap();
        std::fs::write(site.path().join("content/ok.pdf"), b"%PDF-1.7").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.pdf"), site.path().join("content/leak.pdf")).unwrap();
        let found = ["content/ok.pdf", "content/leak.pdf"].map(|p| site.path().join(p));
        let library = Library::load(site.path(), &found).unwrap();
        assert!(library.answer("content/ok.pdf").is_ok());
        let (message, _) = library.answer("content/leak.pdf").unwrap_err();
        assert!(message.contains("outside the site"), "{message}");
    }
}
