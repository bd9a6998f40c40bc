//! How a [`SessionEvent`] travels between servers: a small JSON payload on
//! one PostgreSQL `NOTIFY` channel. It names the user, the session's public
//! id, the kind and the reason, never a token or its hash, and stays far
//! below PostgreSQL's 8,000-byte limit. Each payload is signed with a key
//! derived from `SECRET_KEY` (`payload|signature`): another database role
//! that may `NOTIFY` on the channel cannot make a server drop sessions from
//! its cache or send its pages into refresh storms. A role that may
//! `LISTEN` sees user ids, public session ids and end reasons.
use super::SessionEvent;
use crate::clock::{from_ms, to_ms};
use crate::model::EndReason;
use crate::two_factor::key::Keyring;
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

/// The channel the servers using `schema` listen on: deployments that
/// share a database in different schemas stay apart.
pub(crate) fn channel(schema: &str) -> String {
    let mut name = format!("sessionboard_{schema}");
    name.truncate(63);
    name
}

#[derive(Serialize, Deserialize)]
struct Wire {
    /// The sending server, so that it can skip its own echo.
    s: String,
    u: i64,
    k: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Started,
    Ended,
    Activity,
    Updated,
    PasswordChanged,
    FailedSignIn,
    /// A server's heartbeat to itself: its echo proves it still hears.
    Ping,
}

/// What a payload carries.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Message {
    /// An event for the other servers' streams and caches.
    Event(SessionEvent),
    /// A heartbeat.
    Ping,
}

/// The heartbeat payload of `server`.
pub(crate) fn ping(server: &str) -> String {
    let w = Wire {
        s: server.to_owned(),
        u: 0,
        k: Kind::Ping,
        i: None,
        r: None,
        t: None,
        p: None,
    };
    serde_json::to_string(&w).expect("a plain struct serializes")
}

/// `payload` with its signature under the current key.
pub(crate) fn sign(keys: &Keyring, payload: String) -> String {
    let sig = keys.current.sign_event(&payload);
    format!("{payload}|{sig}")
}

/// The payload of a signed message, if any key of the ring signed it.
pub(crate) fn verify<'a>(keys: &Keyring, signed: &'a str) -> Option<&'a str> {
    let (payload, sig) = signed.rsplit_once('|')?;
    let ok = keys.all().any(|k| {
        constant_time_eq::constant_time_eq(k.sign_event(payload).as_bytes(), sig.as_bytes())
    });
    ok.then_some(payload)
}

/// The payload of `event` sent by `server`; `None` for what never travels
/// (a resync is each server's own business).
pub(crate) fn encode(server: &str, event: &SessionEvent) -> Option<String> {
    let mut w = Wire {
        s: server.to_owned(),
        u: event.user_id(),
        k: Kind::Started,
        i: None,
        r: None,
        t: None,
        p: None,
    };
    match event {
        SessionEvent::Started { session_id, .. } => w.i = Some(session_id.clone()),
        SessionEvent::Ended {
            session_id, reason, ..
        } => {
            w.k = Kind::Ended;
            w.i = Some(session_id.clone());
            w.r = Some(reason.to_value());
        }
        SessionEvent::Activity {
            session_id,
            last_seen_at,
            pages_visited,
            ..
        } => {
            w.k = Kind::Activity;
            w.i = Some(session_id.clone());
            w.t = Some(to_ms(*last_seen_at));
            w.p = Some(*pages_visited);
        }
        SessionEvent::Updated { session_id, .. } => {
            w.k = Kind::Updated;
            w.i = Some(session_id.clone());
        }
        SessionEvent::PasswordChanged { .. } => w.k = Kind::PasswordChanged,
        SessionEvent::FailedSignIn { .. } => w.k = Kind::FailedSignIn,
        SessionEvent::Resync { .. } => return None,
    }
    serde_json::to_string(&w).ok()
}

/// The message in a payload and the server that sent it; `None` for a
/// payload that is not ours.
pub(crate) fn decode(payload: &str) -> Option<(String, Message)> {
    let w: Wire = serde_json::from_str(payload).ok()?;
    let user_id = w.u;
    let event = match w.k {
        Kind::Ping => return Some((w.s, Message::Ping)),
        Kind::Started => SessionEvent::Started {
            user_id,
            session_id: w.i?,
        },
        Kind::Ended => SessionEvent::Ended {
            user_id,
            session_id: w.i?,
            reason: EndReason::try_from_value(&w.r?).ok()?,
        },
        Kind::Activity => SessionEvent::Activity {
            user_id,
            session_id: w.i?,
            last_seen_at: from_ms(w.t?),
            pages_visited: w.p?,
        },
        Kind::Updated => SessionEvent::Updated {
            user_id,
            session_id: w.i?,
        },
        Kind::PasswordChanged => SessionEvent::PasswordChanged { user_id },
        Kind::FailedSignIn => SessionEvent::FailedSignIn { user_id },
    };
    Some((w.s, Message::Event(event)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_small_and_without_secrets() {
        let events = [
            SessionEvent::Started {
                user_id: 7,
                session_id: "abc".into(),
            },
            SessionEvent::Ended {
                user_id: 7,
                session_id: "abc".into(),
                reason: EndReason::SignedOutEverywhere,
            },
            SessionEvent::Activity {
                user_id: 7,
                session_id: "abc".into(),
                last_seen_at: from_ms(1_790_000_000_123),
                pages_visited: 12,
            },
            SessionEvent::Updated {
                user_id: 7,
                session_id: "abc".into(),
            },
            SessionEvent::PasswordChanged { user_id: 7 },
            SessionEvent::FailedSignIn { user_id: 7 },
        ];
        for e in events {
            let payload = encode("server-1", &e).unwrap();
            assert!(payload.len() < 200, "{payload}");
            assert_eq!(
                decode(&payload),
                Some(("server-1".to_owned(), Message::Event(e)))
            );
        }
        assert_eq!(decode(&ping("s")), Some(("s".to_owned(), Message::Ping)));
        assert_eq!(encode("s", &SessionEvent::Resync { user_id: 1 }), None);
        assert_eq!(decode("not json"), None);
        assert_eq!(
            decode(r#"{"s":"x","u":1,"k":"ended","i":"a","r":"nonsense"}"#),
            None
        );
    }

    #[test]
    fn only_payloads_signed_with_a_key_of_the_ring_are_believed() {
        use crate::two_factor::SecretKey;
        let ring = |k: &SecretKey| Keyring {
            current: k.clone(),
            previous: Vec::new(),
        };
        let (ours, theirs) = (SecretKey::generate(), SecretKey::generate());
        let payload = ping("s");
        let signed = sign(&ring(&ours), payload.clone());
        assert_eq!(verify(&ring(&ours), &signed), Some(payload.as_str()));
        assert_eq!(verify(&ring(&theirs), &signed), None, "another key");
        assert_eq!(verify(&ring(&ours), &payload), None, "unsigned");
        let forged = format!(
            "{}|{}",
            payload.replace("\"u\":0", "\"u\":1"),
            signed.rsplit_once('|').unwrap().1
        );
        assert_eq!(verify(&ring(&ours), &forged), None, "altered");
        // After a rotation, what the old key signed is still believed.
        let rotated = Keyring {
            current: theirs,
            previous: vec![ours],
        };
        assert!(verify(&rotated, &signed).is_some());
    }
}
