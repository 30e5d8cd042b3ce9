//! The guidance catalogue: self-service articles for client errors (PRODUCT §4), and
//! its editor. Every saved change is a new version (kept whole, with who and when); a
//! report records the version it was shown, so later edits never rewrite what a
//! developer saw. Retired articles stop matching and keep their versions.

use super::{
    cache::CacheKind,
    db::{from_millis, millis, on_db, on_tx, Db, Tx},
    state::AppState,
};
use crate::{
    domain::{
        guidance::{check_article, yes_no, ArticleDraft, ArticleRule, PatternKind},
        scrub::scrub,
        timefmt::format_local,
        validation::MESSAGE,
    },
    error::AppError,
    wire::{
        auth::CurrentUser,
        guidance::{
            ArticleDetail, ArticleSummary, ArticleVersion, DiffLine, FieldChange, GuidancePreview,
        },
        reports::GuidanceView,
    },
};

/// An article as stored (its current version).
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ArticleRow {
    /// Stable identifier.
    pub slug: String,
    /// Status codes it applies to: "401", "406,415", "400-409" or "4xx".
    pub codes: String,
    /// Message pattern: words ("token+expired|jwt+expired") or a regular expression.
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
    /// The current version.
    pub version: i64,
    /// How `keywords` is written: "words" or "regex".
    pub pattern_kind: String,
    /// When it was retired (it then matches nothing).
    pub retired_at: Option<i64>,
}

impl ArticleRow {
    /// The matching rule, or `None` (logged) if the stored patterns are unreadable.
    pub fn rule(&self) -> Option<ArticleRule> {
        PatternKind::parse(&self.pattern_kind)
            .and_then(|kind| ArticleRule::parse_with(&self.slug, &self.codes, kind, &self.keywords))
            .map_err(|e| tracing::warn!(slug = %self.slug, error = %e, "unreadable article rule"))
            .ok()
    }

    /// The article as the developer sees it.
    pub fn into_view(self) -> GuidanceView {
        view(
            self.slug,
            self.version,
            self.title,
            self.summary,
            &self.checks,
            self.call_again,
            self.retry_same_request,
        )
    }

    fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            slug: self.slug.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            checks: self.checks.clone(),
            call_again: self.call_again.clone(),
            retry_same_request: yes_no(self.retry_same_request),
            codes: self.codes.clone(),
            pattern_kind: self.pattern_kind.clone(),
            pattern: self.keywords.clone(),
        }
    }
}

fn view(
    slug: String,
    version: i64,
    title: String,
    summary: String,
    checks: &str,
    call_again: String,
    retry_same_request: bool,
) -> GuidanceView {
    GuidanceView {
        slug,
        title,
        summary,
        checks: checks
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        call_again,
        retry_same_request,
        version,
    }
}

const COLUMNS: &str = "slug, codes, keywords, title, summary, checks, call_again, \
                       retry_same_request, version, pattern_kind, retired_at";

/// Every article (retired ones too), in catalogue order.
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

/// A version as stored.
#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    codes: String,
    keywords: String,
    pattern_kind: String,
    title: String,
    summary: String,
    checks: String,
    call_again: String,
    retry_same_request: bool,
    retired: bool,
    created_at: i64,
    by: Option<String>,
}

const VERSION_COLUMNS: &str = "v.version, v.codes, v.keywords, v.pattern_kind, v.title, \
    v.summary, v.checks, v.call_again, v.retry_same_request, v.retired, v.created_at, \
    u.email AS by";

