//! The WebAssembly entry point. Islands mode: the page is server-rendered
//! and each `#[island]` of the `app` crate hydrates itself.
use wasm_bindgen::prelude::wasm_bindgen;

// The islands' exported hydration functions live in `app`: link it even
// though nothing here names it.
extern crate app;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
