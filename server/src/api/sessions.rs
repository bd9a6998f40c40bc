//! `/api/v1`: the signed-in person's own sessions, as JSON. Each handler
//! authenticates (the [`SignedIn`] extractor), calls the store, and maps
//! its refusal to a [`Problem`].
use super::model::{
    Ended, HistoryPage, HistoryParams, Me, Reauthenticate, Rename, Session, SessionList,
};
use super::problem::Problem;
use crate::state::AppState;
use app::ErrorKind;
use app::session::ClientIp;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::{Json, Router, routing};
use sea_orm::ActiveEnum;
use sessions::{CurrentSession, HistoryCursor, HistoryQuery};
use std::sync::Arc;

/// The signed-in session; a request without one gets a 401 problem.
pub struct SignedIn(pub Arc<CurrentSession>);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        app::session::of(parts)
            .map(Self)
            .ok_or_else(|| ErrorKind::NotSignedIn.into())
    }
}

/// A JSON body; a malformed one gets a 400 problem.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| Self(v))
            .map_err(|_: JsonRejection| ErrorKind::Request.into())
    }
}

type Answer<T> = Result<T, Problem>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", routing::get(me))
        .route("/api/v1/reauthenticate", routing::post(reauthenticate))
        .route("/api/v1/sessions", routing::get(list))
        .route("/api/v1/sessions/history", routing::get(history))
        .route(
            "/api/v1/sessions/sign-out-others",
            routing::post(sign_out_others),
        )
        .route(
            "/api/v1/sessions/{id}",
            routing::delete(terminate).patch(rename),
        )
        .route("/api/v1/sessions/{id}/confirm", routing::post(confirm))
        .route("/api/v1/sessions/{id}/deny", routing::post(deny))
}

const PROBLEM: &str = "application/problem+json";

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses(
        (status = 200, description = "Who is signed in", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
    ))]
pub async fn me(State(state): State<AppState>, SignedIn(current): SignedIn) -> Answer<Json<Me>> {
    let two_factor = state
        .store()
        .two_factor_status(current.user_id)
        .await?
        .enabled;
    Ok(Json(Me {
        username: current.username.clone(),
        session_id: current.public_id.clone(),
        signed_in_at: current.created_at,
        auth_method: current.auth_method.to_value(),
        two_factor,
        token_scope: current.scope.map(|s| s.to_value()),
    }))
}

/// Proves this session again (the password, or a code with two-factor on),
/// for the destructive calls within the re-authentication window.
#[utoipa::path(post, path = "/api/v1/reauthenticate", tag = "account",
    request_body = Reauthenticate,
    responses(
        (status = 204, description = "Proved: destructive calls are allowed for a while"),
        (status = 400, description = "Wrong password or code", body = Problem, content_type = PROBLEM),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 403, description = "A code is required", body = Problem, content_type = PROBLEM),
        (status = 429, description = "Too many attempts", body = Problem, content_type = PROBLEM),
    ))]
pub async fn reauthenticate(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    ClientIp(ip): ClientIp,
    Body(body): Body<Reauthenticate>,
) -> Answer<StatusCode> {
    state
        .store()
        .reauthenticate(&current, &body.proof, ip)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's active sessions, this one marked.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions",
    responses(
        (status = 200, description = "The active sessions", body = SessionList),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
    ))]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
) -> Answer<Json<SessionList>> {
    let views = state.store().list_active_sessions(current.user_id).await?;
    let sessions = views
        .into_iter()
        .map(|v| Session::of(v, &current.public_id))
        .collect();
    Ok(Json(SessionList { sessions }))
}

/// A page of the account's sessions, active and ended, newest login first.
#[utoipa::path(get, path = "/api/v1/sessions/history", tag = "sessions",
    params(HistoryParams),
    responses(
        (status = 200, description = "One page of history", body = HistoryPage),
        (status = 400, description = "Malformed cursor", body = Problem, content_type = PROBLEM),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
    ))]
pub async fn history(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<HistoryPage>> {
    let Query(params) = params.map_err(|_| Problem::from(ErrorKind::InvalidCursor))?;
    let cursor = |c: Option<String>| c.as_deref().map(HistoryCursor::parse).transpose();
    let query = HistoryQuery {
        before: cursor(params.before)?,
        after: cursor(params.after)?,
        limit: params.limit.unwrap_or(0),
    };
    let page = state
        .store()
        .session_history(current.user_id, &query)
        .await?;
    Ok(Json(HistoryPage {
        entries: page
            .entries
            .into_iter()
            .map(|v| Session::of(v, &current.public_id))
            .collect(),
        older: page.older.map(|c| c.encode()),
        newer: page.newer.map(|c| c.encode()),
    }))
}

/// Ends another session of the account (needs a recent proof).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "Public id of the session")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Re-authentication required", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such active session of this account", body = Problem, content_type = PROBLEM),
        (status = 409, description = "This session: sign out instead", body = Problem, content_type = PROBLEM),
    ))]
pub async fn terminate(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    state.store().terminate_session(&current, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every other session of the account (needs a recent proof).
#[utoipa::path(post, path = "/api/v1/sessions/sign-out-others", tag = "sessions",
    responses(
        (status = 200, description = "How many sessions ended", body = Ended),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Re-authentication required", body = Problem, content_type = PROBLEM),
    ))]
pub async fn sign_out_others(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
) -> Answer<Json<Ended>> {
    let ended = state.store().sign_out_everywhere(&current).await?;
    Ok(Json(Ended { ended }))
}

/// Names a session of the account.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "Public id of the session")),
    request_body = Rename,
    responses(
        (status = 204, description = "Renamed"),
        (status = 400, description = "Name too long or with control characters", body = Problem, content_type = PROBLEM),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such active session of this account", body = Problem, content_type = PROBLEM),
    ))]
pub async fn rename(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
    Body(body): Body<Rename>,
) -> Answer<StatusCode> {
    state
        .store()
        .rename_session(&current, &id, &body.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Yes, it was me" about another session's sign-in.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/confirm", tag = "was this you",
    params(("id" = String, Path, description = "Public id of the session")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 403, description = "This session may not answer", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such active session of this account", body = Problem, content_type = PROBLEM),
        (status = 409, description = "Already answered", body = Problem, content_type = PROBLEM),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    state.store().confirm_sign_in(&current, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "No — sign it out": ends that session and records the denial (needs a
/// recent proof).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/deny", tag = "was this you",
    params(("id" = String, Path, description = "Public id of the session")),
    responses(
        (status = 204, description = "Ended and recorded"),
        (status = 401, description = "Not signed in", body = Problem, content_type = PROBLEM),
        (status = 403, description = "Re-authentication required, or this session may not answer", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such active session of this account", body = Problem, content_type = PROBLEM),
        (status = 409, description = "Already answered", body = Problem, content_type = PROBLEM),
    ))]
pub async fn deny(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Path(id): Path<String>,
) -> Answer<StatusCode> {
    state.store().deny_sign_in(&current, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
