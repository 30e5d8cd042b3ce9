//! `/settings/sla`: the SLA policy (managers): first-response targets per priority, the
//! next-reply and resolution targets, the at-risk threshold and whether waiting on the
//! developer pauses the resolution clock, with every earlier version. Changes apply to clocks started
//! afterwards; existing due times never move.

use crate::{
    api::settings::{get_sla_policy, PolicyView, SaveSlaPolicy},
    components::forms::{action_error, FieldError, FormError},
    domain::sla::format_business_duration,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The SLA policy page.
#[component]
pub fn SlaPolicyPage() -> impl IntoView {
    let save = ServerAction::<SaveSlaPolicy>::new();
    let policy = Resource::new(move || save.version().get(), |_| get_sla_policy());
    view! {
        <Title text="SLA policy" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok(p) => view! { <Policy p save /> }.into_any(),
                    Err(e) => failure_view(e, "/settings/sla", "edit the SLA policy"),
                }
            })}
        </Transition>
    }
}

#[component]
fn Policy(p: PolicyView, save: ServerAction<SaveSlaPolicy>) -> impl IntoView {
    let error = action_error(save);
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let current = p.history.first().cloned();
    let (normal, low, percent) = current
        .as_ref()
        .map(|c| (c.normal.clone(), c.low.clone(), c.at_risk_percent))
        .unwrap_or_else(|| ("1d".to_owned(), "2d".to_owned(), 25));
    let (next_reply, resolution, pauses) = current
        .as_ref()
        .map(|c| {
            (
                c.next_reply.clone(),
                c.resolution.clone(),
                c.pause_when_waiting,
            )
        })
        .unwrap_or_else(|| ("1d".to_owned(), "5d".to_owned(), true));
    let day = format_business_duration(p.standard_day_minutes * 60);
    view! {
        <section class="panel">
            <h1>"SLA policy"</h1>
            <p class="lead">
                "Targets are business time: " <code>"1d"</code> " is one standard business day of the "
                <a href="/settings/calendar">"support calendar"</a> {format!(" (now {day}), ")}
                <code>"4h"</code> ", " <code>"90m"</code> " or " <code>"1d 4h"</code>
                " work too. A new policy applies to clocks started from then on; tickets already "
                "in the queue keep their due times."
            </p>
            <ActionForm action=save attr:class="stack">
                <FormError error fields=&["first_response_normal", "first_response_low", "next_reply", "resolution", "at_risk_percent", "pause_when_waiting"] />
                <TargetInput
                    name="first_response_normal"
                    label="First response, normal priority (server errors, no response)"
                    value=normal
                    minutes=p.normal_minutes
                    error
                />
                <TargetInput
                    name="first_response_low"
                    label="First response, low priority (client errors escalated after guidance)"
                    value=low
                    minutes=p.low_minutes
                    error
                />
                <TargetInput
                    name="next_reply"
                    label="Next reply (after the developer replies to an answered ticket)"
                    value=next_reply
                    minutes=p.next_reply_minutes
                    error
                />
                <TargetInput
                    name="resolution"
                    label="Resolution (from routing to resolved)"
                    value=resolution
                    minutes=p.resolution_minutes
                    error
                />
                <label for="at_risk_percent">"At risk when less than this share of the target is left (%)"</label>
                <input id="at_risk_percent" name="at_risk_percent" type="number" min="1" max="99" required
                    value=percent.to_string() aria-describedby="at_risk_percent-error" />
                <FieldError error field="at_risk_percent" />
                <label for="pause_when_waiting">"While a ticket waits on the developer, the resolution clock"</label>
                <select id="pause_when_waiting" name="pause_when_waiting" aria-describedby="pause_when_waiting-error">
                    <option value="yes" selected=pauses>"pauses"</option>
                    <option value="no" selected=!pauses>"keeps running"</option>
                </select>
                <FieldError error field="pause_when_waiting" />
                <div><button type="submit" class="primary">"Put in force"</button></div>
                {move || saved().then(|| view! {
                    <p class="ok" role="status">"Saved. New clocks use this policy."</p>
                })}
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="policy-history">
            <h2 id="policy-history">"History"</h2>
            // Focusable, so the history can be scrolled sideways from the keyboard.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="policy-history">
                <table class="list">
                    <thead>
                        <tr>
                            <th scope="col">"In force since"</th>
                            <th scope="col">"By"</th>
                            <th scope="col">"Normal"</th>
                            <th scope="col">"Low"</th>
                            <th scope="col">"Next reply"</th>
                            <th scope="col">"Resolution"</th>
                            <th scope="col">"At risk below"</th>
                            <th scope="col">"Waiting pauses"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {p.history.into_iter().map(|v| view! {
                            <tr>
                                <td>{v.since_local}</td>
                                <td>{v.by}</td>
                                <td>{v.normal}</td>
                                <td>{v.low}</td>
                                <td>{v.next_reply}</td>
                                <td>{v.resolution}</td>
                                <td>{format!("{} %", v.at_risk_percent)}</td>
                                <td>{if v.pause_when_waiting { "yes" } else { "no" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// One target's field: its label, the text as written, what it comes to today, and its
/// error.
#[component]
fn TargetInput(
    name: &'static str,
    label: &'static str,
    value: String,
    minutes: i64,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let now_id = format!("{name}-now");
    view! {
        <label for=name>{label}</label>
        <input id=name name=name type="text" required value=value
            aria-describedby=format!("{name}-error {now_id}") />
        <p id=now_id class="hint">
            {format!("Now {} of business time.", format_business_duration(minutes * 60))}
        </p>
        <FieldError error field=name />
    }
}
