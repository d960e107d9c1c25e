//! `render_partial(template=…, …)`: a template rendered once per build for
//! each distinct set of arguments, however many pages show it.
//!
//! A brief's card appears on its tags', companies' and contracts' pages, the
//! home page and its related briefs' pages: a site shows several times as
//! many cards as it has distinct ones (BENCHMARKS.md, "Figures behind
//! design choices"). Documented for theme authors in `docs/themes.md`.

use std::sync::{Arc, RwLock, Weak};

use rustc_hash::FxHashMap;
use tera::{Context, Kwargs, State, Tera, TeraResult, Value};
use xxhash_rust::xxh3::xxh3_128;

/// The function's name in templates.
pub const RENDER_PARTIAL: &str = "render_partial";

/// How many bytes of rendered partials a build keeps for reuse, split
/// evenly between the store's [`SHARDS`] parts, each in two generations
/// of half its share: memory stays bounded at any site size.
/// At 100,000 briefs the distinct partials are about 220 MB; with the
/// render stage's job order (listings by date, then brief pages, then
/// entity pages) this budget renders 399,741 of them, a store of 256 MiB
/// (all of them) 399,706, and 64 MiB rendered 444,149: 11 % more, about
/// 0.4 s of wall time, for no less peak RSS (BENCHMARKS.md, "Partial
/// store budget").
const PARTIALS_BUDGET: usize = 128 << 20;

/// The partials a build rendered, by their arguments: `render_partial`
/// renders a template with the other arguments as its variables, or returns
/// the HTML of an earlier call with the same arguments. Reuse is
/// exact: scalars are compared by value, and maps and lists (cards) by
/// identity, which holds because the store keeps each one it saw alive. What
/// `render_partial` returns is HTML, printed as is.
///
/// A `serve` session may hand the store on to the templates compiled for
/// its next build ([`Partials::register`]) when what every page shares is
/// unchanged: the cards it reuses keep their values, so their partials
/// are found again.
#[derive(Default)]
pub struct Partials {
    /// The site's templates, which hold this store through their
    /// `render_partial`: held weakly, so the two do not keep each other
    /// alive. The latest templates given ([`Partials::ready`]).
    tera: RwLock<Weak<Tera>>,
    /// The store, split by key into parts locked on their own: both cores
    /// of a build call `render_partial` for every card of every page, and
    /// one lock would move between them at each call.
    shards: [Shard; SHARDS],
}

/// How many parts the store is split into.
const SHARDS: usize = 16;

/// One part of the store, on a cache line of its own.
#[derive(Default)]
#[repr(align(64))]
struct Shard(RwLock<Store>);

/// Rendered partials in two generations: new ones go into the young one;
/// when it is full the old one is dropped and the young one becomes old. A
/// partial found in the old generation is put in the young one too, so
/// what pages keep asking for stays while the rest ages out, without the
/// bookkeeping of a least-recently-used list.
struct Store {
    young: Generation,
    old: Generation,
    /// Bytes of HTML both generations hold at most.
    budget: usize,
}

impl Default for Store {
    fn default() -> Store {
        Store {
            young: Generation::default(),
            old: Generation::default(),
            budget: PARTIALS_BUDGET / SHARDS,
        }
    }
}

impl Store {
    fn get(&self, key: u128) -> Option<(&Value, bool)> {
        (self.young.get(key).map(|html| (html, true))).or_else(|| self.old.get(key).map(|html| (html, false)))
    }

    fn insert(&mut self, key: u128, html: Value, held: Vec<Value>) {
        if self.young.bytes + html_len(&html) > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, html, held);
    }
}

/// One generation of rendered partials: each one's HTML as the string
/// value `render_partial` returns, so that a call found here costs a
/// reference count, not a copy of the HTML.
#[derive(Default)]
struct Generation {
    /// Each call's HTML, by the call's key (a hash already, so hashed again
    /// with the cheapest hasher).
    index: FxHashMap<u128, Value>,
    /// The maps and lists of the calls' arguments: held so that no other
    /// value can take their address while an entry stands for them.
    held: Vec<Value>,
    bytes: usize,
}

/// The bytes of a partial's HTML (a string value), which count against
/// the budget.
fn html_len(html: &Value) -> usize {
    html.as_str().map_or(0, str::len)
}

