//! A small XML element tree: requests are parsed into it (namespace-aware, so a wrongly qualified element is
//! noticed) and responses are built with it. The simulator reads raw XML itself on purpose: it shares no wire
//! types with the client crate, so one misunderstanding of the WSDL cannot hide on both sides.

use std::fmt::Write as _;

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// One element: its local name, its namespace (parsed requests only), its text and its child elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub namespace: Option<String>,
    /// Attributes as (qualified name, value); parsed documents only.
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct XmlError(pub String);

impl Element {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// An element holding only text.
    pub fn leaf(name: &str, text: impl ToString) -> Self {
        Self {
            name: name.to_owned(),
            text: text.to_string(),
            ..Self::default()
        }
    }

    /// Adds a child element (builder style).
    pub fn with(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }

    /// Adds a text child (builder style).
    pub fn with_leaf(self, name: &str, text: impl ToString) -> Self {
        self.with(Element::leaf(name, text))
    }

    /// Adds a text child when there is a value.
    pub fn with_opt<T: ToString>(self, name: &str, value: Option<T>) -> Self {
        match value {
            Some(value) => self.with_leaf(name, value),
            None => self,
        }
    }

    /// Adds a child element when there is one.
    pub fn with_opt_child(self, child: Option<Element>) -> Self {
        match child {
            Some(child) => self.with(child),
            None => self,
        }
    }

    /// Adds several children.
    pub fn with_all(mut self, children: impl IntoIterator<Item = Element>) -> Self {
        self.children.extend(children);
        self
    }

    pub fn push(&mut self, child: Element) {
        self.children.push(child);
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of the first child with this name, if present.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// The integer value of the first child with this name (`long`, `int`, `short` on the wire).
    pub fn number_of(&self, name: &str) -> Option<i64> {
        self.text_of(name)?.parse().ok()
    }

    /// The value of the first child with this name as an `int` (a number beyond `i32` is refused, not cut).
    pub fn int_of(&self, name: &str) -> Result<Option<i32>, String> {
        self.number_of(name)
            .map(|n| i32::try_from(n).map_err(|_| format!("{name} {n} is out of range")))
            .transpose()
    }

    /// The integer values of every child with this name (an unbounded list such as `articleNumbers`).
    pub fn numbers_of(&self, name: &str) -> Vec<i64> {
        self.children_named(name)
            .filter_map(|c| c.text.trim().parse().ok())
            .collect()
    }

    /// The boolean value of the first child with this name (`true`/`1` or `false`/`0`).
    pub fn flag_of(&self, name: &str) -> Option<bool> {
        self.text_of(name).map(|value| matches!(value, "true" | "1"))
    }

    /// Parses a whole document into its root element.
    pub fn parse(document: &str) -> Result<Element, XmlError> {
        let mut reader = NsReader::from_str(document);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = true;
        let mut stack: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        loop {
            let (namespace, event) = reader
                .read_resolved_event()
                .map_err(|error| XmlError(format!("not well-formed XML: {error}")))?;
            let namespace = match namespace {
                ResolveResult::Bound(ns) => Some(ns.into_inner().to_owned()),
                ResolveResult::Unbound => None,
                ResolveResult::Unknown(prefix) => {
                    return Err(XmlError(format!("undeclared namespace prefix '{prefix}'")));
                }
            };
            match event {
                Event::Start(start) => {
                    if root.is_some() {
                        return Err(XmlError("content after the root element".into()));
                    }
                    let mut attributes = Vec::new();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|error| XmlError(format!("bad attribute: {error}")))?;
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|error| XmlError(format!("bad attribute value: {error}")))?;
                        attributes.push((attribute.key.into_inner().to_owned(), value.into_owned()));
                    }
                    stack.push(Element {
                        name: start.local_name().into_inner().to_owned(),
                        namespace,
                        attributes,
                        ..Element::default()
                    });
                }
                Event::End(_) => {
                    let done = stack.pop().ok_or_else(|| XmlError("unbalanced end tag".into()))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
                Event::Text(text) => append_text(&mut stack, &text.xml10_content())?,
                Event::CData(data) => append_text(&mut stack, &data.xml10_content())?,
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        _ => {
                            let name = reference.into_inner();
                            resolve_predefined_entity(&name)
                                .ok_or_else(|| XmlError(format!("unknown entity '&{name};'")))?
                                .to_owned()
                        }
                    };
                    append_text(&mut stack, &resolved)?;
                }
                Event::DocType(_) => return Err(XmlError("DTDs are not allowed in SOAP messages".into())),
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::Empty(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(XmlError("not well-formed XML: unclosed element".into()));
        }
        root.ok_or_else(|| XmlError("empty document".into()))
    }

    /// Writes the element with every name in the `ns1:` prefix (declared by the caller).
    pub fn write(&self, out: &mut String) {
        let _ = write!(out, "<ns1:{}", self.name);
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&escape(self.text.as_str()));
        for child in &self.children {
            child.write(out);
        }
        let _ = write!(out, "</ns1:{}>", self.name);
    }
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(open) => {
            open.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError("text outside the root element".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_entities_and_nesting() {
        let doc = r#"<?xml version="1.0"?><a:x xmlns:a="urn:a"><a:y>1 &amp; 2 &#65;</a:y><z/></a:x>"#;
        let root = Element::parse(doc).unwrap();
        assert_eq!(root.name, "x");
        assert_eq!(root.namespace.as_deref(), Some("urn:a"));
        assert_eq!(root.text_of("y"), Some("1 & 2 A"));
        assert_eq!(root.child("z").unwrap().namespace, None);
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(Element::parse("<a><b></a>").is_err());
        assert!(Element::parse("<a>").is_err());
        assert!(Element::parse("<p:a/>").is_err());
        assert!(Element::parse("").is_err());
    }

    #[test]
    fn writes_escaped_prefixed_xml() {
        let mut out = String::new();
        Element::new("r")
            .with_leaf("t", "a<b")
            .with(Element::new("e"))
            .write(&mut out);
        assert_eq!(out, "<ns1:r><ns1:t>a&lt;b</ns1:t><ns1:e/></ns1:r>");
    }
}
