//! `dossier serve`: builds the site into memory, serves it under the
//! base_url's path, and on every saved change rebuilds and tells the
//! browsers to reload.
//!
//! The build is the pipeline's own, run in a [`Session`] so that each
//! rebuild renders only what changed; its output stays in memory ([`site`])
//! and never reaches `public/`. A failed build keeps the last good site served and
//! shows its errors over every page ([`inject`]) until a build succeeds.
//! [`http`] answers requests, [`watch`] reports changed sources.
//!
//! Like the rest of the library this module never prints: it reports what
//! happens through the [`Event`] callback and leaves the wording to the CLI.

pub mod hosts;
pub mod http;
pub mod inject;
pub mod site;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify;

use crate::config::Config;
use crate::date::Now;
use crate::diag::EnvError;
use crate::pipeline::{BuildError, BuildOptions, BuildReport, Session};
use crate::routes::BaseUrl;
use site::{Live, SiteFiles};

/// How far past a taken port to look for a free one to suggest.
const PORT_SEARCH: u16 = 100;

/// What to serve, and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The address to listen on, 127.0.0.1 by default.
    pub bind: IpAddr,
    /// The port; 0 lets the system choose (the `Listening` event tells which).
    pub port: u16,
    /// Include briefs marked `draft: true`.
    pub drafts: bool,
    /// Overrides `base_url` from the config, like `build --base-url`: the
    /// site is served under its path.
    pub base_url: Option<String>,
    /// Host names answered besides localhost and IP addresses
    /// (`--allow-host`; see [`hosts`]).
    pub allowed_hosts: Vec<String>,
}

/// Something the CLI may want to tell the writer.
#[derive(Debug)]
pub enum Event<'a> {
    /// A build finished. `changed` is empty for the first one.
    Built {
        /// Its report (warnings, counts).
        report: &'a BuildReport,
        /// How long it took.
        elapsed: Duration,
        /// The sources whose change started it, relative to the root.
        changed: &'a [PathBuf],
    },
    /// A build failed; the last good site stays served, with the errors over it.
    Failed {
        /// Why.
        error: &'a BuildError,
        /// How long it took.
        elapsed: Duration,
        /// The sources whose change started it, relative to the root.
        changed: &'a [PathBuf],
    },
    /// The server is up at `url` (the base path included).
    Listening {
        /// `http://127.0.0.1:1111/repo/`.
        url: &'a str,
    },
    /// The search index caught up with the quick builds before it.
    Indexed {
        /// Its report: `rendered` counts the index files that changed.
        report: &'a BuildReport,
        /// How long it took.
        elapsed: Duration,
    },
    /// The file watcher reported a problem; serving goes on.
    WatchError {
        /// What went wrong.
        message: &'a str,
    },
}

