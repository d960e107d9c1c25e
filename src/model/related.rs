//! Suggested related stories: for each brief, up to `related_limit` other
//! briefs that share its contracts, companies and tags, best first, after the
//! related stories writers declared (which [`super::links`] keeps apart).
//!
//! # Score
//!
//! A brief's suggestions are scored by what they share with it. Each shared
//! contract, company or tag adds its weight: its kind's weight (contract 16,
//! company 4, tag 1) times a rarity factor of `1 + 3 / log2(n)`, where `n` is
//! the number of briefs on it (2 briefs: ×4, 4: ×2.5, 16: ×1.75, 1,024:
//! ×1.3). The factor lies between 1 and 4, so one shared contract always
//! outweighs one shared company, and one shared company one shared tag,
//! whatever their rarity; among entities of one kind the rarer weighs more.
//! A brief is on an entity when its front matter names it or, for companies
//! and contracts, its body mentions it: what the entity's page lists.
//!
//! A common entity, on more than `2 × NEAREST + 1` briefs, is shared only
//! with the [`NEAREST`] briefs listed just before a brief on it and the
//! [`NEAREST`] just after (its list is in date order): sharing a tag that
//! half the site carries says little, and of the briefs on it, the ones
//! close in time matter.
//!
//! Ties go to the brief published closer in time, then to the newer, then to
//! slug order (briefs' ids follow date, then slug). The brief itself and its
//! declared related stories (either direction) are never suggested.
//!
//! # Cost
//!
//! Scores are summed along the entities' lists of briefs (inverted lists),
//! never over all pairs of briefs: a brief's score for each other is the
//! sum of the weights of the lists it meets it on. The bound on common
//! entities keeps the work per brief to its number of entities times
//! `2 × NEAREST + 1` list entries, so the whole is linear in the site
//! (`tests/it/complexity.rs`). Scores are integers (fixed point, with an
//! integer `log2`), so they are the same on every machine, and no order
//! depends on floating point, hashing or threads.
//!
//! This module only ranks ids; it must not read bodies or know about pages.

use std::cmp::Reverse;

use rayon::prelude::*;

use super::reorder::Remap;
use super::{BriefId, Catalog, Links};

/// How much a shared contract weighs, before its rarity factor.
pub const CONTRACT_WEIGHT: u64 = 16;
/// How much a shared company weighs, before its rarity factor.
pub const COMPANY_WEIGHT: u64 = 4;
/// How much a shared tag weighs, before its rarity factor.
pub const TAG_WEIGHT: u64 = 1;

/// A brief shares an entity on more than `2 × NEAREST + 1` briefs only with
/// this many briefs on each side of it on the entity's list (in date
/// order): the bound that keeps suggestions linear in the site.
pub const NEAREST: usize = 64;

/// One weight unit in the fixed-point scores.
const UNIT: u64 = 1 << 16;

/// Fractional bits of [`log2_fixed`].
const LOG2_FRACTION_BITS: u32 = 16;

/// Every brief's suggested related stories, best first: at most the
/// configured `related_limit` each, none of them declared related.
#[derive(Debug, Default, Clone)]
pub struct Suggestions {
    lists: Vec<Vec<BriefId>>,
    visited: usize,
}

impl Suggestions {
    /// The suggestions for `brief`, best first.
    pub fn of(&self, brief: BriefId) -> &[BriefId] {
        self.lists.get(brief.index()).map_or(&[], Vec::as_slice)
    }

    /// How many entries of entities' lists of briefs the ranking walked:
    /// its work, which `--timings` shows and `tests/it/complexity.rs`
    /// holds to a constant per brief.
    pub fn visited(&self) -> usize {
        self.visited
    }
}

/// Suggests up to `limit` related stories for every brief of `catalog`
/// from the link graph's lists of briefs by entity (`limit` 0: none, and
/// no work).
pub fn suggest(catalog: &Catalog, links: &Links, limit: usize) -> Suggestions {
    let instants = instants(catalog);
    rank(&Input::of(links, &instants), limit)
}

/// `previous` (the suggestions made from `before`) with the suggestions of
/// `briefs` ranked again from `links`: what [`suggest`] gives when every
/// other brief's entities have the same lists of briefs, in the same order,
/// and its declared related briefs are the same (a brief's suggestions
/// are made from those alone). The dates must be those of `catalog`, and
/// the same in `before`.
///
/// Of `briefs`, only those whose own view changed are ranked: a brief's
/// suggestions depend only on its entities, their weights, the part of
/// each entity's list it shares (all of it, or the [`NEAREST`] on each
/// side on a common entity) and its declared related stories. A brief
/// added to a tag of thousands changes that part for about `2 × NEAREST`
/// of them, and the tag's weight seldom (its rarity factor moves slowly
/// with its size): so few are ranked again.
pub fn suggest_again(
    previous: &Suggestions,
    catalog: &Catalog,
    before: &Links,
    links: &Links,
    limit: usize,
    briefs: &[BriefId],
) -> Suggestions {
    let instants = instants(catalog);
    let (was, input) = (Input::of(before, &instants), Input::of(links, &instants));
    rank_changed(previous, &was, &input, limit, briefs).0
}

