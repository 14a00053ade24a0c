//! Configuration from the environment. A bad value stops start-up with a
//! message naming the variable; nothing falls back silently.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseTarget,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Seed the demo marketplace on first start and offer its sign-in without
    /// a password. Only ever on for the embedded SQLite database served at a
    /// loopback address (see [`demo_is_harmless`]).
    pub demo: bool,
    /// The token signing secret; when absent one is generated and kept in the data directory.
    pub jwt_secret: Option<Vec<u8>>,
    pub smtp_url: Option<String>,
    /// Who messages come from (`BESPOKE_MAIL_FROM`).
    pub mail_from: lettre::message::Mailbox,
    /// The address people use to reach Bespoke, for links in messages (`BESPOKE_PUBLIC_URL`).
    pub public_url: url::Url,
    pub meili_url: Option<url::Url>,
    pub meili_api_key: Option<String>,
    /// The Meilisearch index to use; each deployment (or test) may have its own.
    pub search_index: String,
    /// Mark cookies `Secure`; turn on whenever Bespoke is served over HTTPS.
    pub secure_cookies: bool,
    pub session_hours: i64,
    pub db_pool_size: u32,
    /// When the broker report may flag a broker (`BESPOKE_BROKER_MIN_COMMISSIONS`,
    /// `BESPOKE_BROKER_MAX_P_VALUE`).
    pub broker_thresholds: crate::domain::market::brokers::Thresholds,
    /// How long an instance may take to send the messages it claimed before
    /// another instance may send them instead (`BESPOKE_MAIL_LEASE_SECONDS`).
    pub mail_lease_secs: i64,
    /// Lets instances with embedded search indexes share one database
    /// (`BESPOKE_TEST_SHARED_EMBEDDED_INDEX`): only for tests, where search
    /// does not matter; their indexes go stale.
    pub test_shared_embedded_index: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed
    /// (`BESPOKE_TRUSTED_PROXIES`, addresses or CIDR ranges, comma-separated).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads each setting through `lookup`, so tests can supply their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let data_dir = PathBuf::from(get("BESPOKE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database = match get("DATABASE_URL") {
            Some(url) => DatabaseTarget::parse(&url).map_err(|m| invalid("DATABASE_URL", m))?,
            None => DatabaseTarget::Sqlite(data_dir.join("bespoke.sqlite3")),
        };
        let bind = get("BESPOKE_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse::<SocketAddr>()
            .map_err(|_| {
                invalid(
                    "BESPOKE_BIND",
                    "must be an address and port, like 127.0.0.1:8080",
                )
            })?;
        let secure_cookies = parse_flag(
            "BESPOKE_SECURE_COOKIES",
            get("BESPOKE_SECURE_COOKIES"),
            false,
        )?;
        let jwt_secret = get("BESPOKE_JWT_SECRET")
            .map(|secret| {
                if secret.len() < crate::domain::tokens::MIN_SECRET_BYTES {
                    Err(invalid(
                        "BESPOKE_JWT_SECRET",
                        format!(
                            "must be at least {} characters; leave it unset to have one generated",
                            crate::domain::tokens::MIN_SECRET_BYTES
                        ),
                    ))
                } else {
                    Ok(secret.into_bytes())
                }
            })
            .transpose()?;
        let smtp_url = get("SMTP_URL")
            .map(|url| {
                use lettre::{AsyncSmtpTransport, Tokio1Executor};
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map(|_| url)
                    .map_err(|e| {
                        invalid(
                            "SMTP_URL",
                            format!("must be like smtp://user:pass@host:587 ({e})"),
                        )
                    })
            })
            .transpose()?;
        let mail_from = get("BESPOKE_MAIL_FROM")
            .unwrap_or_else(|| "Bespoke <no-reply@bespoke.invalid>".into())
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| {
                invalid(
                    "BESPOKE_MAIL_FROM",
                    "must be an email address, like Bespoke <no-reply@council.example>",
                )
            })?;
        let public_url = match get("BESPOKE_PUBLIC_URL") {
            Some(text) => url::Url::parse(&text)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    invalid(
                        "BESPOKE_PUBLIC_URL",
                        "must be an http:// or https:// address, like https://bespoke.council.example",
                    )
                })?,
            None => url::Url::parse(&format!("http://{bind}")).expect("an address makes a URL"),
        };
        let meili_url = get("MEILI_URL")
            .map(|url| {
                url::Url::parse(&url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| invalid("MEILI_URL", "must be an http:// or https:// address"))
            })
            .transpose()?;
        let search_index = get("BESPOKE_SEARCH_INDEX").unwrap_or_else(|| "listings".into());
        if search_index.len() > 100
            || !search_index
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(invalid(
                "BESPOKE_SEARCH_INDEX",
                "must be letters, digits, - or _ (at most 100)",
            ));
        }
        let session_hours = parse_number(
            "BESPOKE_SESSION_HOURS",
            get("BESPOKE_SESSION_HOURS"),
            8,
            1..=720,
        )?;
        let db_pool_size = parse_number(
            "BESPOKE_DB_POOL_SIZE",
            get("BESPOKE_DB_POOL_SIZE"),
            8,
            1..=256,
        )?;
        let min_commissions = parse_number(
            "BESPOKE_BROKER_MIN_COMMISSIONS",
            get("BESPOKE_BROKER_MIN_COMMISSIONS"),
            10,
            1..=100_000,
        )?;
        let max_p_value = match get("BESPOKE_BROKER_MAX_P_VALUE") {
            None => 0.01,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| *p > 0.0 && *p < 1.0)
                .ok_or_else(|| {
                    invalid(
                        "BESPOKE_BROKER_MAX_P_VALUE",
                        "must be a number between 0 and 1, like 0.01",
                    )
                })?,
        };

        let mail_lease_secs = parse_number(
            "BESPOKE_MAIL_LEASE_SECONDS",
            get("BESPOKE_MAIL_LEASE_SECONDS"),
            120,
            15..=3600,
        )?;
        let trusted_proxies = parse_proxies(get("BESPOKE_TRUSTED_PROXIES"))?;
        let asked = get("BESPOKE_DEMO")
            .map(|value| parse_flag("BESPOKE_DEMO", Some(value), false))
            .transpose()?;
        let demo = match (
            asked,
            demo_is_harmless(
                &database,
                bind,
                &public_url,
                &trusted_proxies,
                secure_cookies,
            ),
        ) {
            (Some(false), _) => false,
            (None, harmless) => harmless.is_ok(),
            (Some(true), Ok(())) => true,
            (Some(true), Err(why)) => {
                return Err(invalid(
                    "BESPOKE_DEMO",
                    format!(
                        "the demo lets anyone sign in without a password, so it runs only on the \
                         embedded SQLite database at a loopback address, and {why}; unset \
                         BESPOKE_DEMO (or set it to 0) for a real deployment"
                    ),
                ))
            }
        };
        let test_shared_embedded_index = parse_flag(
            "BESPOKE_TEST_SHARED_EMBEDDED_INDEX",
            get("BESPOKE_TEST_SHARED_EMBEDDED_INDEX"),
            false,
        )?;

        Ok(Self {
            database,
            bind,
            data_dir,
            demo,
            jwt_secret,
            smtp_url,
            mail_from,
            public_url,
            meili_url,
            meili_api_key: get("MEILI_API_KEY"),
            search_index,
            secure_cookies,
            session_hours,
            db_pool_size: db_pool_size as u32,
            broker_thresholds: crate::domain::market::brokers::Thresholds {
                min_commissions: min_commissions as u64,
                max_p_value,
            },
            mail_lease_secs,
            test_shared_embedded_index,
            trusted_proxies,
        })
    }
}

