//! A serde deserializer for MplusKASSA's SOAP responses, pulling quick-xml events straight into the model
//! types. It replaces `quick_xml::de` for responses: a page of 100 orders (about 680 kB) took that one
//! 54 µs per order, the largest single cost of an orders run on Koppel's side; this one takes 37 µs, most of
//! it in quick-xml's reader itself. It keeps no look-ahead buffer and allocates only the values it returns.
//! A test holds both to the same results.
//!
//! It follows quick-xml's mapping for what the models use, and nothing more:
//! - a struct is an element; its fields are child elements matched by local name (the `ns1:` prefix is
//!   dropped), in any order; unknown ones are skipped;
//! - a struct whose only field is `$value` takes its element's children: all of them as a sequence
//!   (`wire::list`), or the first one as a value (the SOAP Body);
//! - a `Vec` field collects consecutive siblings of the same name;
//! - an element present is `Some` (also when empty), unless it carries `xsi:nil="true"`;
//! - a number, flag, string or unit enum variant is the element's text, entities resolved, untrimmed.

use std::borrow::Cow;
use std::fmt;

mod events;

use events::{Events, is_nil, local_name};
use quick_xml::events::{BytesStart, Event};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// Why a response could not be read into its type.
#[derive(Debug)]
pub(crate) struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, DeError>;

/// Reads the document element of `xml` as a `T`.
pub(crate) fn from_str<T: DeserializeOwned>(xml: &str) -> Result<T> {
    let mut events = Events::new(xml);
    loop {
        match events.next()? {
            Event::Start(start) => {
                return T::deserialize(ElementDeserializer {
                    events: &mut events,
                    start,
                });
            }
            Event::Eof => return Err(DeError("no document element".into())),
            _ => {}
        }
    }
}

/// One element whose start tag has been read.
struct ElementDeserializer<'x, 'a> {
    events: &'x mut Events<'a>,
    start: BytesStart<'a>,
}

impl<'x, 'a> ElementDeserializer<'x, 'a> {
    fn text(self) -> Result<Cow<'a, str>> {
        self.events.text()
    }

    /// The text as a `T`; the element's name is looked up only for an error (most fields are numbers).
    fn parse<T: std::str::FromStr>(self, kind: &str) -> Result<T> {
        let text = self.events.text()?;
        text.parse()
            .map_err(|_| DeError(format!("<{}>: '{text}' is not a valid {kind}", local_name(&self.start))))
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.$visit(self.parse::<$ty>(stringify!($ty))?)
        })*
    };
}

impl<'de, 'x> de::Deserializer<'de> for ElementDeserializer<'x, 'de> {
    type Error = DeError;

    parse_number! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16, deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64, deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64, deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64, deserialize_char => visit_char: char,
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // An element with child elements is a map, anything else its text.
        let has_children = loop {
            match self.events.peek()? {
                Event::Start(_) => break true,
                Event::End(_) | Event::Eof => break false,
                Event::Text(text) if text.xml10_content().trim().is_empty() => {
                    self.events.next()?;
                }
                _ => break false,
            }
        };
        if has_children {
            self.deserialize_map(visitor)
        } else {
            self.deserialize_str(visitor)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match &*self.events.text()? {
            "true" | "1" => visitor.visit_bool(true),
            "false" | "0" => visitor.visit_bool(false),
            other => Err(DeError(format!(
                "<{}>: '{other}' is not a boolean",
                local_name(&self.start)
            ))),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.text()? {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_bytes(self.text()?.as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if is_nil(&self.start) {
            self.events.skip_rest()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.events.skip_rest()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// This element and the siblings after it with the same name.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let name = local_name(&self.start).to_owned();
        visitor.visit_seq(Siblings {
            events: self.events,
            name,
            next: Some(self.start),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(Children {
            events: self.events,
            current: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if fields == ["$value"] {
            visitor.visit_map(Content {
                events: self.events,
                given: false,
            })
        } else {
            self.deserialize_map(visitor)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let variant: String = self.text()?.into_owned();
        visitor.visit_enum(variant.into_deserializer())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }
}

/// The child elements of an element as the fields of a struct (or the entries of a map), by local name.
struct Children<'x, 'a> {
    events: &'x mut Events<'a>,
    current: Option<BytesStart<'a>>,
}

impl<'de, 'x> MapAccess<'de> for Children<'x, 'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(start) = self.events.next_child(true)? else {
            return Ok(None);
        };
        let key = seed.deserialize(local_name(&start).into_deserializer())?;
        self.current = Some(start);
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let start = self
            .current
            .take()
            .ok_or_else(|| DeError("a value asked for before its key".into()))?;
        seed.deserialize(ElementDeserializer {
            events: self.events,
            start,
        })
    }
}

/// A struct whose only field is `$value`: that field is the element's children.
struct Content<'x, 'a> {
    events: &'x mut Events<'a>,
    given: bool,
}

impl<'de, 'x> MapAccess<'de> for Content<'x, 'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.given {
            // Whatever the value did not take (siblings after a single value) is not part of the struct.
            while let Some(_ignored) = self.events.next_child(true)? {
                self.events.skip_rest()?;
            }
            return Ok(None);
        }
        self.given = true;
        seed.deserialize("$value".into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(ContentDeserializer { events: self.events })
    }
}

/// The children of an open element: a sequence of all of them, or the first one as a value.
struct ContentDeserializer<'x, 'a> {
    events: &'x mut Events<'a>,
}

impl<'x, 'a> ContentDeserializer<'x, 'a> {
    /// The first child, read as the value; `missing` says what was expected when there is none.
    fn first_child(self, missing: impl FnOnce() -> String) -> Result<ElementDeserializer<'x, 'a>> {
        match self.events.next_child(false)? {
            Some(start) => Ok(ElementDeserializer {
                events: self.events,
                start,
            }),
            None => Err(DeError(missing())),
        }
    }
}

impl<'de, 'x> de::Deserializer<'de> for ContentDeserializer<'x, 'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.first_child(|| "an element was expected here".into())?
            .deserialize_any(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(AllChildren { events: self.events })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.first_child(|| format!("an element for {name} was expected here"))?
            .deserialize_struct(name, fields, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct map enum identifier ignored_any
    }
}

/// Every child element of an open element, each as one item; stops before the element's end tag.
struct AllChildren<'x, 'a> {
    events: &'x mut Events<'a>,
}

impl<'de, 'x> SeqAccess<'de> for AllChildren<'x, 'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.events.next_child(false)? {
            Some(start) => seed
                .deserialize(ElementDeserializer {
                    events: self.events,
                    start,
                })
                .map(Some),
            None => Ok(None),
        }
    }
}

/// Consecutive sibling elements with one name (a repeated element without a wrapper).
struct Siblings<'x, 'a> {
    events: &'x mut Events<'a>,
    name: String,
    next: Option<BytesStart<'a>>,
}

impl<'de, 'x> SeqAccess<'de> for Siblings<'x, 'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let start = match self.next.take() {
            Some(start) => start,
            // Whitespace and comments between siblings are not content; the next element decides.
            None => loop {
                let skip = match self.events.peek()? {
                    Event::Start(start) if local_name(start) == self.name => false,
                    Event::Text(text) if text.xml10_content().trim().is_empty() => true,
                    Event::Comment(_) | Event::PI(_) => true,
                    _ => return Ok(None),
                };
                if let (false, Event::Start(start)) = (skip, self.events.next()?) {
                    break start;
                }
            },
        };
        seed.deserialize(ElementDeserializer {
            events: self.events,
            start,
        })
        .map(Some)
    }
}

#[cfg(test)]
mod tests;
