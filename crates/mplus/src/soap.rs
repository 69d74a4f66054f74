//! SOAP 1.1 envelopes: building one around a typed request, and reading a response body or a Fault out of one.
//! Elements are qualified (`elementFormDefault="qualified"`), so the operation element declares `urn:mplusqapi`
//! as the default namespace for itself and everything inside it.

use quick_xml::events::Event;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::MplusError;

/// The target namespace of the MplusQapi WSDL.
pub const NAMESPACE: &str = "urn:mplusqapi";
const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The complete SOAP envelope for `operation` with `request` as the operation element's content.
pub fn envelope(operation: &str, request: &impl Serialize) -> Result<String, MplusError> {
    let body = quick_xml::se::to_string_with_root(operation, request)
        .map_err(|e| MplusError::InvalidRequest(format!("{operation}: {e}")))?;
    // The serializer writes `<operation>` or `<operation/>` first; give that element the default namespace.
    let rest = &body[operation.len() + 1..];
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Body><{operation} xmlns="{NAMESPACE}"{rest}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    ))
}

/// An operation element without content, e.g. `<getApiVersion/>`.
#[derive(Serialize)]
pub(crate) struct NoArguments {}

#[derive(serde::Deserialize)]
struct Envelope<B> {
    #[serde(rename = "Body")]
    body: Body<B>,
}

#[derive(serde::Deserialize)]
struct Body<B> {
    /// The first element in the body, whatever its name (responses are named inconsistently in the WSDL).
    #[serde(rename = "$value")]
    content: B,
}

#[derive(serde::Deserialize)]
struct Fault {
    faultcode: String,
    #[serde(default)]
    faultstring: String,
}

/// Reads the response element out of `xml`, or the SOAP Fault in it as an error.
pub(crate) fn parse_response<R: DeserializeOwned>(operation: &'static str, xml: &str) -> Result<R, MplusError> {
    if body_holds_fault(xml).map_err(|message| MplusError::Transport {
        message: format!("{operation}: the response is not well-formed XML: {message}"),
        status: Some(200),
        may_have_been_processed: true,
    })? {
        return Err(fault_error(operation, xml));
    }
    crate::xml_de::from_str::<Envelope<R>>(xml)
        .map(|envelope| envelope.body.content)
        .map_err(|e| MplusError::Decode {
            operation,
            message: e.to_string(),
        })
}

/// The fault in `xml` as an error (a Transport error when there is none to read).
pub(crate) fn fault_error(operation: &'static str, xml: &str) -> MplusError {
    match crate::xml_de::from_str::<Envelope<Fault>>(xml) {
        Ok(envelope) => {
            let Fault { faultcode, faultstring } = envelope.body.content;
            // `SOAP-ENV:Client.Authentication` → `Client.Authentication`.
            let code = faultcode
                .rsplit_once(':')
                .map_or(faultcode.as_str(), |(_, code)| code)
                .to_owned();
            if code.starts_with("Client") || code.starts_with("VersionMismatch") || code.starts_with("MustUnderstand") {
                MplusError::ClientFault {
                    code,
                    message: koppel_outbound::excerpt(&faultstring),
                }
            } else {
                MplusError::ServerFault {
                    code,
                    message: koppel_outbound::excerpt(&faultstring),
                }
            }
        }
        Err(e) => MplusError::Transport {
            message: format!("{operation}: no SOAP fault in the error response: {e}"),
            status: None,
            may_have_been_processed: true,
        },
    }
}

/// Whether the first element inside `Body` is a `Fault`; an error when the XML is not well-formed.
fn body_holds_fault(xml: &str) -> Result<bool, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut in_body = false;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(element) | Event::Empty(element) => {
                let local_name = element.local_name();
                let name: &str = local_name.into_inner();
                if in_body {
                    return Ok(name == "Fault");
                }
                in_body = name == "Body";
            }
            Event::Eof => return Err("no SOAP Body".into()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_arguments_is_an_empty_qualified_element() {
        let xml = envelope("getApiVersion", &NoArguments {}).unwrap();
        assert!(
            xml.contains(r#"<SOAP-ENV:Body><getApiVersion xmlns="urn:mplusqapi"/></SOAP-ENV:Body>"#),
            "{xml}"
        );
    }

    #[test]
    fn faults_are_classified_by_code() {
        let fault = |code: &str| {
            format!(
                r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>{code}</faultcode><faultstring>nope</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
            )
        };
        let client = parse_response::<NoResponse>("getApiVersion", &fault("SOAP-ENV:Client.Authentication"));
        assert!(matches!(client, Err(MplusError::ClientFault { ref code, .. }) if code == "Client.Authentication"));
        let server = parse_response::<NoResponse>("getApiVersion", &fault("SOAP-ENV:Server"));
        assert!(matches!(server, Err(MplusError::ServerFault { .. })));
        let garbage = parse_response::<NoResponse>("getApiVersion", "<a><b></a>");
        assert!(matches!(garbage, Err(MplusError::Transport { .. })));
    }

    #[derive(Debug, serde::Deserialize)]
    struct NoResponse {}
}
