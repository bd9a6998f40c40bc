//! The live-update stream: server-sent events per signed-in session.
use crate::web::WebState;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream;
use sessions::{CurrentSession, SessionEvent};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// How often an open stream re-checks that its session is still valid
/// (expiry happens without an event).
const RECHECK: Duration = Duration::from_secs(15);

/// `GET /api/events`: `changed` whenever the account's sessions change,
/// `signed_out` (then the stream ends) when this very session ends.
pub async fn events(
    State(state): State<&'static WebState>,
    headers: HeaderMap,
    current: Option<Extension<Arc<CurrentSession>>>,
) -> Response {
    if !crate::web::read_allowed(&headers, &state.origin) {
        return (StatusCode::FORBIDDEN, "Refused: cross-site event stream.").into_response();
    }
    let (Some(Extension(current)), Some(token)) = (
        current,
        crate::web::session_cookie(&headers).map(str::to_owned),
    ) else {
        return (StatusCode::UNAUTHORIZED, "Not signed in.").into_response();
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset(); // the request was just authenticated
    let start = Some((
        state.store.subscribe(current.user_id),
        recheck,
        state,
        token,
        current,
    ));
    let stream = stream::unfold(start, |st| async move {
        let (mut sub, mut recheck, state, token, current) = st?;
        let mut shutdown = state.shutdown.clone();
        loop {
            tokio::select! {
                ev = sub.recv() => match ev {
                    Some(SessionEvent::Ended { session_id, reason, .. }) if session_id == current.public_id => {
                        let event = Event::default().event("signed_out").data(reason.as_str());
                        return Some((Ok::<_, Infallible>(event), None));
                    }
                    Some(_) => {
                        let event = Event::default().event("changed").data("{}");
                        return Some((Ok(event), Some((sub, recheck, state, token, current))));
                    }
                    None => return None,
                },
                _ = recheck.tick() => {
                    if !matches!(state.store.authenticate(&token).await, Ok(Some(_))) {
                        let event = Event::default().event("signed_out").data("expired");
                        return Some((Ok(event), None));
                    }
                }
                _ = shutdown.changed() => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
