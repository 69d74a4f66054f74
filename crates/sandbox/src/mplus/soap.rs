//! SOAP 1.1 on the wire: reading the request envelope, writing response envelopes and Faults, and rendering
//! the faults the control plane injects the way MplusKASSA's server shows them.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::schema::{MPLUS_NS, SCHEMA};
use super::xml::Element;
use crate::control::{FaultKind, dropped_connection, redirect};

pub const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_ENV_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Sent as `mplus-service-version` on every answer, like the real server.
pub const SERVICE_VERSION: &str = "67.1.3";

/// A SOAP Fault: `Client...` for the caller's mistakes, `Server...` for the service's.
#[derive(Debug, Clone, PartialEq)]
pub struct SoapFault {
    /// Without the `SOAP-ENV:` prefix, e.g. `Client.Authentication`.
    pub code: String,
    pub message: String,
}

impl SoapFault {
    pub fn client(message: impl Into<String>) -> Self {
        Self {
            code: "Client".to_owned(),
            message: message.into(),
        }
    }

    pub fn server(message: impl Into<String>) -> Self {
        Self {
            code: "Server".to_owned(),
            message: message.into(),
        }
    }

    pub fn authentication() -> Self {
        Self {
            code: "Client.Authentication".to_owned(),
            message: "Authentication failed: unknown ident or wrong secret".to_owned(),
        }
    }

    /// A required element is missing from the request (gSOAP's wording).
    pub fn missing(element: &str) -> Self {
        Self::client(format!(
            "Validation constraint violation: missing data in element '{element}'"
        ))
    }
}

impl IntoResponse for SoapFault {
    fn into_response(self) -> Response {
        let body = format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{env}" xmlns:ns1="{ns}"><SOAP-ENV:Body><SOAP-ENV:Fault>"#,
                "<faultcode>SOAP-ENV:{code}</faultcode><faultstring>{message}</faultstring>",
                "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
            ),
            env = SOAP_ENV_NS,
            ns = MPLUS_NS,
            code = self.code,
            message = quick_xml::escape::escape(self.message.as_str()),
        );
        xml_response(StatusCode::INTERNAL_SERVER_ERROR, body)
    }
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    headers.insert("mplus-service-version", HeaderValue::from_static(SERVICE_VERSION));
    response
}

/// Reads the envelope and returns the operation element (the Body's first child).
pub fn operation_of(body: &str) -> Result<Element, SoapFault> {
    let envelope = Element::parse(body).map_err(|error| SoapFault::client(error.0))?;
    if envelope.name != "Envelope" || envelope.namespace.as_deref() != Some(SOAP_ENV_NS) {
        if envelope.namespace.as_deref() == Some(SOAP12_ENV_NS) {
            return Err(SoapFault {
                code: "VersionMismatch".to_owned(),
                message: "SOAP 1.2 is not supported; send a SOAP 1.1 envelope".to_owned(),
            });
        }
        return Err(SoapFault::client("The root element is not a SOAP 1.1 Envelope"));
    }
    let body = envelope
        .children
        .into_iter()
        .find(|child| child.name == "Body" && child.namespace.as_deref() == Some(SOAP_ENV_NS))
        .ok_or_else(|| SoapFault::client("The Envelope has no Body"))?;
    body.children
        .into_iter()
        .next()
        .ok_or_else(|| SoapFault::client("The Body holds no operation"))
}

/// Checks a request against the WSDL's schema for the operation's element.
pub fn check_request(operation: &Element) -> Result<(), SoapFault> {
    let type_key = SCHEMA.element_type(&operation.name).ok_or_else(|| {
        SoapFault::client(format!(
            "Method '{}' not implemented: method name or namespace not recognized",
            operation.name
        ))
    })?;
    SCHEMA.check(operation, type_key).map_err(SoapFault::client)
}

/// Puts a response element in schema order and wraps it in an envelope (HTTP 200).
pub fn envelope(mut response: Element) -> Response {
    let ordered = SCHEMA
        .element_type(&response.name)
        .ok_or_else(|| format!("no response element '{}' in the WSDL", response.name))
        .and_then(|type_key| SCHEMA.order(&mut response, type_key));
    if let Err(problem) = ordered {
        return SoapFault::server(format!("sandbox bug: {problem}")).into_response();
    }
    let mut body = String::with_capacity(4096);
    body.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    body.push_str(&format!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}" xmlns:ns1="{MPLUS_NS}"><SOAP-ENV:Body>"#
    ));
    response.write(&mut body);
    body.push_str("</SOAP-ENV:Body></SOAP-ENV:Envelope>");
    xml_response(StatusCode::OK, body)
}

/// How an injected fault looks from MplusKASSA; `None` means "answer normally" (after any delay).
pub async fn injected(fault: FaultKind) -> Option<Response> {
    match fault {
        FaultKind::Unavailable { retry_after } => {
            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Some(response)
        }
        FaultKind::Locked => {
            Some(SoapFault::server("The record is locked by another user or process; try again later").into_response())
        }
        FaultKind::Slow { ms } => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            None
        }
        FaultKind::Drop => Some(dropped_connection()),
        FaultKind::MalformedXml => Some(xml_response(
            StatusCode::OK,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}"><SOAP-ENV:Body><ns1:broken"#
            ),
        )),
        FaultKind::Status { status } => Some(
            StatusCode::from_u16(status)
                .unwrap_or(StatusCode::BAD_GATEWAY)
                .into_response(),
        ),
        FaultKind::Redirect { status, location } => Some(redirect(status, &location)),
    }
}

/// The WSDL document as served at `GET /?wsdl`.
pub fn wsdl_response(wsdl: &'static str) -> Response {
    let mut response = Response::new(Body::from(wsdl));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}
