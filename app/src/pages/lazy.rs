//! Pages loaded on demand in the browser. The start page (and "not found") are in the
//! main bundle, so a developer's first page downloads only the shell, the router and
//! that page; every other page is a `LazyRoute` of one of four groups (account,
//! developer, desk, manager). Each group's views, and every deserializer and
//! server-function client only they use, are split by the build into a wasm chunk of
//! their own, fetched when a page of the group is first shown (and preloaded with the
//! page when the server renders it). Four groups rather than one chunk per page: the
//! splitter makes one chunk per set of split points sharing code, and 23 split points
//! made 400+ files, a page needing up to 200 of them.
//!
//! The server renders these exactly as before (`#[lazy]` calls straight through off
//! wasm, noting the group so the page links its chunks); the split happens in
//! `scripts/build-site.sh` (`scripts/wasm-bundle`).
use leptos::lazy;
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// A group of lazily loaded pages: an enum naming them, one `#[lazy]` function (the
/// split point) rendering any of them, and a `LazyRoute` per page that calls it.
macro_rules! lazy_group {
    ($group:ident, $render:ident, $preload:ident { $($route:ident => $page:path),* $(,)? }) => {
        #[doc = concat!("The pages of the `", stringify!($render), "` chunk.")]
        #[derive(Clone, Copy)]
        pub enum $group {
            $(#[doc = concat!("`", stringify!($page), "`.")] $route,)*
        }

        #[lazy]
        fn $render(page: $group) -> AnyView {
            match page {
                $($group::$route => view! { <$page /> }.into_any(),)*
            }
        }

        $(
            #[doc = concat!("`", stringify!($page), "`, loaded on demand.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $render($group::$route).await
                }

                async fn preload() {
                    #[cfg(target_family = "wasm")]
                    $preload().await;
                }
            }
        )*
    };
}

lazy_group!(AccountPages, account_pages, __preload_account_pages {
    Signup => super::account::SignupPage,
    Login => super::account::LoginPage,
    Account => super::password::AccountPage,
    ForgotPassword => super::password::ForgotPasswordPage,
    ResetPassword => super::password::ResetPasswordPage,
    Invite => super::password::InvitePage,
});

lazy_group!(DeveloperPages, developer_pages, __preload_developer_pages {
    NewReport => super::reports::new::NewReportPage,
    MyReports => super::reports::list::MyReportsPage,
    Report => super::reports::detail::ReportPage,
    Tokens => super::tokens::TokensPage,
    Article => super::guidance::ArticlePage,
    Incident => super::incidents::IncidentPage,
});

lazy_group!(DeskPages, desk_pages, __preload_desk_pages {
    Queue => super::queue::QueuePage,
    Alerts => super::alerts::AlertsPage,
    Canned => super::canned::CannedPage,
    Guidance => super::guidance::GuidancePage,
    NewArticle => super::guidance::NewArticlePage,
    Ticket => super::tickets::TicketPage,
    Notices => super::notices::NoticesPage,
});

lazy_group!(ManagerPages, manager_pages, __preload_manager_pages {
    People => super::people::PeoplePage,
    ManagerReports => super::manager::reports::ManagerReportsPage,
    SlaPolicy => super::sla_policy::SlaPolicyPage,
    Calendar => super::calendar::CalendarPage,
});
