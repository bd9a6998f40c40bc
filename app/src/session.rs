//! The session of a request, the axum way: the extractors of the session
//! layer crate, over what the server's policy put into the request.
pub use sessionboard_layer::extract::{ClientIp, Facts, MaybeSignedIn, SignedIn, of};
