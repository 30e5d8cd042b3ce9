//! Passwords and one-time links: `/account` (change your password; staff: the name
//! developers see), `/forgot-password` (ask for a reset link by email),
//! `/reset-password?token=…` (choose a new one) and `/invite?token=…` (join as staff).

use crate::{
    api::people::{
        get_invite, get_my_account, AcceptInvite, ChangePassword, RequestPasswordReset,
        ResetPassword, SetDisplayName,
    },
    app::use_session,
    components::forms::{action_error, FieldError, FormError},
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The signed-in user's account: password, and for staff the display name.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let name = ServerAction::<SetDisplayName>::new();
    let account = Resource::new(move || name.version().get(), |_| get_my_account());
    let error = action_error(change);
    let name_error = action_error(name);
    let changed = move || change.value().get().is_some_and(|r| r.is_ok());
    let named = move || name.value().get().is_some_and(|r| r.is_ok());
    view! {
        <Title text="Account" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(a) => view! {
                        <section class="panel narrow">
                            <h1>"Your account"</h1>
                            <p>{format!("Signed in as {} ({}).", a.email, a.role.as_str())} " "
                                <a href="/account/tokens">"API tokens"</a></p>
                            <h2 id="password-title">"Change your password"</h2>
                            <ActionForm action=change attr:aria-labelledby="password-title">
                                <FormError error fields=&["current_password", "new_password"] />
                                <label for="current_password">"Current password"</label>
                                <input id="current_password" name="current_password" type="password"
                                    autocomplete="current-password" required aria-describedby="current_password-error" />
                                <FieldError error field="current_password" />
                                <label for="new_password">"New password"</label>
                                <input id="new_password" name="new_password" type="password"
                                    autocomplete="new-password" required minlength="12"
                                    aria-describedby="new_password-hint password-error" />
                                <p class="hint" id="new_password-hint">
                                    "At least 12 characters. Your other sessions are signed out; this one stays."
                                </p>
                                <FieldError error field="password" />
                                <button type="submit" class="primary">"Change password"</button>
                                {move || changed().then(|| view! {
                                    <p class="ok" role="status">"Password changed. Other sessions are signed out."</p>
                                })}
                            </ActionForm>
                            {a.role.is_staff().then(|| view! {
                                <h2 id="name-title">"Name shown to developers"</h2>
                                <ActionForm action=name attr:aria-labelledby="name-title">
                                    <FormError error=name_error fields=&["display_name"] />
                                    <label for="display_name">"Display name"</label>
                                    <input id="display_name" name="display_name" type="text" maxlength="80"
                                        value=a.display_name.clone().unwrap_or_default()
                                        aria-describedby="display_name-hint display_name-error" />
                                    <p class="hint" id="display_name-hint">
                                        "Developers see it on your replies (e.g. “Ana from Support”); empty: “Support”."
                                    </p>
                                    <FieldError error=name_error field="display_name" />
                                    <button type="submit">"Save name"</button>
                                    {move || named().then(|| view! { <p class="ok" role="status">"Saved."</p> })}
                                </ActionForm>
                            })}
                        </section>
                    }.into_any(),
                    Err(e) => failure_view(e, "/account", "change your account"),
                }
            })}
        </Transition>
    }
}

/// Ask for a password-reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(request);
    let answer = move || request.value().get().and_then(Result::ok);
    view! {
        <Title text="Forgot your password" />
        <section class="panel narrow">
            <h1>"Forgot your password?"</h1>
            <p>"Give the email of your account: if it has one, a link to choose a new password arrives there, valid for an hour."</p>
            <ActionForm action=request>
                <FormError error fields=&["email"] />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="email" required
                    aria-describedby="email-error" />
                <FieldError error field="email" />
                <button type="submit" class="primary">"Send me a link"</button>
                {move || answer().map(|mailing| if mailing {
                    view! {
                        <p class="ok" role="status">
                            "If that email has an account, a link is on its way. Check your inbox (and spam folder)."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p class="form-error" role="status">
                            "This desk sends no mail, so no link can reach you: ask a manager to help you back in."
                        </p>
                    }.into_any()
                })}
            </ActionForm>
            <p><a href="/login">"Back to sign in"</a></p>
        </section>
    }
}

/// Choose a new password through a reset link.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    use_session().follow(reset);
    let error = action_error(reset);
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password" />
        <section class="panel narrow">
            <h1>"Choose a new password"</h1>
            <ActionForm action=reset>
                <FormError error fields=&["password"] />
                <FieldError error field="token" />
                <input type="hidden" name="token" prop:value=token />
                <label for="password">"New password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password"
                    required minlength="12" aria-describedby="password-hint password-error" />
                <p class="hint" id="password-hint">"At least 12 characters. Every session of your account is signed out."</p>
                <FieldError error field="password" />
                <button type="submit" class="primary">"Set password and sign in"</button>
            </ActionForm>
            <p><a href="/forgot-password">"Ask for a new link"</a></p>
        </section>
    }
}

/// Join the desk through an invitation.
#[component]
pub fn InvitePage() -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    use_session().follow(accept);
    let error = action_error(accept);
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let info = Resource::new(token, get_invite);
    view! {
        <Title text="Join the support desk" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(i) => view! {
                        <section class="panel narrow">
                            <h1>"Join the support desk"</h1>
                            <p>{format!("You are invited as {} {}, with the email {}.",
                                if i.role.as_str() == "agent" { "an" } else { "a" }, i.role.as_str(), i.email)}</p>
                            <ActionForm action=accept>
                                <FormError error fields=&["password", "timezone"] />
                                <FieldError error field="token" />
                                <input type="hidden" name="token" prop:value=token />
                                <label for="password">"Choose a password"</label>
                                <input id="password" name="password" type="password" autocomplete="new-password"
                                    required minlength="12" aria-describedby="password-hint password-error" />
                                <p class="hint" id="password-hint">"At least 12 characters."</p>
                                <FieldError error field="password" />
                                <label for="timezone">"Your timezone"</label>
                                <input id="timezone" name="timezone" type="text" value="UTC"
                                    aria-describedby="timezone-error" />
                                <FieldError error field="timezone" />
                                <button type="submit" class="primary">"Create my account"</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Err(e) if e.status == 404 => view! {
                        <section class="panel narrow">
                            <h1>"This invitation is not valid any more"</h1>
                            <p>"It was used already or has expired (invitations last 72 hours). Ask a manager for a new one."</p>
                        </section>
                    }.into_any(),
                    Err(e) => failure_view(e, "/invite", "join the desk"),
                }
            })}
        </Transition>
    }
}
