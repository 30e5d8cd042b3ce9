//! Live SLA countdowns: business time left until a clock (first response, next reply,
//! resolution) is due, ticking every second in the browser; a paused clock stands still. The server sends the calendar's opening hours as plain
//! UTC ranges ([`OpenWindows`]), so the browser needs no timezone database.

use crate::domain::{
    sla::SlaStatus,
    windows::{clock_state, format_countdown, ClockInstants, OpenWindows},
};
use leptos::prelude::*;

/// "Now" in ms, starting at the server's clock and ticking every second once hydrated.
/// The browser's clock is corrected by the offset to the server's at load time, so
/// countdowns agree with the server whatever the local clock says.
pub fn ticking_now(server_now_ms: i64) -> ReadSignal<i64> {
    let (now, set_now) = signal(server_now_ms);
    #[cfg(feature = "hydrate")]
    {
        let offset = server_now_ms - js_sys::Date::now() as i64;
        let handle = set_interval_with_handle(
            move || set_now.set(js_sys::Date::now() as i64 + offset),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_now;
    now
}

/// The CSS class and label of an SLA status.
pub fn status_badge(s: SlaStatus) -> (&'static str, &'static str) {
    match s {
        SlaStatus::OnTrack => ("sla on-track", "On track"),
        SlaStatus::AtRisk => ("sla at-risk", "At risk"),
        SlaStatus::Breached => ("sla breached", "Breached"),
        SlaStatus::Met => ("sla met", "Met"),
        SlaStatus::MetLate => ("sla breached", "Answered late"),
    }
}

/// A badge and a live business-time countdown for one ticket.
#[component]
pub fn SlaCountdown(
    /// The ticket's clock.
    clock: ClockInstants,
    /// Opening hours around now.
    windows: StoredValue<OpenWindows>,
    /// The ticking "now".
    now: ReadSignal<i64>,
) -> impl IntoView {
    let state = move || windows.with_value(|w| clock_state(&clock, w, now.get()));
    let open = move || windows.with_value(|w| w.is_open(now.get()));
    let paused = clock.paused.is_some();
    view! {
        <span class="countdown" data-sla=move || state().0.as_str() data-paused=paused.then_some("1")>
            {move || {
                let (status, left) = state();
                let (class, label) = status_badge(status);
                let detail = match status {
                    SlaStatus::OnTrack | SlaStatus::AtRisk if paused => {
                        format!("{} left (paused: waiting on the developer)", format_countdown(left))
                    }
                    SlaStatus::Breached if paused => {
                        format!("overdue by {} (paused: waiting on the developer)", format_countdown(left))
                    }
                    SlaStatus::OnTrack | SlaStatus::AtRisk if !open() => {
                        format!("{} left (paused: support is closed)", format_countdown(left))
                    }
                    SlaStatus::OnTrack | SlaStatus::AtRisk => format!("{} left", format_countdown(left)),
                    SlaStatus::Breached => format!("overdue by {}", format_countdown(left)),
                    SlaStatus::Met => "first response in time".to_owned(),
                    SlaStatus::MetLate => format!("first response {} late", format_countdown(left)),
                };
                view! {
                    <span class=format!("badge {class}")>{label}</span>
                    " "
                    <span class="time-left">{detail}</span>
                }
            }}
        </span>
    }
}
