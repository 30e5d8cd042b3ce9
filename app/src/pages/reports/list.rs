//! `/reports`: the signed-in developer's own reports.

use super::SignInFirst;
use crate::{
    api::reports::{my_reports, ReportPage},
    components::badges::{ClassBadge, StatusBadge},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A page of the viewer's reports, newest first.
#[component]
pub fn MyReportsPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(before, my_reports);
    view! {
        <Title text="My reports" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <ReportTable page /> }.into_any(),
                    Err(e) if e.status == 401 => {
                        view! { <SignInFirst next="/reports" what="see your reports" /> }.into_any()
                    }
                    Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportTable(page: ReportPage) -> impl IntoView {
    let empty = page.reports.is_empty();
    view! {
        <section class="panel">
            <div class="panel-head">
                <h1>"My reports"</h1>
                <a class="button primary" href="/reports/new">"Report a failure"</a>
            </div>
            {empty.then(|| view! {
                <p>"You have not filed any reports yet."</p>
            })}
            {(!empty).then(|| view! {
                <div class="table-scroll"><table class="list">
                    <caption class="visually-hidden">"Your failure reports, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"Request"</th>
                            <th scope="col">"Answer"</th>
                            <th scope="col">"Class"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Filed"</th>
                            <th scope="col">"Support answers by"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.reports.into_iter().map(|r| view! {
                            <tr>
                                <td><a href=format!("/reports/{}", r.id)>{format!("#{}", r.id)}</a></td>
                                <td class="mono">{format!("{} {}", r.method, r.endpoint)}</td>
                                <td>{r.failure}</td>
                                <td><ClassBadge class=r.class /></td>
                                <td><StatusBadge status=r.status /></td>
                                <td>{r.filed_local}</td>
                                <td>{r.due_local.unwrap_or_else(|| "—".to_owned())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
            {page.next_before.map(|b| view! {
                <p><a href=format!("/reports?before={b}")>"Older reports →"</a></p>
            })}
        </section>
    }
}
