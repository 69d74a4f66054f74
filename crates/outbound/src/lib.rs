//! Which addresses Koppel may call on a tenant's behalf. A tenant types the URLs Koppel calls (MplusKASSA,
//! AFAS, alert webhooks), so without a guard a trial account could make Koppel's servers send requests into
//! their own network (server-side request forgery): the database port, the cloud's metadata service.
//!
//! In production the [`OutboundPolicy`] allows only `https` to public addresses, checked twice: a URL is
//! refused when it is saved (its host an address literal or a local name), and every name is checked again
//! after it is resolved, at connect time ([`GuardedResolver`]), so a name that resolves to a private address
//! later (DNS rebinding) is refused too. The operator's allow-list (`KOPPEL_OUTBOUND_ALLOW`: host names, IP
//! addresses or networks) lets an on-premise MplusKASSA through. In development everything is allowed, so the
//! sandbox on loopback works. Redirects are never followed by Koppel's clients.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, LazyLock, RwLock};

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What kind of address an IP address is, as far as calling it on a tenant's behalf is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918 and IPv6 unique-local addresses.
    Private,
    LinkLocal,
    /// Carrier-grade NAT, RFC 6598 (`100.64.0.0/10`).
    SharedNat,
    Multicast,
    /// Cloud instance metadata services (`169.254.169.254`, `fd00:ec2::254`, `100.100.100.200`).
    Metadata,
    /// `0.0.0.0`, `::`: "this host".
    Unspecified,
    /// Broadcast, documentation, benchmarking and reserved ranges: nothing legitimate answers there.
    Reserved,
}

impl AddressClass {
    fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private network address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::SharedNat => "a carrier-grade NAT address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Metadata => "a cloud metadata service address",
            AddressClass::Unspecified => "an unspecified address",
            AddressClass::Reserved => "a reserved address",
        }
    }
}

/// The class of an address; IPv4 addresses inside IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
/// NAT64 `64:ff9b::/96` and 6to4 `2002::/16`) are classified by the IPv4 address they carry.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        return AddressClass::Metadata;
    }
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (127, _, _) => AddressClass::Loopback,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => AddressClass::Private,
        (169, 254, _) => AddressClass::LinkLocal,
        (100, 64..=127, _) => AddressClass::SharedNat,
        (224..=239, _, _) => AddressClass::Multicast,
        (240..=255, _, _) | (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) | (198, 18..=19, _) => {
            AddressClass::Reserved
        }
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let segments = ip.segments();
    if ip == Ipv6Addr::LOCALHOST {
        return AddressClass::Loopback;
    }
    if ip == Ipv6Addr::UNSPECIFIED {
        return AddressClass::Unspecified;
    }
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        return AddressClass::Metadata;
    }
    match segments[0] {
        0xfc00..=0xfdff => AddressClass::Private,
        // Deprecated site-local addresses: private by intent.
        0xfec0..=0xfeff => AddressClass::Private,
        0xfe80..=0xfebf => AddressClass::LinkLocal,
        0xff00..=0xffff => AddressClass::Multicast,
        0x2001 if segments[1] == 0x0db8 => AddressClass::Reserved,
        0x0100 if segments[1..4] == [0, 0, 0] => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

/// The IPv4 address an IPv6 address carries, for the forms that reach an IPv4 host.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // IPv4-compatible (deprecated), but not `::` and `::1`.
        [0, 0, 0, 0, 0, 0, _, _] if s[6] != 0 => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, high, low16, ..] => Some(Ipv4Addr::new(
            (high >> 8) as u8,
            high as u8,
            (low16 >> 8) as u8,
            low16 as u8,
        )),
        _ => None,
    }
}

/// One entry of the operator's allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// A host name, compared case-insensitively (its addresses are allowed whatever their class).
    Host(String),
    /// An address or a network (`10.1.2.3`, `10.1.0.0/16`, `fd00::/8`).
    Network(IpNet),
    /// One port of one address (`127.0.0.1:8181`): a URL with that address and port.
    Socket(SocketAddr),
}

/// Why a URL or an address may not be called; its text is a plain reason for the person who typed the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(String);

/// A `KOPPEL_OUTBOUND_ALLOW` entry that is neither a host name nor an address or network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("KOPPEL_OUTBOUND_ALLOW: {0:?} is not a host name, an IP address or a network like 10.0.0.0/8")]
pub struct BadAllowEntry(String);

/// Which addresses Koppel may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Only `https` and public addresses, unless allow-listed (production).
    public_only: bool,
    allow: Vec<Allowed>,
}

impl OutboundPolicy {
    /// Everything allowed: development and tests, where the sandbox answers on loopback.
    pub fn open() -> Self {
        Self {
            public_only: false,
            allow: Vec::new(),
        }
    }

