//! The islands: the only parts of a page that hydrate. The account forms
//! wrap server-rendered forms and take their submits over; the board and
//! the notices are rendered from their data, on the server and in the
//! browser alike. Every form works without script.
mod admin;
mod board;
mod form;
mod notices;

// Pages (server side) place them; in the browser they hydrate by themselves.
#[cfg(feature = "ssr")]
pub use admin::AdminSessionsTable;
#[cfg(feature = "ssr")]
pub use board::SessionsBoard;
#[cfg(feature = "ssr")]
pub use form::FormIsland;
#[cfg(feature = "ssr")]
pub use notices::NoticeIsland;
