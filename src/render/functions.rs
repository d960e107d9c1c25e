//! Functions and filters dossier registers with Tera, so themes build URLs the
//! same way Rust does (base path included, never by string concatenation),
//! format dates and money from the view values, and look entities up by slug.
//!
//! Everything here is documented for theme authors in `docs/themes.md`. It
//! must stay pure: no I/O, no state that changes between renders.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::model::Money;
use crate::routes::{BaseUrl, UrlPath};

/// Registers `url(path=…)`, `abs_url(path=…)` and the `date` and `money`
/// filters. Must run before templates are added: Tera checks that every
/// function and filter a template uses exists.
pub fn register(tera: &mut Tera, base: &BaseUrl) {
    let base = Arc::new(base.clone());
    let for_url = Arc::clone(&base);
    tera.register_function("url", move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
        Ok(for_url.url(&template_path(&kwargs)?))
    });
    tera.register_function("abs_url", move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
        Ok(base.abs_url(&template_path(&kwargs)?))
    });
    tera.register_filter("date", date_filter);
    tera.register_filter("money", money_filter);
    tera.register_function("range", range);
}

/// How many numbers all `range()` calls of one page may produce together.
///
/// Tera bounds one `range` (100,000 numbers) but not a loop inside a loop,
/// so `range` inside `range` would run 10¹⁰ times and hang the build with no
/// word of where. No real page comes near this budget.
pub const RANGE_BUDGET: u64 = 1_000_000;

thread_local! {
    /// What is left of the budget of the page rendering on this thread.
    /// Tera gives template functions no per-render state of their own, so
    /// the budget lives here; only [`with_range_budget`] sets it.
    static RANGE_LEFT: Cell<u64> = const { Cell::new(RANGE_BUDGET) };
}

/// Runs `render` (one page, which renders on one thread) with a fresh
/// [`RANGE_BUDGET`] for its `range` calls, and puts the previous budget
/// back afterwards, even if `render` unwinds. The render stage renders
/// every page through this one call (`Renderer::page`), so no page can
/// inherit what another left.
pub fn with_range_budget<R>(render: impl FnOnce() -> R) -> R {
    struct Restore(u64);
    impl Drop for Restore {
        fn drop(&mut self) {
            RANGE_LEFT.with(|left| left.set(self.0));
        }
    }
    let _restore = Restore(RANGE_LEFT.with(|left| left.replace(RANGE_BUDGET)));
    render()
}

/// `range(end=…, start=0, step_by=1)`, Tera's own, charged to the page's
/// [`RANGE_BUDGET`]; an overdrawn budget is an error at the call.
fn range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i64>> {
    let start: i64 = kwargs.get("start")?.unwrap_or(0);
    let end: i64 = kwargs.must_get("end")?;
    let step: i64 = kwargs.get("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message("range: `step_by` may not be 0"));
    }
    if step > 0 && start > end {
        return Err(tera::Error::message("range: `start` is greater than `end`"));
    }
    let (span, stride) = if step > 0 {
        (i128::from(end) - i128::from(start), i128::from(step))
    } else {
        ((i128::from(start) - i128::from(end)).max(0), -i128::from(step))
    };
    let len = u64::try_from((span + stride - 1) / stride).unwrap_or(0);
    let left = RANGE_LEFT.with(Cell::get);
    if len > left {
        RANGE_LEFT.with(|l| l.set(0));
        return Err(tera::Error::message(format!(
            "range: the loops of this page would count past {RANGE_BUDGET} in all; is a loop nested in a loop by mistake?"
        )));
    }
    RANGE_LEFT.with(|l| l.set(left - len));
    Ok((0..len as i64).map(|i| start + i * step).collect())
}

/// Entities by kind and slug, for `get_company(slug=…)`, `get_contract(slug=…)`
/// (one `get_<noun>` per entity kind).
///
/// Holds the same card values listings use (`CompanyCard`, `ContractCard`,
/// as cached by `Shared::cache`), so a looked-up company has exactly the
/// fields of an entry of `companies` on `companies.html`.
#[derive(Debug, Default)]
pub struct Lookups {
    kinds: Vec<(&'static str, BTreeMap<String, Value>)>,
}

impl Lookups {
    /// Indexes each kind's card values (by the kind's noun) by slug.
    pub fn new<'a>(kinds: impl IntoIterator<Item = (&'static str, Vec<(&'a str, Value)>)>) -> Lookups {
        Lookups {
            kinds: kinds
                .into_iter()
                .map(|(noun, cards)| {
                    let by_slug = cards.into_iter().map(|(slug, v)| (slug.to_owned(), v)).collect();
                    (noun, by_slug)
                })
                .collect(),
        }
    }
}

/// What the name of every lookup function starts with (`get_company`): a
/// template that does not contain it calls none (`PageMemo::global`).
pub(super) const LOOKUP_PREFIX: &str = "get_";

/// Registers `get_<noun>(slug=…)` for each kind of `lookups`. An unknown
/// slug is an error naming it, unless `default=` is given.
pub fn register_lookups(tera: &mut Tera, lookups: Lookups) {
    for (noun, index) in lookups.kinds {
        let index = Arc::new(index);
        tera.register_function(format!("{LOOKUP_PREFIX}{noun}"), move |kwargs: Kwargs, _: &State| {
            lookup(noun, &index, &kwargs)
        });
    }
}

fn lookup(kind: &str, index: &BTreeMap<String, Value>, kwargs: &Kwargs) -> TeraResult<Value> {
    let slug: &str = kwargs.must_get("slug")?;
    match (index.get(slug), kwargs.get::<Value>("default")?) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(tera::Error::message(format!("no {kind} with slug '{slug}'"))),
    }
}

