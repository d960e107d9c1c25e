//! Moved to [`crate::routes`], which `config` can import without importing
//! `model`. Kept for `render` and `pipeline`, which still import these
//! types from here until their rewrite lands.

pub use crate::routes::{BaseUrl, OutputPath, UrlPath};
