//! Sync markers: one counter per entity type that goes up by one whenever any record of that type is created or
//! changed, plus the separate `stockId` counter. `get*` calls return records with a marker ≥ the requested one,
//! ascending, at most `syncMarkerLimit` of them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::xml::Element;

/// When a request sets no `syncMarkerLimit`, the sandbox still answers at most this many records (the real
/// service documents no default; paging by marker works the same either way).
pub const DEFAULT_LIMIT: usize = 1_000;

/// The current high marker per entity type, as `getCurrentSyncMarkers` reports them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncMarkers {
    pub article: i64,
    pub article_group: i64,
    pub relation: i64,
    pub employee: i64,
    pub invoice: i64,
    pub receipt: i64,
    pub order: i64,
    pub proposal: i64,
    pub stock_id: i64,
}

/// Takes the next value of a counter.
pub fn next(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter
}

impl SyncMarkers {
    pub fn to_xml(&self) -> Element {
        Element::new("getCurrentSyncMarkersResponse")
            .with_leaf("articleSyncMarker", self.article)
            .with_leaf("articleGroupSyncMarker", self.article_group)
            .with_leaf("relationSyncMarker", self.relation)
            .with_leaf("employeeSyncMarker", self.employee)
            .with_leaf("invoiceSyncMarker", self.invoice)
            .with_leaf("receiptSyncMarker", self.receipt)
            .with_leaf("orderSyncMarker", self.order)
            .with_leaf("proposalSyncMarker", self.proposal)
            .with_leaf("stockId", self.stock_id)
    }
}

/// The paging part of a request: `syncMarker` (from, inclusive) and `syncMarkerLimit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub from: i64,
    pub limit: usize,
}

impl Page {
    /// Reads `syncMarker`/`syncMarkerLimit` (or other names for the same, e.g. `sinceStockId`).
    pub fn read(request: Option<&Element>, marker_name: &str, limit_name: &str) -> Self {
        let value = |name: &str| {
            request
                .and_then(|r| r.text_of(name))
                .and_then(|v| v.parse::<i64>().ok())
        };
        Self {
            from: value(marker_name).unwrap_or(0),
            limit: value(limit_name)
                .filter(|&limit| limit > 0)
                .map_or(DEFAULT_LIMIT, |limit| limit as usize),
        }
    }

    pub fn from_marker(request: Option<&Element>) -> Self {
        Self::read(request, "syncMarker", "syncMarkerLimit")
    }

    /// The values at markers ≥ `from` that pass `keep`, ascending, at most `limit`.
    pub fn select<'a, V>(&self, by_marker: &'a BTreeMap<i64, V>, mut keep: impl FnMut(&V) -> bool) -> Vec<&'a V> {
        by_marker
            .range(self.from..)
            .map(|(_, value)| value)
            .filter(|value| keep(value))
            .take(self.limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_inclusive_ascending_and_capped() {
        let map: BTreeMap<i64, i64> = (1..=10).map(|m| (m, m)).collect();
        let page = Page { from: 4, limit: 3 };
        assert_eq!(page.select(&map, |_| true), [&4, &5, &6]);
        assert_eq!(page.select(&map, |v| v % 2 == 0), [&4, &6, &8]);
    }
}
