//! A session's build after a brief was added, deleted or given another
//! date: the brief is put in its new place in the last good build's model
//! ([`Site::reorder`]), the cards are made again from it, and only the
//! pages that can show what moved are rendered again
//! ([`render::rerender_moved`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Kept, Last, Session, Update, each_list, front_fingerprint, same_site};
use crate::content::raw::RawBrief;
use crate::content::{self, Loaded, Walked};
use crate::markdown::Recorded;
use crate::media::cache::MediaCache;
use crate::model::catalog::{self, WikiResolver};
use crate::model::reorder::{Placed, Remap, Reordered};
use crate::model::{Brief, BriefId, Links, Owner, Suggestions};
use crate::pipeline::{BuildOptions, BuildReport, Model, Patches, PreparedSite, Rendering, Timing, markdown_options};
use crate::render::share;
use crate::render::{self, Cards, Listed, MOVED_COUNTS_READERS, MovedEdit, OutputFile, PageMemo};
use crate::routes::UrlPath;

/// The brief a build after one changed file takes out of its place, puts
/// in one, or both; checked to need nothing else of a full build.
struct Move {
    /// Its id, if the last build had it.
    from: Option<BriefId>,
    /// As it is now, if it is published.
    to: Option<Coming>,
    /// Its file, as the walk has it (absolute).
    walked: PathBuf,
    /// The content walk with the change followed.
    walk: Walked,
}

/// A brief that takes a place, with what the session keeps of its file.
struct Coming {
    placed: Placed,
    /// Its file and front matter, for the session's parsed files.
    loaded: Loaded<RawBrief>,
    stamp: content::cache::Stamp,
    /// Its body as rendered, for the session's bodies.
    recorded: Recorded,
}

impl Session {
    /// The build after `changed`, one brief's file, was added, deleted or
    /// given another date (or anything else of its front matter with it,
    /// but its slug, picture and old addresses, or with no old addresses
    /// when new), if nothing else needs a full build: no warning in the
    /// last build (a new name could answer one), no brief or body left
    /// naming a brief deleted, no tag left without briefs or named
    /// otherwise, a theme that looks up no entity and shows the number of
    /// briefs only on home and 404 pages. `None` leaves the session as it
    /// was, unless the edit failed half way: then it forgets the last
    /// build.
    pub(super) fn moved(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let [path] = changed else {
            return None;
        };
        let edit = self.checked_move(options, path)?;
        let last = self.last.take()?;
        let done = self.put_in_place(last, edit, path, started.elapsed());
        if done.is_none() {
            self.forget();
        }
        done
    }

    /// What [`Session::moved`] would do of `path`, read and checked
    /// against the last good build; `None` if it needs a full build.
    fn checked_move(&self, options: &BuildOptions, path: &Path) -> Option<Move> {
        let root = &options.root;
        let last = self.last.as_ref()?;
        if !same_site(&last.options, options) || !last.warnings.is_empty() || !path.starts_with("content/briefs") {
            return None;
        }
        let prepared = last.site.prepared();
        let (site, theme) = (prepared.site, prepared.theme);
        if theme.uses_lookups() || theme.counts_readers().everywhere() {
            return None;
        }
        let walked = root.join(path);
        // Only a Markdown file where the walk takes it.
        let walk = (self.content.walked.as_ref()?).follow(root, &HashSet::from([walked.clone()]))?;
        let from = match self.bodies.owner(path) {
            Some(Owner::Brief(id)) => Some(id),
            Some(_) => return None,
            None => None,
        };
        let old = match from {
            Some(id) => {
                let old = self.content.files.briefs.get(&walked)?;
                if !old.front.aliases.is_empty() || prepared.cards.model(id).path != *path {
                    return None;
                }
                Some(old)
            }
            None => None,
        };
        let to = match walked.exists() {
            true => Some(self.coming(last, path, from, old)?),
            // A picture's files go with it: the media stage's to say.
            false if old.is_some_and(|o| o.front.image.is_some()) => return None,
            false => None,
        };
        let placed = to.as_ref().map(|c| &c.placed.brief);
        // The number of briefs changes: only pages known to show it may.
        let counted = from.is_some() != to.is_some() && theme.counts_readers().brief_count();
        if (from.is_none() && to.is_none()) || (counted && !theme.counts_readers().only(&MOVED_COUNTS_READERS)) {
            return None;
        }
        site.check_reorder(prepared.cards.models(), from, placed).ok()?;
        if let Some(id) = from {
            let old = prepared.cards.model(id);
            let url = site.config.base_url.url(&UrlPath::brief(&old.slug));
            let linked = to.is_none() && self.bodies.links_to(&url);
            let documents_kept =
                to.is_some() || (self.bodies.documents(path)?.iter()).all(|d| self.bodies.embedded_elsewhere(d, path));
            let spellings = to.as_ref().map(|c| c.loaded.front.tags.as_slice());
            if linked || !documents_kept || !tags_stay(self, root, prepared.cards, id, spellings) {
                return None;
            }
        }
        Some(Move { from, to, walked, walk })
    }

