//! Test helpers: the WSDL's schema for `xmllint`, and a stand-in SOAP server that answers canned responses
//! (so conformance does not depend on our own simulator).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const WSDL: &str = include_str!("../../../sandbox/specs/mplusqapi-v67.1.3.wsdl");

/// Whether `xmllint` can be used; prints why not otherwise.
pub fn xmllint_available() -> bool {
    let available = Command::new("xmllint").arg("--version").output().is_ok();
    if !available {
        println!("skipped: install libxml2-utils");
    }
    available
}

/// The XML Schema in the WSDL's `<types>`, made standalone: the WSDL root's namespace declarations are
/// added, and `SOAP-ENC:base64` (which libxml2 cannot resolve) becomes `xsd:base64Binary`.
fn schema_file() -> &'static PathBuf {
    static SCHEMA: OnceLock<PathBuf> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let start = WSDL.find("<xsd:schema").expect("schema start");
        let end = WSDL.find("</xsd:schema>").expect("schema end") + "</xsd:schema>".len();
        let schema = WSDL[start..end]
            .replacen(
                "<xsd:schema ",
                r#"<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:mplusqapi" xmlns:ns="urn:mplusqapi" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" "#,
                1,
            )
            .replace(r#"<import namespace="http://schemas.xmlsoap.org/soap/encoding/" />"#, "")
            .replace("SOAP-ENC:base64", "xsd:base64Binary");
        let path = std::env::temp_dir().join(format!("mplusqapi-schema-{}.xsd", std::process::id()));
        std::fs::write(&path, format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{schema}")).unwrap();
        path
    })
}

/// Validates one element (with `xmlns="urn:mplusqapi"` on it) against the WSDL's schema.
pub fn validate_element(xml: &str) -> Result<(), String> {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("mplus-element-{}-{n}.xml", std::process::id()));
    std::fs::write(&path, xml).unwrap();
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema_file())
        .arg(&path)
        .output()
        .expect("xmllint runs");
    let _ = std::fs::remove_file(&path);
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The first element inside the SOAP Body of an envelope.
pub fn body_element(envelope: &str) -> &str {
    let start = envelope.find("<SOAP-ENV:Body>").expect("a SOAP Body") + "<SOAP-ENV:Body>".len();
    let end = envelope.rfind("</SOAP-ENV:Body>").expect("the Body's end");
    &envelope[start..end]
}

/// `element` (already carrying `xmlns="urn:mplusqapi"`) in a SOAP envelope, as a server sends it.
pub fn soap_response(element: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>{element}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

/// A minimal HTTP server answering each POST with the canned body for its `SOAPAction`.
pub struct CannedServer {
    pub url: String,
    /// Every request: (SOAPAction, the request line's target, body).
    pub requests: Arc<Mutex<Vec<(String, String, String)>>>,
}

pub async fn canned_server(responses: HashMap<&'static str, String>) -> CannedServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let log = requests.clone();
    let responses = Arc::new(responses);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let responses = responses.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head, body) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buffer).into_owned();
                    if let Some(split) = text.find("\r\n\r\n") {
                        let head = text[..split].to_owned();
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap())
                            })
                            .unwrap_or(0);
                        if buffer.len() >= split + 4 + length {
                            break (
                                head,
                                String::from_utf8_lossy(&buffer[split + 4..split + 4 + length]).into_owned(),
                            );
                        }
                    }
                };
                let target = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
                let action = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("soapaction:")
                            .then(|| l[11..].trim().trim_matches('"').to_owned())
                    })
                    .unwrap_or_default();
                let answer = responses.get(action.as_str()).cloned().unwrap_or_default();
                log.lock().unwrap().push((action, target, body));
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    CannedServer { url, requests }
}

/// A `metrics` recorder that remembers which metrics were registered, with their labels.
#[derive(Default)]
pub struct SeenMetrics(pub std::sync::Mutex<Vec<String>>);

impl SeenMetrics {
    fn remember(&self, kind: &str, key: &metrics::Key) {
        let labels: Vec<String> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("{kind} {} {}", key.name(), labels.join(",")));
    }
}

impl metrics::Recorder for SeenMetrics {
    fn describe_counter(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_gauge(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_histogram(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}

    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        self.remember("counter", key);
        metrics::Counter::noop()
    }

    fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        metrics::Gauge::noop()
    }

    fn register_histogram(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Histogram {
        self.remember("histogram", key);
        metrics::Histogram::noop()
    }
}
