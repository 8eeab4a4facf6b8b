//! The object (mapping) value: insertion-ordered, with GitHub's
//! case-insensitive key lookup (`github.EVENT_NAME` finds `event_name`).

use indexmap::IndexMap;

use super::casing;
use super::value::Value;

/// A mapping from string keys to values that keeps insertion order.
///
/// Keys are compared with `OrdinalIgnoreCase` unless the object was made with
/// [`Object::case_sensitive`] (the runner's `env` context is case-sensitive on
/// Linux). Inserting a key that is already present under that comparison
/// replaces the value in place and keeps the first spelling of the key.
#[derive(Clone, Debug, Default)]
pub struct Object {
    // Lookup key (folded unless case-sensitive) → (key as written, value).
    entries: IndexMap<String, (String, Value)>,
    case_sensitive: bool,
}

impl Object {
    pub fn new() -> Self {
        Self::default()
    }

    /// An object whose keys are compared exactly.
    pub fn case_sensitive() -> Self {
        Object {
            entries: IndexMap::new(),
            case_sensitive: true,
        }
    }

    fn lookup_key(&self, key: &str) -> String {
        if self.case_sensitive {
            key.to_string()
        } else {
            casing::fold(key)
        }
    }

    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        let lookup = self.lookup_key(&key);
        match self.entries.get_mut(&lookup) {
            Some(entry) => entry.1 = value,
            None => {
                self.entries.insert(lookup, (key, value));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(&self.lookup_key(key)).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in insertion order, with keys as first written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.values().map(|(k, v)| (k.as_str(), v))
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.values().map(|(_, v)| v)
    }
}

impl PartialEq for Object {
    /// Structural equality (same keys in the same order, equal values); the
    /// expression language's `==` is identity instead, see `Value::loose_eq`.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Object {
    fn from_iter<T: IntoIterator<Item = (K, Value)>>(iter: T) -> Self {
        let mut object = Object::new();
        for (k, v) in iter {
            object.insert(k, v);
        }
        object
    }
}
