//! What a run has already looked up in AFAS, so a key asked for again on a later page costs no call.
//!
//! Absent keys are remembered as absent too. A key Koppel writes (a debtor created or updated, an article
//! created) is forgotten, so the next page reads it back from AFAS rather than trusting a guess. A cache lives
//! as long as its target: one run.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct RunCache<V> {
    entries: Mutex<HashMap<String, Option<V>>>,
}

impl<V> Default for RunCache<V> {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
        }
    }
}

impl<V: Clone> RunCache<V> {
    /// The known values among `keys`, and the keys still to look up.
    pub fn split(&self, keys: &[String]) -> (HashMap<String, V>, Vec<String>) {
        let entries = self.entries.lock().expect("run cache lock");
        let mut known = HashMap::new();
        let mut unknown = Vec::new();
        for key in keys {
            match entries.get(key) {
                Some(Some(value)) => {
                    known.insert(key.clone(), value.clone());
                }
                Some(None) => {}
                None => unknown.push(key.clone()),
            }
        }
        (known, unknown)
    }

    /// Remembers what a look-up of `asked` found; the keys it did not find are absent.
    pub fn learn(&self, asked: &[String], found: &HashMap<String, V>) {
        let mut entries = self.entries.lock().expect("run cache lock");
        for key in asked {
            entries.insert(key.clone(), found.get(key).cloned());
        }
    }

    pub fn forget(&self, key: &str) {
        self.entries.lock().expect("run cache lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_and_absent_keys_are_known_until_forgotten() {
        let cache = RunCache::default();
        let asked = vec!["a".to_owned(), "b".to_owned()];
        cache.learn(&asked, &HashMap::from([("a".to_owned(), 1)]));
        let (known, unknown) = cache.split(&["a".into(), "b".into(), "c".into()]);
        assert_eq!(
            (known, unknown),
            (HashMap::from([("a".to_owned(), 1)]), vec!["c".to_owned()])
        );
        cache.forget("b");
        assert_eq!(cache.split(&["b".into()]).1, vec!["b".to_owned()]);
    }
}
