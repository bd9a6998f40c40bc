//! The admin console's actions on another account: end one session, sign
//! it out everywhere, lock and unlock. The store checks the administrator
//! (a second factor at sign-in, a recent re-authentication) every time.
use crate::admin_data::AdminRows;
use crate::codec::TextJson;
#[cfg(feature = "ssr")]
use crate::contract::{Page, query};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Post};

/// After a plain form post: back to the account's page, saying what was done.
#[cfg(feature = "ssr")]
fn back_to(user: &str, done: &str) {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(query::USER, user)
        .append_pair(query::DONE, done)
        .finish();
    super::context::after_plain_form(Page::AdminUsers, &q);
}

/// Ends session `id` of account `user`.
#[server(endpoint = "admin_terminate")]
pub async fn admin_terminate(user: String, id: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    store
        .admin_terminate(&admin, &user, &id)
        .await
        .map_err(fail)?;
    back_to(&user, "terminated");
    Ok(())
}

/// Ends every session of account `user`; returns how many.
#[server(endpoint = "admin_sign_out_everywhere")]
pub async fn admin_sign_out_everywhere(user: String) -> Result<u64, AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    let n = store
        .admin_sign_out_everywhere(&admin, &user)
        .await
        .map_err(fail)?;
    back_to(&user, "signed_out");
    Ok(n)
}

/// Locks account `user`: no new sign-ins, every session ended.
#[server(endpoint = "admin_lock")]
pub async fn admin_lock(user: String) -> Result<u64, AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    let n = store.lock_account(&admin, &user).await.map_err(fail)?;
    back_to(&user, "locked");
    Ok(n)
}

/// Unlocks account `user`.
#[server(endpoint = "admin_unlock")]
pub async fn admin_unlock(user: String) -> Result<bool, AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    let was = store.unlock_account(&admin, &user).await.map_err(fail)?;
    back_to(&user, "unlocked");
    Ok(was)
}

/// The sessions filter of a query (the all-sessions page's and its bulk end).
#[cfg(feature = "ssr")]
pub fn session_filter(get: impl Fn(&str) -> Option<String>) -> sessions::SessionFilter {
    use sessions::DeviceType as D;
    let device = get(query::DEVICE).and_then(|d| match d.as_str() {
        "Desktop" => Some(D::Desktop),
        "Mobile" => Some(D::Mobile),
        "Tablet" => Some(D::Tablet),
        "Bot" => Some(D::Bot),
        "Other" => Some(D::Other),
        _ => None,
    });
    sessions::SessionFilter {
        country: get(query::COUNTRY).filter(|s| !s.is_empty()),
        device,
        app: get(query::APP).filter(|s| !s.is_empty()),
        awaiting_review: get(query::REVIEW).is_some_and(|v| !v.is_empty() && v != "0"),
    }
}

/// Ends every active session the filter selects (but the caller's own);
/// returns how many.
#[server(endpoint = "admin_end_sessions")]
pub async fn admin_end_sessions(
    country: Option<String>,
    device: Option<String>,
    app: Option<String>,
    review: Option<String>,
) -> Result<u64, AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    let filter = session_filter(|k| match k {
        query::COUNTRY => country.clone(),
        query::DEVICE => device.clone(),
        query::APP => app.clone(),
        query::REVIEW => review.clone(),
        _ => None,
    });
    let n = store
        .admin_end_sessions(&admin, &filter)
        .await
        .map_err(fail)?;
    after_plain_form(Page::AdminSessions, &format!("{}={n}", query::ENDED_COUNT));
    Ok(n)
}

/// The sessions `/admin/sessions` shows for the filter in `query` (its
/// query string), for the island's refetches.
#[server(endpoint = "admin_sessions_data", input = GetUrl, output = Post<TextJson>)]
pub async fn admin_sessions_data(query: String) -> Result<AdminRows, AppError> {
    use super::context::*;
    let store = store()?;
    let admin = signed_in().await?;
    let pairs: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    let filter = session_filter(|k| pairs.get(k).cloned());
    let before = pairs
        .get(query::BEFORE)
        .and_then(|c| sessions::HistoryCursor::parse(c).ok());
    let page = store
        .admin_sessions(&admin, &filter, before.as_ref())
        .await
        .map_err(fail)?;
    Ok(page.into())
}

/// The audit filter of a query (the audit page's and the export's):
/// `user`, `kind`, `since` and `until` (days, UTC, both included), `before`.
#[cfg(feature = "ssr")]
pub fn audit_filter(
    get: impl Fn(&str) -> Option<String>,
) -> Result<sessions::AuditFilter, AppError> {
    use crate::ErrorKind;
    let day = |key: &str, add_days: i64| -> Result<Option<i64>, AppError> {
        let Some(text) = get(key).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let date = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|_| AppError::new(ErrorKind::Request))?;
        let start = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        Ok(Some(
            (start + chrono::Duration::days(add_days)).timestamp_millis(),
        ))
    };
    let before = match get(query::BEFORE).filter(|s| !s.is_empty()) {
        Some(b) => Some(
            b.parse()
                .map_err(|_| AppError::new(ErrorKind::InvalidCursor))?,
        ),
        None => None,
    };
    Ok(sessions::AuditFilter {
        user: get(query::USER).filter(|s| !s.is_empty()),
        kind: get(query::KIND).filter(|s| !s.is_empty()),
        since_ms: day(query::SINCE, 0)?,
        until_ms: day(query::UNTIL, 1)?,
        before,
        limit: 0,
    })
}
