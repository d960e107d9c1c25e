//! The `dossier` command line: parses arguments, runs the pipeline, prints
//! diagnostics and a summary, and turns the outcome into an exit status
//! (0 success, 1 the site's files are wrong, 2 usage or environment).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dossier::diag::Diagnostics;
use dossier::pipeline::{self, BuildError, BuildOptions, BuildReport};

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "A static site generator for annotated news briefs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// Replace an output folder holding files dossier did not write (it is kept as a backup).
        #[arg(long)]
        force: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
    },
    /// Check everything build checks, without writing anything.
    Check {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include briefs marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let started = std::time::Instant::now();
    let (options, timings, write) = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            force,
            timings,
        } => (
            BuildOptions {
                root,
                output,
                base_url,
                drafts,
                force,
            },
            timings,
            true,
        ),
        Command::Check { root, drafts, timings } => {
            let options = BuildOptions {
                root,
                output: None,
                base_url: None,
                drafts,
                force: false,
            };
            (options, timings, false)
        }
    };
    let outcome = if write {
        pipeline::build(&options)
    } else {
        pipeline::check(&options)
    };
    match outcome {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            if timings {
                print_timings(&report);
            }
            print_summary(&options, &report, started.elapsed());
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
        Some(written) => {
            let out = pipeline::output_dir(options);
            eprintln!(
                "Built {} pages ({} files) into {} in {ms} ms{warnings}",
                group(report.pages),
                group(report.files),
                out.display()
            );
            if let Some(backup) = &written.backup {
                eprintln!(
                    "note: the previous {} held files dossier did not write; it was moved to {}",
                    out.display(),
                    backup.display()
                );
            }
        }
        None => eprintln!("Checked {} pages in {ms} ms{warnings}: no errors", group(report.pages)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// 1204 → "1,204".
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
