//! Which `Host` a request to `serve` may name: a defence against DNS
//! rebinding. A page on the internet can point a name it controls at
//! 127.0.0.1 and then read the dev server (drafts and scheduled briefs
//! included) as if it were its own origin; the browser then sends that
//! name as the `Host`. So only names that cannot be rebound are answered:
//! `localhost` (and `*.localhost`, which browsers resolve to loopback
//! themselves), IP addresses (a page cannot make a browser send one as its
//! own origin's name), and the names given with `--allow-host`. The port
//! is not checked: a name, not a port, is what rebinding forges, and a
//! forwarded port (a container, an SSH tunnel) arrives with another one.
//! As Vite and webpack-dev-server do.

use std::net::IpAddr;

/// The names `serve` answers to besides localhost and IP addresses.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    /// From `--allow-host`, lower case, without a trailing dot.
    names: Vec<String>,
}

impl AllowedHosts {
    /// Localhost and IP addresses, and `extra` names.
    pub fn new(extra: &[String]) -> AllowedHosts {
        AllowedHosts {
            names: extra.iter().map(|n| normal(n).to_owned()).collect(),
        }
    }

    /// Whether a request with this `Host` header is answered. A request
    /// without one (HTTP/1.0) is: no browser sends such a request.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return true;
        };
        let Some(name) = name_of(host.trim()) else {
            return false;
        };
        let name = normal(name);
        name == "localhost"
            || name.ends_with(".localhost")
            || name.parse::<IpAddr>().is_ok()
            || self.names.contains(&name)
    }
}

/// The name of a `Host` value, without its port; an IPv6 address without
/// its brackets. `None` for something that is not a host.
fn name_of(host: &str) -> Option<&str> {
    if let Some(rest) = host.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        return (after.is_empty() || port(after.strip_prefix(':')?)).then_some(address);
    }
    let name = match host.rsplit_once(':') {
        Some((name, p)) if port(p) => name,
        Some(_) => return None,
        None => host,
    };
    (!name.is_empty()).then_some(name)
}

fn port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A name in lower case without the trailing dot of a fully qualified one.
fn normal(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_answered_with_any_port() {
        let hosts = AllowedHosts::default();
        for host in [
            "localhost",
            "localhost:1111",
            "LOCALHOST:1111",
            "localhost.:80",
            "app.localhost:1111",
            "127.0.0.1:1111",
            "127.0.0.1",
            "[::1]:1111",
            "[::1]",
            "192.168.1.20:1111",
        ] {
            assert!(hosts.allows(Some(host)), "{host}");
        }
        assert!(hosts.allows(None), "HTTP/1.0 without a Host");
    }

    #[test]
    fn other_names_are_refused_unless_allowed() {
        let hosts = AllowedHosts::default();
        for host in [
            "evil.example:1111",
            "evil.example",
            "localhost.evil.example:1111",
            "127.0.0.1.evil.example",
            "",
            ":1111",
            "localhost:port",
            "[::1",
            "[::1]x",
        ] {
            assert!(!hosts.allows(Some(host)), "{host:?}");
        }
        let hosts = AllowedHosts::new(&["Dev.Example.".to_owned()]);
        assert!(hosts.allows(Some("dev.example:1111")));
        assert!(!hosts.allows(Some("other.example:1111")));
    }
}
