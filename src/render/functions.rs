//! Functions dossier registers with Tera, so themes build URLs the same way
//! Rust does (base path included) and never by string concatenation.

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult};

use crate::model::routes::{BaseUrl, UrlPath};

/// Registers `url(path=…)` and `abs_url(path=…)`.
pub fn register(tera: &mut Tera, base: &BaseUrl) {
    let base = Arc::new(base.clone());
    let for_url = Arc::clone(&base);
    tera.register_function("url", move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
        Ok(for_url.url(&template_path(&kwargs)?))
    });
    tera.register_function("abs_url", move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
        Ok(base.abs_url(&template_path(&kwargs)?))
    });
}

fn template_path(kwargs: &Kwargs) -> TeraResult<UrlPath> {
    let path: &str = kwargs.must_get("path")?;
    UrlPath::from_template(path).ok_or_else(|| tera::Error::message(format!("url path '{path}' may not contain '..'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_get_base_path_aware_urls() {
        let mut tera = Tera::default();
        register(&mut tera, &BaseUrl::parse("https://u.github.io/repo/").unwrap());
        tera.add_raw_template(
            "t.html",
            "{{ url(path=\"style.css\") }} {{ abs_url(path=\"/atom.xml\") }}",
        )
        .unwrap();
        let out = tera.render("t.html", &tera::Context::new()).unwrap();
        assert_eq!(out, "/repo/style.css https://u.github.io/repo/atom.xml");
    }
}