/// Article `slug` as it read at `version`: what a report filed then was shown. The
/// current version comes from the cache; an older one from its stored copy.
pub async fn shown(db: &Db, slug: &str, version: i64) -> Result<Option<GuidanceView>, AppError> {
    let catalogue = catalogue(db).await?;
    if let Some(a) = catalogue.article(slug).filter(|a| a.version == version) {
        return Ok(Some(a.clone().into_view()));
    }
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM guidance_versions v LEFT JOIN users u ON u.id = v.created_by \
         WHERE v.slug = $1 AND v.version = $2"
    );
    let row: Option<VersionRow> = on_db!(db, pool => sqlx::query_as(&sql)
        .bind(slug)
        .bind(version)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|v| {
        view(
            slug.to_owned(),
            v.version,
            v.title,
            v.summary,
            &v.checks,
            v.call_again,
            v.retry_same_request,
        )
    }))
}

/// The editor's list: live articles in catalogue order, then the retired ones.
pub async fn list(state: &AppState, viewer: &CurrentUser) -> Result<Vec<ArticleSummary>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        slug: String,
        title: String,
        codes: String,
        pattern_kind: String,
        keywords: String,
        version: i64,
        retired_at: Option<i64>,
        created_at: i64,
        by: Option<String>,
    }
    let db = &state.db;
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT a.slug, a.title, a.codes, a.pattern_kind, a.keywords, a.version, a.retired_at, \
         v.created_at, u.email AS by FROM guidance_articles a \
         JOIN guidance_versions v ON v.slug = a.slug AND v.version = a.version \
         LEFT JOIN users u ON u.id = v.created_by \
         ORDER BY CASE WHEN a.retired_at IS NULL THEN 0 ELSE 1 END, a.position, a.slug")
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| ArticleSummary {
            slug: r.slug,
            title: r.title,
            codes: r.codes,
            pattern_kind: r.pattern_kind,
            pattern: r.keywords,
            version: r.version,
            retired: r.retired_at.is_some(),
            by: r.by.unwrap_or_else(|| "installation".to_owned()),
            updated_local: local_time(r.created_at, viewer),
        })
        .collect())
}

/// One article with every version, newest first, each with what it changed.
pub async fn detail(
    state: &AppState,
    viewer: &CurrentUser,
    slug: &str,
) -> Result<ArticleDetail, AppError> {
    let db = &state.db;
    let sql = format!("SELECT {COLUMNS} FROM guidance_articles WHERE slug = $1");
    let article: Option<ArticleRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await)?;
    let a = article.ok_or_else(|| AppError::not_found("article"))?;
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM guidance_versions v LEFT JOIN users u ON u.id = v.created_by \
         WHERE v.slug = $1 ORDER BY v.version"
    );
    let rows: Vec<VersionRow> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(slug).fetch_all(pool).await)?;
    let mut versions: Vec<ArticleVersion> = rows
        .iter()
        .enumerate()
        .map(|(i, v)| ArticleVersion {
            version: v.version,
            by: v.by.clone().unwrap_or_else(|| "installation".to_owned()),
            at_local: local_time(v.created_at, viewer),
            changes: i
                .checked_sub(1)
                .map(|p| changes(&rows[p], v))
                .unwrap_or_default(),
        })
        .collect();
    versions.reverse();
    Ok(ArticleDetail {
        slug: a.slug,
        title: a.title,
        summary: a.summary,
        checks: a.checks,
        call_again: a.call_again,
        retry_same_request: a.retry_same_request,
        codes: a.codes,
        pattern_kind: a.pattern_kind,
        pattern: a.keywords,
        version: a.version,
        retired: a.retired_at.is_some(),
        versions,
        kept: Default::default(),
    })
}

/// When a version was saved, in the viewer's timezone; empty for the installation's
/// catalogue (stored at time 0).
fn local_time(at: i64, viewer: &CurrentUser) -> String {
    if at == 0 {
        String::new()
    } else {
        format_local(from_millis(at), &viewer.timezone)
    }
}

