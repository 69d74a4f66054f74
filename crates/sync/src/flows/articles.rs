//! Articles: AFAS articles → MplusKASSA articles, created or updated by article number (= the AFAS item code,
//! see [`crate::catalogue`]). The cursor is AFAS's modification time.
//!
//! **What the till has decides.** Each page reads the till's copies of its articles in one call and writes
//! only what differs from them (not what differs from what Koppel sent last): an article that the products
//! flow wrote to AFAS from the till and that comes back here agrees with the till and is left alone, so both
//! directions can be on without records bouncing between them, and a price changed by hand at the till is
//! put back to AFAS's. With `update_product_info` off an existing article keeps its texts and turnover group;
//! its price, VAT, barcode and whether it is active still follow AFAS. An article blocked in AFAS becomes
//! inactive at the till, and is not created there.
//!
//! **Exactly once.** A create names the article number, so the till refuses a second copy
//! ([`crate::ports::Creation::Found`]); a run that crashed after a write meets the article again (its cursor
//! did not move) and finds the till agreeing.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};

use super::{UNCHANGED, seen_last_run};
use crate::catalogue::{
    ARTICLE_GROUP, DimensionId, ErpArticle, TillArticle, TillArticleDraft, TillVariant, VariantDraft, article_number,
};
use crate::custom_fields::{CustomFieldKind, CustomValue, till_values, unknown_till_field};
use crate::engine::{Run, RunError};
use crate::ports::FailureClass::Permanent;
use crate::ports::{Creation, ErpTarget, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash, with_rules};
use crate::settings::FlowSettings;

/// The journal's entity of the flow's records.
pub const ENTITY: &str = "article";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    articles: Vec<ErpArticle>,
) -> Result<(), RunError> {
    let articles: Vec<ErpArticle> = articles
        .into_iter()
        .filter(|a| !run.already_handled(&a.item_code))
        .collect();
    if articles.is_empty() {
        return Ok(());
    }
    let mut numbers: Vec<i64> = articles
        .iter()
        .filter_map(|a| article_number(&a.item_code).ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut till = if numbers.is_empty() {
        HashMap::new()
    } else {
        run.source.till_articles(&numbers).await?
    };
    let mut groups = match run.settings.article_groups_to_till {
        true => Some(run.source.till_article_groups().await?),
        false => None,
    };
    let custom_fields = match run.settings.custom_field_map.is_empty() {
        true => BTreeMap::new(),
        false => run.source.till_custom_fields().await?,
    };
    // A mapping to a field the till does not have would fail every article alike: the run stops, naming it.
    if let Some(message) = unknown_till_field(&run.settings.custom_field_map, &custom_fields) {
        return Err(RunError::Refused { message });
    }
    let resumed_at = run.report.cursor;
    for article in &articles {
        if run.should_stop_before(Some(article.sync_marker())).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let page = Known {
            articles: &mut till,
            groups: groups.as_mut(),
            custom_fields: &custom_fields,
        };
        let result = sync_article(run.settings, run.source, page, article, &mut trail).await;
        if seen_last_run(resumed_at, article.sync_marker(), &result) {
            continue;
        }
        run.conclude(meta(article), result, trail).await?;
    }
    Ok(())
}

fn meta(article: &ErpArticle) -> RecordMeta {
    RecordMeta::new(ENTITY, article.item_code.clone(), article)
        .keys([
            Some(article.item_code.clone()),
            Some(article.description.clone()),
            article.barcode.clone(),
        ])
        .at_marker(Some(article.sync_marker()))
}

/// What a page knows of the till: its articles, and (with `article_groups_to_till`) the article groups Koppel
/// made by AFAS article group; both kept current with what the page writes.
struct Known<'p> {
    articles: &'p mut HashMap<i64, TillArticle>,
    groups: Option<&'p mut HashMap<String, i32>>,
    /// The till's article custom fields and their kinds (read only with a `custom_field_map`).
    custom_fields: &'p BTreeMap<String, CustomFieldKind>,
}