    /// The brief at `path` as it is now, made and its body rendered as a
    /// full build would, if it keeps what `old` (its file as last read,
    /// if the brief `from` was in the last build) had of its slug and
    /// picture and a full build would make no more of it.
    fn coming(
        &self,
        last: &Last,
        path: &Path,
        from: Option<BriefId>,
        old: Option<&Loaded<RawBrief>>,
    ) -> Option<Coming> {
        let site = last.site.prepared().site;
        let (stamp, loaded) = content::reparse::<RawBrief>(&last.options.root, path)?;
        // A picture is made by the media stage; a new slug moves the
        // brief's page (and old links to it).
        let kept = match old {
            Some(old) => old.front.slug == loaded.front.slug && old.front.image == loaded.front.image,
            None => loaded.front.image.is_none(),
        };
        if !kept || content::too_many_tags(&loaded).is_some() {
            return None;
        }
        let resolve = super::super::catalog_options(&last.options, &site.config);
        let brief = catalog::placed(&site.catalog, from, loaded.front.clone(), &loaded.file, resolve)?;
        let resolver = WikiResolver {
            catalog: &site.catalog,
            base: &site.config.base_url,
            documents: &last.documents,
        };
        let body = loaded.file.clone().into_body();
        let options = markdown_options(&site.config);
        let (rendered, recorded) = self.bodies.render_alone(&body, &resolver, &self.highlighter, &options);
        // The documents the site publishes stay as they are.
        let documents_kept = match from {
            Some(_) => self.bodies.documents(path)? == rendered.documents,
            None => (rendered.documents.iter()).all(|d| self.bodies.embedded_elsewhere(d, path)),
        };
        if !rendered.diagnostics.is_empty() || !documents_kept {
            return None;
        }
        let placed = Placed {
            brief,
            body: rendered.body,
            mentions: rendered.mentions,
        };
        Some(Coming {
            placed,
            loaded,
            stamp,
            recorded,
        })
    }

