//! Live updates: a signal bumped whenever the server announces a change on an event
//! stream (server-sent events), so resources that read it refetch.

use leptos::prelude::*;

/// How long events are gathered before views refetch: during an outage flood hundreds of
/// changes a minute become at most a few refetches a second.
#[cfg(feature = "hydrate")]
const SETTLE: std::time::Duration = std::time::Duration::from_millis(300);

/// A counter that increases after ticket changes announced on `url` (and stays 0 on
/// the server).
pub fn live_changes(url: &'static str) -> ReadSignal<usize> {
    live_events(url, &["created", "updated", "resync"])
}

/// A counter that increases after events of the given `kinds` from `url` (and stays 0
/// on the server).
pub fn live_events(url: &'static str, kinds: &'static [&'static str]) -> ReadSignal<usize> {
    let (changes, set_changes) = signal(0usize);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        let bump = move || {
            if pending.replace(true) {
                return;
            }
            let pending = pending.clone();
            set_timeout(
                move || {
                    pending.set(false);
                    set_changes.update(|n| *n += 1);
                },
                SETTLE,
            );
        };
        let feed = send_wrapper::SendWrapper::new(LiveFeed::open(url, kinds, None, bump));
        on_cleanup(move || drop(feed));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, kinds, set_changes);
    changes
}

/// An open event stream that calls back on events of some kinds (and, if asked, on a
/// timer); closed when dropped. Pages hold one while they show ([`live_events`]); the
/// frame holds one while a staff member is signed in (the header's bell).
#[cfg(feature = "hydrate")]
pub struct LiveFeed {
    source: web_sys::EventSource,
    _on_event: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
    timer: Option<leptos::prelude::IntervalHandle>,
}

#[cfg(feature = "hydrate")]
impl LiveFeed {
    /// Listens to `kinds` on `url`, and ticks every `every` if given; `bump` is called
    /// for both.
    pub fn open(
        url: &str,
        kinds: &[&str],
        every: Option<std::time::Duration>,
        bump: impl Fn() + Clone + 'static,
    ) -> Option<Self> {
        use wasm_bindgen::{closure::Closure, JsCast};
        let source = web_sys::EventSource::new(url).ok()?;
        let on_event = {
            let bump = bump.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| bump())
        };
        for kind in kinds {
            let _ =
                source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
        }
        let timer = every.and_then(|every| set_interval_with_handle(bump, every).ok());
        Some(Self {
            source,
            _on_event: on_event,
            timer,
        })
    }
}

#[cfg(feature = "hydrate")]
impl Drop for LiveFeed {
    fn drop(&mut self) {
        self.source.close();
        if let Some(t) = self.timer.take() {
            t.clear();
        }
    }
}
