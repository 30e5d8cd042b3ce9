//! `/notices`: agents publish, edit, end and cancel maintenance notices.

use crate::{
    api::notices::{
        all_notices, CancelNotice, EditNotice, EndNotice, NoticeAdmin, NoticeView, PublishNotice,
    },
    components::{
        forms::{action_error, textarea_text, FieldError, FormError},
        notices::{banner_kind, scope},
    },
    error::AppError,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &[
    "title",
    "details",
    "starts_at",
    "ends_at",
    "timezone",
    "endpoints",
    "email",
];

/// The notices page.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let publish = ServerAction::<PublishNotice>::new();
    let edit = ServerAction::<EditNotice>::new();
    let end = ServerAction::<EndNotice>::new();
    let cancel = ServerAction::<CancelNotice>::new();
    let data = Resource::new(
        move || {
            (
                publish.version().get(),
                edit.version().get(),
                end.version().get(),
                cancel.version().get(),
            )
        },
        |_| all_notices(),
    );
    let actions = NoticeActions {
        publish,
        edit,
        end,
        cancel,
    };
    view! {
        <Title text="Maintenance notices" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Notices d actions /> }.into_any(),
                    Err(e) => failure_view(e, "/notices", "publish maintenance notices"),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct NoticeActions {
    publish: ServerAction<PublishNotice>,
    edit: ServerAction<EditNotice>,
    end: ServerAction<EndNotice>,
    cancel: ServerAction<CancelNotice>,
}

#[component]
fn Notices(d: NoticeAdmin, actions: NoticeActions) -> impl IntoView {
    let error = action_error(actions.publish);
    let published = move || actions.publish.value().get().is_some_and(|r| r.is_ok());
    let tz = d.timezone.clone();
    let tz_list = tz.clone();
    view! {
        <section class="panel">
            <h1>"Maintenance notices"</h1>
            <p class="lead">
                "Planned work must be announced at least 24 hours before it starts; anything sooner is emergency work. "
                "Developers see current notices on every page, and failures inside a window are not routed to the queue."
            </p>
        </section>
        <section class="panel" aria-labelledby="publish-title">
            <h2 id="publish-title">"Publish a notice"</h2>
            <ActionForm action=actions.publish>
                <FormError error fields=FIELDS />
                <NoticeFields prefix="notice" tz=tz.clone() current=None error kept=d.kept />
                {d.mail_enabled.then(|| view! {
                    <label class="check"><input type="checkbox" name="notice[email]" />" Email every developer"</label>
                    <FieldError error field="email" />
                })}
                <button type="submit" class="primary">"Publish"</button>
                <Show when=published><p class="ok" role="status">"Published."</p></Show>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="all-title">
            <h2 id="all-title">"All notices"</h2>
            {d.notices.is_empty().then(|| view! { <p class="hint">"No notices yet."</p> })}
            {d.notices.into_iter().map(|n| view! { <NoticeCard n tz=tz_list.clone() actions /> }.into_any()).collect_view()}
        </section>
    }
}

#[component]
fn NoticeFields(
    prefix: &'static str,
    tz: String,
    current: Option<NoticeView>,
    error: Signal<Option<AppError>>,
    /// What was typed when this form was refused without JavaScript.
    #[prop(optional)]
    kept: std::collections::HashMap<String, String>,
) -> impl IntoView {
    let c = current.clone();
    let name = move |f: &str| format!("{prefix}[{f}]");
    let was = |f: &str| kept.get(&name(f)).cloned();
    let id = move |f: &str| match &current {
        Some(n) => format!("{f}-{}", n.id),
        None => f.to_owned(),
    };
    view! {
        <label for=id("title")>"Title"</label>
        <input id=id("title") name=name("title") type="text" maxlength="200"
            value=was("title").or_else(|| c.as_ref().map(|n| n.title.clone())).unwrap_or_default() />
        <FieldError error field="title" />
        <div class="row">
            <div class="col">
                <label for=id("starts_at")>"Starts"</label>
                <input id=id("starts_at") name=name("starts_at") type="datetime-local"
                    value=was("starts_at").or_else(|| c.as_ref().map(|n| n.starts_value.clone())).unwrap_or_default() />
                <FieldError error field="starts_at" />
            </div>
            <div class="col">
                <label for=id("ends_at")>"Ends"</label>
                <input id=id("ends_at") name=name("ends_at") type="datetime-local"
                    value=was("ends_at").or_else(|| c.as_ref().map(|n| n.ends_value.clone())).unwrap_or_default() />
                <FieldError error field="ends_at" />
            </div>
            <div class="col">
                <label for=id("timezone")>"Timezone"</label>
                <input id=id("timezone") name=name("timezone") type="text" value=was("timezone").unwrap_or(tz) />
                <FieldError error field="timezone" />
            </div>
        </div>
        <label for=id("endpoints")>"Affected endpoints " <span class="optional">"(path prefixes, one per line; empty = whole API)"</span></label>
        <textarea id=id("endpoints") name=name("endpoints") rows="2"
            inner_html=textarea_text(&was("endpoints").or_else(|| c.as_ref().map(|n| n.endpoints.join("\n"))).unwrap_or_default())></textarea>
        <FieldError error field="endpoints" />
        <label for=id("details")>"Details"</label>
        <textarea id=id("details") name=name("details") rows="3" maxlength="5000"
            inner_html=textarea_text(&was("details").or_else(|| c.as_ref().map(|n| n.details.clone())).unwrap_or_default())></textarea>
        <FieldError error field="details" />
        <label class="check">
            <input type="checkbox" name=name("emergency") checked=was("emergency").is_some() || c.as_ref().is_some_and(|n| n.emergency) />
            " Emergency work (may start within 24 hours)"
        </label>
    }
}

#[component]
fn NoticeCard(n: NoticeView, tz: String, actions: NoticeActions) -> impl IntoView {
    let edit_error = action_error(actions.edit);
    let end_error = action_error(actions.end);
    let cancel_error = action_error(actions.cancel);
    let id = n.id;
    let live = n.state == "active" || n.state == "upcoming";
    let card_class = format!("notice-card {}", n.state);
    let editable = n.clone();
    let history = n.history.clone();
    view! {
        <article class=card_class data-notice=id.to_string()>
            <h3>{banner_kind(&n)} ": " {n.title.clone()} " " <span class="badge">{n.state.clone()}</span></h3>
            <p>{n.starts_local.clone()} " – " {n.ends_local.clone()} " · " {scope(&n.endpoints)}</p>
            {live.then(|| view! {
                <div class="work-row">
                    {(n.state == "active").then(|| view! {
                        <ActionForm action=actions.end attr:class="inline">
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit">"End now"</button>
                        </ActionForm>
                    })}
                    <ActionForm action=actions.cancel attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit">"Cancel notice"</button>
                    </ActionForm>
                </div>
                <FormError error=end_error fields=&[] />
                <FormError error=cancel_error fields=&[] />
                <details>
                    <summary>"Edit"</summary>
                    <ActionForm action=actions.edit>
                        <FormError error=edit_error fields=FIELDS />
                        <input type="hidden" name="id" value=id.to_string() />
                        <NoticeFields prefix="notice" tz=tz.clone() current=Some(editable.clone()) error=edit_error />
                        <button type="submit">"Save changes"</button>
                    </ActionForm>
                </details>
            })}
            <details>
                <summary>"History"</summary>
                <ol class="timeline">
                    {history.iter().map(|e| view! {
                        <li>
                            <span class="when">{e.at_local.clone()}</span> " · " <span class="who">{e.actor.clone()}</span>
                            " · " <strong>{e.kind.replace('_', " ")}</strong>
                            {(!e.detail.is_empty()).then(|| view! { <span>": " {e.detail.clone()}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            </details>
        </article>
    }
}
