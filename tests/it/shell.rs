//! `dossier completions SHELL` and `dossier man [COMMAND]`: generated from
//! the same command-line definition the binary parses, so they name every
//! command and flag it has.

use std::process::{Command, Output};

fn dossier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs")
}

fn stdout(args: &[&str]) -> String {
    let output = dossier(args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn completions_name_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        for word in ["build", "serve", "base-url", "drafts", "allow-host", "completions"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
}

#[test]
fn the_bash_completion_is_valid_bash() {
    let script = stdout(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dossier.bash");
    std::fs::write(&path, script).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
    assert!(checked.status.success(), "{checked:?}");
    // Sourcing it registers the completion function.
    let sourced = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p dossier", path.display()))
        .output()
        .expect("bash runs");
    assert!(
        String::from_utf8_lossy(&sourced.stdout).contains("dossier"),
        "{sourced:?}"
    );
}

#[test]
fn the_manual_has_a_page_for_each_command() {
    let main = stdout(&["man"]);
    assert!(main.contains(".TH dossier 1"), "{}", &main[..200.min(main.len())]);
    for command in ["build", "check", "serve", "new", "init", "theme"] {
        assert!(main.contains(command), "the main page lists {command}");
    }
    let build = stdout(&["man", "build"]);
    assert!(build.contains(".TH dossier-build 1"), "{build}");
    assert!(build.contains("base\\-url") && build.contains("quiet"), "{build}");
    let brief = stdout(&["man", "new brief"]);
    assert!(
        brief.contains(".TH dossier-new-brief 1") && brief.contains("companies"),
        "{brief}"
    );
}

#[test]
fn an_unknown_command_has_no_page() {
    let output = dossier(&["man", "publish"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no command `publish`") && stderr.contains("build"),
        "{stderr}"
    );
}

/// A reader that stops early (`dossier completions bash | head -c0`) is no
/// error for the commands that print: nothing on stderr, exit 0, as `cat`
/// does (clap_complete itself would panic).
#[test]
fn printing_to_a_closed_pipe_is_quiet() {
    for args in [&["completions", "bash"][..], &["man"], &["schema", "--print", "brief"]] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(args)
            .stdout(writer)
            .output()
            .expect("dossier runs");
        assert!(output.status.success(), "{args:?}: {output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}
