//! `GET /admin/audit.jsonl`: the audit events the audit page's filter
//! selects, as JSON lines (one event per line, newest first) for a SIEM.
//! Only for a session that may act as an administrator; read a page of
//! 1,000 rows at a time, so an export of millions never sits in memory.
use crate::{AppState, refused};
use app::ErrorKind;
use app::server_fns::admin::audit_filter;
use app::session::MaybeSignedIn;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sessions::AuditFilter;
use std::collections::HashMap;

pub async fn export(
    State(state): State<AppState>,
    MaybeSignedIn(current): MaybeSignedIn,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(current) = current else {
        return refused(ErrorKind::NotSignedIn.into());
    };
    let store = state.store().clone();
    if let Err(e) = store.require_admin(&current).await {
        return refused(e.into());
    }
    let filter = match audit_filter(|k| q.get(k).cloned()) {
        Ok(f) => AuditFilter { limit: 1_000, ..f },
        Err(e) => return refused(e),
    };
    tracing::info!(target: "audit", actor = %current.username, filter = ?filter, "audit log exported");
    let pages = futures::stream::unfold(Some(filter), move |next| {
        let store = store.clone();
        async move {
            let filter = next?;
            match store.audit_page(&filter).await {
                Ok(page) => {
                    let mut text = String::new();
                    for entry in &page.entries {
                        if let Ok(line) = serde_json::to_string(entry) {
                            text.push_str(&line);
                            text.push('\n');
                        }
                    }
                    let next = page.older.map(|before| AuditFilter {
                        before: Some(before),
                        ..filter
                    });
                    Some((Ok::<_, std::io::Error>(text), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "audit export stopped");
                    Some((Err(std::io::Error::other("audit export failed")), None))
                }
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "application/jsonl; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.jsonl\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        // Fused: the compression layer may poll once more after the end.
        Body::from_stream(futures::StreamExt::fuse(pages)),
    )
        .into_response()
}
