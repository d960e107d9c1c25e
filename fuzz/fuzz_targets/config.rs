//! `dossier.yaml`: any text parses into a config or into errors placed in
//! dossier.yaml. Must never panic.
#![no_main]

use dossier::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Config::parse(&text, "fuzz") {
        Ok(config) => {
            assert!(config.base_url.path().starts_with('/') && config.base_url.path().ends_with('/'));
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!(e.to_string().starts_with("error: dossier.yaml"));
            }
        }
    }
});
