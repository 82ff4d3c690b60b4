//! The issuer's signing keys: found through the issuer's metadata (RFC 8414, then OpenID
//! discovery) unless `--oauth-jwks-url` names them, and cached for [`KEYS_TTL`]. A token
//! with a known key is checked against the cache without waiting for anything: stale keys
//! are refreshed in the background. A token naming an unknown `kid` waits for one fetch
//! (single-flight: concurrent unknown kids share it) that starts at most
//! [`REFETCH_AT_MOST_EVERY`] after the previous one, so a newly published key is accepted
//! within about a second of its first use, and a flood of made-up key ids cannot make this
//! server fetch more than once a second.

use std::{
    sync::{Arc, PoisonError, RwLock},
    time::{Duration, Instant},
};

use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse},
};
use reqwest::Url;
use serde::Deserialize;
use tokio::sync::Mutex;

/// How long fetched keys are used before they are fetched again.
pub(crate) const KEYS_TTL: Duration = Duration::from_secs(300);
/// The shortest time between two fetches (an unknown `kid` arriving sooner waits).
pub(crate) const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(1);
/// The largest metadata or JWKS document read.
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// Why no key could be found for a token.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyError {
    /// The token names a key the issuer does not publish (even after a fresh fetch).
    #[error("the token is signed with a key the issuer does not publish")]
    Unknown,
    /// The keys could not be fetched and none are cached.
    #[error("the authorization server's signing keys could not be fetched: {0}")]
    Unavailable(String),
}

/// One usable public key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    /// The algorithm the key is for: from its `alg`, else from its type and curve.
    algorithm: Algorithm,
    key: DecodingKey,
}

/// What validation reads: the keys and when they were fetched. Held under a lock only
/// for a copy or a swap, never across a fetch.
#[derive(Default)]
struct Cache {
    keys: Arc<Vec<Key>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    /// How many fetches have started (a waiter knows whether one started after it came).
    fetches_started: u64,
}

/// The key store of one server.
pub(super) struct KeyStore {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    http: reqwest::Client,
    cache: RwLock<Cache>,
    /// Held by the one fetch in progress (and by the unknown-kid callers waiting for it);
    /// never by a caller whose key is known. Holds the JWKS URL once known.
    fetching: Arc<Mutex<Option<Url>>>,
}

impl KeyStore {
    pub(super) fn new(issuer: &str, jwks_url: Option<Url>, http: reqwest::Client) -> Self {
        Self {
            inner: Arc::new(Inner {
                issuer: issuer.to_owned(),
                http,
                cache: RwLock::new(Cache::default()),
                fetching: Arc::new(Mutex::new(jwks_url)),
            }),
        }
    }

    /// The keys a token signed with `algorithm` (and naming `kid`, if it does) may be
    /// verified with.
    pub(super) async fn keys_for(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Vec<DecodingKey>, KeyError> {
        let (keys, fetched_at, started) = self.inner.snapshot();
        let found = matching(&keys, kid, algorithm);
        if !found.is_empty() {
            if fetched_at.is_none_or(|at| at.elapsed() >= KEYS_TTL) {
                self.refresh_in_background();
            }
            return Ok(found);
        }
        // No keys yet, or an unknown key id (perhaps the issuer rotated its keys since the
        // last fetch): wait for one fetch that starts after this call came.
        if fetched_at.is_some() && kid.is_none() {
            return Err(KeyError::Unknown);
        }
        self.inner.fetch_after(started).await;
        let (keys, fetched_at, _) = self.inner.snapshot();
        let found = matching(&keys, kid, algorithm);
        if !found.is_empty() {
            return Ok(found);
        }
        if fetched_at.is_none() {
            return Err(KeyError::Unavailable(
                "no keys fetched yet; see the log for why".to_owned(),
            ));
        }
        Err(KeyError::Unknown)
    }

    /// Fetches stale keys on a task of their own, unless a fetch is under way or one was
    /// tried less than [`REFETCH_AT_MOST_EVERY`] ago; the caller goes on with the keys it has.
    fn refresh_in_background(&self) {
        let Ok(mut url) = Arc::clone(&self.inner.fetching).try_lock_owned() else {
            return;
        };
        if !self.inner.may_fetch() {
            return;
        }
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move { inner.refresh(&mut url).await });
    }
}

impl Inner {
    /// The keys, when they were fetched, and how many fetches had started.
    fn snapshot(&self) -> (Arc<Vec<Key>>, Option<Instant>, u64) {
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        (
            Arc::clone(&cache.keys),
            cache.fetched_at,
            cache.fetches_started,
        )
    }

    fn may_fetch(&self) -> bool {
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        cache
            .last_attempt
            .is_none_or(|at| at.elapsed() >= REFETCH_AT_MOST_EVERY)
    }

    /// Returns once a fetch that started after `seen` fetches has ended: waits for the
    /// fetch in progress, then starts one if none started since (no sooner than
    /// [`REFETCH_AT_MOST_EVERY`] after the last).
    async fn fetch_after(&self, seen: u64) {
        let mut url = self.fetching.lock().await;
        let (last_attempt, started) = {
            let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            (cache.last_attempt, cache.fetches_started)
        };
        if started > seen {
            // A fetch started after this caller came and has ended (its lock is ours now).
            return;
        }
        if let Some(wait) = last_attempt
            .map(|at| REFETCH_AT_MOST_EVERY.saturating_sub(at.elapsed()))
            .filter(|wait| !wait.is_zero())
        {
            tokio::time::sleep(wait).await;
        }
        self.refresh(&mut url).await;
    }