async fn sync_article<S: PosSource>(
    settings: &FlowSettings,
    till: &S,
    known: Known<'_>,
    article: &ErpArticle,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    let Known {
        articles: known,
        groups,
        custom_fields,
    } = known;
    let number = article_number(&article.item_code).map_err(|reason| Failure::Record(Permanent, reason))?;
    if let Some(reason) = filtered_out(article, settings) {
        return Ok(Verdict::skipped(reason));
    }
    let existing = known.get(&number);
    if article.blocked && existing.is_none() {
        return Ok(Verdict::skipped("blocked in AFAS, and MplusKASSA does not have it"));
    }
    if !article.dimension_kinds.is_empty() && article.variants.is_empty() && existing.is_none() {
        return Ok(Verdict::skipped(
            "a dimension article without combinations in AFAS (no barcode per dimension in \
             Profit_Barcode_per_Item): nothing the till could sell yet",
        ));
    }
    let mut draft = till_draft(article, number, existing.is_none(), settings)?;
    let map = &settings.custom_field_map;
    draft.custom_fields = till_values(map, custom_fields, &article.free_fields).map_err(Failure::master_data)?;
    if let (Some(groups), Some(code)) = (groups, article.article_group.as_deref().map(str::trim)) {
        place_in_group(&mut draft, groups, code, till, trail).await?;
    }
    let hash = content_hash(&draft);
    let target_id = number.to_string();
    let current = match existing {
        Some(current) if draft.differences(current).is_empty() => {
            return Ok(Verdict::skipped_existing(UNCHANGED, target_id, hash));
        }
        Some(current) => current.clone(),
        None => match trail.write(till.create_till_article(&draft).await)? {
            Creation::Created(_) => {
                known.insert(number, created(&draft));
                return Ok(Verdict::written(Outcome::Created, target_id, hash));
            }
            // The till has the number after all (a run of the company made it since this page looked): read
            // it, and write only what differs.
            Creation::Found(_) => {
                let mut current = till.till_articles(&[number]).await.map_err(Failure::from_connector)?;
                let Some(current) = current.remove(&number) else {
                    return Err(Failure::Record(
                        Permanent,
                        format!("MplusKASSA says article {number} exists, but does not list it"),
                    ));
                };
                if draft.differences(&current).is_empty() {
                    return Ok(Verdict::skipped_existing(UNCHANGED, target_id, hash));
                }
                current
            }
        },
    };
    let differences = draft.differences(&current);
    if differences.iter().any(|difference| *difference != ARTICLE_GROUP) {
        trail.write(till.update_till_article(&current, &draft).await)?;
    }
    let (add, remove) = draft.group_moves(&current);
    if let Some(group) = add {
        trail.write(till.add_to_till_article_group(group, current.product_number).await)?;
    }
    for group in remove {
        trail.write(till.remove_from_till_article_group(group, current.product_number).await)?;
    }
    Ok(Verdict::written(Outcome::Updated, target_id, hash))
}

/// Gives the draft the till's group of the article's AFAS article group (made now, in this record's trail, if
/// the till has none yet) and the other groups Koppel made, which the product must leave.
async fn place_in_group<S: PosSource>(
    draft: &mut TillArticleDraft,
    groups: &mut HashMap<String, i32>,
    code: &str,
    till: &S,
    trail: &mut Trail,
) -> Result<(), Failure> {
    if code.is_empty() {
        return Ok(());
    }
    let group = match groups.get(code) {
        Some(group) => *group,
        None => {
            let group = trail.write(till.create_till_article_group(code).await)?;
            groups.insert(code.to_owned(), group);
            group
        }
    };
    draft.till_group = Some(group);
    draft.other_afas_groups = groups.values().copied().filter(|g| *g != group).collect();
    draft.other_afas_groups.sort_unstable();
    Ok(())
}

