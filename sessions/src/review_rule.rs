//! The one rule of "needs review", in Rust and in SQL side by side: a
//! session is marked when it signed in from a new device or a new country,
//! moved country mid-session, or signed in with a recovery code. Marked and
//! not answered yet, it waits for "Was this you?", vouches for nothing and
//! may answer for no other session (`review.rs`). The store test
//! `the_rule_is_the_same_in_sql_and_rust` checks that both agree on every
//! combination.
use crate::entity::session;
use crate::model::{AuthMethod, SessionView};
use sea_orm::{ColumnTrait, Condition};

/// Whether a session with these marks and sign-in method needs review.
pub(crate) fn is_marked(
    new_device: bool,
    new_location: bool,
    location_changed: bool,
    method: AuthMethod,
) -> bool {
    new_device || new_location || location_changed || method == AuthMethod::PasswordAndRecoveryCode
}

/// [`is_marked`] as a condition on `sessions`.
pub(crate) fn marked() -> Condition {
    Condition::any()
        .add(session::Column::NewDevice.eq(true))
        .add(session::Column::NewLocation.eq(true))
        .add(session::Column::LocationChanged.eq(true))
        .add(session::Column::AuthMethod.eq(AuthMethod::PasswordAndRecoveryCode))
}

impl SessionView {
    /// Marked new or moved, or signed in with a recovery code.
    pub fn is_marked(&self) -> bool {
        is_marked(
            self.new_device,
            self.new_location,
            self.location_changed,
            self.auth_method,
        )
    }
}