/// What changed from `old` to `new`, field by field, each as a line diff.
fn changes(old: &VersionRow, new: &VersionRow) -> Vec<FieldChange> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let pattern = |v: &VersionRow| format!("{}: {}", v.pattern_kind, v.keywords);
    let fields: [(&str, String, String); 8] = [
        ("Title", old.title.clone(), new.title.clone()),
        ("Summary", old.summary.clone(), new.summary.clone()),
        ("What to check", old.checks.clone(), new.checks.clone()),
        (
            "How to call again",
            old.call_again.clone(),
            new.call_again.clone(),
        ),
        (
            "Retry the same request",
            yes_no(old.retry_same_request),
            yes_no(new.retry_same_request),
        ),
        ("Status codes", old.codes.clone(), new.codes.clone()),
        ("Message pattern", pattern(old), pattern(new)),
        ("Retired", yes_no(old.retired), yes_no(new.retired)),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, a, b)| FieldChange {
            label: label.to_owned(),
            lines: similar::TextDiff::from_lines(&a, &b)
                .iter_all_changes()
                .map(|c| DiffLine {
                    tag: match c.tag() {
                        similar::ChangeTag::Delete => '-',
                        similar::ChangeTag::Insert => '+',
                        similar::ChangeTag::Equal => ' ',
                    },
                    text: c.value().trim_end_matches('\n').to_owned(),
                })
                .collect(),
        })
        .collect()
}

/// Binds an article's content as `$1`–`$8`: codes, keywords (the pattern), pattern
/// kind, title, summary, checks, how to call again, whether to retry the same request.
/// Every statement that writes an article or a version starts with these columns.
macro_rules! bind_content {
    ($query:expr, $d:expr) => {
        $query
            .bind(&$d.codes)
            .bind(&$d.pattern)
            .bind(&$d.pattern_kind)
            .bind(&$d.title)
            .bind(&$d.summary)
            .bind(&$d.checks)
            .bind(&$d.call_again)
            .bind($d.retry_same_request == "yes")
    };
}

const CONTENT_COLUMNS: &str =
    "codes, keywords, pattern_kind, title, summary, checks, call_again, retry_same_request";

/// Creates an article (`create`) or saves a new version of one: checked field by
/// field first. `expected` is the version the editor started from: if someone saved
/// since, nothing is stored (409 naming `version`). Saving what is already there
/// stores nothing. Returns the slug and the version now current.
pub async fn save(
    state: &AppState,
    actor: &CurrentUser,
    create: bool,
    expected: Option<i64>,
    draft: ArticleDraft,
) -> Result<(String, i64), AppError> {
    let checked = check_article(&draft)?.draft;
    let (by, now) = (actor.id, millis(state.clock.now()));
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let d = checked;
                if create {
                    let sql = format!(
                        "INSERT INTO guidance_articles ({CONTENT_COLUMNS}, slug, position, \
                         updated_at, version) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, \
                         COALESCE(MAX(position), 0) + 1, $10, 1 FROM guidance_articles \
                         WHERE TRUE ON CONFLICT (slug) DO NOTHING"
                    );
                    let inserted = on_tx!(tx, c => bind_content!(sqlx::query(&sql), d)
                        .bind(&d.slug)
                        .bind(now)
                        .execute(&mut *c)
                        .await
                        .map(|r| r.rows_affected()))?;
                    if inserted == 0 {
                        return Err(AppError {
                            field: Some("slug".to_owned()),
                            ..AppError::conflict(format!(
                                "An article with the slug {} exists already; open it to edit it, or choose another slug.",
                                d.slug
                            ))
                        });
                    }
                    insert_version(tx, &d, 1, false, now, by).await?;
                    tx.stale(CacheKind::Guidance);
                    return Ok((d.slug, 1));
                }
                let current = current_for_change(tx, &d.slug, expected).await?;
                if current.draft() == d {
                    return Ok((d.slug, current.version));
                }
                let version = next_version(tx, &current, &d, current.retired_at, now, by).await?;
                Ok((d.slug, version))
            })
        })
        .await
}

