//! The XML event stream the deserializer pulls from: one event of look-ahead, text and entities joined,
//! whole elements skipped; and what a start tag says (its local name, `xsi:nil`).

use std::borrow::Cow;

use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::{DeError, Result};

/// The event stream with one event of look-ahead; empty elements arrive as a start and an end.
pub(super) struct Events<'a> {
    reader: Reader<&'a [u8]>,
    peeked: Option<Event<'a>>,
}

impl<'a> Events<'a> {
    pub(super) fn new(xml: &'a str) -> Self {
        let mut reader = Reader::from_str(xml);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Self { reader, peeked: None }
    }

    pub(super) fn next(&mut self) -> Result<Event<'a>> {
        match self.peeked.take() {
            Some(event) => Ok(event),
            None => self
                .reader
                .read_event()
                .map_err(|e| DeError(format!("not well-formed XML: {e}"))),
        }
    }

    pub(super) fn peek(&mut self) -> Result<&Event<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.next()?);
        }
        Ok(self.peeked.as_ref().expect("just peeked"))
    }

    /// The next child element of the open element, or `None` at its end (which is then consumed only when
    /// `consume_end`). Text between child elements is skipped.
    pub(super) fn next_child(&mut self, consume_end: bool) -> Result<Option<BytesStart<'a>>> {
        loop {
            match self.next()? {
                Event::Start(start) => return Ok(Some(start)),
                end @ Event::End(_) => {
                    if !consume_end {
                        self.peeked = Some(end);
                    }
                    return Ok(None);
                }
                Event::Eof => return Err(DeError("unexpected end of document".into())),
                _ => {}
            }
        }
    }

    /// The text of the open element up to and including its end tag, entities resolved, untrimmed (as
    /// quick-xml reads it).
    pub(super) fn text(&mut self) -> Result<Cow<'a, str>> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.next()? {
                Event::Text(part) => append(&mut text, part.xml10_content()),
                Event::CData(part) => append(&mut text, part.xml10_content()),
                Event::GeneralRef(reference) => {
                    let entity = format!("&{};", reference.into_inner());
                    let resolved = unescape(&entity).map_err(|e| DeError(format!("entity '{entity}': {e}")))?;
                    append(&mut text, Cow::Owned(resolved.into_owned()));
                }
                Event::End(_) => break,
                Event::Start(start) => {
                    let name = local_name(&start);
                    return Err(DeError(format!("expected text, found element <{name}>")));
                }
                Event::Eof => return Err(DeError("unexpected end of document".into())),
                _ => {}
            }
        }
        Ok(text)
    }

    /// Skips the rest of the open element, its end tag included.
    pub(super) fn skip_rest(&mut self) -> Result<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return Ok(()),
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(DeError("unexpected end of document".into())),
                _ => {}
            }
        }
    }
}

fn append<'a>(text: &mut Cow<'a, str>, part: Cow<'a, str>) {
    if text.is_empty() {
        *text = part;
    } else {
        text.to_mut().push_str(&part);
    }
}

pub(super) fn local_name<'s>(start: &'s BytesStart<'_>) -> &'s str {
    start.local_name().into_inner()
}

/// `xsi:nil="true"` (any prefix): the element stands for `None`.
pub(super) fn is_nil(start: &BytesStart<'_>) -> bool {
    // Most elements have no attributes at all: not worth an attribute parser each.
    if start.attributes_raw().trim_ascii_start().is_empty() {
        return false;
    }
    start
        .attributes()
        .flatten()
        .any(|attribute| attribute.key.local_name().into_inner() == "nil" && matches!(&*attribute.value, "true" | "1"))
}