thread_local! {
    /// The bytes a `render_partial` call is keyed by, reused call to call.
    static KEY_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Generation {
    fn get(&self, key: u128) -> Option<&Value> {
        self.index.get(&key)
    }

    fn insert(&mut self, key: u128, html: Value, held: Vec<Value>) {
        self.bytes += html_len(&html);
        self.index.insert(key, html);
        self.held.extend(held);
    }
}

impl Partials {
    /// Registers `render_partial` on `tera`, which holds the store from then
    /// on; call [`Partials::ready`] on it once the templates are added.
    /// Only templates that render what the store's earlier ones rendered
    /// (the same sources and global context) may be given a store that
    /// has partials.
    pub fn register(self: &Arc<Partials>, tera: &mut Tera) {
        let strong = Arc::clone(self);
        tera.register_function(RENDER_PARTIAL, move |kwargs: Kwargs, _: &State| strong.render(&kwargs));
    }

    /// Gives the store the compiled templates to render partials with. It
    /// holds them weakly: they hold the store.
    pub fn ready(&self, tera: &Arc<Tera>) {
        *self.tera.write().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(tera);
    }

    fn render(&self, kwargs: &Kwargs) -> TeraResult<Value> {
        let template: &str = kwargs.must_get("template")?;
        // Sorted by name, so that the order of the arguments does not matter.
        let mut arguments: Vec<(&str, &Value)> = kwargs.iter().filter_map(|(k, v)| Some((k.as_str()?, v))).collect();
        arguments.sort_unstable_by_key(|(name, _)| *name);
        // The arguments' bytes, hashed in one call: a streaming hasher's set-up
        // cost more than the hashing, on a call made for every card of every
        // page.
        let key = KEY_BYTES.with_borrow_mut(|bytes| {
            bytes.clear();
            for (name, value) in &arguments {
                bytes.extend_from_slice(name.as_bytes());
                bytes.push(0);
                identify(value, bytes);
            }
            xxh3_128(bytes)
        });
        let held = || {
            (arguments.iter())
                .filter(|(_, v)| v.as_map().is_some() || v.as_array().is_some())
                .map(|(_, v)| (*v).clone())
                .collect()
        };
        let shard = &self.shards[(key as usize) % SHARDS].0;
        let aged = {
            let store = shard.read().unwrap_or_else(|e| e.into_inner());
            match store.get(key) {
                Some((html, true)) => return Ok(html.clone()),
                Some((html, false)) => Some(html.clone()),
                None => None,
            }
        };
        if let Some(html) = aged {
            // Still asked for: into the young generation, so it outlives the old.
            let mut store = shard.write().unwrap_or_else(|e| e.into_inner());
            store.insert(key, html.clone(), held());
            return Ok(html);
        }
        let tera = (self.tera.read().unwrap_or_else(|e| e.into_inner()).upgrade())
            .ok_or_else(|| tera::Error::message("render_partial: called outside a build"))?;
        let mut context = Context::new();
        for &(name, value) in &arguments {
            if name != "template" {
                context.insert_value(name.to_owned(), value.clone());
            }
        }
        let html = Value::safe_string(&tera.render(template, &context)?);
        let mut store = shard.write().unwrap_or_else(|e| e.into_inner());
        store.insert(key, html.clone(), held());
        Ok(html)
    }
}

/// Feeds what identifies `value` to `key`: a map or list by its address
/// (which the store keeps valid by holding the value), anything else by its
/// kind and contents.
fn identify(value: &Value, key: &mut Vec<u8>) {
    if let Some(map) = value.as_map() {
        key.extend_from_slice(b"m");
        key.extend_from_slice(&(std::ptr::from_ref(map) as usize).to_le_bytes());
    } else if let Some(list) = value.as_array() {
        key.extend_from_slice(b"a");
        key.extend_from_slice(&(list.as_ptr() as usize).to_le_bytes());
        key.extend_from_slice(&list.len().to_le_bytes());
    } else if let Some(text) = value.as_str() {
        key.extend_from_slice(if value.is_safe() { b"S" } else { b"s" });
        key.extend_from_slice(&text.len().to_le_bytes());
        key.extend_from_slice(text.as_bytes());
    } else if let Some(flag) = value.as_bool() {
        key.extend_from_slice(if flag { b"t" } else { b"f" });
    } else if let Some(tera::Number::Integer(int)) = value.as_number() {
        // The common `level=3`: no formatting on every call.
        key.extend_from_slice(b"i");
        key.extend_from_slice(&int.to_le_bytes());
    } else {
        let shown = format!("{}:{value}", value.name());
        key.extend_from_slice(b"o");
        key.extend_from_slice(&shown.len().to_le_bytes());
        key.extend_from_slice(shown.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(templates: &[(&str, &str)]) -> (Arc<Tera>, Arc<Partials>) {
        let mut tera = Tera::default();
        let partials = Arc::new(Partials::default());
        partials.register(&mut tera);
        tera.add_raw_templates(templates.iter().copied()).unwrap();
        let tera = Arc::new(tera);
        partials.ready(&tera);
        (tera, partials)
    }

    fn stored(partials: &Partials) -> usize {
        (partials.shards.iter())
            .map(|shard| {
                let store = shard.0.read().unwrap();
                store.young.index.len() + store.old.index.len()
            })
            .sum()
    }

    #[test]
    fn equal_arguments_render_once() {
        let (tera, partials) = compiled(&[
            ("card.html", "<b>{{ card.name }}</b>/{{ level }}"),
            (
                "page.html",
                "{% for c in cards %}{{ render_partial(template=\"card.html\", card=c, level=2) }}{{ render_partial(level=2, card=c, template=\"card.html\") }}{% endfor %}",
            ),
        ]);
        let mut context = Context::new();
        let a = Value::from_serializable(&serde_json::json!({ "name": "A & B" }));
        let b = Value::from_serializable(&serde_json::json!({ "name": "C" }));
        context.insert_value("cards", Value::from(vec![a.clone(), b, a]));
        let html = tera.render("page.html", &context).unwrap();
        assert_eq!(
            html,
            "<b>A &amp; B</b>/2<b>A &amp; B</b>/2<b>C</b>/2<b>C</b>/2<b>A &amp; B</b>/2<b>A &amp; B</b>/2"
        );
        assert_eq!(stored(&partials), 2, "one render per card, whatever the argument order");
    }

    #[test]
    fn values_that_differ_never_share_a_render() {
        let (tera, partials) = compiled(&[
            ("p.html", "{{ x }}|{{ card.name }}"),
            (
                "page.html",
                "{{ render_partial(template=\"p.html\", x=1, card=a) }} {{ render_partial(template=\"p.html\", x=\"1\", card=a) }} {{ render_partial(template=\"p.html\", x=1, card=b) }} {{ render_partial(template=\"p.html\", x=true, card=a) }} {{ render_partial(template=\"p.html\", x=1.5, card=a) }} {{ render_partial(template=\"p.html\", x=2, card=a) }}",
            ),
        ]);
        let mut context = Context::new();
        // Equal contents, two values: rendered twice, same HTML.
        context.insert_value("a", Value::from_serializable(&serde_json::json!({ "name": "n" })));
        context.insert_value("b", Value::from_serializable(&serde_json::json!({ "name": "n" })));
        let html = tera.render("page.html", &context).unwrap();
        assert_eq!(html, "1|n 1|n 1|n true|n 1.5|n 2|n");
        assert_eq!(stored(&partials), 6);
    }

    #[test]
    fn what_is_asked_for_again_outlives_what_is_not() {
        let mut store = Store {
            budget: 40,
            ..Store::default()
        };
        let insert = |store: &mut Store, key, html| store.insert(key, Value::safe_string(html), Vec::new());
        let get = |store: &Store, key| {
            store
                .get(key)
                .map(|(html, young)| (html.as_str().unwrap().to_owned(), young))
        };
        let found = |html: &str, young| Some((html.to_owned(), young));
        // The young generation holds 20 bytes.
        for (key, html) in [(1, "aaaa"), (2, "bbbb"), (3, "cccccccc"), (5, "eeeeeeee")] {
            insert(&mut store, key, html);
        }
        assert_eq!(get(&store, 1), found("aaaa", false), "1, 2 and 3 aged when 5 came");
        insert(&mut store, 1, "aaaa");
        assert_eq!(get(&store, 1), found("aaaa", true), "asked for again: young");
        insert(&mut store, 4, "dddddddd");
        insert(&mut store, 6, "ffff");
        assert_eq!(
            (get(&store, 2), get(&store, 3)),
            (None, None),
            "never asked for again: gone"
        );
        assert_eq!(get(&store, 1), found("aaaa", false));
        assert_eq!(get(&store, 6), found("ffff", true));
        let held = store.young.bytes + store.old.bytes;
        assert!(held <= store.budget, "{held} bytes held");
    }

    #[test]
    fn a_missing_partial_is_an_error_naming_it() {
        let (tera, _partials) = compiled(&[("page.html", "{{ render_partial(template=\"nope.html\") }}")]);
        let error = tera.render("page.html", &Context::new()).unwrap_err();
        let text = format!("{error:?}");
        assert!(text.contains("nope.html"), "{text}");
    }

    #[test]
    fn the_store_does_not_keep_the_templates_alive() {
        let (tera, partials) = compiled(&[("p.html", "x")]);
        let weak = Arc::downgrade(&partials);
        drop(partials);
        assert!(weak.upgrade().is_some(), "the templates hold it");
        drop(tera);
        assert!(weak.upgrade().is_none(), "no cycle through the templates");
    }
}