/// Why `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Another program listens on the port.
    #[error("{addr} is already in use{}", match free {
        Some(port) => format!("; port {port} is free: try `dossier serve --port {port}`"),
        None => " and no free port was found near it; pick one with --port".to_owned(),
    })]
    PortTaken {
        /// The address asked for.
        addr: SocketAddr,
        /// The next free port, if one was found.
        free: Option<u16>,
    },
    /// The address cannot be listened on at all.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The site folder cannot be read, or is not a site.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// The file watcher could not start.
    #[error("cannot watch {path} for changes")]
    Watch {
        /// The folder.
        path: String,
        /// Why.
        #[source]
        source: notify::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the server")]
    Runtime(#[source] std::io::Error),
}

/// Serves the site until the process is stopped.
///
/// Binds first (so a taken port is reported at once), starts watching,
/// builds, then serves and rebuilds on every change. Returns only on a
/// startup error or when the watcher stops.
pub fn run(options: &ServeOptions, mut report: impl FnMut(Event<'_>)) -> Result<(), ServeError> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| EnvError::io("cannot read", &options.root, e))?;
    let listener = bind(SocketAddr::new(options.bind, options.port))?;
    let mut watcher = watch::Watcher::start(&root).map_err(|source| ServeError::Watch {
        path: root.display().to_string(),
        source,
    })?;
    let build_options = BuildOptions {
        root,
        output: None,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        // Scheduled briefs are shown, marked as scheduled, while writing.
        future: true,
        now: Now::Clock,
        strict: false,
        force: false,
    };
    let mut session = Session::default();
    let live = Arc::new(first_build(&mut session, &build_options, &mut report)?);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("dossier-serve")
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let addr = listener.local_addr().map_err(ServeError::Runtime)?;
    listener.set_nonblocking(true).map_err(ServeError::Runtime)?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(ServeError::Runtime)?
    };
    runtime.spawn(
        axum::serve(
            listener,
            http::router(live.clone(), hosts::AllowedHosts::new(&options.allowed_hosts)),
        )
        .into_future(),
    );
    let url = format!("http://{addr}{}", live.snapshot().base);
    report(Event::Listening { url: &url });

    while let Some(changes) = watcher.wait() {
        for message in &changes.errors {
            report(Event::WatchError { message });
        }
        if !changes.errors.is_empty() {
            // Events may have been lost: the next build looks at every file.
            session.lost_track();
        }
        if !changes.paths.is_empty() {
            rebuild(&mut session, &build_options, &live, &changes.paths, &mut report);
            // After the pages are served: the writer's reload does not wait
            // for the index. A save meanwhile waits for it, at most as long
            // as one index takes.
            let started = Instant::now();
            if let Some((update, build)) = session.refresh_index() {
                live.publish_index(update);
                report(Event::Indexed {
                    report: &build,
                    elapsed: started.elapsed(),
                });
            }
        }
    }
    Ok(())
}

fn bind(addr: SocketAddr) -> Result<TcpListener, ServeError> {
    match TcpListener::bind(addr) {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(ServeError::PortTaken {
            addr,
            free: next_free_port(addr),
        }),
        Err(source) => Err(ServeError::Bind { addr, source }),
    }
}

fn next_free_port(addr: SocketAddr) -> Option<u16> {
    (addr.port().checked_add(1)?..=addr.port().saturating_add(PORT_SEARCH))
        .find(|port| TcpListener::bind(SocketAddr::new(addr.ip(), *port)).is_ok())
}

/// The first build: a failure in the site's files still serves (an empty
/// site with the overlay); an environment failure stops `serve`.
fn first_build(
    session: &mut Session,
    options: &BuildOptions,
    report: &mut impl FnMut(Event<'_>),
) -> Result<Live, ServeError> {
    let started = Instant::now();
    match session.build(options) {
        Ok((update, build)) => {
            let base = build.base_path.clone();
            let live = Live::new(SiteFiles::default().updated(update), base, None);
            report(Event::Built {
                report: &build,
                elapsed: started.elapsed(),
                changed: &[],
            });
            Ok(live)
        }
        Err(BuildError::Env(e)) => Err(ServeError::Env(e)),
        Err(error) => {
            report(Event::Failed {
                error: &error,
                elapsed: started.elapsed(),
                changed: &[],
            });
            Ok(Live::new(
                SiteFiles::default(),
                served_base(options),
                Some(inject::overlay(&error).into()),
            ))
        }
    }
}

/// An incremental rebuild; the new site (or the errors) replace the old
/// state at once.
fn rebuild(
    session: &mut Session,
    options: &BuildOptions,
    live: &Live,
    changed: &[PathBuf],
    report: &mut impl FnMut(Event<'_>),
) {
    let started = Instant::now();
    match session.rebuild(options, changed) {
        Ok((update, build)) => {
            live.publish_update(update, build.base_path.clone());
            report(Event::Built {
                report: &build,
                elapsed: started.elapsed(),
                changed,
            });
        }
        Err(error) => {
            live.publish_failure(inject::overlay(&error).into());
            report(Event::Failed {
                error: &error,
                elapsed: started.elapsed(),
                changed,
            });
        }
    }
}

/// The base_url's path to serve under when the first build failed: that
/// of `--base-url`, else of dossier.yaml; `/` while dossier.yaml is broken
/// (the build reports why).
fn served_base(options: &BuildOptions) -> String {
    if let Some(url) = options.base_url.as_deref().and_then(|url| BaseUrl::parse(url).ok()) {
        return url.path().to_owned();
    }
    match Config::load(&options.root) {
        Ok(Ok(config)) => config.base_url.path().to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_names_a_free_one() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let Err(ServeError::PortTaken { free, .. }) = bind(addr) else {
            panic!("expected PortTaken")
        };
        let free = free.expect("a free port nearby");
        assert_ne!(free, addr.port());
        let message = ServeError::PortTaken { addr, free: Some(free) }.to_string();
        assert!(message.contains("already in use"), "{message}");
        assert!(message.contains(&format!("--port {free}")), "{message}");
    }
}
