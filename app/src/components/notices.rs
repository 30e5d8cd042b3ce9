//! Maintenance notices as a banner on every page and as a list on the intake page.

use crate::api::notices::{current_notices, NoticeView};
use leptos::prelude::*;

/// The current notices, loaded once per page (shared by the banner and the intake page).
#[derive(Clone, Copy)]
pub struct CurrentNotices(pub Resource<Result<Vec<NoticeView>, crate::error::AppError>>);

/// Creates the shared notices resource (in the app frame). It reloads when someone
/// signs in or out, since times are shown in the viewer's timezone.
pub fn provide_current_notices() {
    let session = crate::app::use_session();
    provide_context(CurrentNotices(Resource::new(
        move || (session.changed.get(), session.logout.version().get()),
        |_| current_notices(),
    )));
}

/// A slim banner listing active and upcoming maintenance.
#[component]
pub fn NoticeBanner() -> impl IntoView {
    let notices = expect_context::<CurrentNotices>().0;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = notices.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <aside class="notice-banner" aria-label="Maintenance notices">
                        <ul>
                            {list.into_iter().map(|n| view! {
                                <li class=if n.emergency { "emergency" } else { "" }>
                                    <strong>{banner_kind(&n)}</strong>
                                    " " {n.title.clone()} ": " {n.starts_local.clone()} " – " {n.ends_local.clone()}
                                    " · " <span class="scope">{scope(&n.endpoints)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </aside>
                })
            })}
        </Transition>
    }
}

/// The full notices on the intake page.
#[component]
pub fn NoticeList() -> impl IntoView {
    let notices = expect_context::<CurrentNotices>().0;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = notices.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="panel notices" aria-labelledby="notices-title">
                        <h2 id="notices-title">"Maintenance"</h2>
                        <p class="hint">"Failures on these endpoints during these windows are expected; you do not need to report them."</p>
                        {list.into_iter().map(|n| view! {
                            <article class=format!("notice {}", if n.emergency { "emergency" } else { "planned" })>
                                <h3>{banner_kind(&n)} ": " {n.title.clone()}</h3>
                                <p><strong>{n.starts_local.clone()} " – " {n.ends_local.clone()}</strong> " · " {scope(&n.endpoints)}</p>
                                {(!n.details.is_empty()).then(|| view! { <p class="pre">{n.details.clone()}</p> })}
                            </article>
                        }).collect_view()}
                    </section>
                })
            })}
        </Transition>
    }
}

/// "Planned maintenance" / "Emergency maintenance", and whether it is under way.
pub fn banner_kind(n: &NoticeView) -> String {
    let kind = if n.emergency {
        "Emergency maintenance"
    } else {
        "Planned maintenance"
    };
    if n.state == "active" {
        format!("{kind} (now)")
    } else {
        kind.to_owned()
    }
}

/// "whole API" or the prefixes.
pub fn scope(endpoints: &[String]) -> String {
    if endpoints.is_empty() {
        "whole API".to_owned()
    } else {
        endpoints.join(", ")
    }
}