/// The suggestions after one brief was added, deleted or given another
/// date ([`super::reorder`], whose `remap` says how the ids moved):
/// `previous` (made from `before`, by the old ids) with only the briefs
/// that can see that brief ranked again from `links` (by the new ids); and
/// the briefs whose suggestions that changed. The dates must be those of
/// `catalog`, and the same in `before` but the brief's.
///
/// A brief sees another only on an entity they share, within its window
/// there ([`Graph::sharing`]: at most `2 × NEAREST` places away), and
/// through the entity's weight, or when either declares the other related.
/// So the briefs ranked again are those within `2 × NEAREST + 1` places of
/// it on each entity's list that held or holds it, every brief of such a
/// list whose weight changed, those declaring it related, and itself. For
/// every other brief nothing it sees changed but ids, which keep their
/// order: its suggestions are `previous`'s, by the new ids.
pub fn suggest_reordered(
    previous: Suggestions,
    before: &Links,
    catalog: &Catalog,
    links: &Links,
    remap: &Remap,
    limit: usize,
) -> (Suggestions, Vec<BriefId>) {
    let instants = instants(catalog);
    let input = Input::of(links, &instants);
    rank_reordered(previous, &Input::of(before, &[]), &input, remap, limit)
}

/// [`suggest_reordered`] from the ranking's own inputs (`was`'s dates
/// unread).
fn rank_reordered(
    previous: Suggestions,
    was: &Input<'_>,
    input: &Input<'_>,
    remap: &Remap,
    limit: usize,
) -> (Suggestions, Vec<BriefId>) {
    const MARGIN: usize = 2 * NEAREST + 1;
    let near = |list: &[BriefId], brief: Option<BriefId>| -> Vec<BriefId> {
        match brief.map(|b| list.binary_search(&b)) {
            Some(Ok(at)) => list[at.saturating_sub(MARGIN)..(at + MARGIN + 1).min(list.len())].to_vec(),
            _ => Vec::new(),
        }
    };
    let moved = |ids: Vec<BriefId>| ids.into_iter().filter_map(|b| remap.id(b));
    let mut seeing: Vec<BriefId> = remap.to().into_iter().collect();
    let kinds = [
        (was.contracts, input.contracts, CONTRACT_WEIGHT),
        (was.companies, input.companies, COMPANY_WEIGHT),
        (was.tags, input.tags, TAG_WEIGHT),
    ];
    for (old_lists, new_lists, kind_weight) in kinds {
        for (old, new) in old_lists.iter().zip(new_lists) {
            let (held, holds) = (near(old, remap.from()), near(new, remap.to()));
            if held.is_empty() && holds.is_empty() {
                continue;
            }
            if weight(kind_weight, old.len()) != weight(kind_weight, new.len()) {
                seeing.extend(new);
            }
            seeing.extend(moved(held).chain(holds));
        }
    }
    if let Some(from) = remap.from() {
        seeing.extend(moved(was.declared[from.index()].clone()));
    }
    if let Some(to) = remap.to() {
        seeing.extend(&input.declared[to.index()]);
    }
    seeing.sort_unstable();
    seeing.dedup();
    // The others' suggestions, by the new ids, in place.
    let mut suggested = previous;
    for list in &mut suggested.lists {
        list.retain_mut(|b| remap.id(*b).map(|new| *b = new).is_some());
    }
    remap.apply(&mut suggested.lists, || Some(Vec::new()));
    let mut changed = Vec::new();
    for (brief, list) in rank_some(input, &Graph::new(input), limit, &seeing) {
        let slot = &mut suggested.lists[brief.index()];
        if *slot != list || remap.to() == Some(brief) {
            changed.push(brief);
            *slot = list;
        }
    }
    (suggested, changed)
}

/// [`rank_again`] of those of `briefs` whose view changed from `was` to
/// `input`; also says how many that was.
fn rank_changed(
    previous: &Suggestions,
    was: &Input<'_>,
    input: &Input<'_>,
    limit: usize,
    briefs: &[BriefId],
) -> (Suggestions, usize) {
    let (old, graph) = (Graph::new(was), Graph::new(input));
    let changed: Vec<BriefId> = (briefs.iter().copied())
        .filter(|b| was.declared[b.index()] != input.declared[b.index()] || !graph.same_view(&old, *b))
        .collect();
    (rank_again(previous, input, &graph, limit, &changed), changed.len())
}

/// Each brief's date as a number, by id.
fn instants(catalog: &Catalog) -> Vec<i128> {
    (catalog.briefs.iter())
        .map(|b| b.date.instant().as_nanosecond())
        .collect()
}

/// [`rank`] of `briefs` only (in `graph`, made from `input`), the others'
/// lists taken from `previous`.
fn rank_again(
    previous: &Suggestions,
    input: &Input<'_>,
    graph: &Graph<'_>,
    limit: usize,
    briefs: &[BriefId],
) -> Suggestions {
    let mut again = previous.clone();
    for (brief, list) in rank_some(input, graph, limit, briefs) {
        again.lists[brief.index()] = list;
    }
    again
}

/// The suggestions of `briefs` only, on all cores (in `graph`, made from
/// `input`), each with its brief.
fn rank_some(input: &Input<'_>, graph: &Graph<'_>, limit: usize, briefs: &[BriefId]) -> Vec<(BriefId, Vec<BriefId>)> {
    let count = input.instants.len();
    if limit == 0 || count == 0 || briefs.is_empty() {
        return Vec::new();
    }
    let chunk = briefs.len().div_ceil(4 * rayon::current_num_threads()).max(64);
    let ranked: Vec<Vec<(BriefId, Vec<BriefId>)>> = (briefs.par_chunks(chunk))
        .map(|part| {
            let mut scratch = Scratch::new(count);
            (part.iter())
                .map(|b| (*b, scratch.suggest(graph, input, *b, limit)))
                .collect()
        })
        .collect();
    ranked.into_iter().flatten().collect()
}

