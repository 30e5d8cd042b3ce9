//! The start page: the published rules, and where to go.

use crate::app::use_session;
use leptos::prelude::*;
use leptos_meta::Title;

/// What Faultdesk is for, and the API's rules for errors.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"API failing? Let's sort it out."</h1>
            <p class="lead">
                "Tell us what the API answered. Client errors get a fix you can apply right away; "
                "server errors go straight to our support team, who answer within one business day."
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(_)) => view! {
                            <a class="button primary" href="/reports/new">"Report a failure"</a>
                        }
                            .into_any(),
                        _ => view! {
                            <a class="button primary" href="/signup">"Create an account"</a>
                            " "
                            <a class="button" href="/login">"Sign in"</a>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="rules" aria-labelledby="rules-title">
            <h2 id="rules-title">"How our API reports errors"</h2>
            <div class="cards">
                <article class="card">
                    <h3>"400–499: client error"</h3>
                    <p>
                        "The request needs to change. Check the parameters, the method, the token "
                        "and its permissions, adjust the request as the "<code>"message"</code>
                        " field says, then call again. Retrying the same request will not help "
                        "(except 429: wait for "<code>"Retry-After"</code>")."
                    </p>
                </article>
                <article class="card">
                    <h3>"500–599: server error"</h3>
                    <p>
                        "Our fault. Retry the same request 1–2 times, 1–3 seconds apart. "
                        "If it still fails, report it: support answers within one business day."
                    </p>
                </article>
                <article class="card">
                    <h3>"Planned maintenance"</h3>
                    <p>
                        "The API runs 24/7. Planned maintenance is announced at least 24 hours "
                        "ahead, in the console and by email."
                    </p>
                </article>
            </div>
        </section>
    }
}
