//! Server functions, grouped by concern. Each one is thin: find the
//! session, call one store method, map the error. A plain form post (no
//! WebAssembly) that fails is sent back to its page by server_fn's own
//! form redirect, with the error in the query (`__err`), which the page
//! reads back as its kind only.
pub mod account;
pub mod admin;
pub mod board;
#[cfg(feature = "ssr")]
pub(crate) mod context;
pub mod email;
pub mod live;
pub mod review;
pub mod room;
pub mod tokens;
pub mod two_factor;

#[cfg(feature = "ssr")]
pub use context::ReturnRules;
