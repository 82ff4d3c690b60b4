//! The account's lead tags by name: Kommo's tag search (`GET /api/v4/leads/tags?query=`),
//! cached per account and search key for the pipelines' time to live, and the explicit
//! creation of a tag (`POST /api/v4/leads/tags`), so a tag is only ever added to a lead
//! by an id Kommo gave (kommo-api.md §13.1).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::models::{Page, Tag};
use super::send::Request;
use super::{Account, KommoClient, KommoError, decode};

/// One tag-search page asks for Kommo's maximum.
const TAGS_PAGE: u32 = 250;
/// At most this many pages of one search (1,000 tags containing the text).
const MAX_TAG_PAGES: u32 = 4;
/// Beyond this many accounts, or searches of one account, the cache starts over.
const MAX_ACCOUNTS: usize = 1_024;
const MAX_SEARCHES: usize = 512;

#[derive(Debug, Deserialize)]
struct TagsEmbedded {
    #[serde(default)]
    tags: Vec<Tag>,
}

type Searches = HashMap<String, (Instant, Arc<Vec<Tag>>)>;

/// Tag searches per account (`api_root`), by the caller's key for the name searched.
pub(super) struct TagCache {
    ttl: Duration,
    accounts: Mutex<HashMap<String, Searches>>,
}

impl TagCache {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Searches>) -> R) -> R {
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut accounts)
    }

    fn get(&self, account: &Account, key: &str) -> Option<Arc<Vec<Tag>>> {
        self.with(|accounts| {
            let (at, tags) = accounts.get(account.api_root())?.get(key)?;
            (at.elapsed() < self.ttl).then(|| Arc::clone(tags))
        })
    }

    fn put(&self, account: &Account, key: &str, tags: Arc<Vec<Tag>>) {
        if self.ttl.is_zero() {
            return;
        }
        self.with(|accounts| {
            if accounts.len() >= MAX_ACCOUNTS && !accounts.contains_key(account.api_root()) {
                accounts.clear();
            }
            let searches = accounts.entry(account.api_root().to_owned()).or_default();
            if searches.len() >= MAX_SEARCHES {
                searches.clear();
            }
            searches.insert(key.to_owned(), (Instant::now(), tags));
        });
    }

    /// Forgets every search of the account (a tag was created: any of them may now miss it).
    fn forget(&self, account: &Account) {
        self.with(|accounts| accounts.remove(account.api_root()));
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl KommoClient {
    /// The account's lead tags Kommo's search finds for `name` (every page of it), from the
    /// cache when this account searched for `key` within the time to live. The caller picks
    /// the tag among them (Kommo's search matches parts of names too).
    pub(crate) async fn search_lead_tags(
        &self,
        account: &Account,
        name: &str,
        key: &str,
    ) -> Result<Arc<Vec<Tag>>, KommoError> {
        if let Some(tags) = self.tags.get(account, key) {
            return Ok(tags);
        }
        let first = format!(
            "/api/v4/leads/tags?page=1&limit={TAGS_PAGE}&query={}",
            encode(name.trim())
        );
        let found = self
            .every_page(
                account,
                first,
                MAX_TAG_PAGES,
                "the lead tags",
                |page: TagsEmbedded| page.tags,
            )
            .await?;
        let found = Arc::new(found);
        self.tags.put(account, key, Arc::clone(&found));
        Ok(found)
    }

    /// `POST /api/v4/leads/tags` with one tag; returns the tag Kommo created. Never replayed
    /// once Kommo may have received it (a retry could create a second tag).
    pub(crate) async fn create_lead_tag(
        &self,
        account: &Account,
        name: &str,
    ) -> Result<Tag, KommoError> {
        let body = json!([{ "name": name.trim() }]);
        let payload = serde_json::to_vec(&body).map_err(|err| KommoError::Decode {
            detail: err.to_string(),
        })?;
        // Whatever happens, earlier searches may now miss the tag.
        self.tags.forget(account);
        let reply = self
            .sender
            .send(
                account,
                Request::post_once("/api/v4/leads/tags", payload.into(), &|| {
                    "the lead tags".to_owned()
                }),
            )
            .await?;
        let page: Page<TagsEmbedded> = decode(&reply.body, "the tag confirmation")?;
        match page.embedded.tags.into_iter().next() {
            Some(Tag {
                id: Some(id),
                name: created,
            }) => Ok(Tag {
                id: Some(id),
                name: created.or_else(|| Some(name.trim().to_owned())),
            }),
            _ => Err(KommoError::Decode {
                detail: "the tag confirmation names no tag id".to_owned(),
            }),
        }
    }
}