    /// Fetches the keys now (discovering the JWKS URL first if need be); on failure the
    /// keys fetched before stay in use. The caller holds the fetch lock (`url`).
    async fn refresh(&self, url: &mut Option<Url>) {
        {
            let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
            cache.last_attempt = Some(Instant::now());
            cache.fetches_started += 1;
        }
        match self.fetch(url).await {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "fetched the authorization server's keys");
                let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
                cache.keys = Arc::new(keys);
                cache.fetched_at = Some(Instant::now());
            }
            Err(reason) => tracing::warn!(
                issuer = %self.issuer,
                "cannot fetch the authorization server's keys: {reason}"
            ),
        }
    }

    async fn fetch(&self, jwks_url: &mut Option<Url>) -> Result<Vec<Key>, String> {
        let url = match jwks_url {
            Some(url) => url.clone(),
            None => {
                let url = self.discover().await?;
                *jwks_url = Some(url.clone());
                url
            }
        };
        let set: JwkSetDocument = self.get_json(&url).await?;
        let keys: Vec<Key> = set.keys.into_iter().filter_map(usable).collect();
        if keys.is_empty() {
            return Err(format!("{url} holds no RS256, ES256 or EdDSA signing key"));
        }
        Ok(keys)
    }

    /// The `jwks_uri` of the issuer's metadata: RFC 8414's
    /// `/.well-known/oauth-authorization-server`, then OpenID Connect discovery.
    async fn discover(&self) -> Result<Url, String> {
        let issuer = Url::parse(&self.issuer).map_err(|e| e.to_string())?;
        let path = issuer.path().trim_end_matches('/');
        let mut candidates = Vec::new();
        for (well_known, suffix) in [
            ("/.well-known/oauth-authorization-server", true),
            ("/.well-known/openid-configuration", false),
        ] {
            let mut url = issuer.clone();
            if suffix {
                url.set_path(&format!("{well_known}{path}"));
            } else {
                url.set_path(&format!("{path}{well_known}"));
            }
            candidates.push(url);
        }
        let mut problems = Vec::new();
        for url in candidates {
            match self.get_json::<Metadata>(&url).await {
                Ok(metadata) if metadata.issuer != self.issuer => problems.push(format!(
                    "{url} names issuer {:?}, not {:?}",
                    metadata.issuer, self.issuer
                )),
                Ok(metadata) => {
                    return Url::parse(&metadata.jwks_uri)
                        .map_err(|e| format!("{url}: jwks_uri is not a URL: {e}"));
                }
                Err(problem) => problems.push(problem),
            }
        }
        Err(problems.join("; "))
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &Url) -> Result<T, String> {
        let mut response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {}", without_url(&e)))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url}: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!("{url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| format!("{url}: not the expected JSON: {e}"))
    }
}

/// A reqwest error's text without the URL it already names.
fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    text
}

fn matching(keys: &[Key], kid: Option<&str>, algorithm: Algorithm) -> Vec<DecodingKey> {
    keys.iter()
        .filter(|key| key.algorithm == algorithm)
        .filter(|key| kid.is_none_or(|kid| key.kid.as_deref() == Some(kid)))
        .map(|key| key.key.clone())
        .collect()
}

/// The authorization server metadata fields read here.
#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: String,
}

/// A JWKS whose keys are read one by one, so a key of a kind this server does not use
/// (an encryption key, an HMAC secret, a curve `ring` lacks) is skipped, not fatal.
#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

/// A signing key of one of the three accepted algorithms; never a symmetric (`oct`) key.
fn usable(value: serde_json::Value) -> Option<Key> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let natural = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    if let Some(declared) = jwk.common.key_algorithm {
        // The key says what it is for: it must be the one this kind of key is accepted for.
        let declared = declared.to_string();
        if declared != format!("{natural:?}") {
            return None;
        }
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(Key {
        kid: jwk.common.key_id.clone(),
        algorithm: natural,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_signing_keys_of_the_accepted_kinds_are_kept() {
        let rsa = json!({"kty": "RSA", "kid": "r", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"});
        let mut with_alg = rsa.clone();
        with_alg["alg"] = json!("RS256");
        let mut wrong_alg = rsa.clone();
        wrong_alg["alg"] = json!("RS512");
        let mut encryption = rsa.clone();
        encryption["use"] = json!("enc");
        let hmac = json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"});
        let ed = json!({"kty": "OKP", "crv": "Ed25519", "kid": "e",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        assert!(usable(rsa).is_some_and(|k| k.algorithm == Algorithm::RS256));
        assert!(usable(with_alg).is_some());
        assert!(usable(wrong_alg).is_none());
        assert!(usable(encryption).is_none());
        assert!(usable(hmac).is_none(), "a symmetric key is never used");
        assert!(usable(ed).is_some_and(|k| k.algorithm == Algorithm::EdDSA));
        assert!(usable(json!({"kty": "weird"})).is_none());
    }
}
