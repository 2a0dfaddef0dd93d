//! The WASM entry point: `hydrate()` and nothing else. Built once per client bundle: the main
//! one, and with feature `bundle-wizard`, `bundle-project` or `bundle-sync` the others (app/src/bundle.rs).
// The wizard's view types are deep; release builds need more room to lay them out.
#![recursion_limit = "512"]

/// Called by the generated JS once the module has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets people and tests know the page is interactive now.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
