//! GetConnector filters: conditions joined by AND inside a group, groups joined by OR, encoded either as
//! AFAS's parallel lists (`filterfieldids`/`filtervalues`/`operatortypes`, `,` = AND, `;` = OR) or, when a
//! value itself contains `,` or `;`, as `filterjson`.

use serde_json::json;

/// AFAS's filter operator codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equal = 1,
    GreaterOrEqual = 2,
    LessOrEqual = 3,
    Greater = 4,
    Less = 5,
    Contains = 6,
    NotEqual = 7,
    /// AFAS still wants a value; the builder sends an empty one.
    Empty = 8,
    NotEmpty = 9,
    StartsWith = 10,
    NotContains = 11,
    NotStartsWith = 12,
    EndsWith = 13,
    NotEndsWith = 14,
    QuickFilter = 15,
}

impl Operator {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// One comparison of a connector field with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub operator: Operator,
    pub value: String,
}

/// An OR of AND-groups of conditions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    groups: Vec<Vec<Condition>>,
}

impl Filter {
    /// A filter with one condition.
    pub fn new(field: &str, operator: Operator, value: impl ToString) -> Self {
        Self {
            groups: vec![vec![condition(field, operator, value)]],
        }
    }

    /// `field = v1 OR field = v2 ...`; empty when `values` is empty.
    pub fn any_of<V: ToString>(field: &str, values: impl IntoIterator<Item = V>) -> Self {
        Self {
            groups: values
                .into_iter()
                .map(|value| vec![condition(field, Operator::Equal, value)])
                .collect(),
        }
    }

    /// Adds a condition that every group must also meet (AND).
    pub fn and(mut self, field: &str, operator: Operator, value: impl ToString) -> Self {
        let added = condition(field, operator, value);
        if self.groups.is_empty() {
            self.groups.push(Vec::new());
        }
        for group in &mut self.groups {
            group.push(added.clone());
        }
        self
    }

    /// `self AND other`, distributed over the groups so the result is again an OR of AND-groups.
    pub fn and_filter(self, other: &Filter) -> Self {
        if self.groups.is_empty() {
            return other.clone();
        }
        if other.groups.is_empty() {
            return self;
        }
        let groups = self
            .groups
            .iter()
            .flat_map(|mine| {
                other.groups.iter().map(move |theirs| {
                    let mut group = mine.clone();
                    group.extend(theirs.iter().cloned());
                    group
                })
            })
            .collect();
        Self { groups }
    }

    /// `self OR other`.
    pub fn or(mut self, other: Filter) -> Self {
        self.groups.extend(other.groups);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(Vec::is_empty)
    }

    /// The query parameters that carry this filter.
    pub(crate) fn query_pairs(&self) -> Vec<(&'static str, String)> {
        if self.is_empty() {
            return Vec::new();
        }
        let needs_json = self
            .conditions()
            .any(|c| [&c.field, &c.value].iter().any(|s| s.contains([',', ';'])));
        if needs_json {
            return vec![("filterjson", self.to_json())];
        }
        let join = |part: fn(&Condition) -> String| {
            self.groups
                .iter()
                .map(|group| group.iter().map(part).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join(";")
        };
        vec![
            ("filterfieldids", join(|c| c.field.clone())),
            ("filtervalues", join(|c| c.value.clone())),
            ("operatortypes", join(|c| c.operator.code().to_string())),
        ]
    }

    fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.groups.iter().flatten()
    }

    fn to_json(&self) -> String {
        let filters: Vec<_> = self
            .groups
            .iter()
            .enumerate()
            .map(|(index, group)| {
                let fields: Vec<_> = group
                    .iter()
                    .map(|c| json!({"@FieldId": c.field, "@OperatorType": c.operator.code().to_string(), "#text": c.value}))
                    .collect();
                json!({"@FilterId": format!("Filter {}", index + 1), "Field": fields})
            })
            .collect();
        json!({"Filters": {"Filter": filters}}).to_string()
    }
}

fn condition(field: &str, operator: Operator, value: impl ToString) -> Condition {
    let value = match operator {
        Operator::Empty | Operator::NotEmpty => String::new(),
        _ => value.to_string(),
    };
    Condition {
        field: field.to_owned(),
        operator,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(filter: &Filter) -> Vec<(&'static str, String)> {
        filter.query_pairs()
    }

    #[test]
    fn groups_are_or_and_conditions_are_and() {
        let filter = Filter::any_of("DebtorId", ["1", "2"]).and("Blocked", Operator::Equal, false);
        assert_eq!(
            pairs(&filter),
            vec![
                ("filterfieldids", "DebtorId,Blocked;DebtorId,Blocked".to_owned()),
                ("filtervalues", "1,false;2,false".to_owned()),
                ("operatortypes", "1,1;1,1".to_owned()),
            ]
        );
    }

    #[test]
    fn values_with_separators_go_as_filterjson() {
        let filter = Filter::new("Email", Operator::Equal, "a;b@x.nl").or(Filter::new("Name", Operator::Empty, "x"));
        let query = pairs(&filter);
        assert_eq!(query[0].0, "filterjson");
        let parsed: serde_json::Value = serde_json::from_str(&query[0].1).unwrap();
        let filters = parsed["Filters"]["Filter"].as_array().unwrap();
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0]["Field"][0]["#text"], "a;b@x.nl");
        assert_eq!(filters[1]["Field"][0]["@OperatorType"], "8");
        assert_eq!(filters[1]["Field"][0]["#text"], "");
    }

    #[test]
    fn and_filter_distributes_over_groups() {
        let keys = Filter::any_of("ItemCode", ["A", "B"]);
        let base = Filter::new("Blocked", Operator::Equal, "false").or(Filter::new("Stock", Operator::Greater, 0));
        assert_eq!(keys.and_filter(&base).groups.len(), 4);
    }
}
