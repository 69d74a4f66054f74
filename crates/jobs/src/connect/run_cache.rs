//! What a run has already looked up in AFAS, so a key asked for again on a later page costs no call.
//!
//! Absent keys are remembered as absent too. A key Koppel writes (a debtor created or updated, an article
//! created) is forgotten, so the next page reads it back from AFAS rather than trusting a guess. A cache lives
//! as long as its target: one run, and holds at most [`CAPACITY`] keys: a run through a big backlog meets more
//! customers than are worth keeping (the memory would grow with the backlog), so it starts over when full and the
//! next pages ask again.

use std::collections::HashMap;
use std::sync::Mutex;

/// Keys a cache holds at most (about 2 MB of debtors).
const CAPACITY: usize = 5_000;

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
        if entries.len() + asked.len() > CAPACITY {
            entries.clear();
        }
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

    #[test]
    fn a_full_cache_starts_over_so_a_long_run_holds_at_most_its_capacity() {
        let cache = RunCache::default();
        let keys = |from: usize, count: usize| (from..from + count).map(|n| format!("k{n}")).collect::<Vec<_>>();
        cache.learn(&keys(0, CAPACITY), &HashMap::<String, u8>::new());
        assert!(cache.split(&keys(0, 1)).1.is_empty(), "known while there is room");
        cache.learn(&keys(CAPACITY, 10), &HashMap::new());
        assert_eq!(cache.split(&keys(0, 1)).1, keys(0, 1), "forgotten once full");
        assert!(cache.split(&keys(CAPACITY, 10)).1.is_empty());
        assert!(cache.entries.lock().unwrap().len() <= CAPACITY);
    }
}
