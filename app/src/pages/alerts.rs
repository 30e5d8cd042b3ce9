//! `/alerts`: a staff member's SLA alerts (at risk, breached), newest first, with what
//! they are told about: tickets assigned to them always, unassigned tickets and alerts
//! outside business hours when they opt in. The header's bell counts the unread ones.

use crate::{
    api::alerts::{my_notifications, MarkNotificationsRead, Notifications, SaveAlertPreferences},
    components::{
        forms::{action_error, FormError},
        live::live_events,
    },
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let save = ServerAction::<SaveAlertPreferences>::new();
    let changes = live_events("/events/queue", &["alerted", "resync"]);
    let data = Resource::new(
        move || (mark.version().get(), save.version().get(), changes.get()),
        |_| my_notifications(),
    );
    // The header's bell counts what is unread: marking read changes it at once.
    let bell = crate::app::use_session().unread_alerts;
    Effect::new(move |_| {
        if mark.version().get() > 0 {
            bell.refetch();
        }
    });
    let mark_error = action_error(mark);
    let save_error = action_error(save);
    view! {
        <Title text="Alerts" />
        <section class="panel" aria-labelledby="alerts-title">
            <h1 id="alerts-title">"Alerts"</h1>
            <p class="lead">
                "You are told when a ticket's first response goes at risk (less of its time left "
                "than the SLA policy's at-risk share) and when it is breached, once per ticket and "
                "event, here and by email when email is set up."
            </p>
            <FormError error=mark_error fields=&[] />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(n) => view! { <AlertList n mark /> }.into_any(),
                        Err(e) => failure_view(e, "/alerts", "see your alerts"),
                    }
                })}
            </Transition>
        </section>
        <section class="panel" aria-labelledby="prefs-title">
            <h2 id="prefs-title">"What you are told"</h2>
            <FormError error=save_error fields=&[] />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.ok().map(|n| {
                        let p = n.preferences;
                        view! {
                            <ActionForm action=save attr:class="stack">
                                <p>"Tickets assigned to you: always."</p>
                                <label class="check">
                                    <input type="checkbox" name="unassigned" checked=p.unassigned />
                                    " Also tickets nobody is assigned to"
                                </label>
                                <label class="check">
                                    <input type="checkbox" name="after_hours" checked=p.after_hours />
                                    " Outside business hours too (otherwise alerts wait for the next opening)"
                                </label>
                                <div><button type="submit">"Save"</button></div>
                                {move || save.value().get().and_then(Result::ok).map(|()| view! {
                                    <p class="ok" role="status">"Saved."</p>
                                })}
                            </ActionForm>
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AlertList(n: Notifications, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    if n.items.is_empty() {
        return view! { <p>"No alerts."</p> }.into_any();
    }
    view! {
        // A div, not a p: a form inside a p is moved out of it by the browser's parser,
        // and the page would not hydrate.
        <div class="row">
            <span>{format!("{} unread", n.unread)}</span>
            {(n.unread > 0).then(|| view! {
                <ActionForm action=mark attr:class="inline">
                    <button type="submit" class="link">"Mark all read"</button>
                </ActionForm>
            })}
        </div>
        <ul class="alerts">
            {n.items.into_iter().map(|a| {
                let class = if a.unread { "alert unread" } else { "alert" };
                view! {
                    <li class=class>
                        <a href=format!("/tickets/{}", a.report_id)>{a.title.clone()}</a>
                        " "<span class="muted">{a.when_local.clone()}</span>
                        {a.unread.then(|| view! {
                            <ActionForm action=mark attr:class="inline">
                                <input type="hidden" name="id" value=a.id.to_string() />
                                <button type="submit" class="link"
                                    aria-label=format!("Mark read: {}", a.title)>"Mark read"</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The header's bell for staff: a link to `/alerts` with the unread count (the frame's
/// [`crate::app::Session::unread_alerts`], refetched live when an alert is recorded and
/// every minute, for alerts held back until the desk opened).
#[component]
pub fn Bell(unread: i64) -> impl IntoView {
    view! {
        <a href="/alerts" class="bell">
            "Alerts"
            {(unread > 0).then(|| view! {
                <span class="count">{unread}</span>
                <span class="visually-hidden">" unread"</span>
            })}
        </a>
    }
}