fn template_path(kwargs: &Kwargs) -> TeraResult<UrlPath> {
    let path: &str = kwargs.must_get("path")?;
    UrlPath::from_template(path).ok_or_else(|| tera::Error::message(format!("url path '{path}' may not contain '..'")))
}

/// `{{ brief.date | date(format="%b %-d, %Y") }}`: a date view (or an ISO
/// date or date-time string) in a strftime format. The default format is the
/// reader's form, "August 18, 2020". A date-time keeps the writer's clock.
fn date_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or("%B %-d, %Y");
    let iso = match value.as_str() {
        Some(text) => text,
        None => value.get_from_path("iso").and_then(Value::as_str).ok_or_else(|| {
            tera::Error::message(format!("date: expected a date view or a string, got {}", value.name()))
        })?,
    };
    let civil =
        parse_civil(iso).ok_or_else(|| tera::Error::message(format!("date: '{iso}' is not an ISO 8601 date")))?;
    jiff::fmt::strtime::format(format, civil)
        .map_err(|e| tera::Error::message(format!("date: bad format '{format}': {e}")))
}

fn parse_civil(iso: &str) -> Option<jiff::civil::DateTime> {
    // A bare date also parses as a date-time at midnight; a date-time keeps
    // the time of day the writer gave (its offset is ignored).
    iso.parse::<jiff::civil::DateTime>().ok()
}

/// `{{ contract.value | money }}` → "$10 billion";
/// `{{ contract.value | money(exact=true) }}` → "$10,000,000,000".
/// Takes a money view, or a number with `currency=` (default `USD`).
fn money_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let (amount, currency) = match value.as_u64() {
        Some(amount) => (amount, kwargs.get::<&str>("currency")?.unwrap_or("USD").to_owned()),
        None => {
            let amount = value.get_from_path("amount").and_then(Value::as_u64);
            let currency = value.get_from_path("currency").and_then(Value::as_str);
            match (amount, currency) {
                (Some(a), Some(c)) => (a, c.to_owned()),
                _ => {
                    return Err(tera::Error::message(format!(
                        "money: expected a money view or a whole number, got {}",
                        value.name()
                    )));
                }
            }
        }
    };
    let money = Money { amount, currency };
    Ok(if kwargs.get::<bool>("exact")?.unwrap_or(false) {
        money.display_exact()
    } else {
        money.display()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, context: &tera::Context) -> TeraResult<String> {
        let mut tera = Tera::default();
        register(&mut tera, &BaseUrl::parse("https://u.github.io/repo/").unwrap());
        let microsoft = Value::from_serializable(&serde_json::json!({ "name": "Microsoft" }));
        register_lookups(
            &mut tera,
            Lookups::new([("company", vec![("microsoft", microsoft)]), ("contract", Vec::new())]),
        );
        tera.add_raw_template("t.html", template)?;
        tera.render("t.html", context)
    }

    #[test]
    fn templates_get_base_path_aware_urls() {
        let out = render(
            "{{ url(path=\"style.css\") }} {{ abs_url(path=\"/atom.xml\") }}",
            &tera::Context::new(),
        )
        .unwrap();
        assert_eq!(out, "/repo/style.css https://u.github.io/repo/atom.xml");
    }

    #[test]
    fn dates_format_from_views_and_strings() {
        let mut context = tera::Context::new();
        context.insert(
            "d",
            &serde_json::json!({ "iso": "2020-08-18", "display": "August 18, 2020" }),
        );
        let out = render(
            "{{ d | date }}|{{ d | date(format=\"%b %-d\") }}|{{ \"2021-07-06T14:30:00+02:00\" | date(format=\"%Y-%m-%d %H:%M\") }}",
            &context,
        )
        .unwrap();
        assert_eq!(out, "August 18, 2020|Aug 18|2021-07-06 14:30");
        assert!(render("{{ \"soon\" | date }}", &context).is_err());
    }

    #[test]
    fn money_formats_views_and_numbers() {
        let mut context = tera::Context::new();
        context.insert(
            "v",
            &serde_json::json!({ "amount": 10_000_000_000u64, "currency": "USD" }),
        );
        let out = render(
            "{{ v | money }}|{{ v | money(exact=true) }}|{{ 2500000 | money(currency=\"EUR\") }}|{{ 950 | money(currency=\"CHF\", exact=true) }}",
            &context,
        )
        .unwrap();
        assert_eq!(out, "$10 billion|$10,000,000,000|€2.5 million|950 CHF");
    }

    #[test]
    fn lookups_find_by_slug_or_fail_with_the_slug() {
        let context = tera::Context::new();
        let out = render(
            "{% set c = get_company(slug=\"microsoft\") %}{{ c.name }}|{{ get_company(slug=\"nope\", default=\"\") }}",
            &context,
        )
        .unwrap();
        assert_eq!(out, "Microsoft|");
        let err = render("{% set c = get_company(slug=\"nope\") %}{{ c.name }}", &context).unwrap_err();
        let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(": ");
        assert!(chain.contains("no company with slug 'nope'"), "{chain}");
    }

    #[test]
    fn range_counts_like_teras_and_stops_at_the_page_budget() {
        let context = tera::Context::new();
        let out = with_range_budget(|| {
            render(
                "{% for i in range(end=5) %}{{ i }}{% endfor %}|{% for i in range(start=10, end=0, step_by=-3) %}{{ i }},{% endfor %}",
                &context,
            )
        });
        assert_eq!(out.unwrap(), "01234|10,7,4,1,");
        let nested = "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% endfor %}{% endfor %}";
        let error = format!("{:?}", with_range_budget(|| render(nested, &context)).unwrap_err());
        assert!(error.contains("would count past"), "{error}");
        // The next page starts with a whole budget.
        assert!(with_range_budget(|| render("{{ range(end=3) | length }}", &context)).is_ok());
    }
}