    /// Production: `https` to public addresses, and whatever the allow-list names (`KOPPEL_OUTBOUND_ALLOW`:
    /// comma- or space-separated host names, addresses and networks).
    pub fn public_only(allow_list: &str) -> Result<Self, BadAllowEntry> {
        let allow = allow_list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(parse_allowed)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            public_only: true,
            allow,
        })
    }

    /// Also allows URLs naming exactly this address and port (the in-process demo sandbox in production).
    pub fn allowing(mut self, socket: SocketAddr) -> Self {
        self.allow.push(Allowed::Socket(socket));
        self
    }

    /// Whether anything is checked at all.
    pub fn is_open(&self) -> bool {
        !self.public_only
    }

    /// Checks a URL before it is saved or used: its scheme, and its host when that is an address or a local
    /// name. Names are checked again once resolved ([`GuardedResolver`]).
    pub fn check_url(&self, url: &str) -> Result<(), Refusal> {
        let parsed =
            reqwest::Url::parse(url.trim()).map_err(|_| Refusal(format!("{url:?} is not a web address (URL)")))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(Refusal(format!(
                "only https addresses can be called, not {}:",
                parsed.scheme()
            )));
        }
        if !self.public_only {
            return Ok(());
        }
        let host = match parsed.host() {
            Some(url::Host::Domain(name)) => HostRef::Name(name.trim_end_matches('.').to_ascii_lowercase()),
            Some(url::Host::Ipv4(ip)) => HostRef::Address(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => HostRef::Address(IpAddr::V6(ip)),
            None => return Err(Refusal(format!("{url:?} names no host"))),
        };
        let port = parsed.port_or_known_default().unwrap_or_default();
        let allowed = match &host {
            HostRef::Name(name) => self.allows_host(name),
            HostRef::Address(ip) => {
                self.allows_network(*ip) || self.allow.contains(&Allowed::Socket(SocketAddr::new(*ip, port)))
            }
        };
        if allowed {
            return Ok(());
        }
        if parsed.scheme() != "https" {
            return Err(Refusal(
                "only https addresses can be called (http sends credentials unencrypted)".to_owned(),
            ));
        }
        match host {
            HostRef::Address(ip) => self.check_address(None, ip),
            HostRef::Name(name) if name == "localhost" || name.ends_with(".localhost") => {
                Err(refused(&name, AddressClass::Loopback))
            }
            HostRef::Name(_) => Ok(()),
        }
    }

    /// Checks an address a name resolved to (`host`: the name, for the allow-list).
    pub fn check_address(&self, host: Option<&str>, ip: IpAddr) -> Result<(), Refusal> {
        if !self.public_only || host.is_some_and(|name| self.allows_host(name)) || self.allows_network(ip) {
            return Ok(());
        }
        match classify(ip) {
            AddressClass::Public => Ok(()),
            class => Err(refused(
                &host.map_or_else(|| ip.to_string(), |name| format!("{name} ({ip})")),
                class,
            )),
        }
    }

    fn allows_host(&self, name: &str) -> bool {
        self.allow
            .iter()
            .any(|entry| matches!(entry, Allowed::Host(host) if host.eq_ignore_ascii_case(name.trim_end_matches('.'))))
    }

    fn allows_network(&self, ip: IpAddr) -> bool {
        self.allow
            .iter()
            .any(|entry| matches!(entry, Allowed::Network(net) if net.contains(&ip)))
    }
}

enum HostRef {
    Name(String),
    Address(IpAddr),
}

fn refused(what: &str, class: AddressClass) -> Refusal {
    Refusal(format!(
        "{what} is {}; Koppel only calls public addresses (an operator can allow a host with KOPPEL_OUTBOUND_ALLOW)",
        class.describe()
    ))
}

fn parse_allowed(entry: &str) -> Result<Allowed, BadAllowEntry> {
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Ok(Allowed::Socket(socket));
    }
    if let Ok(net) = entry.parse::<IpNet>() {
        return Ok(Allowed::Network(net));
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Ok(Allowed::Network(IpNet::from(ip)));
    }
    let name = entry.trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if valid {
        Ok(Allowed::Host(name))
    } else {
        Err(BadAllowEntry(entry.to_owned()))
    }
}

/// Characters of a foreign server's answer that error messages and connection tests repeat.
pub const EXCERPT_CHARS: usize = 160;

/// A short, single-line excerpt of what a foreign server answered, for error messages: at most
/// [`EXCERPT_CHARS`] characters, control characters and runs of white space as one space, `…` when cut. A
/// server a tenant points Koppel at must not be able to fill Koppel's pages and logs with its content (pages
/// escape it as they escape all text).
pub fn excerpt(answer: &str) -> String {
    let flat = answer
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    let mut text = String::new();
    for word in flat {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
        if text.chars().count() > EXCERPT_CHARS {
            break;
        }
    }
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The process's policy: open until [`install`]ed (the binary installs the configured one at start-up).
static CURRENT: LazyLock<RwLock<Arc<OutboundPolicy>>> = LazyLock::new(|| RwLock::new(Arc::new(OutboundPolicy::open())));

/// Makes `policy` the one every client and check of this process uses from now on.
pub fn install(policy: OutboundPolicy) {
    *CURRENT.write().expect("outbound policy lock") = Arc::new(policy);
}

/// The process's policy.
pub fn current() -> Arc<OutboundPolicy> {
    CURRENT.read().expect("outbound policy lock").clone()
}

/// A DNS resolver for reqwest that resolves with the system's resolver and keeps only the addresses the
/// policy allows, at connect time; when none is left the request fails with the reason. `policy` `None`:
/// the process's policy at the moment of the call.
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    policy: Option<Arc<OutboundPolicy>>,
}

impl GuardedResolver {
    /// A resolver that follows the process's policy.
    pub fn for_process() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A resolver with its own policy.
    pub fn with_policy(policy: OutboundPolicy) -> Arc<Self> {
        Arc::new(Self {
            policy: Some(Arc::new(policy)),
        })
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone().unwrap_or_else(current);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| match policy.check_address(Some(&host), address.ip()) {
                    Ok(()) => true,
                    Err(reason) => {
                        refusal.get_or_insert(reason);
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refusal) {
                (true, Some(reason)) => Err(Box::new(reason) as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests;
