//! One Kommo account as a request target: its API root and its `Authorization` header.

use http::HeaderValue;

use crate::{
    config::{BaseUrl, Subdomain},
    secret::Secret,
};

use super::KommoError;

/// Where requests for one account go and how they authenticate. The token lives only in
/// a sensitive header value (never logged by hyper) and is never printed.
#[derive(Clone)]
pub(crate) struct Account {
    subdomain: Subdomain,
    api_root: String,
    authorization: HeaderValue,
}

impl Account {
    pub(crate) fn new(
        base_url: &BaseUrl,
        subdomain: Subdomain,
        token: &Secret,
    ) -> Result<Self, KommoError> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.expose()))
            .map_err(|_| KommoError::Client {
                detail: "the Kommo token contains characters that cannot be sent in an HTTP header"
                    .to_owned(),
            })?;
        authorization.set_sensitive(true);
        Ok(Self {
            api_root: base_url.for_account(&subdomain),
            subdomain,
            authorization,
        })
    }

    pub(crate) fn subdomain(&self) -> &Subdomain {
        &self.subdomain
    }

    /// e.g. `https://mycompany.kommo.com`
    pub(crate) fn api_root(&self) -> &str {
        &self.api_root
    }

    pub(super) fn authorization(&self) -> &HeaderValue {
        &self.authorization
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("subdomain", &self.subdomain)
            .field("api_root", &self.api_root)
            .field("authorization", &"<redacted>")
            .finish()
    }
}
