//! JSON read as text. Leptos reads the islands' props with
//! `leptos::serde_json::from_str`, and server functions their answers with
//! `from_slice`: two copies of every reader in the wasm. The board's data
//! and the errors travel in this encoding instead, so there is one.
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `application/json`, decoded from UTF-8 text.
pub struct TextJson;

impl ContentType for TextJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJson {
    type Error = leptos::serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        leptos::serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJson {
    type Error = leptos::serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = String::from_utf8_lossy(&bytes);
        leptos::serde_json::from_str(&text)
    }
}
