//! The browser entry point: hydrate the server-rendered page, nothing else.

// The app's nested view types are deep; their layouts need more than the default 128.
#![recursion_limit = "256"]

/// Called by the generated JS once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: most pages are lazy routes (app/src/pages/lazy.rs), whose
    // chunk is fetched (preloaded by the page) before their part of the page hydrates.
    // This is `leptos::mount::hydrate_lazy`, spelled out to mark the end of it.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Marks the page once the wasm has taken it over, lazy route included (browser
        // tests wait for it).
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