    /// Puts the checked `edit` in place in `last`'s model, makes the cards
    /// again and renders the pages it changed; the session takes the
    /// result as its last good build. `None` if that failed half way.
    fn put_in_place(&mut self, last: Last, edit: Move, path: &Path, read: Duration) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let Move { from, to, walked, walk } = edit;
        // What the pages show now: the briefs, links and suggestions a
        // session put in place; the cards' values, to be reused.
        let mut prepared_site = last.site;
        let (patched, links, suggested, share_images, values, partials) =
            prepared_site.with_dependent_mut(|model, rendering| {
                let cards = &rendering.cards;
                let patched: Vec<(usize, Brief)> = (cards.models().iter().enumerate())
                    .filter(|(i, b)| !std::ptr::eq(**b, &model.site.catalog.briefs[*i]))
                    .map(|(i, b)| (i, Brief::clone(b)))
                    .collect();
                // Copied only if a session put them in place.
                let links = (!std::ptr::eq(cards.graph(), &model.site.links)).then(|| Links::clone(cards.graph()));
                let suggested = (!std::ptr::eq(cards.suggested(), &model.site.suggested))
                    .then(|| Suggestions::clone(cards.suggested()));
                let values = rendering.cards.take_brief_values();
                let partials = (rendering.global, Arc::clone(&rendering.partials));
                (
                    patched,
                    links,
                    suggested,
                    std::mem::take(&mut rendering.share),
                    values,
                    partials,
                )
            });
        let mut model: Model = prepared_site.into_owner();
        fold(&mut model, patched, (links, suggested), last.overlay);
        let was = model.site.catalog.briefs.len();
        let gone_page = (from.filter(|_| to.is_none()))
            .map(|id| UrlPath::brief(&model.site.catalog.briefs[id.index()].slug).output_file());
        let (placed, file) = match to {
            Some(Coming {
                placed,
                loaded,
                stamp,
                recorded,
            }) => (Some(placed), Some((loaded, stamp, recorded))),
            None => (None, None),
        };
        let Reordered {
            remap,
            links_before,
            suggestions_changed,
        } = model.site.reorder(from, placed);
        let changes = changes(&model.site.links, &remap, &links_before, suggestions_changed);
        let mut share_images = share_images;
        let gone_card = share_images.remap(&remap);
        if let Some(card) = &gone_card {
            self.cards.forget(card);
        }
        let showed = self.pages.remap(&remap);
        // Every other brief's card is as it was, by its new id.
        let mut values: Vec<Option<_>> = values.into_iter().map(Some).collect();
        remap.apply(&mut values, || Some(None));
        let media = MediaCache::at(&last.options.root);
        let memo = &mut self.cards;
        let mut drawn = None;
        let prepared_site = PreparedSite::try_new(model, |model| {
            let site = &model.site;
            let site_view = render::site_view(site);
            let cards = Cards::build_reusing(site, true, values);
            let global = PageMemo::global(site, &model.theme, &cards, &site_view);
            // The partials rendered so far, if the templates would render
            // them alike: the same sources and global context. Counts are
            // not in that context unless every page can show them, but a
            // brief count that changed here is read by no template other
            // than the home and 404 pages (`checked_move`): by no partial.
            let partials = match partials {
                (Some(was), partials) if was == global => partials,
                _ => Arc::new(render::Partials::default()),
            };
            let tera = render::compile(&model.theme, &site.config.base_url, &site_view, &cards, &partials)?;
            let mut share = share_images;
            if let Some(id) = remap.to() {
                let theme = &model.theme;
                drawn = Some(share::patch(
                    site,
                    theme,
                    &tera,
                    &cards,
                    id,
                    (&mut share, memo),
                    (global, &media),
                )?);
            }
            Ok::<_, crate::diag::Diagnostics>(Rendering {
                global: Some(global),
                cards,
                tera,
                partials,
                share,
            })
        })
        .ok()?;
        let patched = Instant::now();
        let mut gone: Vec<_> = gone_page.into_iter().collect();
        for page in &gone {
            self.pages.forget(page);
        }
        let moved_edit = MovedEdit {
            remap,
            was,
            showed,
            pages: changes.pages,
            lists: changes.lists,
        };
        let rerendered = render::rerender_moved(prepared_site.prepared(), &moved_edit, &mut self.pages).ok()?;
        let rendered_at = Instant::now();
        // The session's bodies and parsed files, by the new ids.
        self.bodies.remap_owners(|owner| match owner {
            Owner::Brief(id) => remap.id(id).map(Owner::Brief),
            other => Some(other),
        });
        match (remap.to(), file) {
            (Some(id), Some((loaded, stamp, recorded))) => {
                self.bodies.keep(path, Owner::Brief(id), recorded);
                let front = front_fingerprint(&loaded.file);
                self.content.fronts.insert(path.to_owned(), front);
                self.content.files.briefs.insert(walked, stamp, loaded);
            }
            _ => {
                self.content.fronts.remove(path);
                self.content.files.forget_all(std::iter::once(&walked));
            }
        }
        self.content.walked = Some(walk);
        let index_behind = prepared_site.borrow_owner().site.config.search;
        let (mut card_files, mut added_cards) = (Vec::new(), 0);
        if let Some(drawn) = drawn {
            card_files.extend(drawn.file);
            added_cards += usize::from(drawn.added);
            gone.extend(drawn.gone);
        }
        gone.extend(gone_card.map(|card| card.output_file()));
        // Pages that came or went: the brief's own, and listings'; social
        // cards likewise.
        let added = rerendered.added + usize::from(remap.from().is_none());
        let removed = rerendered.gone.len() + usize::from(remap.to().is_none());
        let gone_cards = gone.len() - usize::from(remap.to().is_none());
        let count = |n: usize| (n + added).saturating_sub(removed);
        let rendered = rerendered.files.len();
        let templated = count(last.templated);
        let timings = vec![
            Timing {
                stage: "read + resolve",
                elapsed: read,
                count: 1,
            },
            Timing {
                stage: "cards",
                elapsed: patched - started,
                count: was,
            },
            Timing {
                stage: "render",
                elapsed: rendered_at - patched,
                count: rendered,
            },
        ];
        gone.extend(rerendered.gone);
        let last = self.last.insert(Last {
            site: prepared_site,
            overlay: render::BodyOverlay::new(),
            pages: count(last.pages),
            files: (count(last.files) + added_cards).saturating_sub(gone_cards),
            templated,
            index_stale: last.index_stale || index_behind,
            ..last
        });
        let report = last.quick_report(rendered, templated.saturating_sub(rendered), timings);
        let files: Vec<OutputFile> = rerendered.files.into_iter().chain(card_files).collect();
        let update = Update {
            files,
            kept: match gone.is_empty() {
                true => Kept::AllOthers,
                false => Kept::AllBut(gone),
            },
            index_behind,
        };
        Some((update, report))
    }
}

