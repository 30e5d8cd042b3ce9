//! `/queue`: routed tickets, most urgent first, with live countdowns; updates arrive
//! without a reload.

use crate::{
    api::queue::{queue, QueuePage, QueueQuery},
    components::{
        badges::{ClassBadge, StatusBadge},
        countdown::{ticking_now, SlaCountdown},
        live::live_changes,
    },
    domain::{
        status::FailureClass,
        ticket::{Priority, TicketStatus},
    },
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The queue page.
#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        QueueQuery {
            status: get("status"),
            assignee: get("assignee"),
            class: get("class"),
            endpoint: get("endpoint"),
            at_risk: get("at_risk"),
            breached: get("breached"),
            after: get("after"),
        }
    };
    let changes = live_changes("/events/queue");
    let page = Resource::new(move || (filters(), changes.get()), |(f, _)| queue(f));
    view! {
        <Title text="Queue" />
        <section class="panel">
            <div class="panel-head">
                <h1>"Support queue"</h1>
                <span class="hint" aria-live="polite">"Updates live"</span>
            </div>
            <Filters current=filters() />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <QueueTable page=p current=filters() /> }.into_any(),
                        Err(e) => failure_view(e, "/queue", "work the queue"),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Filters(current: QueueQuery) -> impl IntoView {
    let opt = |value: &'static str, label: &'static str, selected: &str| {
        view! { <option value=value selected=selected == value>{label}</option> }
    };
    view! {
        <form method="get" action="/queue" class="filters" aria-label="Filter the queue">
            <div>
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status">
                    {opt("", "Active (new, open, waiting)", &current.status)}
                    {[TicketStatus::New, TicketStatus::Open, TicketStatus::Waiting, TicketStatus::Resolved, TicketStatus::Closed]
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=current.status == s.as_str()>{s.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div>
                <label for="f-assignee">"Assignee"</label>
                <select id="f-assignee" name="assignee">
                    {opt("anyone", "Anyone", if current.assignee.is_empty() { "anyone" } else { &current.assignee })}
                    {opt("me", "Me", &current.assignee)}
                    {opt("unassigned", "Unassigned", &current.assignee)}
                </select>
            </div>
            <div>
                <label for="f-class">"Class"</label>
                <select id="f-class" name="class">
                    {opt("", "Any", &current.class)}
                    {FailureClass::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.as_str() selected=current.class == c.as_str()>{c.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div>
                <label for="f-endpoint">"Endpoint starts with"</label>
                <input id="f-endpoint" name="endpoint" type="text" value=current.endpoint.clone() placeholder="/v1/orders" />
            </div>
            <div class="checks-inline">
                <label><input type="checkbox" name="at_risk" value="1" checked=current.at_risk == "1" />" At risk"</label>
                <label><input type="checkbox" name="breached" value="1" checked=current.breached == "1" />" Breached"</label>
            </div>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn QueueTable(page: QueuePage, current: QueueQuery) -> impl IntoView {
    let now = ticking_now(page.now_ms);
    let windows = StoredValue::new(page.windows.clone());
    let empty = page.items.is_empty();
    let next_href = page.next.clone().map(|after| {
        let q = QueueQuery { after, ..current };
        format!(
            "/queue?status={}&assignee={}&class={}&endpoint={}&at_risk={}&breached={}&after={}",
            q.status,
            q.assignee,
            q.class,
            urlencode(&q.endpoint),
            q.at_risk,
            q.breached,
            q.after
        )
    });
    view! {
        {empty.then(|| view! { <p class="empty">"Nothing in the queue for these filters."</p> })}
        {(!empty).then(|| view! {
            <div class="table-scroll"><table class="list queue">
                <caption class="visually-hidden">"Tickets, most urgent first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Request"</th>
                        <th scope="col">"Class"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Assignee"</th>
                        <th scope="col">"SLA: first response due, other clocks"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|t| view! {
                        <tr data-ticket=t.id.to_string() class=if t.priority == Priority::Low { "low" } else { "" }>
                            <td><a href=format!("/tickets/{}", t.id)>{format!("#{}", t.id)}</a></td>
                            <td>
                                <span class="mono">{t.request.clone()}</span>
                                <br />
                                <span class="hint">{t.failure.clone()} " · " {t.reporter.clone()}</span>
                                {(t.priority == Priority::Low).then(|| view! { " " <span class="badge">"low priority"</span> })}
                                {t.incident.clone().map(|i| view! {
                                    <br />
                                    <a class="badge incident-count" href=format!("/incidents/{}", i.id)>
                                        {format!("Incident #{} · {} reports", i.id, i.report_count)}
                                    </a>
                                    <span class="hint">" " {i.first_local.clone()} " → " {i.last_local.clone()}</span>
                                })}
                            </td>
                            <td><ClassBadge class=t.class /></td>
                            <td><StatusBadge status=t.status /></td>
                            <td>{t.assignee.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td>
                                <SlaCountdown clock=t.clock windows now />
                                <br />
                                <span class="hint">{t.due_local.clone()}</span>
                                {t.next_reply.map(|clock| view! {
                                    <div class="clock-line next-reply">
                                        <span class="clock-name">"Next reply: "</span>
                                        <SlaCountdown clock windows now />
                                    </div>
                                })}
                                {t.resolution.map(|clock| view! {
                                    <div class="clock-line resolution">
                                        <span class="clock-name">"Resolution: "</span>
                                        <SlaCountdown clock windows now />
                                    </div>
                                })}
                            </td>
                        </tr>
                    }.into_any()).collect_view()}
                </tbody>
            </table></div>
        }.into_any())}
        {next_href.map(|href| view! { <p><a href=href>"Next page →"</a></p> })}
    }
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