/// Whether a passwordless demo could only ever be reached from this machine:
/// the embedded SQLite database, a loopback bind address, no public address
/// elsewhere, no reverse proxy in front and no HTTPS. The error says which
/// is not so.
pub fn demo_is_harmless(
    database: &DatabaseTarget,
    bind: SocketAddr,
    public_url: &url::Url,
    trusted_proxies: &[ipnet::IpNet],
    secure_cookies: bool,
) -> Result<(), String> {
    if !matches!(database, DatabaseTarget::Sqlite(_)) {
        return Err("DATABASE_URL names a PostgreSQL database".into());
    }
    if !bind.ip().is_loopback() {
        return Err(format!(
            "BESPOKE_BIND is {bind}, which other machines can reach"
        ));
    }
    let loopback_host = match public_url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback_host {
        return Err(format!(
            "BESPOKE_PUBLIC_URL is {public_url}, an address other people use"
        ));
    }
    if !trusted_proxies.is_empty() {
        return Err("BESPOKE_TRUSTED_PROXIES says a reverse proxy serves it".into());
    }
    if secure_cookies {
        return Err("BESPOKE_SECURE_COOKIES says it is served over HTTPS".into());
    }
    Ok(())
}

fn parse_proxies(value: Option<String>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let Some(text) = value else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    invalid(
                        "BESPOKE_TRUSTED_PROXIES",
                        format!(
                            "{part:?} is not an address or range; give addresses or CIDR ranges \
                             separated by commas, like 10.0.0.5, 10.1.0.0/16"
                        ),
                    )
                })
        })
        .collect()
}

