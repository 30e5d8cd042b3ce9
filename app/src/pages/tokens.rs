//! `/account/tokens`: personal API tokens for the JSON API (`/api/v1`, documented at
//! `/api/v1/docs`). A new token is shown once; the list shows only its first characters.

use crate::{
    api::account::{list_tokens, CreateToken, RevokeToken, TokenView},
    components::forms::{action_error, FieldError, FormError},
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let error = action_error(create);
    let revoke_error = action_error(revoke);
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <Title text="API tokens" />
        <section class="panel">
            <h1>"API tokens"</h1>
            <p class="lead">
                "A token lets a program use Faultdesk's JSON API as you (with your role, never more): "
                "send it as " <code>"Authorization: Bearer fd_…"</code> ". The API is described at "
                <a href="/api/v1/docs">"/api/v1/docs"</a> "."
            </p>
            <ActionForm action=create attr:class="row">
                <FormError error fields=&["name", "expires"] />
                <div class="col">
                    <label for="token-name">"Name"</label>
                    <input id="token-name" name="name" type="text" maxlength="100" required
                        placeholder="CI bot" aria-describedby="name-error" />
                    <FieldError error field="name" />
                </div>
                <div class="col">
                    <label for="token-expires">"Expires after"</label>
                    <select id="token-expires" name="expires" aria-describedby="expires-error">
                        <option value="30">"30 days"</option>
                        <option value="90" selected>"90 days"</option>
                        <option value="365">"365 days"</option>
                        <option value="never">"Never"</option>
                    </select>
                    <FieldError error field="expires" />
                </div>
                <div class="col"><button type="submit" class="primary">"Create token"</button></div>
            </ActionForm>
            {move || created().map(|t| view! {
                <div class="ok new-token" role="status">
                    <p>
                        <strong>"Copy your new token now."</strong>
                        " It is not stored and cannot be shown again."
                    </p>
                    <label for="new-token">{format!("Token “{}”", t.view.name)}</label>
                    <input id="new-token" type="text" readonly value=t.token.clone() class="mono" />
                </div>
            })}
        </section>
        <section class="panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"Your tokens"</h2>
            <FormError error=revoke_error fields=&[] />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p>"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(e) => failure_view(e, "/account/tokens", "manage API tokens"),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenTable(list: Vec<TokenView>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="list">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Token"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|t| {
                        let active = t.state == "active";
                        view! {
                            <tr>
                                <td>{t.name.clone()}</td>
                                <td class="mono">{t.shown.clone()}</td>
                                <td>{t.created_local.clone()}</td>
                                <td>{t.last_used_local.clone().unwrap_or_else(|| "never".to_owned())}</td>
                                <td>{t.expires_local.clone().unwrap_or_else(|| "never".to_owned())}</td>
                                <td>{t.state.clone()}</td>
                                <td>
                                    {active.then(|| view! {
                                        <ActionForm action=revoke attr:class="inline">
                                            <input type="hidden" name="id" value=t.id.to_string() />
                                            <button type="submit" class="link"
                                                aria-label=format!("Revoke {}", t.name)>"Revoke"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
