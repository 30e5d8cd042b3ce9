//! The guidance catalogue: self-service articles for client errors (PRODUCT §4).

use super::db::{on_db, Db};
use crate::{
    domain::guidance::{parse_keywords, ArticleRule, CodeMatch},
    wire::reports::GuidanceView,
};

/// An article as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ArticleRow {
    /// Stable identifier.
    pub slug: String,
    /// Status codes it applies to: "401", "406,415" or "4xx".
    pub codes: String,
    /// Message patterns: "token+expired|jwt+expired".
    pub keywords: String,
    /// Headline.
    pub title: String,
    /// What the error means.
    pub summary: String,
    /// What to check, one item per line.
    pub checks: String,
    /// How to call again.
    pub call_again: String,
    /// Whether retrying the same request (after waiting) is right, as for 429.
    pub retry_same_request: bool,
}

impl ArticleRow {
    /// The matching rule, or `None` (logged) if the stored patterns are unreadable.
    pub fn rule(&self) -> Option<ArticleRule> {
        let codes = CodeMatch::parse(&self.codes)
            .map_err(|e| tracing::warn!(slug = %self.slug, error = %e, "unreadable article codes"))
            .ok()?;
        Some(ArticleRule {
            slug: self.slug.clone(),
            codes,
            keywords: parse_keywords(&self.keywords),
        })
    }

    /// The article as the developer sees it.
    pub fn into_view(self) -> GuidanceView {
        GuidanceView {
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            checks: self
                .checks
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            call_again: self.call_again,
            retry_same_request: self.retry_same_request,
        }
    }
}

const COLUMNS: &str =
    "slug, codes, keywords, title, summary, checks, call_again, retry_same_request";

/// Every article, in catalogue order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all(db: &Db) -> Result<Vec<ArticleRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM guidance_articles ORDER BY position, slug");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The catalogue with its parsed rules (from this instance's cache).
pub async fn catalogue(
    db: &Db,
) -> Result<std::sync::Arc<super::cache::Guidance>, crate::error::AppError> {
    db.hub().caches.guidance(db).await
}