/// What the ranking reads, by id: each entity kind's lists of briefs (in
/// id order), each brief's declared related stories and its date.
struct Input<'a> {
    contracts: &'a [Vec<BriefId>],
    companies: &'a [Vec<BriefId>],
    tags: &'a [Vec<BriefId>],
    declared: &'a [Vec<BriefId>],
    /// Each brief's date, in nanoseconds since the epoch.
    instants: &'a [i128],
}

impl<'a> Input<'a> {
    /// The lists of `links`, with the dates `instants`.
    fn of(links: &'a Links, instants: &'a [i128]) -> Input<'a> {
        Input {
            contracts: &links.contract_briefs,
            companies: &links.company_briefs,
            tags: &links.tag_briefs,
            declared: &links.related,
            instants,
        }
    }
}

/// Every entity as one index, with its list of briefs and its weight, and
/// each brief's entities, packed.
struct Graph<'a> {
    lists: Vec<&'a [BriefId]>,
    weights: Vec<u64>,
    /// Brief `b`'s entities are `entities[starts[b]..starts[b + 1]]`.
    starts: Vec<usize>,
    entities: Vec<u32>,
}

impl<'a> Graph<'a> {
    fn new(input: &Input<'a>) -> Graph<'a> {
        let kinds = [
            (input.contracts, CONTRACT_WEIGHT),
            (input.companies, COMPANY_WEIGHT),
            (input.tags, TAG_WEIGHT),
        ];
        let mut lists = Vec::new();
        let mut weights = Vec::new();
        for (kind_lists, kind_weight) in kinds {
            for list in kind_lists {
                lists.push(list.as_slice());
                weights.push(weight(kind_weight, list.len()));
            }
        }
        // Each brief's entities, by counting and then filling.
        let briefs = input.instants.len();
        let mut starts = vec![0usize; briefs + 1];
        for list in &lists {
            for b in *list {
                starts[b.index() + 1] += 1;
            }
        }
        for i in 0..briefs {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut entities = vec![0u32; starts[briefs]];
        for (e, list) in lists.iter().enumerate() {
            let e = u32::try_from(e).expect("fewer than 4 billion entities");
            for b in *list {
                entities[next[b.index()]] = e;
                next[b.index()] += 1;
            }
        }
        Graph {
            lists,
            weights,
            starts,
            entities,
        }
    }

    fn entities_of(&self, brief: usize) -> &[u32] {
        &self.entities[self.starts[brief]..self.starts[brief + 1]]
    }

    /// Whether `brief` sees in this graph what it saw in `old`: the same
    /// entities, each of the same weight, sharing it with the same briefs.
    /// Its ranking reads nothing else of the graph.
    fn same_view(&self, old: &Graph<'_>, brief: BriefId) -> bool {
        let entities = self.entities_of(brief.index());
        self.lists.len() == old.lists.len()
            && entities == old.entities_of(brief.index())
            && entities.iter().all(|&e| {
                self.weights[e as usize] == old.weights[e as usize] && self.sharing(e, brief) == old.sharing(e, brief)
            })
    }

    /// The briefs `brief` shares entity `e` with: all on its list, or on a
    /// common entity the [`NEAREST`] on each side of it (itself included).
    fn sharing(&self, e: u32, brief: BriefId) -> &[BriefId] {
        let list = self.lists[e as usize];
        let span = 2 * NEAREST + 1;
        if list.len() <= span {
            return list;
        }
        let at = list.binary_search(&brief).unwrap_or_else(|i| i);
        let start = at.saturating_sub(NEAREST).min(list.len() - span);
        &list[start..start + span]
    }
}

/// A shared entity's weight in fixed point: `kind_weight × (1 + 3 / log2(briefs))`.
/// An entity on fewer than two briefs is shared with nobody.
fn weight(kind_weight: u64, briefs: usize) -> u64 {
    if briefs < 2 {
        return 0;
    }
    let briefs = u64::try_from(briefs).unwrap_or(u64::MAX);
    let rarity = 3 * UNIT * (1 << LOG2_FRACTION_BITS) / log2_fixed(briefs);
    kind_weight * (UNIT + rarity)
}

/// `log2(n)` for `n ≥ 1`, with [`LOG2_FRACTION_BITS`] fractional bits,
/// rounded down: integers only, so that it is the same everywhere.
fn log2_fixed(n: u64) -> u64 {
    let whole = n.ilog2();
    // n / 2^whole, in [1, 2), with 62 fractional bits; squaring it doubles
    // its logarithm, and each time it reaches 2 the next bit is a one.
    let mut x: u128 = (u128::from(n) << 62) >> whole;
    let mut fraction = 0u64;
    for bit in (0..LOG2_FRACTION_BITS).rev() {
        x = (x * x) >> 62;
        if x >= 1 << 63 {
            x >>= 1;
            fraction |= 1 << bit;
        }
    }
    (u64::from(whole) << LOG2_FRACTION_BITS) | fraction
}

/// Every brief's suggestions, on all cores, in id order.
fn rank(input: &Input<'_>, limit: usize) -> Suggestions {
    let briefs = input.instants.len();
    if limit == 0 || briefs == 0 {
        return Suggestions {
            lists: vec![Vec::new(); briefs],
            visited: 0,
        };
    }
    let graph = Graph::new(input);
    // A few chunks per core, each with one scratch space (an array the
    // size of the site, allocated once per chunk, not per brief).
    let chunk = briefs.div_ceil(4 * rayon::current_num_threads()).max(256);
    let chunks: Vec<(Vec<Vec<BriefId>>, usize)> = (0..briefs.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut scratch = Scratch::new(briefs);
            let lists = (c * chunk..briefs.min((c + 1) * chunk))
                .map(|b| scratch.suggest(&graph, input, BriefId::new(b), limit))
                .collect();
            (lists, scratch.visited)
        })
        .collect();
    let visited = chunks.iter().map(|(_, v)| v).sum();
    Suggestions {
        lists: chunks.into_iter().flat_map(|(lists, _)| lists).collect(),
        visited,
    }
}

/// What ranking one brief needs besides the graph, reused from brief to
/// brief: marks stamped with the brief being ranked, so nothing is cleared.
struct Scratch {
    stamp: u32,
    /// Per brief: the stamp of the brief being ranked once met, and its
    /// slot in `met` ([`EXCLUDED`] for the brief itself and its declared
    /// related stories).
    marks: Vec<Mark>,
    /// The briefs met, with their scores so far.
    met: Vec<(u64, BriefId)>,
    /// Room to find the `limit`-th best score.
    scores: Vec<u64>,
    /// (score, distance in time, id) of the briefs that may be among the
    /// best.
    contenders: Vec<(Reverse<u64>, u128, BriefId)>,
    /// List entries walked so far.
    visited: usize,
}

/// Where the ranking of one brief met another.
#[derive(Clone, Copy, Default)]
struct Mark {
    stamp: u32,
    slot: u32,
}

/// The slot of a brief that may not be suggested.
const EXCLUDED: u32 = u32::MAX;

impl Scratch {
    fn new(briefs: usize) -> Scratch {
        Scratch {
            stamp: 0,
            marks: vec![Mark::default(); briefs],
            met: Vec::new(),
            scores: Vec::new(),
            contenders: Vec::new(),
            visited: 0,
        }
    }

