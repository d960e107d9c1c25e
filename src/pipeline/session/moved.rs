//! A session's build after a brief was added, deleted or given another
//! date: the brief is put in its new place in the last good build's model
//! ([`Site::reorder`]), the cards are made again from it, and only the
//! pages that can show what moved are rendered again
//! ([`render::rerender_moved`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Kept, Last, Session, Update, front_fingerprint, same_site};
use crate::content::raw::RawBrief;
use crate::content::{self, Loaded};
use crate::markdown;
use crate::media::cache::MediaCache;
use crate::model::catalog::{self, WikiResolver};
use crate::model::reorder::{Placed, Remap};
use crate::model::{AuthorId, Brief, BriefId, CompanyId, ContractId, EntityKey, Links, Owner, Site, TagId};
use crate::pipeline::{BuildOptions, BuildReport, Model, Patches, PreparedSite, Rendering, Timing, markdown_options};
use crate::render::share::{self, ShareImages};
use crate::render::{self, BodyOverlay, Cards, Listed, MovedEdit, OutputFile, PageMemo};
use crate::routes::UrlPath;

/// The brief a build after one changed file takes out of its place, puts
/// in one, or both; checked to need nothing else of a full build.
struct Move {
    /// Its id, if the last build had it.
    from: Option<BriefId>,
    /// As it is now, if it is published, with its file for the session's
    /// parsed files.
    to: Option<(Placed, Loaded<RawBrief>, content::cache::Stamp)>,
    /// Its file, as the walk has it (absolute).
    walked: PathBuf,
}

impl Session {
    /// The build after `changed`, one brief's file, was added, deleted or
    /// given another date (or anything else of its front matter with it,
    /// but its slug, picture and old addresses, or with no old addresses
    /// when new), if nothing else needs a full build: no warning in the
    /// last build (a new name could answer one), no brief or body left
    /// naming a brief deleted, no tag left without briefs or named
    /// otherwise, a theme that looks up no entity and shows the counts
    /// only on home and 404 pages. `None` leaves the session as it was,
    /// unless the edit failed half way: then it forgets the last build.
    pub(super) fn moved(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let [path] = changed else {
            return None;
        };
        let edit = self.checked_move(options, path)?;
        let resolved = Instant::now();
        let last = self.last.take()?;
        match self.put_in_place(last, edit, path, resolved) {
            Some((update, report)) => {
                let mut report = report;
                report.timings.insert(
                    0,
                    Timing {
                        stage: "read + resolve",
                        elapsed: resolved - started,
                        count: 1,
                    },
                );
                Some((update, report))
            }
            None => {
                self.forget();
                None
            }
        }
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
        self.content
            .walked
            .as_ref()?
            .follow(root, &HashSet::from([walked.clone()]))?;
        let from = match self.bodies.owner(path) {
            Some(Owner::Brief(id)) => Some(id),
            Some(_) => return None,
            None => None,
        };
        let was = match from {
            Some(id) => {
                let old = self.content.files.briefs.get(&walked)?;
                if !old.front.aliases.is_empty() || prepared.cards.model(id).path != *path {
                    return None;
                }
                Some((id, old))
            }
            None => None,
        };
        let resolve = super::super::catalog_options(&last.options, &site.config);
        let to = match walked.exists() {
            true => {
                let (stamp, new) = content::reparse::<RawBrief>(root, path)?;
                if content::too_many_tags(&new).is_some() {
                    return None;
                }
                // A picture is made by the media stage; a new slug moves
                // the brief's page (and old links to it).
                let kept = match &was {
                    Some((_, old)) => old.front.slug == new.front.slug && old.front.image == new.front.image,
                    None => new.front.image.is_none(),
                };
                if !kept {
                    return None;
                }
                let brief = catalog::placed(&site.catalog, from, new.front.clone(), &new.file, resolve)?;
                let resolver = WikiResolver {
                    catalog: &site.catalog,
                    base: &site.config.base_url,
                    documents: &last.documents,
                };
                let body = new.file.clone().into_body();
                let rendered = markdown::render(&body, &resolver, &self.highlighter, &markdown_options(&site.config));
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
                Some((placed, new, stamp))
            }
            false => None,
        };
        let placed = to
            .as_ref()
            .map(|(placed, new, _)| (&placed.brief, new.front.tags.as_slice()));
        if from.is_none() && placed.is_none() {
            return None;
        }
        if placed.is_some_and(|(brief, _)| new_name_taken(site, brief, from)) {
            return None;
        }
        if let Some(id) = from {
            let old = prepared.cards.model(id);
            let url = site.config.base_url.url(&UrlPath::brief(&old.slug));
            let named_elsewhere = placed.is_none()
                && ((prepared.cards.models().iter()).any(|b| b.related.contains(&id)) || self.bodies.links_to(&url));
            let documents_kept = placed.is_some()
                || (self.bodies.documents(path)?.iter()).all(|d| self.bodies.embedded_elsewhere(d, path));
            if named_elsewhere || !documents_kept || !tags_stay(self, root, prepared.cards, id, placed) {
                return None;
            }
        }
        Some(Move { from, to, walked })
    }

