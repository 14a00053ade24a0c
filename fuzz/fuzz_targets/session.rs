//! What a browser or API client sends to prove who it is: the Cookie header
//! (parsed as actix-web parses it) with the session cookie, and bearer
//! tokens. Only a token this server signed, unchanged and unexpired, may
//! ever be accepted.
#![no_main]

use std::sync::OnceLock;

use bespoke::domain::tokens::TokenKeys;
use bespoke::web::auth::SESSION_COOKIE;
use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"a fuzzing secret that is long enough for HS256";

fn keys() -> &'static (TokenKeys, String) {
    static KEYS: OnceLock<(TokenKeys, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let keys = TokenKeys::new(SECRET, Duration::hours(8));
        // A genuine token, the same every run and valid for a century,
        // that the inputs are spliced into.
        let issued_at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let (token, _) =
            TokenKeys::new(SECRET, Duration::days(36_500)).issue(42, "fuzz-session", issued_at);
        (keys, token)
    })
}

fuzz_target!(|header: &str| {
    let (keys, genuine) = keys();
    let mut candidates: Vec<String> = vec![header.trim().to_owned()];
    // The genuine token with one of its three parts replaced by the input.
    let parts: Vec<&str> = genuine.split('.').collect();
    for replaced in 0..parts.len() {
        let mut spliced = parts.clone();
        spliced[replaced] = header;
        candidates.push(spliced.join("."));
    }
    // As actix-web reads a Cookie header: split on ';', parse each pair.
    for pair in header.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        if let Ok(cookie) = cookie::Cookie::parse(pair) {
            if cookie.name() == SESSION_COOKIE {
                candidates.push(cookie.value().to_owned());
            }
        }
    }
    for token in candidates {
        if let Ok(claims) = keys.verify(&token) {
            // Anything accepted must be the genuine token: no forgery, no
            // "alg: none", no other key. (A JWT can be written in more than
            // one way only by re-signing, which needs the secret.)
            assert_eq!(&token, genuine, "a token that was never issued was accepted");
            assert_eq!(claims.account_id(), Some(42));
        }
    }
});
