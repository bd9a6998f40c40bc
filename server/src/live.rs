//! The live-update stream: server-sent events per signed-in session.
use crate::policy::{cookie::named_cookie, origin::read_allowed};
use crate::state::AppState;
use app::contract::sse;
use app::messages;
use app::session::MaybeSignedIn;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream;
use sessions::{CurrentSession, EndReason, SessionEvent, TokenDigest, UserEvents};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Interval;

/// How often an open stream re-checks that its session is still valid
/// (expiry happens without an event): every 15 s, or more often when the
/// idle timeout is short.
fn recheck_every(idle_timeout: Duration) -> Duration {
    (idle_timeout / 2).clamp(Duration::from_secs(1), Duration::from_secs(15))
}

struct Stream {
    events: UserEvents,
    recheck: Interval,
    state: AppState,
    /// The cookie's digest, for the periodic recheck: the stream never
    /// holds the token itself.
    digest: TokenDigest,
    current: Arc<CurrentSession>,
    _open: crate::metrics::OpenStream,
}

fn signed_out(reason: EndReason) -> Event {
    let data = match reason {
        EndReason::SignedOut => sse::LOGGED_OUT,
        EndReason::Expired => sse::EXPIRED,
        EndReason::ByAdministrator | EndReason::AccountLocked => sse::BY_ADMINISTRATOR,
        EndReason::MadeRoom => sse::MADE_ROOM,
        _ => sse::ENDED,
    };
    Event::default().event(sse::SIGNED_OUT).data(data)
}

/// A stream asked for by a session that is over: one `signed_out` saying
/// why (a page reconnecting after its session ended learns it, whoever
/// ended it); 401 for a cookie that names no session at all.
async fn ended_or_unknown(state: &AppState, digest: Option<TokenDigest>) -> Response {
    let reason = match digest {
        Some(d) => state.store().end_reason(d).await.ok().flatten(),
        None => None,
    };
    match reason {
        Some(reason) => {
            let once = stream::iter([Ok::<_, Infallible>(signed_out(reason))]);
            Sse::new(once).into_response()
        }
        None => (StatusCode::UNAUTHORIZED, messages::NOT_SIGNED_IN).into_response(),
    }
}

/// `GET /api/events`: `changed` whenever the account's sessions change,
/// `signed_out` (then the stream ends) when this very session ends.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeSignedIn(current): MaybeSignedIn,
) -> Response {
    if !read_allowed(&headers, state.origin()) {
        return (StatusCode::FORBIDDEN, messages::CROSS_SITE_STREAM).into_response();
    }
    let digest = named_cookie(&headers, state.cookie().name()).and_then(TokenDigest::of_cookie);
    let (Some(current), Some(digest)) = (current, digest) else {
        return ended_or_unknown(&state, digest).await;
    };
    let events = match state.store().subscribe(&current) {
        Ok(events) => events,
        Err(_) => {
            return (StatusCode::TOO_MANY_REQUESTS, messages::TOO_MANY_STREAMS).into_response();
        }
    };
    let mut recheck = tokio::time::interval(recheck_every(state.store().config().idle_timeout));
    recheck.reset(); // the request was just authenticated
    let start = Stream {
        events,
        recheck,
        state,
        digest,
        current,
        _open: crate::metrics::OpenStream::open(),
    };
    let stream = stream::unfold(Some(start), |st| async move {
        let mut st = st?;
        let mut shutdown = st.state.shutdown();
        loop {
            tokio::select! {
                ev = st.events.recv() => match ev {
                    Some(SessionEvent::Ended { session_id, reason, .. })
                        if session_id == st.current.public_id =>
                    {
                        return Some((Ok::<_, Infallible>(signed_out(reason)), None));
                    }
                    Some(_) => {
                        let event = Event::default().event(sse::CHANGED).data("{}");
                        return Some((Ok(event), Some(st)));
                    }
                    None => return None,
                },
                _ = st.recheck.tick() => {
                    // Expiry happens without an event; any other end sent one.
                    if let Ok(None) = st.state.store().authenticate_digest(st.digest).await {
                        return Some((Ok(signed_out(EndReason::Expired)), None));
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
