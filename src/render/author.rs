//! What an author adds to the entity pages: role and portrait on their
//! card; aliases and profile links on their page (paginated, with a feed of
//! their briefs); a `Person` node.

use crate::media::image::Role;
use crate::model::{Author, Authors, Site};
use crate::routes::UrlPath;

use super::cards::{Cards, EntityCards};
use super::entity::RenderKind;
use super::jsonld;
use super::picture::{self, Cut};
use super::renderer::Renderer;
use super::views::{AuthorFacts, AuthorPageFacts, LinkView};

impl RenderKind for Authors {
    type Card<'a> = AuthorFacts<'a>;
    type Page<'a> = AuthorPageFacts<'a>;

    fn card(site: &Site, index: usize) -> AuthorFacts<'_> {
        let a = &site.catalog.authors[index].fields;
        AuthorFacts {
            role: a.role.as_deref(),
            image: (a.image.as_ref()).map(|i| picture::view(site, i, Role::Portrait, Cut::Thumb)),
        }
    }

    fn cards<'c, 'a>(cards: &'c Cards<'a>) -> &'c EntityCards<'a, AuthorFacts<'a>> {
        &cards.authors
    }

    fn page<'a>(renderer: &Renderer<'a>, index: usize, _: &UrlPath) -> AuthorPageFacts<'a> {
        let a = &renderer.site.catalog.authors[index];
        AuthorPageFacts {
            aliases: &a.aliases,
            links: (a.fields.links.iter())
                .map(|l| LinkView {
                    name: &l.name,
                    url: l.url.clone(),
                })
                .collect(),
        }
    }

    fn description(author: &Author) -> String {
        match &author.fields.role {
            Some(role) => format!("Briefs by {}, {role}", author.name),
            None => format!("Briefs by {}", author.name),
        }
    }

    fn json_ld(author: &Author, permalink: &str) -> Option<String> {
        let links: Vec<&str> = author.fields.links.iter().map(|l| l.url.as_str()).collect();
        Some(jsonld::person(
            &author.name,
            permalink,
            author.fields.role.as_deref(),
            &links,
        ))
    }
}
