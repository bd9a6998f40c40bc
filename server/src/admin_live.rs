//! `GET /admin/events`: the administrators' live stream. Every account's
//! sessions starting and ending, as one `changed` event per burst (the
//! page refetches its filtered data, which checks the administrator again).
use crate::refused;
use crate::state::AppState;
use app::ErrorKind;
use app::contract::sse;
use app::session::MaybeSignedIn;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub async fn events(
    State(state): State<AppState>,
    MaybeSignedIn(current): MaybeSignedIn,
) -> Response {
    let Some(current) = current else {
        return refused(ErrorKind::NotSignedIn.into());
    };
    let rx = match state.store().admin_events(&current).await {
        Ok(rx) => rx,
        Err(e) => return refused(e.into()),
    };
    let stream = futures::stream::unfold((rx, state), |(mut rx, state)| async move {
        let mut shutdown = state.shutdown();
        tokio::select! {
            got = rx.recv() => match got {
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    // One event for a burst: what queued meanwhile is in the
                    // refetch too.
                    while rx.try_recv().is_ok() {}
                    let event = Event::default().event(sse::CHANGED).data("{}");
                    Some((Ok::<_, Infallible>(event), (rx, state)))
                }
                Err(RecvError::Closed) => None,
            },
            _ = shutdown.changed() => None,
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
