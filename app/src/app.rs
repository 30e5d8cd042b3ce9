//! The HTML shell, the router and the frame around every page.

use crate::{
    api::auth::{whoami, CurrentUser, Logout},
    pages,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path, Lazy, SsrMode,
};

/// The document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Who is signed in, shared by every page.
#[derive(Clone, Copy)]
pub struct Session {
    /// Sign out.
    pub logout: ServerAction<Logout>,
    /// Bumped after a sign-in or sign-up, to refetch [`Session::user`].
    pub changed: RwSignal<usize>,
    /// The signed-in user.
    pub user: Resource<Result<Option<CurrentUser>, crate::error::AppError>>,
    /// The staff member's unread SLA alerts (`None` for others), for the header's bell.
    pub unread_alerts: Resource<Result<Option<i64>, crate::error::AppError>>,
}

impl Session {
    /// Refetches the user whenever `action` completes (sign-in and sign-up pages).
    pub fn follow<S>(&self, action: ServerAction<S>)
    where
        S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
        S::Error: Send + Sync + 'static,
    {
        let changed = self.changed;
        Effect::new(move |_| {
            if action.version().get() > 0 {
                changed.update(|n| *n += 1);
            }
        });
    }
}

/// The session context provided by [`App`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The application: router, navigation and pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Faultdesk".to_owned() } else { format!("{page} · Faultdesk") }
        } />
        <Router>
            <Frame />
        </Router>
    }
}

/// Everything inside the router: the session context, the header and the routes.
/// Form actions are created in the pages, under `<Routes>`, because that is where the
/// router hands them an error carried back in the URL (a form post without JavaScript).
#[component]
fn Frame() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let changed = RwSignal::new(0usize);
    let user = Resource::new(
        move || (changed.get(), logout.version().get()),
        |_| whoami(),
    );
    // The bell's count, refetched when an alert is recorded (live, for staff) and
    // every minute (alerts held back until the desk opened arrive without an event).
    let alerts_changed = RwSignal::new(0usize);
    let unread_alerts = Resource::new(
        move || (changed.get(), logout.version().get(), alerts_changed.get()),
        |_| crate::api::alerts::unread_alerts(),
    );
    provide_context(Session {
        logout,
        changed,
        user,
        unread_alerts,
    });
    #[cfg(feature = "hydrate")]
    {
        use crate::components::live::LiveFeed;
        let feed = StoredValue::new_local(None::<LiveFeed>);
        Effect::new(move |_| {
            let staff = matches!(user.get(), Some(Ok(Some(u))) if u.role.is_staff());
            match (staff, feed.with_value(Option::is_some)) {
                (true, false) => feed.set_value(LiveFeed::open(
                    "/events/queue",
                    &["alerted", "resync"],
                    Some(std::time::Duration::from_secs(60)),
                    move || alerts_changed.update(|n| *n += 1),
                )),
                (false, true) => feed.set_value(None),
                _ => {}
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = alerts_changed;
    crate::components::notices::provide_current_notices();

    view! {
        <Header />
        <crate::components::notices::NoticeBanner />
        <main id="main">
            <Routes fallback=|| view! { <pages::not_found::NotFound /> }>
                <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                <Route
                    path=path!("/signup")
                    view={Lazy::<pages::lazy::Signup>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/login")
                    view={Lazy::<pages::lazy::Login>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/account")
                    view={Lazy::<pages::lazy::Account>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/forgot-password")
                    view={Lazy::<pages::lazy::ForgotPassword>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reset-password")
                    view={Lazy::<pages::lazy::ResetPassword>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/invite")
                    view={Lazy::<pages::lazy::Invite>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/manager/people")
                    view={Lazy::<pages::lazy::People>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reports/new")
                    view={Lazy::<pages::lazy::NewReport>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reports")
                    view={Lazy::<pages::lazy::MyReports>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/reports/:id")
                    view={Lazy::<pages::lazy::Report>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/account/tokens")
                    view={Lazy::<pages::lazy::Tokens>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/queue")
                    view={Lazy::<pages::lazy::Queue>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/alerts")
                    view={Lazy::<pages::lazy::Alerts>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/canned")
                    view={Lazy::<pages::lazy::Canned>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/guidance")
                    view={Lazy::<pages::lazy::Guidance>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/guidance/new")
                    view={Lazy::<pages::lazy::NewArticle>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/guidance/:slug")
                    view={Lazy::<pages::lazy::Article>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/tickets/:id")
                    view={Lazy::<pages::lazy::Ticket>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/incidents/:id")
                    view={Lazy::<pages::lazy::Incident>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/notices")
                    view={Lazy::<pages::lazy::Notices>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/manager/reports")
                    view={Lazy::<pages::lazy::ManagerReports>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings/sla")
                    view={Lazy::<pages::lazy::SlaPolicy>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings/calendar")
                    view={Lazy::<pages::lazy::Calendar>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </main>
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="site-header">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">"Faultdesk"</A>
            <nav aria-label="Main">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        // Both in this one Suspend: a second suspense nested inside it
                        // (the bell's own) made hydration fail now and then.
                        // (Both resources load from the start; awaiting one after the
                        // other costs nothing.)
                        let user = session.user.await;
                        let unread = session.unread_alerts.await.ok().flatten().unwrap_or(0);
                        match user {
                            Ok(Some(user)) => view! { <SignedInNav user unread /> }.into_any(),
                            _ => view! {
                                <A href="/login">"Sign in"</A>
                                <A href="/signup">"Sign up"</A>
                            }
                                .into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
fn SignedInNav(user: CurrentUser, unread: i64) -> impl IntoView {
    let session = use_session();
    let staff = user.role.is_staff();
    let manager = user.role.is_manager();
    view! {
        {staff.then(|| view! { <A href="/queue">"Queue"</A> <A href="/notices">"Notices"</A> <A href="/guidance">"Guidance"</A> })}
        {manager.then(|| view! { <A href="/manager/reports">"Reports"</A> })}
        {manager.then(|| view! { <A href="/settings/calendar">"Calendar"</A> })}
        {manager.then(|| view! { <A href="/settings/sla">"SLA"</A> })}
        {manager.then(|| view! { <A href="/manager/people">"People"</A> })}
        <A href="/reports/new">"Report a failure"</A>
        <A href="/reports">"My reports"</A>
        <A href="/account/tokens">"API tokens"</A>
        {staff.then(|| view! { <pages::alerts::Bell unread /> })}
        <a class="who" href="/account" title="Your account: password and name">
            {user.email.clone()}
            {user.role.is_staff().then(|| view! { <span class="role">{user.role.as_str()}</span> })}
        </a>
        <ActionForm action=session.logout attr:class="inline">
            <button type="submit" class="link">"Sign out"</button>
        </ActionForm>
    }
}
