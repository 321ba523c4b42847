//! Reading `Collected<T>` in one pass.
//!
//! `#[serde(untagged)]` would buffer every value into serde's internal tree, try the error
//! form, then the value, and on a mistake say only "data did not match any variant": no
//! position, no reason. Here the value streams straight into `T`: a mapping whose first key is
//! `error` with an object value is a failed read (and must be that key alone); anything else
//! is handed to `T` as it is read, so a wrong field inside says which and where.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer, UnitDeserializer};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

use super::{CollectError, Collected};

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Collected<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CollectedVisitor(PhantomData))
    }
}

struct CollectedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> CollectedVisitor<T> {
    fn value<D: Deserializer<'de>>(deserializer: D) -> Result<Collected<T>, D::Error> {
        T::deserialize(Present(deserializer)).map(Collected::Ok)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CollectedVisitor<T> {
    type Value = Collected<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value, or {\"error\": {...}} for a read that failed")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        T::deserialize(UnitDeserializer::new()).map(Collected::Ok)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Self::value(de::value::BorrowedStrDeserializer::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Self::value(v.into_deserializer())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::value(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Self::value(MapAccessDeserializer::new(map));
        };
        if key != "error" {
            let rest = Prefixed {
                key: Some(key),
                value: None,
                rest: map,
            };
            return Self::value(MapAccessDeserializer::new(rest));
        }
        match map.next_value_seed(ErrorOrOther)? {
            ErrorValue::Error(error) => match map.next_key::<String>()? {
                None => Ok(Collected::Failed { error }),
                Some(other) => Err(de::Error::custom(format!(
                    "a failed read is {{\"error\": {{...}}}} alone, found `{other}` next to it"
                ))),
            },
            // A map of T with an `error` key (a tag named "error"): hand it over whole.
            ErrorValue::Other(value) => Self::value(MapAccessDeserializer::new(Prefixed {
                key: Some(key),
                value: Some(value),
                rest: map,
            })),
        }
    }
}

/// A value that is present: `Option<U>` reads it as `Some`, everything else as it is.
struct Present<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Present<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self.0)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The value of an `error` key: a read error when it is an object, else kept for `T`.
enum ErrorValue {
    Error(CollectError),
    Other(serde_json::Value),
}

struct ErrorOrOther;

impl<'de> DeserializeSeed<'de> for ErrorOrOther {
    type Value = ErrorValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ErrorValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ErrorOrOther {
    type Value = ErrorValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a read error {\"operation\": ..., \"kind\": ...}")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ErrorValue, A::Error> {
        CollectError::deserialize(MapAccessDeserializer::new(map)).map(ErrorValue::Error)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorValue, A::Error> {
        serde_json::Value::deserialize(SeqAccessDeserializer::new(seq)).map(ErrorValue::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(serde_json::Value::Null))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(v.into()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ErrorValue, E> {
        Ok(ErrorValue::Other(v.into()))
    }
}

/// A map whose first key (and, for an `error` key, its value) was already read.
struct Prefixed<A> {
    key: Option<String>,
    value: Option<serde_json::Value>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prefixed<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.key.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.rest
            .size_hint()
            .map(|n| n + usize::from(self.key.is_some()))
    }
}
