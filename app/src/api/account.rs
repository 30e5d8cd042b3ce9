//! Personal API tokens: the owner lists, creates (seeing the token once) and revokes
//! them. A token acts with its owner's role, never more.

use crate::error::AppError;
pub use crate::wire::account::*;
use leptos::prelude::*;

/// The signed-in user's tokens, newest first.
#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenView>, AppError> {
    use crate::server::{auth, state::app_state, tokens};
    let user = auth::require_user().await?;
    let state = app_state()?;
    let now = state.clock.now();
    Ok(tokens::list(&state.db, user.id)
        .await?
        .iter()
        .map(|t| t.view(&user.timezone, now))
        .collect())
}

/// Creates a token named `name`, expiring after `expires` days (30, 90, 365) or
/// `never`. The answer holds the token; it is shown this once.
#[server(endpoint = "create_token")]
pub async fn create_token(name: String, expires: String) -> Result<NewToken, AppError> {
    use crate::server::{auth, state::app_state, tokens};
    let user = auth::require_user().await?;
    tokens::create(&app_state()?, &user, &name, &expires).await
}

/// Revokes one of the signed-in user's tokens; it stops working at once.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::server::{auth, state::app_state, tokens};
    let user = auth::require_user().await?;
    tokens::revoke(&app_state()?, &user, id).await
}