fn parse_flag(
    variable: &'static str,
    value: Option<String>,
    default: bool,
) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(_) => Err(invalid(variable, "must be 1 or 0 (true or false)")),
    }
}

fn parse_number(
    variable: &'static str,
    value: Option<String>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            invalid(
                variable,
                format!(
                    "must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// Which database a URL names. SQLite accepts any string as a path, so the
/// scheme decides, never a trial connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseTarget {
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a bare path selects an SQLite file.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.contains("://") {
            return Err(format!(
                "uses an unsupported scheme (expected postgres://, postgresql:// or sqlite://): {url}"
            ));
        }
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgresql",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database,
            DatabaseTarget::Sqlite("./data/bespoke.sqlite3".into())
        );
        assert!(c.demo);
        assert!(c.jwt_secret.is_none());
        assert_eq!(c.session_hours, 8);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("BESPOKE_BIND", "localhost"),
            ("DATABASE_URL", "mysql://x/y"),
            ("BESPOKE_DEMO", "maybe"),
            ("BESPOKE_JWT_SECRET", "too-short"),
            ("SMTP_URL", "not a url"),
            ("MEILI_URL", "ftp://search"),
            ("BESPOKE_SESSION_HOURS", "0"),
        ];
        for (variable, value) in cases {
            let err = config(&[(variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
        }
    }

    #[test]
    fn accepts_production_settings() {
        let c = config(&[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/bespoke"),
            ("BESPOKE_DEMO", "0"),
            ("SMTP_URL", "smtp://mailer:secret@127.0.0.1:2525"),
            ("MEILI_URL", "http://127.0.0.1:7700"),
            ("BESPOKE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .unwrap();
        assert_eq!(c.database.backend_name(), "postgresql");
        assert!(!c.demo);
        assert!(c.smtp_url.is_some() && c.meili_url.is_some() && c.jwt_secret.is_some());
    }

    #[test]
    fn the_passwordless_demo_runs_only_where_nobody_else_can_reach_it() {
        // The embedded default, at a loopback address: the demo is on by default.
        assert!(config(&[]).unwrap().demo);
        assert!(config(&[("BESPOKE_BIND", "[::1]:8080")]).unwrap().demo);
        assert!(!config(&[("BESPOKE_DEMO", "0")]).unwrap().demo);
        let real = [
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/bespoke"),
            ("BESPOKE_BIND", "0.0.0.0:8080"),
            ("BESPOKE_BIND", "192.168.1.20:8080"),
            ("BESPOKE_PUBLIC_URL", "https://bespoke.council.example"),
            ("BESPOKE_TRUSTED_PROXIES", "127.0.0.1"),
            ("BESPOKE_SECURE_COOKIES", "1"),
        ];
        for (variable, value) in real {
            // Off by default there ...
            assert!(!config(&[(variable, value)]).unwrap().demo, "{variable}");
            // ... and asking for it refuses to start, naming the setting.
            let err = config(&[(variable, value), ("BESPOKE_DEMO", "1")]).unwrap_err();
            assert_eq!(err.variable, "BESPOKE_DEMO");
            assert!(err.message.contains(variable), "{}", err.message);
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let c = config(&[("BESPOKE_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16,::1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        let err = config(&[("BESPOKE_TRUSTED_PROXIES", "10.0.0.5, proxy.local")]).unwrap_err();
        assert_eq!(err.variable, "BESPOKE_TRUSTED_PROXIES");
    }
}
