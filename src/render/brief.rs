//! The brief page (`brief.html`): the card's fields, the body, the
//! contracts' key facts (the status as of the brief's date), sources,
//! corrections, related briefs (declared both ways, then suggested) and the
//! briefs that mention it, with OpenGraph article data and JSON-LD.

use serde::Serialize;

use crate::markdown::embed;
use crate::model::BriefId;
use crate::routes::UrlPath;

use super::jsonld;
use super::picture::{self, Cut};
use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::{ArticleMeta, BriefContractFacts, BriefView, CorrectionView, DateView, Fields, SourceView};
use crate::media::image::Role;

/// The brief page's template.
const TEMPLATE: &str = "brief.html";

#[derive(Serialize)]
struct BriefPage<'a> {
    brief: BriefView<'a>,
}

impl Renderer<'_> {
    /// `briefs/<slug>/`.
    pub(super) fn brief(&self, id: BriefId) -> PageResult {
        let (site, cards) = (self.site, self.cards);
        let b = cards.model(id);
        let card = cards.card(id);
        let path = UrlPath::brief(&b.slug);
        let html = self.brief_html(id);
        let view = BriefView {
            card: Fields(cards.brief(id)),
            content: &html,
            image: (b.image.as_ref()).map(|i| picture::view(site, i, Role::Lead, Cut::Whole)),
            contract_facts: (b.contracts.iter())
                .map(|k| {
                    let status = site.catalog.contracts[k.index()].fields.status_as_of(&b.date);
                    BriefContractFacts {
                        card: Fields(cards.contract(*k)),
                        as_of: card.date.clone(),
                        status_then: status.then,
                        status_then_known: status.known,
                        status_now: status.now,
                        status_changed: status.changed(),
                    }
                })
                .collect(),
            sources: b
                .sources
                .iter()
                .map(|s| SourceView {
                    name: &s.name,
                    url: &s.url,
                })
                .collect(),
            corrections: b
                .corrections
                .iter()
                .map(|k| CorrectionView {
                    date: DateView::new(&k.date),
                    note: &k.note,
                })
                .collect(),
            related: cards.briefs(&cards.graph().related[id.index()]),
            suggested: cards.briefs(cards.suggested().of(id)),
            mentioned_in: cards.briefs(&cards.graph().mentioned_in[id.index()]),
            source_path: b.path.display().to_string(),
            extra: &b.extra,
        };
        let mut meta = self.meta("brief", &path, b.title.clone(), card.summary.to_owned());
        meta.has_embeds = embed::has_placeholder(view.content);
        meta.og_type = "article";
        meta.article = Some(ArticleMeta {
            published_time: card.date.rfc3339.clone(),
            modified_time: card.updated.as_ref().unwrap_or(&card.date).rfc3339.clone(),
            tags: card.tags.iter().map(|t| t.name.to_owned()).collect(),
            author: card.author.as_deref().map(str::to_owned),
        });
        let images = b
            .image
            .as_ref()
            .map(|i| picture::structured(site, i))
            .unwrap_or_default();
        // The lead image, else the card (or the site's image).
        meta.image = (b.image.as_ref())
            .and_then(|i| picture::share(site, i, &b.title))
            .or_else(|| self.share.brief(id).cloned());
        let mut page = ListingPage {
            page: meta,
            data: BriefPage { brief: view },
        };
        // The JSON-LD is made from the card and sources (in the view), the
        // pictures and the site's title and address (in what every page
        // shares): made only for a page that is rendered, not for each
        // page `serve` fingerprints.
        let fingerprint = self.fingerprint(TEMPLATE, &(&page, &images));
        self.emit_printed(TEMPLATE, &path, fingerprint, |html| {
            let view = &page.data.brief;
            page.page.json_ld = Some(jsonld::brief(&card, &view.sources, &images, self.publisher()));
            self.write_page(TEMPLATE, &page, html)
        })
    }
}
