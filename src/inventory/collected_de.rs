//! Reading `Collected<T>`: the value itself, or `{"error": {...}}`.
//!
//! serde's `untagged` buffers the whole value, tries each form, and on a mismatch says only
//! "data did not match any variant", at the end of the value — for a trail's status, ten lines
//! after the actual mistake. Here the value is streamed instead: an object whose only key is
//! `error` with an object value is the failure record, anything else goes straight to `T`, so
//! serde_json reports a mistake inside either at its own line and column, with its own words.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, F64Deserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
    U64Deserializer, UnitDeserializer,
};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use super::collected::{CollectError, Collected};

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Collected<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CollectedVisitor(PhantomData))
    }
}

struct CollectedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> CollectedVisitor<T> {
    fn value<D: Deserializer<'de>>(value: D) -> Result<Collected<T>, D::Error> {
        T::deserialize(Present(value)).map(Collected::Ok)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CollectedVisitor<T> {
    type Value = Collected<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, or {\"error\": {...}} when it could not be read")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::value(BoolDeserializer::new(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::value(I64Deserializer::new(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::value(U64Deserializer::new(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::value(F64Deserializer::new(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::value(StrDeserializer::new(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Self::value(BorrowedStrDeserializer::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Self::value(StringDeserializer::new(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        // Not `Present`: `null` is `None` for an optional value.
        T::deserialize(UnitDeserializer::new()).map(Collected::Ok)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::value(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Self::value(MapAccessDeserializer::new(ReadAhead {
                key: None,
                value: None,
                rest: map,
            }));
        };
        if first != "error" {
            return Self::value(MapAccessDeserializer::new(ReadAhead {
                key: Some(first),
                value: None,
                rest: map,
            }));
        }
        match map.next_value::<ErrorSlot>()? {
            ErrorSlot::Record(error) => match map.next_key::<String>()? {
                None => Ok(Collected::Failed { error }),
                Some(other) => Err(de::Error::custom(format!(
                    "unexpected key `{other}` beside `error`: a read that failed is \
                     {{\"error\": {{...}}}} alone"
                ))),
            },
            // A map value whose first key happens to be `error` (a tag named so).
            ErrorSlot::Other(value) => Self::value(MapAccessDeserializer::new(ReadAhead {
                key: Some(first),
                value: Some(value),
                rest: map,
            })),
        }
    }
}

/// The value under an `error` key: a failure record when it is an object (read in place, so
/// its mistakes are located), anything else kept for `T`.
enum ErrorSlot {
    Record(CollectError),
    Other(serde_json::Value),
}

impl<'de> Deserialize<'de> for ErrorSlot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ErrorSlotVisitor)
    }
}

struct ErrorSlotVisitor;

impl<'de> Visitor<'de> for ErrorSlotVisitor {
    type Value = ErrorSlot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ErrorSlot, A::Error> {
        CollectError::deserialize(MapAccessDeserializer::new(map)).map(ErrorSlot::Record)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorSlot, A::Error> {
        serde_json::Value::deserialize(SeqAccessDeserializer::new(seq)).map(ErrorSlot::Other)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(v.into()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ErrorSlot, E> {
        Ok(ErrorSlot::Other(serde_json::Value::Null))
    }
}

/// A map whose first key (and, for `error`, its value) was read ahead, then the rest of the
/// stream.
struct ReadAhead<A> {
    key: Option<String>,
    value: Option<serde_json::Value>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ReadAhead<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.key.take() {
            Some(key) => seed
                .deserialize(StringDeserializer::<A::Error>::new(key))
                .map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
    }
}

/// A present value: like the inner deserializer, except that an `Option<T>` reads it as
/// `Some` (serde's value deserializers would hand an option visitor the bare value).
struct Present<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Present<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self.0)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct
        map struct enum identifier ignored_any
    }
}