/// Why the flow's filter leaves the article out, if it does (the reader asks AFAS for the same; this guards
/// a connector that ignores a filter).
fn filtered_out(article: &ErpArticle, settings: &FlowSettings) -> Option<String> {
    let groups = &settings.afas_article_filter.groups;
    let in_groups = article
        .article_group
        .as_deref()
        .is_some_and(|g| groups.iter().any(|f| f.trim().eq_ignore_ascii_case(g)));
    (!groups.is_empty() && !in_groups).then(|| "not in the selected AFAS article groups".to_owned())
}

/// What the till holds once `draft` is created (for the page's later look-ups, and the dry run's).
pub(crate) fn created(draft: &TillArticleDraft) -> TillArticle {
    let factor = Decimal::ONE + draft.vat_percentage / Decimal::ONE_HUNDRED;
    let price = draft.price.unwrap_or_default();
    let (incl, excl) = if draft.price_includes_vat {
        (price, cents(price / factor))
    } else {
        (cents(price * factor), price)
    };
    let variant = |v: &VariantDraft| TillVariant {
        article_number: 0,
        ext_id: Some(v.ext_id.clone()),
        description: draft.description.clone().unwrap_or_default(),
        colour: v.colour.clone(),
        size: v.size.clone(),
        barcode: v.barcode.clone(),
        turnover_group: draft.turnover_group.unwrap_or_default(),
        vat_percentage: draft.vat_percentage,
        price_incl_vat: incl,
        price_excl_vat: excl,
        active: v.active,
        discount_group: draft.discount_group,
    };
    TillArticle {
        article_number: draft.article_number,
        ext_id: draft.ext_id.clone(),
        product_number: 0,
        product_articles: 1 + draft.variants.len(),
        description: draft.description.clone().unwrap_or_default(),
        extra_text: draft.extra_text.clone(),
        barcode: draft.barcode.clone(),
        turnover_group: draft.turnover_group.unwrap_or_default(),
        vat_percentage: draft.vat_percentage,
        price_incl_vat: incl,
        price_excl_vat: excl,
        active: draft.active,
        group_numbers: draft.till_group.into_iter().collect(),
        discount_group: draft.discount_group,
        custom_fields: draft
            .custom_fields
            .iter()
            .filter(|(_, value)| **value != CustomValue::Empty)
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        product_variants: draft.variants.iter().map(variant).collect(),
    }
}

/// The till keeps prices in cents; AFAS may have more decimals. Half a cent rounds away from zero.
fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The article for the till, with the tenant's `article.…` rules applied.
pub(crate) fn till_draft(
    article: &ErpArticle,
    number: i64,
    new: bool,
    settings: &FlowSettings,
) -> Result<TillArticleDraft, Failure> {
    with_rules(
        settings,
        "article",
        article,
        default_till_draft(article, number, new, settings)?,
    )
}

/// The article as the flow maps it without rules. Texts and the turnover group are sent for a new article,
/// and for an existing one only with `update_product_info`.
pub fn default_till_draft(
    article: &ErpArticle,
    number: i64,
    new: bool,
    settings: &FlowSettings,
) -> Result<TillArticleDraft, Failure> {
    let product_info = new || settings.update_product_info;
    let turnover_group = match product_info {
        true => Some(turnover_group(article, settings, new)?),
        false => None,
    }
    .flatten();
    if new && article.sales_price.is_none() {
        return Err(Failure::master_data(format!(
            "AFAS has no sales price for article {}, and a new MplusKASSA article needs one: give it a price on \
             the basic price list",
            article.item_code
        )));
    }
    let (ext_id, variants) = dimensions(article, settings)?;
    Ok(TillArticleDraft {
        article_number: number,
        description: product_info.then(|| article.description.trim().to_owned()),
        extra_text: product_info.then(|| article.extra_description.clone()).flatten(),
        barcode: article.barcode.clone().filter(|b| !b.trim().is_empty()),
        turnover_group,
        vat_percentage: vat_percentage(article, settings)?,
        price: article.sales_price.map(cents),
        price_includes_vat: settings.article_prices_include_vat,
        // A dimension item's own article is not sold: its combinations are.
        active: !article.blocked && ext_id.is_none(),
        discount_group: discount_group(article, settings)?,
        // Set by the flow from the till's groups (`article_groups_to_till`) and custom fields.
        till_group: None,
        other_afas_groups: Vec::new(),
        custom_fields: BTreeMap::new(),
        variants,
        ext_id,
    })
}

