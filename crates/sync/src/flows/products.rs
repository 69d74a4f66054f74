//! Products: MplusKASSA articles → AFAS articles (`FbItemArticle`), created or updated by SKU (`ItCd`).
//!
//! With `update_product_info` off an existing AFAS article is never touched (what people enriched in AFAS
//! stays); on, it is updated when the MplusKASSA article changed. Variants become separate articles (their
//! own SKU, the size/colour in the description). AFAS dimension articles are not booked: the withdrawn
//! `variant_mode: dimensions` is refused by the preflight (see [`crate::settings::VariantMode`]).
//! Images are not supported: AFAS articles get no images from this flow.

use std::collections::HashMap;

use super::orders::percentage_key;
use crate::catalogue::DimensionId;
use crate::engine::{Run, RunError};
use crate::model::{ArticleDraft, ArticleRecord, SourceArticle};
use crate::ports::{Creation, ErpTarget, IdMapEntry, Journal, Outcome, PosSource};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash, with_rules};
use crate::settings::FlowSettings;

const UPDATE_OFF: &str = "exists; update product info is off";

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    articles: Vec<SourceArticle>,
) -> Result<(), RunError> {
    let articles: Vec<SourceArticle> = articles.into_iter().filter(|a| !run.already_handled(&a.sku)).collect();
    if articles.is_empty() {
        return Ok(());
    }
    let (settings, target) = (run.settings, run.target);
    let ids: Vec<String> = articles.iter().map(|a| a.sku.clone()).collect();
    let known = run.journal.id_map(&ids).await?;
    let mut codes: Vec<String> = articles
        .iter()
        .filter(|a| !known.contains_key(&a.sku) && filtered_out(a, settings).is_none())
        .filter(|a| item_code_problem(a, settings).is_none())
        .map(|a| a.sku.clone())
        .collect();
    codes.sort();
    codes.dedup();
    let mut existing = if codes.is_empty() {
        HashMap::new()
    } else {
        target.articles_by_code(&codes).await?
    };
    for article in &articles {
        if run.should_stop_before(Some(article.sync_marker)).await? {
            return Ok(());
        }
        let mut trail = Trail::default();
        let result = sync_article(
            settings,
            target,
            &mut existing,
            article,
            known.get(&article.sku),
            &mut trail,
        )
        .await;
        run.conclude(meta(article), result, trail).await?;
    }
    Ok(())
}

fn meta(article: &SourceArticle) -> RecordMeta {
    RecordMeta::new("article", article.sku.clone(), article)
        .keys([
            Some(article.sku.clone()),
            Some(article.title.clone()),
            article.ean.clone(),
        ])
        .at_marker(Some(article.sync_marker))
}

/// Why the SKU cannot be the AFAS item code, if it cannot.
fn item_code_problem(article: &SourceArticle, settings: &FlowSettings) -> Option<String> {
    let numeric = article.sku.chars().all(|c| c.is_ascii_digit()) && !article.sku.is_empty();
    (settings.company.numeric_item_codes && !numeric).then(|| {
        format!(
            "SKU {:?} is not numeric, and `numeric_item_codes` requires it",
            article.sku
        )
    })
}

/// Why the product filter leaves the article out, if it does; and what the articles flow made of an AFAS
/// dimension item is AFAS's already (it would come back as an article of its own).
fn filtered_out(article: &SourceArticle, settings: &FlowSettings) -> Option<String> {
    if let Some(id) = article.ext_id.as_deref().and_then(DimensionId::parse) {
        return Some(id.describe());
    }
    let filter = &settings.product_filter;
    if filter.webshop_only && !article.webshop {
        return Some("not a webshop article (product filter: webshop only)".to_owned());
    }
    if filter.active_only && !article.active {
        return Some("inactive (product filter: active only)".to_owned());
    }
    let in_groups = article
        .article_group
        .as_deref()
        .is_some_and(|g| filter.groups.iter().any(|f| f.eq_ignore_ascii_case(g)));
    if !filter.groups.is_empty() && !in_groups {
        return Some("not in the selected article groups (product filter: groups)".to_owned());
    }
    None
}

/// The article for AFAS, with the tenant's `article.…` rules applied.
pub(crate) fn article_draft(article: &SourceArticle, settings: &FlowSettings) -> Result<ArticleDraft, Failure> {
    with_rules(settings, "article", article, default_article_draft(article, settings))
}

/// The article as the flow maps it without rules.
pub fn default_article_draft(article: &SourceArticle, settings: &FlowSettings) -> ArticleDraft {
    let include_vat = settings.article_prices_include_vat;
    ArticleDraft {
        item_code: article.sku.clone(),
        description: title_with_variant(article),
        long_description: article.long_description.clone(),
        short_description: article.short_description.clone(),
        group: article.afas_article_group.clone().or_else(|| {
            settings
                .company
                .article_group_map
                .resolve_first(&[article.article_group.as_deref(), article.turnover_group.as_deref()])
                .map(str::to_owned)
        }),
        unit: article.unit.clone(),
        price: if include_vat {
            article.price_incl_vat
        } else {
            article.price_excl_vat
        },
        price_includes_vat: include_vat,
        ean: article.ean.clone(),
        vat_group: settings
            .company
            .vat_group_map
            .resolve(Some(&percentage_key(article.vat_percentage)))
            .map(str::to_owned),
    }
}

/// "Shirt" becomes "Shirt M rood" for a separate variant article.
fn title_with_variant(article: &SourceArticle) -> String {
    let Some(variant) = &article.variant else {
        return article.title.clone();
    };
    [
        Some(article.title.as_str()),
        variant.size.as_deref(),
        variant.colour.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

async fn sync_article<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    existing: &mut HashMap<String, ArticleRecord>,
    article: &SourceArticle,
    known: Option<&IdMapEntry>,
    trail: &mut Trail,
) -> Result<Verdict, Failure> {
    if let Some(reason) = filtered_out(article, settings) {
        return Ok(Verdict::skipped(reason));
    }
    if let Some(reason) = item_code_problem(article, settings) {
        return Err(Failure::setting(reason));
    }
    let draft = article_draft(article, settings)?;
    let hash = content_hash(&draft);
    let exists = known.is_some() || existing.contains_key(&draft.item_code);
    match known {
        Some(entry) if entry.content_hash == hash => {
            return Ok(Verdict::skipped_existing("unchanged", entry.target_id.clone(), hash));
        }
        _ if exists && !settings.update_product_info => return Ok(Verdict::skipped(UPDATE_OFF)),
        _ => {}
    }
    if exists {
        trail.write(target.update_article(&draft).await)?;
        return Ok(Verdict::written(Outcome::Updated, draft.item_code, hash));
    }
    let item_code = match trail.write(target.create_article(&draft).await)? {
        Creation::Created(item_code) => item_code,
        // Another run of the company created it after this page looked: treat it as existing.
        Creation::Found(_) if !settings.update_product_info => return Ok(Verdict::skipped(UPDATE_OFF)),
        Creation::Found(item_code) => {
            trail.write(target.update_article(&draft).await)?;
            return Ok(Verdict::written(Outcome::Updated, item_code, hash));
        }
    };
    existing.insert(
        draft.item_code.clone(),
        ArticleRecord {
            item_code: item_code.clone(),
            description: draft.description,
        },
    );
    Ok(Verdict::written(Outcome::Created, item_code, hash))
}
