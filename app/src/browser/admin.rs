//! The live half of `/admin/sessions`: the administrators' stream says
//! something changed, the island refetches its filtered data (the latest
//! answer wins; an error keeps what is shown).
use crate::admin_data::AdminRows;
use crate::contract::{ADMIN_EVENTS_PATH, sse};
use crate::server_fns::admin::admin_sessions_data;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_event_source::{
    ReconnectLimit, UseEventSourceOnEventReturn, UseEventSourceOptions,
    use_event_source_with_options,
};

/// Keeps `data` current while the island lives.
pub fn watch(data: RwSignal<AdminRows>, query: String) {
    super::mark_hydrated();
    let asked = StoredValue::new(0u64);
    let refetch = move || {
        let n = asked.get_value() + 1;
        asked.set_value(n);
        let query = query.clone();
        spawn_local(async move {
            if let Ok(rows) = admin_sessions_data(query).await
                && asked.get_value() == n
            {
                data.set(rows);
            }
        });
    };
    let reopened = StoredValue::new(false);
    let options = UseEventSourceOptions::default()
        .reconnect_limit(ReconnectLimit::Infinite)
        .reconnect_interval(2_000)
        .named_events([sse::CHANGED.to_owned()])
        .on_event(move |e: &web_sys::Event| {
            match e.type_().as_str() {
                sse::CHANGED => refetch(),
                // A reconnection may have missed changes.
                "open" => {
                    if reopened.get_value() {
                        refetch();
                    }
                    reopened.set_value(true);
                }
                _ => {}
            }
            UseEventSourceOnEventReturn::IgnoreProcessingMessage
        });
    let _ = use_event_source_with_options::<String, codee::string::FromToStringCodec>(
        ADMIN_EVENTS_PATH.to_owned(),
        options,
    );
}
