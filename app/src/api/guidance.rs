//! The guidance editor (agents and managers): list, read with every version, create,
//! save a new version, retire or restore, and preview which article a sample client
//! error would get.

use crate::error::AppError;
pub use crate::{domain::guidance::ArticleDraft, wire::guidance::*};
use leptos::prelude::*;

/// Every article, live ones first.
#[server(endpoint = "list_guidance")]
pub async fn list_guidance() -> Result<Vec<ArticleSummary>, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, guidance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    guidance::list(&app_state()?, &user).await
}

/// One article with every version (who, when, what changed), newest first.
#[server(endpoint = "get_guidance")]
pub async fn get_guidance(slug: String) -> Result<ArticleDetail, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, guidance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let mut detail = guidance::detail(&app_state()?, &user, &slug).await?;
    detail.kept = crate::server::form_flash::refused_form(
        <SaveGuidance as leptos::server_fn::ServerFn>::PATH,
    )
    .await?;
    Ok(detail)
}

/// For the new-article form: what was typed when a save without JavaScript was
/// refused (field → value), else nothing.
#[server(endpoint = "new_guidance_form")]
pub async fn new_guidance_form() -> Result<std::collections::HashMap<String, String>, AppError> {
    use crate::{domain::role::Role, server::auth};
    auth::require_role(Role::Agent).await?;
    crate::server::form_flash::refused_form(<SaveGuidance as leptos::server_fn::ServerFn>::PATH)
        .await
}

/// Creates an article (`create` = "yes") or saves a new version of `article[slug]`,
/// started from version `version` (409 naming `version` if someone saved since). The
/// fields are checked first, each error naming its field; a regular expression must
/// compile. `article[retry_same_request]` is "yes" or "no"; `article[pattern_kind]`
/// "words" or "regex". Opens the article's page afterwards.
#[server(endpoint = "save_guidance")]
pub async fn save_guidance(
    article: ArticleDraft,
    create: Option<String>,
    version: Option<i64>,
) -> Result<i64, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, guidance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let create = create.as_deref() == Some("yes");
    let (slug, version) = guidance::save(&app_state()?, &user, create, version, article).await?;
    leptos_axum::redirect(&format!("/guidance/{slug}"));
    Ok(version)
}

/// Retires an article (`retired` = "yes": it stops matching at once) or restores it
/// ("no"); started from version `version`. Returns the version now current.
#[server(endpoint = "retire_guidance")]
pub async fn retire_guidance(
    slug: String,
    retired: String,
    version: Option<i64>,
) -> Result<i64, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, guidance, state::app_state},
    };
    let user = auth::require_role(Role::Agent).await?;
    let retired = match retired.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::validation("retired", "Choose yes or no.")),
    };
    guidance::set_retired(&app_state()?, &user, slug, retired, version).await
}

/// The article a client error `status` with `message` would be shown now, chosen by
/// the intake's own selection; `None` if none matches or `status` is empty.
#[server(endpoint = "preview_guidance")]
pub async fn preview_guidance(
    status: String,
    message: String,
) -> Result<Option<GuidancePreview>, AppError> {
    use crate::{
        domain::role::Role,
        server::{auth, guidance, state::app_state},
    };
    auth::require_role(Role::Agent).await?;
    guidance::preview(&app_state()?, &status, &message).await
}
