//! Browser-only parts: the live-update stream, the ticking clock and local
//! time formatting. Without the `hydrate` feature these are inert.
use leptos::prelude::*;

/// Starts the clock tick and the live-update stream for the sessions page;
/// both stop when the calling effect is cleaned up.
#[cfg(feature = "hydrate")]
pub fn start(on_change: impl Fn() + Clone + 'static, now: RwSignal<i64>) {
    use send_wrapper::SendWrapper;
    use wasm_bindgen::prelude::*;

    now.set(js_sys::Date::now() as i64);
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now() as i64),
        std::time::Duration::from_secs(1),
    )
    .ok();

    let Ok(source) = web_sys::EventSource::new("/api/events") else {
        return;
    };
    let changed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_change());
    let _ = source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
    let signed_out =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            // Our own "Log out" (maybe in another tab) is not "ended elsewhere".
            let target = match e.data().as_string().as_deref() {
                Some("signed_out") => "/login?signed_out=1",
                _ => "/login?ended=1",
            };
            let _ = window().location().set_href(target);
        });
    let _ =
        source.add_event_listener_with_callback("signed_out", signed_out.as_ref().unchecked_ref());
    // A refused stream (401) is not retried by the browser: find out why.
    let probe = source.clone();
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if probe.ready_state() == web_sys::EventSource::CLOSED {
            leptos::task::spawn_local(async move {
                if let Ok(None) = crate::api::whoami().await {
                    let _ = window().location().set_href("/login?ended=1");
                }
            });
        }
    });
    let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
    let keep = SendWrapper::new((source, changed, signed_out, failed));
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
        keep.0.close();
        drop(keep);
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn start(_on_change: impl Fn() + Clone + 'static, _now: RwSignal<i64>) {}

#[cfg(feature = "hydrate")]
fn locale_string(ms: i64, options: &[(&str, &str)]) -> String {
    use wasm_bindgen::JsValue;
    let opts = js_sys::Object::new();
    for (k, v) in options {
        let _ = js_sys::Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_locale_string("default", &opts)
        .as_string()
        .unwrap_or_default()
}

/// "27 Nov 2026, 14:03" in the viewer's time zone.
#[cfg(feature = "hydrate")]
pub fn local_minutes(ms: i64) -> String {
    locale_string(ms, &[("dateStyle", "medium"), ("timeStyle", "short")])
}

/// The exact local time with seconds and zone, for hover text.
#[cfg(feature = "hydrate")]
pub fn local_exact(ms: i64) -> String {
    locale_string(ms, &[("dateStyle", "full"), ("timeStyle", "long")])
}

#[cfg(not(feature = "hydrate"))]
pub fn local_minutes(ms: i64) -> String {
    crate::time::utc_minutes(ms)
}

#[cfg(not(feature = "hydrate"))]
pub fn local_exact(ms: i64) -> String {
    crate::time::iso(ms)
}
