//! Looking entities up by the names writers use: names, aliases and slugs,
//! case-insensitively.
//!
//! Built once per build; front matter references and `[[wikilinks]]` both
//! resolve through it, so they can never disagree.

use rustc_hash::FxHashMap;

use super::kind::Kind;
use super::{BriefId, EntityKey};

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Nothing of that kind has that name; carries the closest known name.
    Unknown {
        /// "did you mean" candidate.
        suggestion: Option<String>,
    },
    /// Several kinds share the name (wikilinks only).
    Ambiguous(Vec<EntityKey>),
}

/// The name index.
#[derive(Debug, Default, Clone)]
pub struct Lookup {
    /// Every name, alias and slug in normal form. Hashed with FxHash: the
    /// keys are the site's own names, and at 100,000 briefs SipHash was a
    /// large share of the one core the model stage runs on.
    names: FxHashMap<String, Vec<EntityKey>>,
    /// How a name was first written, where that differs from its normal
    /// form: "did you mean" quotes the writer's spelling (MSFT, not msft).
    spellings: FxHashMap<String, String>,
}

/// The normal form of a name: trimmed, lower case, single spaces.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether `name` is its own normal form, judged on ASCII names only
/// (others are normalized, to be sure).
fn is_normal(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| (b.is_ascii_graphic() && !b.is_ascii_uppercase()) || *b == b' ')
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ")
}

