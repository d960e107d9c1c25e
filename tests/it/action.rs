//! The GitHub Action's install script (`action/install.sh`) against a fake
//! release folder: it installs the archive for the runner when the
//! archive's SHA-256 is the one SHA256SUMS lists, and refuses it otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/action/install.sh");
const ARCHIVE: &str = "dossier-x86_64-unknown-linux-musl.tar.gz";

/// A release folder laid out like GitHub's (`download/TAG/FILE`), with one
/// archive for Linux x86_64 holding a stand-in `dossier`.
struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    fn new(tag: &str) -> Release {
        let dir = tempfile::tempdir().unwrap();
        let release = Release { dir };
        let stage = release.dir.path().join("stage/dossier-x86_64-unknown-linux-musl");
        std::fs::create_dir_all(&stage).unwrap();
        let binary = stage.join("dossier");
        std::fs::write(&binary, format!("#!/bin/sh\necho \"dossier {tag} (stand-in)\"\n")).unwrap();
        run(Command::new("chmod").arg("+x").arg(&binary));
        let folder = release.folder(tag);
        std::fs::create_dir_all(&folder).unwrap();
        run(Command::new("tar")
            .arg("-czf")
            .arg(folder.join(ARCHIVE))
            .arg("-C")
            .arg(release.dir.path().join("stage"))
            .arg("dossier-x86_64-unknown-linux-musl"));
        let sums = run(Command::new("sha256sum").arg(ARCHIVE).current_dir(&folder));
        std::fs::write(folder.join("SHA256SUMS"), sums.stdout).unwrap();
        release
    }

    fn folder(&self, tag: &str) -> PathBuf {
        self.dir.path().join("download").join(tag)
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }

    /// Runs the script as action.yml does, on a Linux x86_64 runner.
    fn install(&self, env: &[(&str, &str)]) -> (Output, Installed) {
        let runner = tempfile::tempdir().unwrap();
        let bin = runner.path().join("dossier-bin");
        let path_file = runner.path().join("github_path");
        let mut command = Command::new("bash");
        command
            .arg(SCRIPT)
            .env_remove("DOSSIER_VERSION")
            .env_remove("DOSSIER_REF")
            .env("DOSSIER_REPOSITORY", "owner/dossier")
            .env("DOSSIER_RELEASES", self.url())
            .env("DOSSIER_BIN_DIR", &bin)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", runner.path())
            .env("GITHUB_PATH", &path_file);
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().expect("bash runs");
        let path = std::fs::read_to_string(&path_file).unwrap_or_default();
        (
            output,
            Installed {
                _runner: runner,
                bin,
                path,
            },
        )
    }
}

/// What an install left on the runner.
struct Installed {
    _runner: tempfile::TempDir,
    /// The folder the binary goes into.
    bin: PathBuf,
    /// What the script added to `GITHUB_PATH`.
    path: String,
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the tool runs");
    assert!(output.status.success(), "{command:?}: {output:?}");
    output
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

impl Installed {
    fn has_binary(&self) -> bool {
        self.bin.join("dossier").is_file()
    }
}

#[test]
fn a_release_with_the_right_checksum_is_installed_and_put_on_the_path() {
    let release = Release::new("v9.9.9");
    let (output, done) = release.install(&[("DOSSIER_VERSION", "v9.9.9")]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(done.has_binary());
    assert!(text(&output).contains("dossier v9.9.9 (stand-in)"), "{}", text(&output));
    assert_eq!(done.path.trim(), done.bin.display().to_string());
    // The action's own tag names the release when `version` is not given.
    let (output, done) = release.install(&[("DOSSIER_REF", "v9.9.9")]);
    assert!(output.status.success() && done.has_binary(), "{}", text(&output));
}

#[test]
fn a_wrong_checksum_fails_and_installs_nothing() {
    let release = Release::new("v9.9.9");
    let archive = release.folder("v9.9.9").join(ARCHIVE);
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let (output, done) = release.install(&[("DOSSIER_VERSION", "v9.9.9")]);
    assert!(!output.status.success());
    assert!(text(&output).contains("checksum mismatch"), "{}", text(&output));
    assert!(!done.has_binary() && done.path.is_empty());
}

#[test]
fn an_archive_missing_from_the_sums_or_the_release_fails() {
    let release = Release::new("v9.9.9");
    std::fs::write(release.folder("v9.9.9").join("SHA256SUMS"), "").unwrap();
    let (output, done) = release.install(&[("DOSSIER_VERSION", "v9.9.9")]);
    assert!(!output.status.success() && !done.has_binary());
    assert!(text(&output).contains("does not list"), "{}", text(&output));
    let (output, done) = release.install(&[("DOSSIER_VERSION", "v1.0.0")]);
    assert!(!output.status.success() && !done.has_binary());
    assert!(
        text(&output).contains("no dossier-x86_64-unknown-linux-musl.tar.gz in release v1.0.0"),
        "{}",
        text(&output)
    );
}

/// action.yml is a composite action whose steps name only its own inputs,
/// give every `run` a shell, and run the script tested above.
#[test]
fn the_action_metadata_is_well_formed() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let action: serde_yaml::Value = serde_yaml::from_str(&text).expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_mapping().expect("inputs");
    let declared: Vec<&str> = inputs.keys().filter_map(|k| k.as_str()).collect();
    assert_eq!(declared, ["version", "args"]);
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(
            declared.contains(&name.as_str()),
            "action.yml uses an undeclared input {name}"
        );
    }
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    for step in steps {
        if step.get("run").is_some() {
            assert_eq!(step["shell"].as_str(), Some("bash"), "{step:?}");
        }
    }
    assert!(text.contains("action/install.sh") && Path::new(SCRIPT).is_file());
}
