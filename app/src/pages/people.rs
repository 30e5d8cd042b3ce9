//! `/manager/people` (managers): every account with its role, last sign-in and status;
//! invite staff by a one-time link; change a role; deactivate and reactivate; the
//! latest invitations and every change, audited.

use crate::{
    api::people::{list_people, ChangeRole, InviteStaff, PeopleView, PersonView, SetAccountActive},
    components::forms::{action_error, FieldError, FormError},
    domain::role::Role,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The people page.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let invite = ServerAction::<InviteStaff>::new();
    let role = ServerAction::<ChangeRole>::new();
    let active = ServerAction::<SetAccountActive>::new();
    let people = Resource::new(
        move || {
            (
                invite.version().get(),
                role.version().get(),
                active.version().get(),
            )
        },
        |_| list_people(),
    );
    let invite_error = action_error(invite);
    let change_error =
        Signal::derive(move || action_error(role).get().or(action_error(active).get()));
    let created = move || invite.value().get().and_then(Result::ok);
    view! {
        <Title text="People" />
        <section class="panel">
            <h1>"People"</h1>
            <p class="lead">
                "Invite agents and managers, change roles, and deactivate accounts: a deactivated "
                "account is signed out at once and its API tokens stop working; its history stays."
            </p>
            <h2 id="invite-title">"Invite staff"</h2>
            <ActionForm action=invite attr:class="row" attr:aria-labelledby="invite-title">
                <FormError error=invite_error fields=&["email", "role"] />
                <div class="col">
                    <label for="invite-email">"Email"</label>
                    <input id="invite-email" name="email" type="email" required autocomplete="off"
                        aria-describedby="email-error" />
                    <FieldError error=invite_error field="email" />
                </div>
                <div class="col">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role" aria-describedby="role-error">
                        <option value="agent" selected>"Agent"</option>
                        <option value="manager">"Manager"</option>
                    </select>
                    <FieldError error=invite_error field="role" />
                </div>
                <div class="col"><button type="submit" class="primary">"Send invitation"</button></div>
            </ActionForm>
            {move || created().map(|c| view! {
                <div class="ok new-token" role="status">
                    <p>
                        {if c.mailed {
                            format!("Invitation mailed to {}. ", c.email)
                        } else {
                            format!("No mail is configured: hand this link to {} yourself. ", c.email)
                        }}
                        "The link works once, for 72 hours."
                    </p>
                    <label for="invite-link">"Invitation link"</label>
                    <input id="invite-link" type="text" readonly value=c.link.clone() class="mono" />
                </div>
            })}
        </section>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(p) => view! { <People p role active change_error /> }.into_any(),
                    Err(e) => failure_view(e, "/manager/people", "manage people"),
                }
            })}
        </Transition>
    }
}

#[component]
fn People(
    p: PeopleView,
    role: ServerAction<ChangeRole>,
    active: ServerAction<SetAccountActive>,
    change_error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="people-title">
            <h2 id="people-title">"Accounts"</h2>
            <FormError error=change_error fields=&[] />
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="people-title">
                <table class="list people">
                    <thead>
                        <tr>
                            <th scope="col">"Account"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last sign-in"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {p.people.into_iter().map(|person| view! { <PersonRow person role active /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="invites-title">
            <h2 id="invites-title">"Invitations"</h2>
            {if p.invites.is_empty() {
                view! { <p class="empty">"No invitations yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="invites">
                        {p.invites.into_iter().map(|i| view! {
                            <li data-state=i.state.clone()>
                                {format!("{} as {} — {} (by {}, {})", i.email, i.role.as_str(), i.state, i.by, i.created_local)}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="audit-title">
            <h2 id="audit-title">"Changes"</h2>
            {if p.audit.is_empty() {
                view! { <p class="empty">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="audit">
                        {p.audit.into_iter().map(|a| view! {
                            <li data-action=a.action.clone()>
                                {format!("{} · {} · {}: {}", a.at_local, a.actor, a.action.replace('_', " "), a.user)}
                                {(!a.detail.is_empty()).then(|| format!(" ({})", a.detail))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PersonRow(
    person: PersonView,
    role: ServerAction<ChangeRole>,
    active: ServerAction<SetAccountActive>,
) -> impl IntoView {
    let id = person.id.to_string();
    let select_id = format!("role-{}", person.id);
    let label = match &person.display_name {
        Some(name) => format!("{} ({name})", person.email),
        None => person.email.clone(),
    };
    let you = person.is_you.then_some(" (you)");
    let email = person.email.clone();
    let role_label = format!("Role of {email}");
    let hidden_role = format!(" of {email}");
    let hidden_active = format!(" {email}");
    let role_id = id.clone();
    let current = person.role;
    view! {
        <tr data-person=email class=if person.active { "" } else { "inactive" }>
            <td>{label}{you}</td>
            <td>
                <ActionForm action=role attr:class="inline">
                    <input type="hidden" name="user_id" value=role_id />
                    <label for=select_id.clone() class="visually-hidden">{role_label}</label>
                    <select id=select_id name="role">
                        {[Role::Developer, Role::Agent, Role::Manager].into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == current>{r.as_str()}</option>
                        }).collect_view()}
                    </select>
                    " "
                    <button type="submit">
                        "Change role"<span class="visually-hidden">{hidden_role}</span>
                    </button>
                </ActionForm>
            </td>
            <td>{person.created_local.clone()}</td>
            <td>{person.last_sign_in_local.clone().unwrap_or_else(|| "never".to_owned())}</td>
            <td>
                <ActionForm action=active attr:class="inline">
                    <input type="hidden" name="user_id" value=id />
                    <input type="hidden" name="active" value=if person.active { "no" } else { "yes" } />
                    {if person.active { "Active " } else { "Deactivated " }}
                    <button type="submit">
                        {if person.active { "Deactivate" } else { "Reactivate" }}
                        <span class="visually-hidden">{hidden_active}</span>
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}