/// A dimension item's own `extArticleId` and its combinations for the till, each dimension code in the
/// till's colour or size: the dimension whose kind is `variant_size_dimension` holds sizes, the other one
/// colours (of two kinds neither of which is it, the first holds colours and the second sizes). Nothing for
/// an item without dimensions.
fn dimensions(article: &ErpArticle, settings: &FlowSettings) -> Result<(Option<String>, Vec<VariantDraft>), Failure> {
    let kinds = &article.dimension_kinds;
    if kinds.is_empty() {
        return Ok((None, Vec::new()));
    }
    let size_kind = settings.variant_size_dimension.trim();
    let size_at = kinds
        .iter()
        .position(|kind| kind.trim().eq_ignore_ascii_case(size_kind))
        .or((kinds.len() == 2).then_some(1));
    let id = |codes: Vec<String>| {
        DimensionId {
            item_code: article.item_code.trim().to_owned(),
            codes,
        }
        .ext_id()
        .map_err(Failure::master_data)
    };
    let own = id(Vec::new())?;
    let variants = article
        .variants
        .iter()
        .map(|variant| {
            let (mut colour, mut size) = (None, None);
            for (at, code) in variant.codes.iter().enumerate() {
                match Some(at) == size_at {
                    true => size = Some(code.clone()),
                    false => colour = Some(code.clone()),
                }
            }
            Ok(VariantDraft {
                ext_id: id(variant.codes.clone())?,
                colour,
                size,
                barcode: variant.barcode.clone().filter(|b| !b.trim().is_empty()),
                active: !article.blocked,
            })
        })
        .collect::<Result<_, Failure>>()?;
    Ok((Some(own), variants))
}

/// The turnover group from `turnover_group_map`; a new article cannot do without one.
fn turnover_group(article: &ErpArticle, settings: &FlowSettings, new: bool) -> Result<Option<i32>, Failure> {
    let map = &settings.turnover_group_map;
    let group = map
        .article_group_number("turnover_group_map", "turnover group", article.article_group.as_deref())
        .map_err(Failure::setting)?;
    match (group, new) {
        (None, true) => Err(Failure::missing_setting(
            "turnover_group_map",
            "MplusKASSA needs a turnover group for every new article: map AFAS article groups to turnover groups, \
             or give a default",
        )),
        (group, _) => Ok(group),
    }
}

/// The MplusKASSA discount group of the article's AFAS article group (`discount_group_map`); `None` (the till's
/// stays) when the map has none for it.
fn discount_group(article: &ErpArticle, settings: &FlowSettings) -> Result<Option<i32>, Failure> {
    let group = article.article_group.as_deref().map(str::trim);
    settings
        .company
        .discount_group_map
        .article_group_number("discount_group_map", "discount group", group)
        .map_err(Failure::setting)
}

