//! The islands: the only parts of a page that hydrate. Each wraps
//! server-rendered forms, which work without script, and takes their
//! submits over when the WebAssembly runs.
mod board;
mod form;
mod notices;

// Pages (server side) place them; in the browser they hydrate by themselves.
#[cfg(feature = "ssr")]
pub use board::SessionsBoard;
#[cfg(feature = "ssr")]
pub use form::FormIsland;
#[cfg(feature = "ssr")]
pub use notices::NoticeIsland;
