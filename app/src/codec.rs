//! One JSON decoder for everything the browser reads from the server.
//!
//! Resources read their server-rendered values with `serde_json::from_str`, while server
//! functions' built-in `Json` output decodes with `serde_json::from_slice`: each response type
//! would get two decoders in the WASM bundle. Server functions here answer with [`JsonText`],
//! the same JSON on the wire, decoded through `from_str` like the resources.

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// `application/json`, decoded as UTF-8 text.
pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's JSON answer in a `POST` response.
pub type JsonText = Post<JsonTextEncoding>;