/// The VAT percentage of the article's AFAS VAT group, read backwards from the company's `vat_group_map`
/// (percentage → AFAS VAT group), so both directions share one table.
fn vat_percentage(article: &ErpArticle, settings: &FlowSettings) -> Result<Decimal, Failure> {
    let Some(group) = article.vat_group.as_deref().map(str::trim).filter(|g| !g.is_empty()) else {
        return Err(Failure::master_data(format!(
            "AFAS article {} has no VAT group",
            article.item_code
        )));
    };
    let mut rates: Vec<Decimal> = settings
        .company
        .vat_group_map
        .table
        .iter()
        .filter(|(_, afas)| afas.trim().eq_ignore_ascii_case(group))
        .filter_map(|(rate, _)| rate.trim().parse::<Decimal>().ok())
        .map(|rate| rate.normalize())
        .collect();
    rates.dedup();
    match rates.as_slice() {
        [rate] => Ok(*rate),
        [] => Err(Failure::setting(format!(
            "`vat_group_map` has no VAT percentage for AFAS VAT group {group:?}: add a row such as 21 → {group}"
        ))),
        _ => Err(Failure::setting(format!(
            "`vat_group_map` gives AFAS VAT group {group:?} to several percentages, so its rate at the till is not \
             clear"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::ErpVariant;

    fn polo(kinds: &[&str], codes: &[&[&str]], blocked: bool) -> ErpArticle {
        ErpArticle {
            item_code: "1030".into(),
            description: "Polo piqué".into(),
            extra_description: None,
            unit: None,
            article_group: None,
            blocked,
            barcode: None,
            vat_group: Some("1".into()),
            sales_price: Some(Decimal::new(3995, 2)),
            free_fields: BTreeMap::new(),
            dimension_kinds: kinds.iter().map(|k| k.to_string()).collect(),
            variants: codes
                .iter()
                .map(|codes| ErpVariant {
                    codes: codes.iter().map(|c| c.to_string()).collect(),
                    barcode: None,
                })
                .collect(),
            modified: Default::default(),
        }
    }

    fn colours_and_sizes(article: &ErpArticle, size_dimension: &str) -> Vec<(Option<String>, Option<String>, bool)> {
        let mut settings = FlowSettings::default();
        settings.company.vat_group_map.table.insert("21".into(), "1".into());
        settings.variant_size_dimension = size_dimension.into();
        let draft = default_till_draft(article, 1030, false, &settings).unwrap();
        assert!(!draft.active, "the item's own article is not sold");
        assert_eq!(draft.ext_id.as_deref(), Some("1030;"));
        draft
            .variants
            .iter()
            .map(|v| (v.colour.clone(), v.size.clone(), v.active))
            .collect()
    }

    #[test]
    fn the_size_dimension_decides_which_code_is_the_tills_size() {
        let some = |code: &str| Some(code.to_owned());
        // Sizes first (AFAS's own example has StD1 MATEN, StD2 KLEUR).
        let sizes_first = polo(&["MATEN", "KLEUR"], &[&["M", "ROOD"]], false);
        assert_eq!(
            colours_and_sizes(&sizes_first, "maten"),
            [(some("ROOD"), some("M"), true)]
        );
        // Neither kind is the size dimension: the first is the colour, the second the size.
        let unnamed = polo(&["A", "B"], &[&["ROOD", "M"]], false);
        assert_eq!(colours_and_sizes(&unnamed, "MATEN"), [(some("ROOD"), some("M"), true)]);
        // One dimension: sizes only when it is the size dimension.
        let one = polo(&["MATEN"], &[&["XL"]], false);
        assert_eq!(colours_and_sizes(&one, "MATEN"), [(None, some("XL"), true)]);
        let colours = polo(&["KLEUR"], &[&["ROOD"]], false);
        assert_eq!(colours_and_sizes(&colours, "MATEN"), [(some("ROOD"), None, true)]);
        // A blocked item's combinations stop selling.
        let blocked = polo(&["KLEUR"], &[&["ROOD"]], true);
        assert_eq!(colours_and_sizes(&blocked, "MATEN"), [(some("ROOD"), None, false)]);
    }

    #[test]
    fn a_code_holding_the_separator_fails_its_article() {
        let article = polo(&["KLEUR"], &[&["RO;OD"]], false);
        let mut settings = FlowSettings::default();
        settings.company.vat_group_map.table.insert("21".into(), "1".into());
        let failure = default_till_draft(&article, 1030, false, &settings).unwrap_err();
        assert!(format!("{failure:?}").contains("RO;OD"), "{failure:?}");
    }
}