    /// The best `limit` briefs for `brief`, best first: each brief met on
    /// the lists of its entities scores the weights of those lists; the
    /// dates are looked at only for those that tie for a place.
    fn suggest(&mut self, graph: &Graph<'_>, input: &Input<'_>, brief: BriefId, limit: usize) -> Vec<BriefId> {
        self.stamp += 1;
        let stamp = self.stamp;
        let excluded = Mark { stamp, slot: EXCLUDED };
        self.marks[brief.index()] = excluded;
        for d in &input.declared[brief.index()] {
            self.marks[d.index()] = excluded;
        }
        self.met.clear();
        for e in graph.entities_of(brief.index()) {
            let weight = graph.weights[*e as usize];
            let sharing = graph.sharing(*e, brief);
            self.visited += sharing.len();
            for c in sharing {
                let mark = &mut self.marks[c.index()];
                if mark.stamp != stamp {
                    let slot = u32::try_from(self.met.len()).expect("fewer than 4 billion briefs");
                    *mark = Mark { stamp, slot };
                    self.met.push((weight, *c));
                } else if mark.slot != EXCLUDED {
                    self.met[mark.slot as usize].0 += weight;
                }
            }
        }
        // Only the briefs scoring at least the `limit`-th best score can
        // be among the best; their dates decide between equal scores.
        let threshold = if self.met.len() > limit {
            self.scores.clear();
            self.scores.extend(self.met.iter().map(|(score, _)| *score));
            *self.scores.select_nth_unstable_by(limit - 1, |a, b| b.cmp(a)).1
        } else {
            0
        };
        let when = input.instants[brief.index()];
        self.contenders.clear();
        for (score, c) in &self.met {
            if *score >= threshold {
                let distance = input.instants[c.index()].abs_diff(when);
                self.contenders.push((Reverse(*score), distance, *c));
            }
        }
        // Keys are unique (ids are), so this order is total.
        if self.contenders.len() > limit {
            self.contenders.select_nth_unstable(limit);
            self.contenders.truncate(limit);
        }
        self.contenders.sort_unstable();
        self.contenders.iter().map(|(_, _, id)| *id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_again_the_briefs_of_changed_lists_gives_a_whole_ranking() {
        // Brief 2 moves from the second tag to the first, and gains a
        // company; briefs 8 and 9 share nothing with the lists that change.
        let before = Fixture::new(10)
            .tag(&[0, 1, 3, 4])
            .tag(&[2, 5, 6, 7])
            .tag(&[8, 9])
            .company(&[0, 6])
            .contract(&[1, 4, 7]);
        let after = Fixture::new(10)
            .tag(&[0, 1, 2, 3, 4])
            .tag(&[5, 6, 7])
            .tag(&[8, 9])
            .company(&[0, 2, 6])
            .contract(&[1, 4, 7]);
        let previous = before.rank(3);
        // The briefs of every list that changed, before and after.
        let changed = ids(&[0, 1, 2, 3, 4, 5, 6, 7]);
        let (again, _) = rank_changed(&previous, &before.input(), &after.input(), 3, &changed);
        let whole = after.rank(3);
        for b in 0..10 {
            assert_eq!(again.of(BriefId::new(b)), whole.of(BriefId::new(b)), "brief {b}");
        }
        assert_ne!(
            whole.of(BriefId::new(2)),
            previous.of(BriefId::new(2)),
            "the edit mattered"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

        /// One brief added to or taken from a common tag (past the window)
        /// and a company: ranking again only the briefs whose view changed
        /// gives the whole ranking.
        #[test]
        fn ranking_again_only_changed_views_gives_a_whole_ranking(
            moved in 0usize..400,
            seed in 0usize..1000,
            limit in 1usize..8,
        ) {
            let n = 400;
            let build = |with: bool| {
                let common: Vec<usize> = (0..n).filter(|b| (b * 7 + seed) % 10 < 8 && (*b != moved || with)).collect();
                let company: Vec<usize> = (0..n).filter(|b| (b + seed) % 37 == 0 || (*b == moved && with)).collect();
                Fixture::new(n)
                    .tag(&common)
                    .tag(&(0..n).filter(|b| (b * 3 + seed) % 11 < 2).collect::<Vec<_>>())
                    .company(&company)
                    .contract(&(0..n).filter(|b| (b / 20 + seed) % 9 == 0).collect::<Vec<_>>())
                    .related(seed % n, (seed + 7) % n)
            };
            for (before, after) in [(build(false), build(true)), (build(true), build(false))] {
                let previous = before.rank(limit);
                // What a session hands over: every brief of a list that changed.
                let mut touched: Vec<usize> = (before.tags[0].iter().chain(&after.tags[0]))
                    .chain(before.companies[0].iter().chain(&after.companies[0]))
                    .map(|b| b.index())
                    .collect();
                touched.sort_unstable();
                touched.dedup();
                let (again, ranked) = rank_changed(&previous, &before.input(), &after.input(), limit, &ids(&touched));
                let whole = after.rank(limit);
                for b in 0..n {
                    proptest::prop_assert_eq!(again.of(BriefId::new(b)), whole.of(BriefId::new(b)), "brief {}", b);
                }
                proptest::prop_assert!(ranked <= touched.len());
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// A brief added, deleted or given another date (`op` 0, 1, 2; it
        /// moves to just after `place`): ranking again only the briefs
        /// that can see it gives the whole ranking, by the new ids. The
        /// common tag is longer than two windows, so a brief far from it
        /// sees it only through the tag's weight.
        #[test]
        fn ranking_again_around_a_brief_put_in_place_gives_a_whole_ranking(
            brief in 0usize..600,
            place in 0usize..600,
            op in 0u8..3,
            seed in 0usize..1000,
            limit in 1usize..8,
        ) {
            let n = 600;
            let date = |b: usize, moved: bool| match moved && b == brief {
                true => (n - place) as i128 * DAY - DAY / 2,
                false => (n - b) as i128 * DAY,
            };
            // The site of the briefs `present` gives, newest first, and
            // which brief each id is.
            let site = |present: &dyn Fn(usize) -> bool, moved: bool| -> (Fixture, Vec<usize>) {
                let mut order: Vec<usize> = (0..n).filter(|b| present(*b)).collect();
                order.sort_by_key(|b| std::cmp::Reverse(date(*b, moved)));
                let list = |member: &dyn Fn(usize) -> bool| -> Vec<usize> {
                    (order.iter().enumerate()).filter(|(_, b)| member(**b)).map(|(i, _)| i).collect()
                };
                let mut fixture = Fixture::new(order.len())
                    .tag(&list(&|b| (b * 7 + seed) % 10 < 9))
                    .tag(&list(&|b| (b * 3 + seed) % 11 < 2))
                    .company(&list(&|b| (b + seed) % 37 == 0 || (b == brief && seed % 2 == 0)))
                    .contract(&list(&|b| (b / 20 + seed) % 9 == 0));
                let at = |b: usize| order.iter().position(|x| *x == b);
                if let (Some(a), Some(c)) = (at(brief), at((brief + 7) % n))
                    && seed % 3 == 0
                {
                    fixture = fixture.related(a, c);
                }
                fixture.instants = order.iter().map(|b| date(*b, moved)).collect();
                (fixture, order)
            };
            let all = |_: usize| true;
            let others = |b: usize| b != brief;
            let ((before, old), (after, new)) = match op {
                0 => (site(&others, false), site(&all, false)),
                1 => (site(&all, false), site(&others, false)),
                _ => (site(&all, false), site(&all, true)),
            };
            let id = |order: &[usize]| order.iter().position(|b| *b == brief).map(BriefId::new);
            let remap = Remap::new(id(&old), id(&new));
            for (i, b) in old.iter().enumerate() {
                let now = new.iter().position(|x| x == b).map(BriefId::new);
                proptest::prop_assert_eq!(remap.id(BriefId::new(i)), now);
            }
            let (again, _) = rank_reordered(before.rank(limit), &before.input(), &after.input(), &remap, limit);
            let whole = after.rank(limit);
            for b in 0..new.len() {
                proptest::prop_assert_eq!(again.of(BriefId::new(b)), whole.of(BriefId::new(b)), "brief {}", b);
            }
        }
    }

    #[test]
    fn a_brief_deleted_far_away_on_a_long_tag_is_seen_through_its_weight() {
        // Brief 0 leaves a tag of `long` briefs, far from brief Y near its
        // end: Y's window there stays, but the tag's weight grows, which
        // puts X (sharing it and a short tag with Y) above Z (sharing two
        // other short tags with Y), or the other way round.
        let w = |n: usize| weight(TAG_WEIGHT, n);
        // Z's scores, from the sizes of two short tags.
        let mut scores: Vec<(u64, usize, usize)> = (2..60)
            .flat_map(|m| (2..60).map(move |m2| (w(m) + w(m2), m, m2)))
            .collect();
        scores.sort_unstable();
        let between = |low: u64, high: u64| scores.iter().find(|(z, ..)| low < *z && *z < high).copied();
        let (long, d, m, m2) = (300..3000)
            .filter(|&long| w(long) != w(long - 1))
            .find_map(|long| {
                (2..60).find_map(|d| {
                    let (before, after) = (w(long) + w(d), w(long - 1) + w(d));
                    between(before.min(after), before.max(after)).map(|(_, m, m2)| (long, d, m, m2))
                })
            })
            .expect("sizes whose order the weight turns");
        let fixture = |with: bool| {
            let shift = usize::from(!with);
            // Ids of the site with brief 0, by the site's ids.
            let id = |i: usize| i - shift;
            let (y, x, z) = (id(long - 2), id(long - 1), id(long));
            let mut next = long + 1;
            let mut fillers = |count: usize| {
                let start = next;
                next += count;
                (start..next).map(id).collect::<Vec<usize>>()
            };
            let with_fillers = |members: &[usize], fillers: Vec<usize>| {
                let mut list: Vec<usize> = members.iter().copied().chain(fillers).collect();
                list.sort_unstable();
                list
            };
            let a: Vec<usize> = (shift..long).map(id).collect();
            let d_list = with_fillers(&[y, x], fillers(d - 2));
            let c_list = with_fillers(&[y, z], fillers(m - 2));
            let e_list = with_fillers(&[y, z], fillers(m2 - 2));
            let count = next - shift;
            (Fixture::new(count).tag(&a).tag(&d_list).tag(&c_list).tag(&e_list), y)
        };
        let ((before, _), (after, y)) = (fixture(true), fixture(false));
        let remap = Remap::new(Some(BriefId::new(0)), None);
        let previous = before.rank(1);
        let (again, _) = rank_reordered(previous.clone(), &before.input(), &after.input(), &remap, 1);
        let whole = after.rank(1);
        for b in 0..after.instants.len() {
            assert_eq!(again.of(BriefId::new(b)), whole.of(BriefId::new(b)), "brief {b}");
        }
        let was: Vec<BriefId> = previous
            .of(BriefId::new(y + 1))
            .iter()
            .filter_map(|b| remap.id(*b))
            .collect();
        assert_ne!(
            whole.of(BriefId::new(y)),
            was.as_slice(),
            "the weight turned Y's suggestion"
        );
    }

    #[test]
    fn a_brief_added_to_a_common_tag_of_steady_weight_ranks_few_again() {
        // A size past which one more brief leaves the tag's weight as it
        // was (the usual case on a tag of thousands).
        let size = (3000..4000)
            .find(|n| weight(TAG_WEIGHT, *n) == weight(TAG_WEIGHT, n + 1))
            .expect("a steady size");
        let n = size + 1;
        let before = Fixture::new(n).tag(&(1..n).collect::<Vec<_>>()).company(&[0, 5]);
        let after = Fixture::new(n).tag(&(0..n).collect::<Vec<_>>()).company(&[0, 5]);
        let previous = before.rank(4);
        let everyone = ids(&(0..n).collect::<Vec<_>>());
        let (again, ranked) = rank_changed(&previous, &before.input(), &after.input(), 4, &everyone);
        let whole = after.rank(4);
        assert!((0..n).all(|b| again.of(BriefId::new(b)) == whole.of(BriefId::new(b))));
        // Brief 0 and the briefs whose window on the tag took it in.
        assert!(ranked <= 2 * NEAREST + 2, "{ranked} of {n} ranked again");
        assert!(ranked > NEAREST, "{ranked}");
    }

    const DAY: i128 = 86_400 * 1_000_000_000;

    /// A site of `n` briefs, one a day, newest first (as ids are), with
    /// the given entities and declared related stories.
    struct Fixture {
        contracts: Vec<Vec<BriefId>>,
        companies: Vec<Vec<BriefId>>,
        tags: Vec<Vec<BriefId>>,
        declared: Vec<Vec<BriefId>>,
        instants: Vec<i128>,
    }

    fn ids(list: &[usize]) -> Vec<BriefId> {
        list.iter().map(|i| BriefId::new(*i)).collect()
    }

    impl Fixture {
        fn new(n: usize) -> Fixture {
            Fixture {
                contracts: Vec::new(),
                companies: Vec::new(),
                tags: Vec::new(),
                declared: vec![Vec::new(); n],
                instants: (0..n).map(|i| (n - i) as i128 * DAY).collect(),
            }
        }

        fn contract(mut self, briefs: &[usize]) -> Self {
            self.contracts.push(ids(briefs));
            self
        }

        fn company(mut self, briefs: &[usize]) -> Self {
            self.companies.push(ids(briefs));
            self
        }

        fn tag(mut self, briefs: &[usize]) -> Self {
            self.tags.push(ids(briefs));
            self
        }

        fn related(mut self, a: usize, b: usize) -> Self {
            self.declared[a].push(BriefId::new(b));
            self.declared[b].push(BriefId::new(a));
            self
        }

        fn input(&self) -> Input<'_> {
            Input {
                contracts: &self.contracts,
                companies: &self.companies,
                tags: &self.tags,
                declared: &self.declared,
                instants: &self.instants,
            }
        }

        fn rank(&self, limit: usize) -> Suggestions {
            rank(&self.input(), limit)
        }

        fn suggested(&self, brief: usize, limit: usize) -> Vec<usize> {
            self.rank(limit)
                .of(BriefId::new(brief))
                .iter()
                .map(|b| b.index())
                .collect()
        }
    }

    #[test]
    fn log2_is_exact_on_powers_of_two_and_close_elsewhere() {
        for k in 0..63u32 {
            assert_eq!(log2_fixed(1 << k), u64::from(k) << LOG2_FRACTION_BITS);
        }
        for n in [3u64, 5, 10, 1000, 123_456, u64::from(u32::MAX)] {
            let fixed = log2_fixed(n) as f64 / f64::from(1u32 << LOG2_FRACTION_BITS);
            let error = (n as f64).log2() - fixed;
            assert!((0.0..2e-4).contains(&error), "log2({n}): {fixed}");
        }
    }

    #[test]
    fn weights_follow_the_documented_formula() {
        assert_eq!(weight(TAG_WEIGHT, 2), 4 * UNIT);
        assert_eq!(weight(TAG_WEIGHT, 4), 2 * UNIT + UNIT / 2);
        assert_eq!(weight(COMPANY_WEIGHT, 16), COMPANY_WEIGHT * (UNIT + 3 * UNIT / 4));
        assert_eq!(weight(CONTRACT_WEIGHT, 1024), CONTRACT_WEIGHT * (UNIT + 3 * UNIT / 10));
        assert_eq!(
            weight(CONTRACT_WEIGHT, 1),
            0,
            "an entity on one brief is shared with none"
        );
    }

    #[test]
    fn one_entity_of_a_weightier_kind_outweighs_one_of_a_lighter_kind_however_rare() {
        let commonest = usize::MAX;
        assert!(weight(COMPANY_WEIGHT, commonest) > weight(TAG_WEIGHT, 2));
        assert!(weight(CONTRACT_WEIGHT, commonest) > weight(COMPANY_WEIGHT, 2));
        // Within a kind, the rarer weighs more.
        for kind in [TAG_WEIGHT, COMPANY_WEIGHT, CONTRACT_WEIGHT] {
            for n in 2..300 {
                assert!(weight(kind, n) > weight(kind, n + 1), "{kind} at {n}");
            }
        }
    }

    #[test]
    fn shared_contracts_outrank_companies_which_outrank_tags() {
        // Brief 0 shares a tag with 1, a company with 2, a contract with 3;
        // 1 is closest in time, so only the weights can put 3 first.
        let f = Fixture::new(4).tag(&[0, 1]).company(&[0, 2]).contract(&[0, 3]);
        assert_eq!(f.suggested(0, 4), [3, 2, 1]);
    }

    #[test]
    fn a_rare_entity_outranks_a_common_one_of_its_kind() {
        // Brief 0 shares the common tag with 1 and the rare one with 4.
        let f = Fixture::new(8).tag(&[0, 1, 2, 3, 5, 6, 7]).tag(&[0, 4]);
        assert_eq!(f.suggested(0, 2), [4, 1]);
    }

    #[test]
    fn two_rare_companies_can_outweigh_one_common_contract() {
        // The contract is on 41 briefs: 16 × (1 + 3 / log2 41) ≈ 25; each
        // company is on 2: 4 × 4 = 16. One company loses to the contract,
        // two win.
        let contract: Vec<usize> = (0..41).collect();
        let one = Fixture::new(51).contract(&contract).company(&[0, 50]);
        assert_eq!(one.suggested(0, 2), [1, 2]);
        let two = Fixture::new(51).contract(&contract).company(&[0, 50]).company(&[0, 50]);
        assert_eq!(two.suggested(0, 2), [50, 1]);
    }

    #[test]
    fn ties_go_to_the_closer_date_then_the_newer_then_the_slug() {
        // Briefs 1..=5 share one tag with brief 3, one day apart: 2 and 4 are
        // one day away (2 is newer), then 1 and 5.
        let f = Fixture::new(6).tag(&[1, 2, 3, 4, 5]);
        assert_eq!(f.suggested(3, 4), [2, 4, 1, 5]);
        // Same date: id order, which is slug order within a date.
        let mut same_day = Fixture::new(4).tag(&[0, 1, 2, 3]);
        same_day.instants = vec![DAY; 4];
        assert_eq!(same_day.suggested(2, 3), [0, 1, 3]);
    }

    #[test]
    fn itself_and_declared_related_are_never_suggested() {
        let f = Fixture::new(4).contract(&[0, 1, 2, 3]).related(0, 1).related(3, 0);
        assert_eq!(f.suggested(0, 4), [2]);
        assert_eq!(f.suggested(1, 4), [2, 3]);
    }

    #[test]
    fn limit_zero_suggests_nothing_and_a_limit_caps_the_list() {
        let f = Fixture::new(10).tag(&(0..10).collect::<Vec<_>>());
        let none = f.rank(0);
        assert!((0..10).all(|b| none.of(BriefId::new(b)).is_empty()));
        assert_eq!(f.suggested(0, 3), [1, 2, 3]);
        assert_eq!(f.suggested(9, 100).len(), 9);
    }

    #[test]
    fn briefs_sharing_nothing_are_not_suggested() {
        let f = Fixture::new(4).tag(&[0, 1]).tag(&[2, 3]);
        assert_eq!(f.suggested(0, 4), [1]);
        assert_eq!(f.suggested(3, 4), [2]);
    }

    #[test]
    fn a_common_entity_is_shared_with_the_nearest_briefs_on_it() {
        let n = 4 * NEAREST;
        let everyone: Vec<usize> = (0..n).collect();
        let far = n - 1;
        // Brief `far` is outside brief 0's window on the common tag; it
        // shares a rare company with it, which is enough to come first.
        let f = Fixture::new(n).tag(&everyone).company(&[0, far]);
        let suggested = f.suggested(0, NEAREST + 10);
        assert_eq!(suggested[0], far);
        assert_eq!(suggested[1..], (1..=NEAREST + 9).collect::<Vec<_>>());
        // On a common contract, it shares only the rare tag, which weighs
        // less than the contract the briefs close in time share.
        let g = Fixture::new(n).contract(&everyone).tag(&[0, far]);
        assert_eq!(g.suggested(0, 1), [1]);
        let all = g.suggested(0, 3 * NEAREST);
        assert_eq!((all.len(), all.last()), (2 * NEAREST + 1, Some(&far)));
        // A window at the end of the list still spans 2 × NEAREST + 1.
        let h = Fixture::new(n).tag(&everyone);
        assert_eq!(h.suggested(far, 3 * NEAREST).len(), 2 * NEAREST);
        assert_eq!(h.suggested(n / 2, 1), [n / 2 - 1]);
    }

    #[test]
    fn the_work_per_brief_is_bounded_on_common_entities() {
        // Every brief on one tag, one company and one contract: without the
        // bound, each would walk the whole site three times.
        let n = 1000;
        let everyone: Vec<usize> = (0..n).collect();
        let f = Fixture::new(n).tag(&everyone).company(&everyone).contract(&everyone);
        let ranked = f.rank(4);
        assert_eq!(ranked.visited(), n * 3 * (2 * NEAREST + 1));
        assert_eq!(ranked.of(BriefId::new(500)), ids(&[499, 501, 498, 502]).as_slice());
    }

    #[test]
    fn equal_weights_tie_on_the_date() {
        // Two companies on two briefs each: brief 9, met first, and brief
        // 1, as good and closer in time.
        let f = Fixture::new(10).company(&[0, 9]).company(&[0, 1]);
        assert_eq!(f.suggested(0, 1), [1]);
        assert_eq!(f.suggested(0, 2), [1, 9]);
    }

    /// The ranking done pair by pair: for every other brief, the weights of
    /// the entities both are on (a common one only within the window),
    /// sorted by score, distance in time and id.
    fn every_pair(f: &Fixture) -> Vec<Vec<BriefId>> {
        let input = Input {
            contracts: &f.contracts,
            companies: &f.companies,
            tags: &f.tags,
            declared: &f.declared,
            instants: &f.instants,
        };
        let graph = Graph::new(&input);
        let n = f.instants.len();
        (0..n)
            .map(|b| {
                let brief = BriefId::new(b);
                let mut keyed: Vec<_> = (0..n)
                    .map(BriefId::new)
                    .filter(|c| *c != brief && !f.declared[b].contains(c))
                    .filter_map(|c| {
                        let score: u64 = (graph.entities_of(b).iter())
                            .filter(|e| graph.entities_of(c.index()).contains(e))
                            .filter(|e| graph.sharing(**e, brief).binary_search(&c).is_ok())
                            .map(|e| graph.weights[*e as usize])
                            .sum();
                        let distance = f.instants[c.index()].abs_diff(f.instants[b]);
                        (score > 0).then_some((Reverse(score), distance, c))
                    })
                    .collect();
                keyed.sort_unstable();
                keyed.into_iter().map(|(_, _, c)| c).collect()
            })
            .collect()
    }

    /// `n` briefs on overlapping tags (common ones, past the window),
    /// companies (rare) and contracts (in runs of dates), some declared
    /// related.
    fn overlapping(n: usize) -> Fixture {
        let mut f = Fixture::new(n);
        for t in 0..40 {
            f = f.tag(&(0..n).filter(|b| (b * 7 + t) % 13 < 3).collect::<Vec<_>>());
        }
        for c in 0..100 {
            f = f.company(&(0..n).filter(|b| (b * 31 + c) % 97 == 0).collect::<Vec<_>>());
        }
        for k in 0..30 {
            f = f.contract(&(0..n).filter(|b| (b / 50) % 30 == k && b % 3 == 0).collect::<Vec<_>>());
        }
        for b in (0..n - 5).step_by(11) {
            f = f.related(b, b + 5);
        }
        f
    }

    #[test]
    fn summing_along_lists_gives_what_scoring_every_pair_gives() {
        let f = overlapping(1000);
        let everything = every_pair(&f);
        for limit in [1, 4, 10, 200] {
            let ranked = f.rank(limit);
            for (b, all) in everything.iter().enumerate() {
                let expected = &all[..limit.min(all.len())];
                assert_eq!(ranked.of(BriefId::new(b)), expected, "brief {b}, limit {limit}");
            }
        }
    }

    #[test]
    fn the_ranking_is_the_same_on_any_number_of_threads() {
        let f = overlapping(3000);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| f.rank(4))
        };
        let (one, four) = (on(1), on(4));
        assert_eq!(one.lists, four.lists);
        assert_eq!(one.visited, four.visited);
        assert!(one.lists.iter().all(|l| l.len() == 4));
    }
}