/// Puts in `model`'s site what a session put in the place of its own
/// since the last full build (`patched` briefs, links and suggestions,
/// `overlay` bodies), so that it is the site its pages show.
fn fold(
    model: &mut Model,
    patched: Vec<(usize, Brief)>,
    (links, suggested): (Option<Links>, Option<Suggestions>),
    overlay: render::BodyOverlay,
) {
    let site = &mut model.site;
    for (i, brief) in patched {
        site.catalog.briefs[i] = brief;
    }
    if let Some(links) = links {
        site.links = links;
    }
    if let Some(suggested) = suggested {
        site.suggested = suggested;
    }
    for (owner, body) in overlay {
        site.bodies.set(owner, body);
    }
    model.patches = Patches::default();
}

/// Whether every tag of the brief `id` keeps a brief that spells its name
/// as it is when the brief leaves its place (`spellings`: its tags as
/// written now, if it stays): else a full build would leave the tag out or
/// name it otherwise.
fn tags_stay(session: &Session, root: &Path, cards: &Cards<'_>, id: BriefId, spellings: Option<&[String]>) -> bool {
    let Some(last) = &session.last else {
        return false;
    };
    let site = &last.site.borrow_owner().site;
    cards.model(id).tags.iter().all(|tag| {
        let name = &site.catalog.tags[tag.index()].name;
        let spells = |tags: &[String]| tags.iter().any(|s| s.trim() == name);
        let spelled = |brief: &Brief| {
            (session.content.files.briefs.get(&root.join(&brief.path))).is_some_and(|f| spells(&f.front.tags))
        };
        spellings.is_some_and(spells)
            || (cards.graph().tag_briefs[tag.index()].iter())
                .filter(|b| **b != id)
                .any(|b| spelled(cards.model(*b)))
    })
}

/// What a brief put in place changed: the briefs whose own pages list
/// other briefs now, and the lists of briefs that changed or hold it.
struct Changes {
    pages: Vec<BriefId>,
    lists: Vec<(Listed, usize)>,
}

/// Compares the links `new` with the `old` ones, given the new ids; with
/// the briefs whose suggestions changed (`suggested`, by the new ids).
fn changes(new: &Links, remap: &Remap, old: &Links, suggested: Vec<BriefId>) -> Changes {
    // The same list, by the new ids.
    let same = |old: &[BriefId], new: &[BriefId]| old.iter().filter_map(|b| remap.id(*b)).eq(new.iter().copied());
    let mut pages = suggested;
    for (i, (related, mentioned_in)) in old.related.iter().zip(&old.mentioned_in).enumerate() {
        let Some(id) = remap.id(BriefId::new(i)) else {
            continue;
        };
        let j = id.index();
        if !same(related, &new.related[j]) || !same(mentioned_in, &new.mentioned_in[j]) {
            pages.push(id);
        }
    }
    pages.sort_unstable();
    pages.dedup();
    let mut lists = Vec::new();
    each_list(old, new, |listed, old, new| {
        // A list that held the brief, or holds it, shows its card.
        let holds =
            remap.from().is_some_and(|from| old.contains(&from)) || remap.to().is_some_and(|to| new.contains(&to));
        if holds || !same(old, new) {
            lists.push((listed, old.len()));
        }
    });
    Changes { pages, lists }
}
