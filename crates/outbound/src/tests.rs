//! The address classes as pure functions (nothing is connected to), the URL checks, and the resolver refusing
//! a local name at connect time against loopback only.

use std::net::IpAddr;

use super::*;

fn class(address: &str) -> AddressClass {
    classify(address.parse::<IpAddr>().expect("an address"))
}

#[test]
fn every_class_in_ipv4_and_ipv6() {
    for (address, expected) in [
        ("8.8.8.8", AddressClass::Public),
        ("145.131.0.1", AddressClass::Public),
        ("127.0.0.1", AddressClass::Loopback),
        ("127.0.0.2", AddressClass::Loopback),
        ("10.1.2.3", AddressClass::Private),
        ("172.16.0.1", AddressClass::Private),
        ("172.31.255.255", AddressClass::Private),
        ("172.32.0.1", AddressClass::Public),
        ("192.168.1.1", AddressClass::Private),
        ("169.254.1.1", AddressClass::LinkLocal),
        ("169.254.169.254", AddressClass::Metadata),
        ("100.100.100.200", AddressClass::Metadata),
        ("100.64.0.1", AddressClass::SharedNat),
        ("100.127.255.255", AddressClass::SharedNat),
        ("100.128.0.1", AddressClass::Public),
        ("224.0.0.1", AddressClass::Multicast),
        ("0.0.0.0", AddressClass::Unspecified),
        ("255.255.255.255", AddressClass::Reserved),
        ("192.0.2.10", AddressClass::Reserved),
        ("198.18.0.1", AddressClass::Reserved),
        ("2a00:1450:4001::1", AddressClass::Public),
        ("::1", AddressClass::Loopback),
        ("::", AddressClass::Unspecified),
        ("fd12:3456::1", AddressClass::Private),
        ("fe80::1", AddressClass::LinkLocal),
        ("ff02::1", AddressClass::Multicast),
        ("fd00:ec2::254", AddressClass::Metadata),
        ("2001:db8::1", AddressClass::Reserved),
        // IPv4 inside IPv6: classified by the IPv4 address it reaches.
        ("::ffff:127.0.0.1", AddressClass::Loopback),
        ("::ffff:169.254.169.254", AddressClass::Metadata),
        ("::ffff:8.8.8.8", AddressClass::Public),
        ("::10.0.0.1", AddressClass::Private),
        ("64:ff9b::a9fe:a9fe", AddressClass::Metadata),
        ("2002:7f00:1::", AddressClass::Loopback),
    ] {
        assert_eq!(class(address), expected, "{address}");
    }
}

#[test]
fn production_refuses_local_and_plain_http_urls_with_a_reason() {
    let policy = OutboundPolicy::public_only("").unwrap();
    for (url, words) in [
        ("http://127.0.0.1:5432/x", "https"),
        ("https://127.0.0.1:5432/x", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[::1]/", "loopback"),
        ("https://[::ffff:10.0.0.1]/", "private"),
        ("https://localhost:8080/", "loopback"),
        ("https://shop.localhost/", "loopback"),
        ("https://10.0.0.5/soap", "private"),
        ("ftp://example.com/", "https"),
        ("not a url", "not a web address"),
    ] {
        let refusal = policy.check_url(url).expect_err(url).to_string();
        assert!(refusal.contains(words), "{url}: {refusal}");
    }
    for url in [
        "https://api.mpluskassa.nl:34343/",
        "https://12345.rest.afas.online/ProfitRestServices",
        "https://8.8.8.8/",
    ] {
        assert_eq!(policy.check_url(url), Ok(()), "{url}");
    }
}

#[test]
fn the_allow_list_lets_named_hosts_and_networks_through() {
    let policy = OutboundPolicy::public_only("kassa.winkel.lan, 10.1.0.0/16 127.0.0.2").unwrap();
    assert_eq!(policy.check_url("http://kassa.winkel.lan:8080/"), Ok(()));
    assert_eq!(policy.check_url("https://10.1.2.3/"), Ok(()));
    assert_eq!(policy.check_url("http://127.0.0.2:34343/"), Ok(()));
    assert!(policy.check_url("https://10.2.0.1/").is_err());
    assert!(policy.check_url("https://127.0.0.1/").is_err());
    assert_eq!(
        policy.check_address(Some("kassa.winkel.lan"), "192.168.1.20".parse().unwrap()),
        Ok(())
    );
    assert!(OutboundPolicy::public_only("not/a/host").is_err());
    // One port of one address: the in-process demo sandbox in production.
    let sandbox = OutboundPolicy::public_only("127.0.0.1:8181").unwrap();
    assert_eq!(sandbox.check_url("http://127.0.0.1:8181/ProfitRestServices"), Ok(()));
    assert!(sandbox.check_url("http://127.0.0.1:5432/").is_err());
    let allowing = OutboundPolicy::public_only("")
        .unwrap()
        .allowing("127.0.0.1:8182".parse().unwrap());
    assert_eq!(allowing.check_url("http://127.0.0.1:8182/"), Ok(()));
}

#[test]
fn development_allows_everything() {
    let policy = OutboundPolicy::open();
    assert!(policy.is_open());
    assert_eq!(policy.check_url("http://127.0.0.1:8181/"), Ok(()));
    assert_eq!(policy.check_address(None, "169.254.169.254".parse().unwrap()), Ok(()));
}

/// A name that resolves to loopback is refused when the client connects, and nothing is sent; an open policy
/// reaches the same listener. Only loopback is ever connected to.
#[tokio::test]
async fn the_resolver_refuses_a_name_that_resolves_to_loopback_at_connect_time() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 1024];
            let _ = socket.read(&mut buffer).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });
    let url = format!("http://localhost:{port}/");
    let client = |policy| {
        reqwest::Client::builder()
            .dns_resolver(GuardedResolver::with_policy(policy))
            .no_proxy()
            .build()
            .unwrap()
    };
    let refused = client(OutboundPolicy::public_only("").unwrap()).get(&url).send().await;
    let error = format!("{:?}", refused.expect_err("refused"));
    assert!(error.contains("loopback"), "{error}");
    let open = client(OutboundPolicy::open())
        .get(&url)
        .send()
        .await
        .expect("the open policy connects");
    assert_eq!(open.text().await.unwrap(), "ok");
}

#[test]
fn a_foreign_answer_is_repeated_as_a_short_single_line() {
    assert_eq!(
        excerpt("  <html>\n\t<b>Bad</b>\r\n gateway  "),
        "<html> <b>Bad</b> gateway"
    );
    let long = "x".repeat(10_000);
    let cut = excerpt(&long);
    assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    assert!(cut.ends_with('…'));
    assert_eq!(excerpt("a\u{0}b"), "a b");
}