/// Retires an article (it stops matching at once on every instance) or puts it back;
/// either is a new version. Already so: nothing stored. Returns the version current.
pub async fn set_retired(
    state: &AppState,
    actor: &CurrentUser,
    slug: String,
    retired: bool,
    expected: Option<i64>,
) -> Result<i64, AppError> {
    let (by, now) = (actor.id, millis(state.clock.now()));
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let current = current_for_change(tx, &slug, expected).await?;
                if current.retired_at.is_some() == retired {
                    return Ok(current.version);
                }
                next_version(
                    tx,
                    &current,
                    &current.draft(),
                    retired.then_some(now),
                    now,
                    by,
                )
                .await
            })
        })
        .await
}

/// Makes `d`, retired at `retired_at` or live, the version after `current`: a guarded
/// update of the article (409 naming `version` if someone saved since) and its version
/// row. Returns the new version.
async fn next_version(
    tx: &mut Tx,
    current: &ArticleRow,
    d: &ArticleDraft,
    retired_at: Option<i64>,
    now: i64,
    by: i64,
) -> Result<i64, AppError> {
    let version = current.version + 1;
    let n = on_tx!(tx, c => bind_content!(sqlx::query(
        "UPDATE guidance_articles SET codes = $1, keywords = $2, pattern_kind = $3, \
         title = $4, summary = $5, checks = $6, call_again = $7, retry_same_request = $8, \
         version = $9, updated_at = $10, retired_at = $11 WHERE slug = $12 AND version = $13"), d)
        .bind(version)
        .bind(now)
        .bind(retired_at)
        .bind(&d.slug)
        .bind(current.version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Err(edited_meanwhile());
    }
    insert_version(tx, d, version, retired_at.is_some(), now, by).await?;
    tx.stale(CacheKind::Guidance);
    Ok(version)
}

fn edited_meanwhile() -> AppError {
    AppError {
        field: Some("version".to_owned()),
        ..AppError::conflict(
            "Someone saved this article while you were editing it; nothing was stored. Reload it to see their version, then make your change again.",
        )
    }
}

/// The article `slug` inside a change: 404 if there is none, 409 if its version is no
/// longer `expected`.
async fn current_for_change(
    tx: &mut Tx,
    slug: &str,
    expected: Option<i64>,
) -> Result<ArticleRow, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM guidance_articles WHERE slug = $1");
    let rows: Vec<ArticleRow> =
        on_tx!(tx, c => sqlx::query_as(&sql).bind(slug).fetch_all(&mut *c).await)?;
    let current = rows
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("article"))?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(edited_meanwhile());
    }
    Ok(current)
}

async fn insert_version(
    tx: &mut Tx,
    d: &ArticleDraft,
    version: i64,
    retired: bool,
    now: i64,
    by: i64,
) -> Result<(), AppError> {
    let sql = format!(
        "INSERT INTO guidance_versions ({CONTENT_COLUMNS}, slug, version, retired, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );
    on_tx!(tx, c => bind_content!(sqlx::query(&sql), d)
        .bind(&d.slug)
        .bind(version)
        .bind(retired)
        .bind(now)
        .bind(by)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Which article the intake would show for a client error `status` with `message`
/// (scrubbed as the intake scrubs it), from the same cached catalogue and the same
/// selection. `None` when no live article matches; an empty `status` previews nothing.
pub async fn preview(
    state: &AppState,
    status: &str,
    message: &str,
) -> Result<Option<GuidancePreview>, AppError> {
    let status = status.trim();
    if status.is_empty() {
        return Ok(None);
    }
    let code = status
        .parse::<u16>()
        .ok()
        .filter(|c| (400..=499).contains(c))
        .ok_or_else(|| {
            AppError::validation(
                "status",
                "Enter a client error status code between 400 and 499 to see its guidance.",
            )
        })?;
    let message = scrub(&MESSAGE.check(message)?).text;
    let catalogue = catalogue(&state.db).await?;
    Ok(catalogue.choose(code, &message).map(|a| GuidancePreview {
        slug: a.slug.clone(),
        title: a.title.clone(),
        version: a.version,
        codes: a.codes.clone(),
        pattern: a.keywords.clone(),
    }))
}