    /// Puts the checked `edit` in place in `last`'s model, makes the cards
    /// again and renders the pages it changed; the session takes the
    /// result as its last good build. `None` if that failed half way.
    fn put_in_place(
        &mut self,
        last: Last,
        edit: Move,
        path: &Path,
        resolved: Instant,
    ) -> Option<(Update, BuildReport)> {
        let Last {
            site: prepared_site,
            options,
            overlay,
            warnings,
            warned,
            pages,
            files,
            base_path,
            scheduled,
            templated,
            documents,
            index,
            index_stale,
        } = last;
        let Move { from, to, walked } = edit;
        // What the pages show now: the briefs a session put in place, and
        // its links.
        let mut prepared_site = prepared_site;
        let (old_graph, old_suggested, patched, share_images) = prepared_site.with_dependent_mut(|model, rendering| {
            let cards = &rendering.cards;
            let patched: Vec<(usize, Brief)> = (cards.models().iter().enumerate())
                .filter(|(i, b)| !std::ptr::eq(**b, &model.site.catalog.briefs[*i]))
                .map(|(i, b)| (i, Brief::clone(b)))
                .collect();
            let suggested: Vec<Vec<BriefId>> = (0..cards.models().len())
                .map(|i| cards.suggested().of(BriefId::new(i)).to_vec())
                .collect();
            let share = std::mem::take(&mut rendering.share);
            let graph = Links::clone(cards.graph());
            let values = rendering.cards.take_brief_values();
            (graph, suggested, patched, (share, values))
        });
        let (share_images, values) = share_images;
        let mut share_images: ShareImages = share_images;
        let mut model: Model = prepared_site.into_owner();
        for (i, brief) in patched {
            model.site.catalog.briefs[i] = brief;
        }
        for (owner, body) in overlay {
            let slot = match owner {
                Owner::Brief(id) => &mut model.site.bodies.briefs[id.index()],
                Owner::Company(id) => &mut model.site.bodies.companies[id.index()],
                Owner::Contract(id) => &mut model.site.bodies.contracts[id.index()],
                Owner::Author(id) => &mut model.site.bodies.authors[id.index()],
                Owner::Page(id) => &mut model.site.bodies.pages[id.index()],
            };
            *slot = body;
        }
        model.patches = Patches::default();
        let was = model.site.catalog.briefs.len();
        let gone_page = (from.filter(|_| to.is_none()))
            .map(|id| UrlPath::brief(&model.site.catalog.briefs[id.index()].slug).output_file());
        let (placed, file) = match to {
            Some((placed, loaded, stamp)) => (Some(placed), Some((loaded, stamp))),
            None => (None, None),
        };
        let remap = model.site.reorder(from, placed).ok()?;
        let changes = changes(&model.site, &remap, &old_graph, &old_suggested);
        let gone_card = share_images.remap(&remap);
        if let Some(card) = &gone_card {
            self.cards.forget(card);
        }
        let showed = self.pages.remap(&remap);
        // Every other brief's card is as it was, by its new id.
        let mut values: Vec<Option<_>> = values.into_iter().map(Some).collect();
        remap.apply(&mut values, || Some(None));
        let media = MediaCache::at(&options.root);
        let memo = &mut self.cards;
        let mut drawn = None;
        let prepared_site = PreparedSite::try_new(model, |model| {
            let site = &model.site;
            let site_view = render::site_view(site);
            let cards = Cards::build_reusing(site, true, values);
            let tera = render::compile(&model.theme, &site.config.base_url, &site_view, &cards)?;
            let global = PageMemo::global(site, &model.theme, &cards, &site_view);
            let mut share = share_images;
            if let Some(id) = remap.to() {
                let patched = share::patch(
                    site,
                    &model.theme,
                    &tera,
                    &cards,
                    id,
                    (&mut share, memo),
                    (global, &media),
                )?;
                drawn = Some(patched);
            }
            Ok::<_, crate::diag::Diagnostics>(Rendering {
                global: Some(global),
                cards,
                tera,
                share,
            })
        })
        .ok()?;
        let patched = Instant::now();
        let overlay = BodyOverlay::new();
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
        let rerendered =
            render::rerender_moved(prepared_site.prepared(), &overlay, &moved_edit, &mut self.pages).ok()?;
        let rendered_at = Instant::now();
        // The session's bodies and parsed files, by the new ids.
        self.bodies.remap_owners(|owner| match owner {
            Owner::Brief(id) => remap.id(id).map(Owner::Brief),
            other => Some(other),
        });
        let site = &prepared_site.borrow_owner().site;
        if let (Some(id), Some((loaded, stamp))) = (remap.to(), file) {
            let resolver = WikiResolver {
                catalog: &site.catalog,
                base: &site.config.base_url,
                documents: &documents,
            };
            let body = loaded.file.clone().into_body();
            let options = markdown_options(&site.config);
            self.bodies
                .render_one(Owner::Brief(id), body, &resolver, &self.highlighter, &options);
            self.content
                .fronts
                .insert(path.to_owned(), front_fingerprint(&loaded.file));
            self.content.files.briefs.insert(walked.clone(), stamp, loaded);
        } else {
            self.content.fronts.remove(path);
            self.content.files.forget_all(std::iter::once(&walked));
        }
        let changed = HashSet::from([walked]);
        self.content.walked = (self.content.walked.as_ref()).and_then(|w| w.follow(&options.root, &changed));
        let index_behind = site.config.search;
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
        let (pages, templated) = (count(pages), count(templated));
        let files = (count(files) + added_cards).saturating_sub(gone_cards);
        gone.extend(rerendered.gone);
        let rendered = rerendered.files.len();
        self.last = Some(Last {
            site: prepared_site,
            options,
            overlay,
            warnings,
            warned,
            pages,
            files,
            base_path,
            scheduled,
            templated,
            documents,
            index,
            index_stale: index_stale || index_behind,
        });
        let last = self.last.as_ref()?;
        let timings = vec![
            Timing {
                stage: "cards",
                elapsed: patched - resolved,
                count: was,
            },
            Timing {
                stage: "render",
                elapsed: rendered_at - patched,
                count: rendered,
            },
        ];
        let report = last.quick_report(rendered, last.templated.saturating_sub(rendered), timings);
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

/// Whether a brief put in place takes a name another brief or a file left
/// out has: its slug.
fn new_name_taken(site: &Site, brief: &Brief, from: Option<BriefId>) -> bool {
    let slug = brief.slug.as_str();
    let c = &site.catalog;
    let other = |key: EntityKey| Some(key) != from.map(EntityKey::Brief);
    c.lookup.holder(slug, crate::model::Kind::Brief).is_some_and(other)
        || c.held_back.contains_key(slug)
        || c.failed_file(slug).is_some()
        || (c.redirects.iter()).any(|r| r.from.output_file() == UrlPath::brief(&brief.slug).output_file())
}

/// Whether every tag of the brief `id` keeps a brief that spells its name
/// as it is when the brief leaves its place (`placed`: the brief as it is
/// now, with its tags as written, if it stays): else a full build would leave the tag out or name it
/// otherwise.
fn tags_stay(
    session: &Session,
    root: &Path,
    cards: &Cards<'_>,
    id: BriefId,
    placed: Option<(&Brief, &[String])>,
) -> bool {
    let Some(last) = &session.last else {
        return false;
    };
    let site = &last.site.borrow_owner().site;
    let old = cards.model(id);
    old.tags.iter().all(|tag| {
        let t = &site.catalog.tags[tag.index()];
        let spelled = |brief: &Brief| {
            (session.content.files.briefs.get(&root.join(&brief.path)))
                .is_some_and(|f| f.front.tags.iter().any(|s| s.trim() == t.name))
        };
        let kept = placed.is_some_and(|(_, tags)| tags.iter().any(|s| s.trim() == t.name));
        kept || (cards.graph().tag_briefs[tag.index()].iter())
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

/// Compares the links and suggestions of `site` after `remap` with the
/// old ones, given the new ids.
fn changes(site: &Site, remap: &Remap, old: &Links, old_suggested: &[Vec<BriefId>]) -> Changes {
    let new = &site.links;
    let moved = |ids: &[BriefId]| ids.iter().filter_map(|id| remap.id(*id)).collect::<Vec<BriefId>>();
    // A list that held the brief, or holds it, shows its card.
    let holds = |old: &[BriefId], new: &[BriefId]| {
        remap.from().is_some_and(|from| old.contains(&from)) || remap.to().is_some_and(|to| new.contains(&to))
    };
    let mut pages = Vec::new();
    for (i, suggested) in old_suggested.iter().enumerate() {
        let Some(id) = remap.id(BriefId::new(i)) else {
            continue;
        };
        let j = id.index();
        let differs = moved(&old.related[i]) != new.related[j]
            || moved(&old.mentioned_in[i]) != new.mentioned_in[j]
            || moved(suggested) != site.suggested.of(id);
        if differs {
            pages.push(id);
        }
    }
    let mut lists = Vec::new();
    let mut compare = |listed: Listed, old: &[BriefId], new: &[BriefId]| {
        if holds(old, new) || moved(old) != new {
            lists.push((listed, old.len()));
        }
    };
    for (i, (o, n)) in old.tag_briefs.iter().zip(&new.tag_briefs).enumerate() {
        compare(Listed::Tag(TagId::new(i)), o, n);
    }
    for (i, (o, n)) in old.company_briefs.iter().zip(&new.company_briefs).enumerate() {
        compare(Listed::Entity(EntityKey::Company(CompanyId::new(i))), o, n);
    }
    for (i, (o, n)) in old.contract_briefs.iter().zip(&new.contract_briefs).enumerate() {
        compare(Listed::Entity(EntityKey::Contract(ContractId::new(i))), o, n);
    }
    for (i, (o, n)) in old.author_briefs.iter().zip(&new.author_briefs).enumerate() {
        compare(Listed::Entity(EntityKey::Author(AuthorId::new(i))), o, n);
    }
    Changes { pages, lists }
}
