//! The `dossier` command line: parses arguments, runs the pipeline, prints
//! diagnostics and a summary, and turns the outcome into an exit status
//! (0 success, 1 the site's files are wrong, 2 usage or environment).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use dossier::date::Now;
use dossier::diag::Diagnostics;
use dossier::model::Kind;
use dossier::pipeline::{self, BuildError, BuildOptions, BuildReport, Progress, Silent};
use dossier::scaffold::{self, BriefSpec, Created, InitOptions, Initialized, ScaffoldError, ThemeUse};
use dossier::schema;
use dossier::serve::{self, ServeOptions};
use mimalloc::MiMalloc;

mod progress_bar;

#[derive(Parser)]
#[command(
    name = "dossier",
    version = version(),
    about = "A static site generator for annotated news briefs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `dossier --version`: the version, and the commit it was built from when
/// the build said (`DOSSIER_COMMIT`, set by the release workflow and by the
/// GitHub Action when it builds from source).
fn version() -> &'static str {
    match option_env!("DOSSIER_COMMIT") {
        Some(commit) if !commit.trim().is_empty() => {
            Box::leak(format!("{} ({})", env!("CARGO_PKG_VERSION"), commit.trim()).into_boxed_str())
        }
        _ => env!("CARGO_PKG_VERSION"),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into public/ (or --output).
    Build {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override base_url from dossier.yaml (e.g. https://user.github.io/repo/).
        #[arg(long)]
        base_url: Option<String>,
        /// Include briefs marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Include scheduled briefs (dated after now, or after SOURCE_DATE_EPOCH when set).
        #[arg(long)]
        future: bool,
        /// Make warnings errors (also `strict: true` in dossier.yaml).
        #[arg(long)]
        strict: bool,
        /// Replace an output folder holding files dossier did not write (it is kept as a backup).
        #[arg(long)]
        force: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
        /// Print only warnings and errors: no progress bar, no summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check everything build checks, without writing anything; list scheduled briefs.
    Check {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include briefs marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Include scheduled briefs (dated after now, or after SOURCE_DATE_EPOCH when set).
        #[arg(long)]
        future: bool,
        /// Make warnings errors (also `strict: true` in dossier.yaml).
        #[arg(long)]
        strict: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
        /// Print only warnings and errors: no progress bar, no summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Serve the site with live reload, rebuilding on every saved change (never writes public/).
    Serve {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Include briefs marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in a browser once it is served.
        #[arg(long)]
        open: bool,
        /// Override base_url from dossier.yaml, and serve under its path (e.g. https://user.github.io/repo/).
        #[arg(long)]
        base_url: Option<String>,
        /// Also answer requests for this host name (besides localhost and IP addresses); repeatable.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_host: Vec<String>,
    },
    /// Create a brief, company, contract, author or free page with complete front matter.
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
    /// Create a new site in a new or empty folder, or in a fresh clone of a repository.
    Init {
        /// The folder to create the site in (`.` for the current one).
        dir: PathBuf,
        /// Also write .github/workflows/pages.yml, which deploys the site to GitHub Pages.
        #[arg(long)]
        github_pages: bool,
        /// The dossier repository on GitHub (OWNER/NAME) whose Action the Pages workflow uses.
        #[arg(long, value_name = "OWNER/NAME", requires = "github_pages")]
        dossier_repo: Option<String>,
    },
    /// Work with the site's theme.
    Theme {
        #[command(subcommand)]
        what: ThemeCommand,
    },
    /// Write JSON Schemas of dossier.yaml and front matter into schemas/, so editors complete and check them.
    Schema {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Print one schema on stdout instead of writing the files (any site's are the same).
        #[arg(long, value_enum, value_name = "WHICH")]
        print: Option<schema::Subject>,
    },
    /// Print a shell completion script: `dossier completions bash > ~/.local/share/bash-completion/completions/dossier`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `dossier man | man -l -`, or `dossier man build` for a command's own page.
    Man {
        /// A command (`build`, `serve`, `new`…; `"new brief"` for a subcommand); the main page without one.
        command: Option<String>,
    },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Write the built-in default theme's templates and static files into the site, to customise them.
    Eject {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the theme [default: ROOT/themes/default, which a build then uses].
        #[arg(long)]
        into: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// content/briefs/YYYY-MM-DD-slug.md
    Brief {
        /// The headline; the file name is made from it.
        title: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The publication date, YYYY-MM-DD [default: today].
        #[arg(long, value_parser = parse_date)]
        date: Option<jiff::civil::Date>,
        /// Companies the brief is about: names, slugs or aliases, comma-separated or the flag repeated.
        #[arg(long, value_delimiter = ',')]
        companies: Vec<String>,
        /// Contracts the brief is about: names, slugs or aliases, comma-separated or the flag repeated.
        #[arg(long, value_delimiter = ',')]
        contracts: Vec<String>,
        /// Tags, comma-separated or the flag repeated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Slugs of related briefs, comma-separated or the flag repeated.
        #[arg(long, value_delimiter = ',')]
        related: Vec<String>,
    },
    /// content/companies/slug.md
    Company {
        /// The company's name.
        name: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// content/contracts/slug.md
    Contract {
        /// The contract's name.
        name: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// content/authors/slug.md, a reporter or editor; bylines then must name one
    Author {
        /// The author's name, as bylines will give it.
        name: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// content/pages/slug.md, a free page at /slug/ (about, methodology)
    Page {
        /// The page's title; the file name and URL are made from it.
        title: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// mimalloc: rendering allocates many small strings on both cores, where it
/// is markedly faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h` of v2, the version
/// selected in Cargo.toml), which the bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For `serve` ([`set_purge_delay`]): memory freed is kept for the next
/// rebuild instead of being handed back to the system 10 ms later. A save
/// comes seconds after the last rebuild, which then paid for faulting in
/// (and zeroing) the memory again: 12 ms of a 45 ms rebuild after a date
/// edit at 10,000 briefs, for about 90 MiB more resident (BENCHMARKS.md,
/// "`serve` keeps the memory it frees"). -1 is mimalloc's "never".
const SERVE_PURGE_DELAY: std::ffi::c_long = -1;

/// For one-off builds and checks ([`set_purge_delay`]): memory freed is
/// handed back after a second instead of 10 ms. Each stage reuses what the
/// one before freed (the files' text after the Markdown stage, the bodies
/// as their pages are made), which it otherwise faulted in and zeroed
/// again; memory no stage takes back within a second still goes, so the
/// peak stays that of what is alive (BENCHMARKS.md, "Bodies freed as their
/// pages are made").
const BUILD_PURGE_DELAY: std::ffi::c_long = 1000;

/// Sets how many milliseconds mimalloc waits before it hands freed memory
/// back to the system.
fn set_purge_delay(milliseconds: std::ffi::c_long) {
    // SAFETY: sets one option's value, which mimalloc reads atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, milliseconds) }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            future,
            strict,
            force,
            timings,
            quiet,
        } => {
            let Some(now) = now() else {
                return ExitCode::from(2);
            };
            let options = BuildOptions {
                root,
                output,
                base_url,
                drafts,
                future,
                now,
                strict,
                force,
            };
            run_build(&options, Shown { timings, quiet }, true)
        }
        Command::Check {
            root,
            drafts,
            future,
            strict,
            timings,
            quiet,
        } => {
            let Some(now) = now() else {
                return ExitCode::from(2);
            };
            let options = BuildOptions {
                root,
                output: None,
                base_url: None,
                drafts,
                future,
                now,
                strict,
                force: false,
            };
            run_build(&options, Shown { timings, quiet }, false)
        }
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
            base_url,
            allow_host,
        } => run_serve(
            &ServeOptions {
                root,
                bind,
                port,
                drafts,
                base_url,
                allowed_hosts: allow_host,
            },
            open,
        ),
        Command::New { what } => run_new(what),
        Command::Init {
            dir,
            github_pages,
            dossier_repo,
        } => run_init(&dir, github_pages, dossier_repo),
        Command::Theme {
            what: ThemeCommand::Eject { root, into },
        } => run_eject(&root, into.as_deref()),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dossier", &mut script);
            print_out("the completions", &script)
        }
        Command::Man { command } => run_man(command.as_deref()),
        Command::Schema {
            root: _,
            print: Some(subject),
        } => print_out("the schema", subject.text().as_bytes()),
        Command::Schema { root, print: None } => run_schema(&root),
    }
}

/// `schema`: every schema into ROOT/schemas/, and how to use them.
fn run_schema(root: &Path) -> ExitCode {
    let written = match schema::write_all(root) {
        Ok(written) => written,
        Err(schema::SchemaError::Env(env)) => {
            print_error_chain(&env);
            return ExitCode::from(2);
        }
        Err(e @ schema::SchemaError::Foreign(_)) => {
            eprintln!("error: {e}; nothing was written");
            return ExitCode::from(1);
        }
    };
    for file in &written {
        let what = if file.changed { "wrote" } else { "up to date" };
        eprintln!("  {what} {}", shown(&root.join(&file.path)).display());
    }
    eprintln!(
        "A file's YAML names its schema in a first line such as\n  {}\n(`dossier init` and `dossier new` write it). \
         Editors running yaml-language-server (VS Code's YAML extension, Neovim, Helix, Zed) then complete and \
         check dossier.yaml as you type; front matter inside Markdown needs a tool that hands it to a schema \
         validator (see the README). `dossier check` remains the whole check.",
        schema::Subject::Config.modeline(Path::new("dossier.yaml"))
    );
    ExitCode::SUCCESS
}

/// `man`: the page of `dossier`, or of one of its commands (`new brief`).
fn run_man(command: Option<&str>) -> ExitCode {
    let mut page = Cli::command().disable_help_subcommand(true);
    page.build();
    let mut name = String::from("dossier");
    for word in command.unwrap_or_default().split_whitespace() {
        let Some(sub) = page.find_subcommand(word).cloned() else {
            let known: Vec<&str> = page.get_subcommands().map(clap::Command::get_name).collect();
            eprintln!(
                "error: `{name}` has no command `{word}` (its commands: {})",
                known.join(", ")
            );
            return ExitCode::from(2);
        };
        // Built: its display name is `dossier-new-brief`, its usage `dossier new brief`.
        name = format!("{name} {word}");
        page = sub;
    }
    let mut text = Vec::new();
    match clap_mangen::Man::new(page).render(&mut text) {
        Ok(()) => print_out("the manual page", &text),
        Err(e) => {
            eprintln!("error: cannot make the manual page: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes `bytes` (`what`, for the message) to stdout. A reader that
/// stopped early (`| head`) is no error: as quiet as `cat` is.
fn print_out(what: &str, bytes: &[u8]) -> ExitCode {
    use std::io::Write as _;
    match std::io::stdout().write_all(bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {what}: {e}");
            ExitCode::from(2)
        }
    }
}

/// `build` (writes) and `check` (does not).
/// What "now" is for embargoes: `SOURCE_DATE_EPOCH` when set, else the
/// clock; `None` (after saying why) when the variable cannot be read.
fn now() -> Option<Now> {
    let value = std::env::var("SOURCE_DATE_EPOCH").ok();
    match Now::from_source_date_epoch(value.as_deref()) {
        Ok(now) => Some(now),
        Err(why) => {
            eprintln!("error: {why}");
            None
        }
    }
}

/// What `build` and `check` print besides warnings and errors.
#[derive(Debug, Clone, Copy)]
struct Shown {
    /// Each stage's time (`--timings`).
    timings: bool,
    /// No progress bar, no summary (`--quiet`).
    quiet: bool,
}

fn run_build(options: &BuildOptions, shown: Shown, write: bool) -> ExitCode {
    set_purge_delay(BUILD_PURGE_DELAY);
    let started = std::time::Instant::now();
    let bar = progress_bar::Bar::start(shown.quiet);
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &Silent,
    };
    let outcome = if write {
        pipeline::build_showing(options, progress)
    } else {
        pipeline::check_showing(options, progress)
    };
    if let Some(bar) = &bar {
        bar.end();
    }
    match outcome {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            if shown.timings {
                print_timings(&report);
            }
            if !shown.quiet {
                print_scheduled(&report, !write);
                print_summary(options, &report, started.elapsed());
            }
            print_backup(options, &report);
            ExitCode::SUCCESS
        }
        Err(BuildError::Site(diagnostics)) => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics.error_count();
            let verb = if write { "build" } else { "check" };
            eprintln!(
                "{verb} failed: {errors} error{}{}; {}",
                plural(errors),
                match diagnostics.warning_count() {
                    0 => String::new(),
                    w => format!(", {w} warning{}", plural(w)),
                },
                if write {
                    "the previous output was left as it was"
                } else {
                    "nothing was written"
                }
            );
            ExitCode::from(1)
        }
        Err(BuildError::Refused(refusal)) => {
            eprintln!("error: {refusal}");
            ExitCode::from(2)
        }
        Err(BuildError::Env(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `serve`: runs until stopped; prints each build's outcome.
fn run_serve(options: &ServeOptions, open: bool) -> ExitCode {
    set_purge_delay(SERVE_PURGE_DELAY);
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: --bind {} makes the server reachable from other machines; it shows drafts (with \
             --drafts) and scheduled briefs to anyone who can reach it",
            options.bind
        );
    }
    let result = serve::run(options, |event| match event {
        serve::Event::Built {
            report,
            elapsed,
            changed,
        } => {
            print_diagnostics(&report.warnings);
            let ms = elapsed.as_millis();
            match (changed, report.rendered) {
                ([], _) => eprintln!("Built {} pages in {ms} ms", group(report.pages)),
                (_, 0) => eprintln!("{}: no page changed ({ms} ms)", what_changed(changed)),
                (_, n) => eprintln!(
                    "{}: updated {} page{} in {ms} ms",
                    what_changed(changed),
                    group(n),
                    plural(n)
                ),
            }
        }
        serve::Event::Failed {
            error,
            elapsed,
            changed,
        } => {
            match error {
                BuildError::Site(diagnostics) => print_diagnostics(diagnostics),
                other => print_error_chain(other),
            }
            let ms = elapsed.as_millis();
            if changed.is_empty() {
                eprintln!("Build failed in {ms} ms; the browser shows the errors until a saved fix builds");
            } else {
                eprintln!(
                    "{}: build failed in {ms} ms; still serving the last good build, with the errors shown over it",
                    what_changed(changed)
                );
            }
        }
        serve::Event::Listening { url } => {
            eprintln!("Serving {url} (live reload on; Ctrl-C to stop)");
            if open {
                open_browser(url);
            }
        }
        serve::Event::Indexed { report, elapsed } => {
            let n = report.rendered;
            eprintln!(
                "  search index updated: {} file{} in {} ms",
                group(n),
                plural(n),
                elapsed.as_millis()
            );
        }
        serve::Event::WatchError { message } => eprintln!("warning: file watcher: {message}"),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error_chain(&e);
            ExitCode::from(2)
        }
    }
}

/// `content/briefs/x.md changed` or `3 files changed`.
fn what_changed(changed: &[PathBuf]) -> String {
    match changed {
        [one] => format!("{} changed", one.display()),
        many => format!("{} files changed", many.len()),
    }
}

/// Best effort: the desktop's opener, if there is one.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reap the opener when it exits, so it does not linger as a zombie.
        Ok(mut child) => drop(std::thread::spawn(move || child.wait())),
        Err(e) => eprintln!("note: could not open a browser ({opener}: {e}); open {url} yourself"),
    }
}

/// `new brief|company|contract|page`.
fn run_new(what: NewCommand) -> ExitCode {
    let (root, result) = match what {
        NewCommand::Brief {
            title,
            root,
            date,
            companies,
            contracts,
            tags,
            related,
        } => {
            let spec = BriefSpec {
                title,
                date: date.unwrap_or_else(|| jiff::ZonedDateTime::now().date()),
                companies: trimmed(companies),
                contracts: trimmed(contracts),
                tags: trimmed(tags),
                related: trimmed(related),
            };
            let result = scaffold::new_brief(&root, &spec);
            (root, result)
        }
        NewCommand::Company { name, root } => {
            let result = scaffold::new_company(&root, &name);
            (root, result)
        }
        NewCommand::Contract { name, root } => {
            let result = scaffold::new_contract(&root, &name);
            (root, result)
        }
        NewCommand::Author { name, root } => {
            let result = scaffold::new_author(&root, &name);
            (root, result)
        }
        NewCommand::Page { title, root } => {
            let result = scaffold::new_page(&root, &title);
            (root, result)
        }
    };
    match result {
        Ok(Created {
            path,
            unknown,
            draft_related,
            schemas,
        }) => {
            for name in &unknown {
                let consequence = match name.kind {
                    Kind::Brief => "the build will leave the link out",
                    _ => "the build will make a stub page for it",
                };
                eprintln!("warning: {name}; {consequence} (unknown_references: warn)");
            }
            for slug in &draft_related {
                eprintln!(
                    "warning: related brief '{slug}' is a draft; the build leaves the link out until it is published \
                     (or with --drafts)"
                );
            }
            eprintln!("Created {}", shown(&root.join(&path)).display());
            match schemas {
                Some(Ok(written)) => {
                    let changed = written.iter().filter(|w| w.changed).count();
                    if changed > 0 {
                        eprintln!(
                            "Updated {changed} of the editors' JSON Schemas in {}",
                            shown(&root.join(schema::FOLDER)).display()
                        );
                    }
                }
                Some(Err(e)) => eprintln!("warning: the editors' schemas were not updated: {e}"),
                None => {}
            }
            ExitCode::SUCCESS
        }
        Err(e) => report_scaffold_error(&e, "nothing was written"),
    }
}

/// `init DIR [--github-pages]`.
fn run_init(dir: &Path, github_pages: bool, dossier_repo: Option<String>) -> ExitCode {
    let options = InitOptions {
        github_pages,
        dossier_repo,
        today: None,
    };
    let done = match scaffold::init(dir, options) {
        Ok(done) => done,
        Err(e) => return report_scaffold_error(&e, "nothing was created"),
    };
    let here = dir == Path::new(".");
    let shown = |file: &Path| if here { file.to_owned() } else { dir.join(file) };
    for file in &done.files {
        eprintln!("  created {}", shown(file).display());
    }
    if done.gitignore_lacks_public {
        eprintln!(
            "note: {} was there already and is left as it was; add the line /public/ to it, \
             so the build output is not committed",
            shown(Path::new(".gitignore")).display()
        );
    }
    if here {
        eprintln!("New site in the current folder. Next: dossier serve");
    } else {
        eprintln!(
            "New site in {}. Next: cd {} && dossier serve",
            dir.display(),
            dir.display()
        );
    }
    if github_pages {
        print_pages_steps(&done, if here { None } else { Some(dir) });
    }
    ExitCode::SUCCESS
}

/// What to do after `init --github-pages` for the workflow to publish the site.
fn print_pages_steps(done: &Initialized, cd: Option<&Path>) {
    let mut steps = Vec::new();
    if done.workflow_needs_repository {
        steps.push(
            "In .github/workflows/pages.yml, set DOSSIER_GIT to the dossier repository to install from \
             (it reads the placeholder https://github.com/OWNER/dossier)."
                .to_owned(),
        );
    }
    steps.push("On GitHub, in the repository's Settings → Pages, set Source to \"GitHub Actions\".".to_owned());
    let mut commands = Vec::new();
    if let Some(dir) = cd {
        commands.push(format!("cd {}", dir.display()));
    }
    match &done.git_branch {
        None => {
            commands.push("git init -b main".to_owned());
            commands.push("git remote add origin https://github.com/USER/REPOSITORY.git".to_owned());
        }
        Some(branch) if branch != "main" => commands.push("git branch -M main".to_owned()),
        Some(_) => {}
    }
    commands.push("git add .".to_owned());
    commands.push("git commit -m \"A new dossier site\"".to_owned());
    commands.push("git push -u origin main".to_owned());
    steps.push(format!(
        "Commit and push to the main branch:\n{}",
        commands
            .iter()
            .map(|c| format!("       {c}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    eprintln!("\nTo publish on GitHub Pages:");
    for (i, step) in steps.iter().enumerate() {
        eprintln!("  {}. {step}", i + 1);
    }
    eprintln!(
        "The workflow builds and deploys the site on every push to main, and every hour, so briefs dated \
         in the future go live on time."
    );
}

/// `theme eject [--into DIR]`.
fn run_eject(root: &Path, into: Option<&Path>) -> ExitCode {
    let ejected = match scaffold::eject_theme(root, into) {
        Ok(ejected) => ejected,
        Err(ScaffoldError::WouldOverwrite(existing)) => {
            eprintln!(
                "error: {} of the default theme's files already exist{}; dossier never overwrites a file:",
                existing.len(),
                if existing.len() == 1 { "s" } else { "" }
            );
            for path in &existing {
                eprintln!("  {}", shown(path).display());
            }
            eprintln!(
                "help: eject into another folder with --into DIR, or move these files away first; nothing was written"
            );
            return ExitCode::from(1);
        }
        Err(e) => return report_scaffold_error(&e, "nothing was written"),
    };
    for file in &ejected.files {
        eprintln!("  wrote {}", shown(file).display());
    }
    let into = shown(&ejected.into).display();
    let count = ejected.files.len();
    match &ejected.used {
        ThemeUse::Used => eprintln!(
            "Wrote the default theme's {count} files into {into}. From now on dossier builds the site with \
             these files instead of its built-in theme: edit them to change the site's look."
        ),
        ThemeUse::OtherTheme { name, current } => eprintln!(
            "Wrote the default theme's {count} files into {into}. dossier.yaml says `theme: {current}`; \
             set `theme: {name}` to build the site with them."
        ),
        ThemeUse::Elsewhere => eprintln!(
            "Wrote the default theme's {count} files into {into}. A build uses a theme from the site's \
             themes/<name>/ folder (with `theme: <name>` in dossier.yaml), or single templates from its \
             templates/ folder: copy what you change there."
        ),
    }
    ExitCode::SUCCESS
}

/// Exit 1 for a refusal or names the build would refuse, 2 for usage and the environment.
fn report_scaffold_error(e: &ScaffoldError, nothing: &str) -> ExitCode {
    match e {
        ScaffoldError::Env(env) => {
            print_error_chain(env);
            ExitCode::from(2)
        }
        ScaffoldError::BadName { .. }
        | ScaffoldError::BadTag { .. }
        | ScaffoldError::ReservedPage { .. }
        | ScaffoldError::BadRepository(_) => {
            eprintln!("error: {e}; {nothing}");
            ExitCode::from(2)
        }
        ScaffoldError::Unknown(names) => {
            for name in names {
                eprintln!("error: {name}");
            }
            let mut help = Vec::new();
            for kind in [Kind::Company, Kind::Contract, Kind::Brief] {
                if names.iter().any(|n| n.kind == kind) {
                    help.push(match kind {
                        Kind::Brief => {
                            "--related takes the slugs of existing briefs (the file name without the date and .md)"
                                .to_owned()
                        }
                        _ => format!(
                            "fix the {noun}'s name, or add it first with `dossier new {noun} \"Name\"`",
                            noun = kind.noun()
                        ),
                    });
                }
            }
            for line in &help {
                eprintln!("help: {line}");
            }
            eprintln!("{}", capitalized(nothing));
            ExitCode::from(1)
        }
        _ => {
            eprintln!("error: {e}; {nothing}");
            ExitCode::from(1)
        }
    }
}

/// "nothing was written" → "Nothing was written."
fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    chars.next().map_or_else(String::new, |first| {
        format!("{}{}.", first.to_uppercase(), chars.as_str())
    })
}

/// A path as the writer typed it, without a leading `./`.
fn shown(path: &Path) -> &Path {
    path.strip_prefix(".").unwrap_or(path)
}

fn trimmed(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty())
        .collect()
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a date; expected YYYY-MM-DD, e.g. 2020-08-18"))
}

/// `error: what: why: why…` on one line.
fn print_error_chain(e: &dyn std::error::Error) {
    eprint!("error: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        eprint!(": {s}");
        source = s.source();
    }
    eprintln!();
}

fn print_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        eprintln!("{d}\n");
    }
}

fn print_timings(report: &BuildReport) {
    for t in &report.timings {
        eprintln!(
            "  {:<14} {:>9.1} ms  ({} items)",
            t.stage,
            t.elapsed.as_secs_f64() * 1000.0,
            group(t.count)
        );
    }
}

fn print_summary(options: &BuildOptions, report: &BuildReport, elapsed: std::time::Duration) {
    let ms = elapsed.as_millis();
    let warnings = match report.warnings.warning_count() {
        0 => String::new(),
        w => format!(" with {w} warning{}", plural(w)),
    };
    match &report.written {
        Some(_) => {
            let out = pipeline::output_dir(options);
            eprintln!(
                "Built {} pages ({} files) into {} in {ms} ms{warnings}",
                group(report.pages),
                group(report.files),
                out.display()
            );
        }
        None => eprintln!("Checked {} pages in {ms} ms{warnings}: no errors", group(report.pages)),
    }
}

/// Where `--force` put an output folder dossier did not write: said even
/// with `--quiet`, since the files are no longer where the user left them.
fn print_backup(options: &BuildOptions, report: &BuildReport) {
    if let Some(backup) = report.written.as_ref().and_then(|w| w.backup.as_ref()) {
        eprintln!(
            "note: the previous {} held files dossier did not write; it was moved to {}",
            pipeline::output_dir(options).display(),
            backup.display()
        );
    }
}

/// The briefs held back until their date: each one for `check`, a count
/// and the next one for `build`.
fn print_scheduled(report: &BuildReport, each: bool) {
    let scheduled = &report.scheduled;
    let Some((next, next_date)) = scheduled.first() else {
        return;
    };
    let count = format!("{} scheduled brief{}", group(scheduled.len()), plural(scheduled.len()));
    if each {
        eprintln!("{count} held back until their date (--future includes them):");
        for (path, date) in scheduled {
            eprintln!("  {date}  {}", path.display());
        }
    } else {
        eprintln!(
            "{count} held back (the next: {} on {next_date}); `dossier check` lists them",
            next.display()
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// 1204 → "1,204".
fn group(n: usize) -> String {
    dossier::model::group_thousands(n as u64)
}
