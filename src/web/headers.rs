//! What every answer carries and what every request is known by: the
//! security headers, the caller's address (believing `X-Forwarded-For` only
//! from a trusted proxy), and a request id that ties the log to the answer.

use std::net::IpAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{web, Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::web::state::AppState;

/// The pages need no script, no inline style, and may never sit in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The address the request came from, as Bespoke believes it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

/// The id this request is logged under and answered with (`X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The caller's address: the connection's peer, unless that peer is a trusted
/// proxy; then the right-most address in `X-Forwarded-For` that is not itself
/// a trusted proxy (the left-most entries are whatever the client claimed).
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[ipnet::IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    // `::ffff:10.0.0.5` (a dual-stack socket) is 10.0.0.5.
    let peer = peer?.to_canonical();
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            // Garbage means the chain cannot be followed further.
            Err(_) => break,
        }
    }
    Some(client)
}

/// An incoming request id is kept when it is well-formed: 1 to 64 letters,
/// digits, `-`, `_` or `.`. Anything else is replaced by a new one.
pub fn request_id(incoming: Option<&str>) -> String {
    match incoming {
        Some(id)
            if !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) =>
        {
            id.to_owned()
        }
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

/// The caller's address as throttling counts it: what the root span found,
/// else the connection's peer. An IPv6 address counts as its /64 network,
/// which one household or machine typically holds whole.
pub fn client_of(request: &actix_web::HttpRequest) -> String {
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .map(|c| c.0)
        .or_else(|| request.peer_addr().map(|a| a.ip().to_canonical()));
    match ip {
        Some(IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Some(ip) => ip.to_string(),
        None => "unknown".into(),
    }
}

/// Whether this request comes straight from this machine: a loopback peer,
/// a loopback or `localhost` Host, and no proxy's forwarding headers. The
/// passwordless demo answers only such requests, so a tunnel or a proxy on
/// the same machine does not publish it.
pub fn is_local(request: &actix_web::HttpRequest) -> bool {
    let peer_local = request
        .peer_addr()
        .is_some_and(|a| a.ip().to_canonical().is_loopback());
    let forwarded = [
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-real-ip",
    ]
    .iter()
    .any(|name| request.headers().contains_key(*name));
    let host = format!("http://{}/", request.connection_info().host());
    let host_local = url::Url::parse(&host)
        .ok()
        .and_then(|url| {
            url.host().map(|host| match host {
                url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.to_canonical().is_loopback(),
            })
        })
        .unwrap_or(false);
    peer_local && !forwarded && host_local
}

/// The log's root span for each request: the believed client address and the
/// kept or new request id, both also left in the request's extensions.
pub struct BespokeSpans;

impl RootSpanBuilder for BespokeSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let state = request.app_data::<web::Data<AppState>>();
        let trusted = state.map_or(&[][..], |state| &state.config.trusted_proxies);
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = client_ip(request.peer_addr().map(|a| a.ip()), &forwarded, trusted);
        let id = request_id(
            request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok()),
        );
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %request.match_pattern().unwrap_or_default(),
            http.target = %request.uri().path(),
            http.client_ip = %ip.map(|ip| ip.to_string()).unwrap_or_default(),
            request_id = %id,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        );
        if let Some(ip) = ip {
            request.extensions_mut().insert(ClientIp(ip));
        }
        request.extensions_mut().insert(RequestId(id));
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Whether the request carries a sign-in (a session cookie or a token), or
/// the answer may hand one out (signing in, registering, any new cookie).
fn carries_sign_in<B>(response: &ServiceResponse<B>) -> bool {
    let request = response.request();
    request.cookie(super::auth::SESSION_COOKIE).is_some()
        || request.headers().contains_key(header::AUTHORIZATION)
        || response.headers().contains_key(header::SET_COOKIE)
        || request.path() == "/api/v1/sessions"
}

/// Adds the security headers to an answer: for everything, `nosniff`, a
/// referrer policy, the content security policy (which forbids framing) and
/// the request id; `no-store` for anything asked with a sign-in; HSTS when
/// Bespoke is served over HTTPS.
pub fn secure<B>(response: &mut ServiceResponse<B>, https: bool) {
    let signed_in = carries_sign_in(response) && !response.request().path().starts_with("/static/");
    let id = response.request().extensions().get::<RequestId>().cloned();
    let headers = response.headers_mut();
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if signed_in {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.0).ok()) {
        headers.insert(REQUEST_ID, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // No proxy configured: the header is ignored.
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &[]),
            Some(ip("203.0.113.9"))
        );
        // From an untrusted peer: ignored.
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &proxies),
            Some(ip("203.0.113.9"))
        );
        // Through two trusted proxies: the right-most untrusted hop, not what the client claimed.
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.2")),
                &["6.6.6.6, 198.51.100.7", "10.0.0.1"],
                &proxies
            ),
            Some(ip("198.51.100.7"))
        );
        // A dual-stack socket's ::ffff:10.0.0.2 is 10.0.0.2, and trusted.
        assert_eq!(
            client_ip(Some(ip("::ffff:10.0.0.2")), &["198.51.100.7"], &proxies),
            Some(ip("198.51.100.7"))
        );
        // A trusted peer with nothing forwarded, or garbage: the nearest trusted hop.
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &[], &proxies),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &["nonsense"], &proxies),
            Some(ip("10.0.0.2"))
        );
    }

    #[test]
    fn a_well_formed_request_id_is_kept_and_anything_else_replaced() {
        assert_eq!(request_id(Some("abc-123_X.9")), "abc-123_X.9");
        for bad in ["", "has space", "new\nline", &"x".repeat(65), "<script>"] {
            let made = request_id(Some(bad));
            assert_ne!(made, bad);
            assert!(uuid::Uuid::parse_str(&made).is_ok());
        }
    }
}
