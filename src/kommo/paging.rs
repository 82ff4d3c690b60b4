//! Reading every page of a Kommo list by following its `_links.next` href, as Kommo
//! documents it, instead of guessing the next page: a server that pages by other rules
//! than asked (Kommo gives at most 50 custom fields a page) still yields every item once.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::models::Page;
use super::send::Request;
use super::{Account, KommoClient, KommoError, decode};

impl KommoClient {
    /// Every item of the list at `first` (a path with its query), page after page until a
    /// page has no `next` link or Kommo answers 204; at most `max_pages` pages.
    pub(super) async fn every_page<E, T>(
        &self,
        account: &Account,
        first: String,
        max_pages: u32,
        what: &str,
        items: impl Fn(E) -> Vec<T>,
    ) -> Result<Vec<T>, KommoError>
    where
        E: DeserializeOwned,
    {
        let list = endpoint(&first).to_owned();
        let mut out = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut path = first;
        for _ in 0..max_pages {
            let reply = self
                .sender
                .send(account, Request::get(&path, &|| what.to_owned()))
                .await?;
            if reply.status == 204 || reply.body.is_empty() {
                break;
            }
            let page: Page<E> = decode(&reply.body, what)?;
            let next = page
                .links
                .as_ref()
                .and_then(|links| links.next.as_ref())
                .and_then(|next| next.get("href"))
                .and_then(Value::as_str)
                .map(next_path);
            out.extend(items(page.embedded));
            seen.push(path);
            path = match next {
                None => break,
                Some(Some(next)) if endpoint(&next) == list && !seen.contains(&next) => next,
                Some(_) => {
                    return Err(KommoError::Decode {
                        detail: format!(
                            "{what}: Kommo's link to the next page does not continue the list ({list})"
                        ),
                    });
                }
            };
        }
        Ok(out)
    }
}

/// The part of a `next` href from `/api/v4/` on, with its query: the request always goes
/// to the account's own API root, never to a host the link names.
fn next_path(href: &str) -> Option<String> {
    href.find("/api/v4/").map(|at| href[at..].to_owned())
}

/// A path without its query.
fn endpoint(path: &str) -> &str {
    path.split_once('?').map_or(path, |(endpoint, _)| endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_path_keeps_the_links_page_and_drops_its_host() {
        assert_eq!(
            next_path("https://acme.kommo.com/api/v4/leads/custom_fields?page=2&limit=50"),
            Some("/api/v4/leads/custom_fields?page=2&limit=50".to_owned())
        );
        assert_eq!(
            next_path("http://127.0.0.1:9/acme/api/v4/leads/tags?page=3&query=x"),
            Some("/api/v4/leads/tags?page=3&query=x".to_owned())
        );
        assert_eq!(
            next_path("/api/v4/leads/custom_fields?page=2"),
            Some("/api/v4/leads/custom_fields?page=2".to_owned())
        );
        assert_eq!(next_path("https://evil.example/next"), None);
        assert_eq!(
            endpoint("/api/v4/leads/custom_fields?page=2"),
            "/api/v4/leads/custom_fields"
        );
    }
}
