//! `/incidents/:id`: an outage flood worked as one.

use crate::{
    api::{
        canned::{list_canned_replies, render_canned_for_incident, CannedView},
        incidents::{
            get_incident, IncidentView, MergeIncident, MoveOutOfIncident, ReplyIncident,
            ResolveIncident,
        },
    },
    components::{
        badges::StatusBadge,
        forms::{action_error, textarea_text, FieldError, FormError},
        live::live_changes,
    },
    pages::{failure_view, route_id},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The incident page.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let route_id = route_id();
    let id = move || route_id().unwrap_or(0);
    let reply = ServerAction::<ReplyIncident>::new();
    let resolve = ServerAction::<ResolveIncident>::new();
    let move_out = ServerAction::<MoveOutOfIncident>::new();
    let merge = ServerAction::<MergeIncident>::new();
    let changes = live_changes("/events/queue");
    let incident = Resource::new(
        move || {
            (
                id(),
                reply.version().get(),
                resolve.version().get(),
                move_out.version().get(),
                merge.version().get(),
                changes.get(),
            )
        },
        |(id, ..)| get_incident(id),
    );
    // A saved reply picked for the update box (`?canned=<id>`, a plain GET form), with
    // the incident's fields filled in.
    let query = leptos_router::hooks::use_query_map();
    let canned_id = move || {
        query
            .read()
            .get("canned")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let canned = Resource::new(|| (), |_| list_canned_replies());
    let prefill = Resource::new(
        move || (id(), canned_id()),
        |(id, pick)| async move {
            match pick {
                Some(c) => render_canned_for_incident(id, c).await.ok(),
                None => None,
            }
        },
    );
    // The update being written lives here, outside the incident's view: during a flood
    // new reports re-render the incident every few seconds, and that must not wipe it.
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Some(text)) = prefill.get() {
            draft.set(text);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            draft.set(String::new());
        }
    });
    view! {
        // The title stays outside the view that live changes rebuild, so the page never
        // goes without one while a new copy replaces the old.
        <Title text=move || format!("Incident #{}", id()) />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match incident.await {
                    Ok(i) => {
                        let canned = canned.await.unwrap_or_default();
                        let prefill = prefill.await;
                        view! { <Incident i reply resolve move_out merge canned prefill draft /> }.into_any()
                    }
                    Err(e) => failure_view(e, "/queue", "work on incidents"),
                }
            })}
        </Transition>
    }
}

#[component]
fn Incident(
    i: IncidentView,
    reply: ServerAction<ReplyIncident>,
    resolve: ServerAction<ResolveIncident>,
    move_out: ServerAction<MoveOutOfIncident>,
    merge: ServerAction<MergeIncident>,
    canned: Vec<CannedView>,
    prefill: Option<String>,
    draft: RwSignal<String>,
) -> impl IntoView {
    let reply_error = action_error(reply);
    let resolve_error = action_error(resolve);
    let move_error = action_error(move_out);
    let merge_error = action_error(merge);
    let sent = move || reply.value().get().and_then(|r| r.ok());
    let open = i.status == "open";
    let id = i.id;
    let title = format!("Incident #{id}");
    view! {
        <section class="panel">
            <p class="breadcrumb"><a href="/queue">"Queue"</a> " / " {title.clone()}</p>
            <h1>{title}</h1>
            <p class="request-line mono">{i.title.clone()}</p>
            <p class="badges">
                <span class="badge">{i.status.clone()}</span> " "
                <span class="badge incident-count">{format!("{} reports", i.report_count)}</span>
            </p>
            <p>"First report " {i.first_local.clone()} " · latest " {i.last_local.clone()}</p>
            {i.merged_into.map(|m| view! { <p>"Merged into " <a href=format!("/incidents/{m}")>{format!("incident #{m}")}</a> "."</p> })}
            {i.latest_update.clone().map(|u| view! {
                <div class="latest-update"><p class="meta">"Latest update · " {i.latest_update_local.clone()}</p><p class="pre">{u}</p></div>
            })}
        </section>
        {open.then(|| view! {
            <section class="panel" aria-labelledby="update-title">
                <h2 id="update-title">"Public update to every reporter"</h2>
                <form method="get" action=format!("/incidents/{id}") class="inline canned-pick">
                    <label for="canned-pick">"Saved reply"</label>
                    " "
                    <select id="canned-pick" name="canned">
                        {canned.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.title}</option> }).collect_view()}
                    </select>
                    " "
                    <button type="submit">"Insert"</button>
                    " "
                    <a href="/canned">"Manage saved replies"</a>
                </form>
                <ActionForm action=reply>
                    <FormError error=reply_error fields=&["body"] />
                    <label for="incident-body">"Update"</label>
                    <textarea id="incident-body" name="body" rows="3" maxlength="10000" aria-describedby="body-error"
                        prop:value=move || draft.get()
                        on:input:target=move |ev| draft.set(ev.target().value())
                        inner_html=textarea_text(&prefill.clone().unwrap_or_default())></textarea>
                    <FieldError error=reply_error field="body" />
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="primary">"Send to all reports"</button>
                    {move || sent().map(|n| view! { <p class="ok" role="status">{format!("Sent to {n} reports.")}</p> })}
                </ActionForm>
                <div class="work-row">
                    <ActionForm action=resolve attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit">"Resolve incident and its reports"</button>
                    </ActionForm>
                    {(!i.merge_into.is_empty()).then(|| view! {
                        <ActionForm action=merge attr:class="inline assign">
                            <input type="hidden" name="id" value=id.to_string() />
                            <label for="merge-into">"Merge into"</label>
                            <select id="merge-into" name="into">
                                {i.merge_into.iter().map(|(mid, label)| view! { <option value=mid.to_string()>{label.clone()}</option> }).collect_view()}
                            </select>
                            <button type="submit">"Merge"</button>
                        </ActionForm>
                    })}
                </div>
                <FormError error=resolve_error fields=&[] />
                <FormError error=merge_error fields=&[] />
            </section>
        })}
        <section class="panel" aria-labelledby="members-title">
            <h2 id="members-title">"Reports"</h2>
            <FormError error=move_error fields=&[] />
            <div class="table-scroll"><table class="list">
                <thead><tr>
                    <th scope="col">"#"</th><th scope="col">"Reporter"</th><th scope="col">"Endpoint"</th>
                    <th scope="col">"Status"</th><th scope="col">"Filed"</th><th scope="col">"First response"</th><th scope="col"></th>
                </tr></thead>
                <tbody>
                    {i.members.into_iter().map(|m| view! {
                        <tr data-report=m.id.to_string()>
                            <td><a href=format!("/tickets/{}", m.id)>{format!("#{}", m.id)}</a></td>
                            <td>{m.reporter.clone()}</td>
                            <td class="mono">{m.endpoint.clone()}</td>
                            <td><StatusBadge status=m.status /></td>
                            <td>{m.filed_local.clone()}</td>
                            <td>{m.sla.clone()}</td>
                            <td>
                                {open.then(|| view! {
                                    <ActionForm action=move_out attr:class="inline">
                                        <input type="hidden" name="report" value=m.id.to_string() />
                                        <button type="submit" class="link">"Move out"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }.into_any()).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}
