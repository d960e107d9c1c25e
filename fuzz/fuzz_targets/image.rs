//! Any bytes, named with any picture extension, given to the picture path
//! a lead image takes: it must answer with renditions or an error, never
//! panic, hang or allocate without bound (the header check and decoder
//! limits refuse bombs before decoding).
#![no_main]

use dossier::media::cache::MediaCache;
use dossier::media::image::{Role, make};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["jpg", "jpeg", "png", "svg", "gif"][usize::from(pick) % 5];
    let role = [Role::Lead, Role::Portrait, Role::Logo][usize::from(pick / 5) % 3];
    if let Ok(made) = make(bytes, ext, role, &MediaCache::none()) {
        assert!(made.files.iter().all(|(_, f)| !f.is_empty()));
    }
});
