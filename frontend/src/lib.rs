//! The browser entry point: hydrate the server-rendered page, nothing else.

// The app's nested view types are deep; their layouts need more than the default 128.
#![recursion_limit = "256"]

/// Called by the generated JS once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