impl Lookup {
    /// Registers `name` for `key`; returns the entity of the same kind that
    /// already holds the name, if another one does.
    pub fn insert(&mut self, name: &str, key: EntityKey) -> Option<EntityKey> {
        let norm = normalize(name);
        if norm != name.trim() && !self.spellings.contains_key(&norm) {
            self.spellings
                .insert(norm.clone(), name.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        let keys = self.names.entry(norm).or_default();
        if let Some(existing) = keys.iter().find(|k| Kind::of(**k) == Kind::of(key)) {
            return (*existing != key).then_some(*existing);
        }
        keys.push(key);
        None
    }

    /// Gives every brief the id `remap` says (a `serve` session's brief
    /// added, deleted or moved, [`super::reorder`]); a name left without
    /// an entity is forgotten.
    pub fn remap_briefs(&mut self, remap: impl Fn(BriefId) -> Option<BriefId>) {
        self.names.retain(|name, keys| {
            keys.retain_mut(|key| match key {
                EntityKey::Brief(id) => match remap(*id) {
                    Some(new) => {
                        *id = new;
                        true
                    }
                    None => false,
                },
                _ => true,
            });
            let kept = !keys.is_empty();
            if !kept {
                self.spellings.remove(name);
            }
            kept
        });
    }

    fn get(&self, name: &str) -> Option<&Vec<EntityKey>> {
        // Most references are written in normal form already (slugs, lower
        // case): no copy is made for those.
        let found = if is_normal(name) {
            self.names.get(name)
        } else {
            self.names.get(&normalize(name))
        };
        found.or_else(|| self.names.get(&slug::slugify(name)))
    }

    /// Finds an entity of `kind` by name, alias or slug (or a name's slug form).
    pub fn find(&self, name: &str, kind: Kind) -> Result<EntityKey, Miss> {
        self.get(name)
            .and_then(|keys| keys.iter().find(|k| Kind::of(**k) == kind).copied())
            .ok_or_else(|| Miss::Unknown {
                suggestion: self.suggest(name, Some(kind)),
            })
    }

    /// The entity of `kind` that answers to `name`, if one does: [`Lookup::find`]
    /// without the "did you mean" a miss looks for among every name.
    pub fn holder(&self, name: &str, kind: Kind) -> Option<EntityKey> {
        self.get(name)
            .and_then(|keys| keys.iter().find(|k| Kind::of(**k) == kind).copied())
    }

    /// Finds an entity of any kind, for wikilinks (SPEC §3). A kind's noun
    /// as a prefix (`company:x`, `contract:x`, `author:x`, `brief:x`) looks
    /// in that kind only. A bare name means an entity before a brief: a
    /// writer who links `[[TikTok]]` means the company, even with a brief
    /// slugged `tiktok`; only two entities answering to it is ambiguous.
    pub fn find_any(&self, name: &str) -> Result<EntityKey, Miss> {
        if let Some((kind, rest)) = split_kind(name) {
            return self.find(rest, kind);
        }
        let keys = self.get(name).map(Vec::as_slice).unwrap_or_default();
        let mut entities = keys.iter().filter(|k| Kind::of(**k) != Kind::Brief);
        match (entities.next(), entities.next()) {
            (Some(one), None) => Ok(*one),
            (Some(_), Some(_)) => Err(Miss::Ambiguous(
                keys.iter().copied().filter(|k| Kind::of(*k) != Kind::Brief).collect(),
            )),
            (None, _) => match keys.first() {
                Some(brief) => Ok(*brief),
                None => Err(Miss::Unknown {
                    suggestion: self.suggest(name, None),
                }),
            },
        }
    }

    fn suggest(&self, name: &str, kind: Option<Kind>) -> Option<String> {
        let candidates = self
            .names
            .iter()
            .filter(|(_, keys)| kind.is_none_or(|k| keys.iter().any(|key| Kind::of(*key) == k)))
            .map(|(name, _)| name.as_str());
        let mut sorted: Vec<&str> = candidates.collect();
        sorted.sort_unstable();
        let closest = crate::diag::closest(&normalize(name), sorted)?;
        Some(self.spellings.get(closest).map_or(closest, String::as_str).to_owned())
    }
}

/// A typed wikilink's kind and name: `company:TikTok` → (Company, "TikTok").
pub fn split_kind(name: &str) -> Option<(Kind, &str)> {
    let (noun, rest) = name.split_once(':')?;
    let kind = [Kind::Brief]
        .into_iter()
        .chain(Kind::ENTITIES)
        .find(|k| k.noun() == noun.trim())?;
    Some((kind, rest.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BriefId, CompanyId, ContractId};

    fn lookup() -> Lookup {
        let mut l = Lookup::default();
        let aws = EntityKey::Company(CompanyId::new(0));
        l.insert("Amazon Web Services", aws);
        l.insert("AWS", aws);
        l.insert("amazon-web-services", aws);
        l.insert("JEDI", EntityKey::Contract(ContractId::new(0)));
        l.insert("jedi", EntityKey::Brief(BriefId::new(0)));
        l.insert("tiktok", EntityKey::Brief(BriefId::new(1)));
        l.insert("TikTok", EntityKey::Company(CompanyId::new(1)));
        l
    }

    #[test]
    fn names_resolve_case_insensitively() {
        let l = lookup();
        assert_eq!(l.find("aws", Kind::Company), Ok(EntityKey::Company(CompanyId::new(0))));
        assert_eq!(
            l.find("  amazon   web services", Kind::Company),
            Ok(EntityKey::Company(CompanyId::new(0)))
        );
    }

    #[test]
    fn names_in_normal_form_are_recognised() {
        for name in ["aws", "amazon web services", "c3.ai", "x-1"] {
            assert!(is_normal(name), "{name}");
            assert_eq!(normalize(name), name);
        }
        for name in ["AWS", " aws", "aws ", "a  b", "a\tb", "é", ""] {
            assert!(!is_normal(name), "{name:?}");
        }
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let Err(Miss::Unknown { suggestion }) = lookup().find("awss", Kind::Company) else {
            panic!()
        };
        assert_eq!(suggestion.as_deref(), Some("AWS"), "the writer's spelling");
    }

    #[test]
    fn a_bare_wikilink_means_the_entity_before_the_brief() {
        let l = lookup();
        assert_eq!(l.find_any("JEDI"), Ok(EntityKey::Contract(ContractId::new(0))));
        assert_eq!(l.find_any("TikTok"), Ok(EntityKey::Company(CompanyId::new(1))));
        assert_eq!(l.find_any("brief:jedi"), Ok(EntityKey::Brief(BriefId::new(0))));
        assert_eq!(l.find_any("brief: TikTok"), Ok(EntityKey::Brief(BriefId::new(1))));
        assert_eq!(l.find_any("contract:jedi"), Ok(EntityKey::Contract(ContractId::new(0))));
        assert_eq!(l.find_any("AWS"), Ok(EntityKey::Company(CompanyId::new(0))));
    }

    #[test]
    fn only_two_entities_on_one_name_are_ambiguous() {
        let mut l = lookup();
        l.insert("TikTok", EntityKey::Contract(ContractId::new(1)));
        let Err(Miss::Ambiguous(keys)) = l.find_any("tiktok") else {
            panic!()
        };
        assert_eq!(
            keys,
            [
                EntityKey::Company(CompanyId::new(1)),
                EntityKey::Contract(ContractId::new(1))
            ]
        );
    }

    #[test]
    fn two_entities_of_one_kind_cannot_share_a_name() {
        let mut l = lookup();
        assert_eq!(
            l.insert("aws", EntityKey::Company(CompanyId::new(1))),
            Some(EntityKey::Company(CompanyId::new(0)))
        );
        assert_eq!(l.insert("aws", EntityKey::Company(CompanyId::new(0))), None);
    }
}
