//! The simulator's in-memory world: accounts with their leads, pipelines, custom fields and
//! notes, the runtime switches, and the log of every request received.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::faults::{FaultList, Limiter};
use super::sync::lock;
use super::{MissingLead, SimulatorOptions};

/// Unix time in seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// One request as the simulator saw it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub subdomain: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    /// The W3C trace context the client passed on (`traceparent`, `tracestate`).
    #[serde(default)]
    pub traceparent: Option<String>,
    #[serde(default)]
    pub tracestate: Option<String>,
    pub body: Option<Value>,
    pub status: u16,
    pub at_ms: u64,
}

/// The request log; `first_seq` is the sequence number of `entries[0]`.
#[derive(Default)]
struct RequestLog {
    first_seq: u64,
    entries: Vec<RecordedRequest>,
}

/// Custom field kinds the seed uses (<https://developers.kommo.com/reference/custom-fields>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Checkbox,
    Select,
    Multiselect,
    Radiobutton,
    Text,
    Textarea,
    Url,
    Numeric,
    Date,
    DateTime,
    Birthday,
    Monetary,
    TrackingData,
    StreetAddress,
    /// A value of several parts (company name, tax ids…), stored as the object given.
    LegalEntity,
    /// An address as labelled parts, one value each with its `enum_id` and `enum_code`.
    SmartAddress,
    /// A file in Kommo's file storage (`{file_uuid, version_uuid, file_name, file_size}`).
    File,
    /// Links to catalog elements (`{catalog_id, catalog_element_id}`, no `value`).
    ChainedList,
    /// Several texts each with a kind (`enum_code`): a contact's PHONE and EMAIL.
    Multitext,
}

impl FieldType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FieldType::Checkbox => "checkbox",
            FieldType::Select => "select",
            FieldType::Multiselect => "multiselect",
            FieldType::Radiobutton => "radiobutton",
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Url => "url",
            FieldType::Numeric => "numeric",
            FieldType::Date => "date",
            FieldType::DateTime => "date_time",
            FieldType::Birthday => "birthday",
            FieldType::Monetary => "monetary",
            FieldType::TrackingData => "tracking_data",
            FieldType::StreetAddress => "streetaddress",
            FieldType::LegalEntity => "legal_entity",
            FieldType::SmartAddress => "smart_address",
            FieldType::File => "file",
            FieldType::ChainedList => "chained_list",
            FieldType::Multitext => "multitext",
        }
    }
}

/// The parts of a smart_address value, in Kommo's order (`enum_id` 1 to 6).
pub(crate) const ADDRESS_PARTS: [&str; 6] = [
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "zip",
    "country",
];

pub(crate) struct CustomField {
    pub id: i64,
    pub name: String,
    /// The field's code, for fields that have one (writes may name it as `field_code`).
    pub code: Option<&'static str>,
    pub kind: FieldType,
    pub sort: i64,
    /// `(id, value, sort)`
    pub enums: Vec<(i64, String, i64)>,
}

pub(crate) struct Status {
    pub id: i64,
    pub name: &'static str,
    pub sort: i64,
    pub is_editable: bool,
    pub color: &'static str,
    /// 1 = incoming leads, 0 = regular.
    pub kind: u8,
}

pub(crate) struct Pipeline {
    pub id: i64,
    pub name: &'static str,
    pub sort: i64,
    pub is_main: bool,
    pub statuses: Vec<Status>,
}

impl Pipeline {
    pub(crate) fn has_status(&self, status_id: i64) -> bool {
        self.statuses.iter().any(|s| s.id == status_id)
    }
}

pub(crate) struct Lead {
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub responsible_user_id: i64,
    pub group_id: i64,
    pub status_id: i64,
    pub pipeline_id: i64,
    pub created_by: i64,
    pub updated_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// The loss reason of a lead closed as lost (143), when one was given.
    pub loss_reason_id: Option<i64>,
    /// `(field_id, values)` in the order they were first set.
    pub custom_fields: Vec<(i64, Vec<Value>)>,
    pub tags: Vec<(i64, String)>,
}

pub(crate) struct Note {
    pub id: i64,
    pub entity_id: i64,
    pub note_type: String,
    pub params: Value,
    pub created_at: i64,
    pub responsible_user_id: i64,
    pub group_id: i64,
}

/// What changes on an account.
pub(crate) struct AccountData {
    pub leads: BTreeMap<i64, Lead>,
    pub notes: Vec<Note>,
    pub next_note_id: i64,
    /// The account's lead tags `(id, name)` (tags are per entity type).
    pub tags: Vec<(i64, String)>,
    pub next_tag_id: i64,
    /// Contacts, tasks and Salesbots (`crm.rs`).
    pub crm: super::crm::CrmData,
    /// Events, users and loss reasons (`history.rs`).
    pub history: super::history::HistoryData,
}

/// One Kommo account (subdomain).
pub(crate) struct Account {
    pub subdomain: String,
    pub token: String,
    pub id: i64,
    pub name: &'static str,
    pub current_user_id: i64,
    pub country: &'static str,
    pub currency: &'static str,
    pub currency_symbol: &'static str,
    /// The IANA time zone `with=datetime_settings` names (changeable at run time,
    /// `SimState::set_time_zone`).
    pub time_zone: RwLock<String>,
    /// Changeable at run time (`SimState::remove_status`), so tests can make a client's
    /// cached copy stale.
    pub pipelines: RwLock<Vec<Pipeline>>,
    pub fields: Vec<CustomField>,
    /// The contact custom fields (PHONE and EMAIL first; `contact_fields.rs`).
    pub contact_fields: Vec<CustomField>,
    pub data: Mutex<AccountData>,
    pub limiter: Mutex<Limiter>,
}

impl Account {
    /// The pipelines as they are now (a read lock; never held across an `.await`).
    pub(crate) fn pipelines(&self) -> RwLockReadGuard<'_, Vec<Pipeline>> {
        self.pipelines.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn field(&self, id: i64) -> Option<&CustomField> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub(crate) fn contact_field(&self, id: i64) -> Option<&CustomField> {
        self.contact_fields.iter().find(|f| f.id == id)
    }

    /// Whether `authorization` is `Bearer <this account's token>`.
    pub(crate) fn authorizes(&self, authorization: Option<&str>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        match value.split_once(' ') {
            Some((scheme, token)) => {
                scheme.eq_ignore_ascii_case("bearer") && token.trim() == self.token
            }
            None => false,
        }
    }
}

/// The whole simulator state, shared by the server task and whoever holds the `Simulator`.
pub struct SimState {
    started: Instant,
    base_url: OnceLock<String>,
    accounts: RwLock<HashMap<String, Arc<Account>>>,
    log: Mutex<RequestLog>,
    pub(crate) faults: FaultList,
    missing_lead: AtomicU8,
    /// `u64::MAX` = no limit.
    rate_limit: AtomicU64,
    pub(crate) block_after: Option<u32>,
    pub(crate) retry_after_secs: u64,
    pub(crate) retry_after_header: bool,
    request_ids: AtomicU64,
    next_account_id: AtomicI64,
    /// TCP connections accepted so far (to see whether a client reuses its connections).
    connections: AtomicU64,
}

impl SimState {
    pub(crate) fn new(options: &SimulatorOptions) -> SimState {
        let state = SimState {
            started: Instant::now(),
            base_url: OnceLock::new(),
            accounts: RwLock::new(HashMap::new()),
            log: Mutex::new(RequestLog::default()),
            faults: FaultList::default(),
            missing_lead: AtomicU8::new(0),
            rate_limit: AtomicU64::new(u64::MAX),
            block_after: options.block_after,
            retry_after_secs: options.retry_after_secs,
            retry_after_header: options.retry_after_header,
            request_ids: AtomicU64::new(1),
            next_account_id: AtomicI64::new(super::seed::ACCOUNT_ID),
            connections: AtomicU64::new(0),
        };
        state.set_missing_lead(options.missing_lead);
        state.set_rate_limit(options.rate_limit);
        state
    }

    pub(crate) fn set_base_url(&self, base: String) {
        let _ = self.base_url.set(base);
    }

    /// "http://127.0.0.1:PORT" (empty before the server is bound).
    pub(crate) fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    pub(crate) fn connection_accepted(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// How many TCP connections the simulator has accepted (control API ones included).
    pub fn connections_accepted(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    pub(crate) fn next_request_id(&self) -> u64 {
        self.request_ids.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn account(&self, subdomain: &str) -> Option<Arc<Account>> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(subdomain)
            .cloned()
    }

    fn accounts_snapshot(&self) -> Vec<Arc<Account>> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Seeds (or re-seeds) the demo account `subdomain`, reachable with `token`.
    pub fn add_demo_account(&self, subdomain: &str, token: &str) {
        let id = self.next_account_id.fetch_add(1, Ordering::Relaxed);
        let account = super::seed::demo_account(subdomain, token, id, unix_now());
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(subdomain.to_owned(), Arc::new(account));
    }

    /// Adds `count` open leads to account `subdomain` (copies of its first lead, in its
    /// pipeline's first status, with new ids and names), for load that spreads over many
    /// leads. Returns their ids; none when there is no such account.
    pub fn add_leads(&self, subdomain: &str, count: usize) -> Vec<i64> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let mut data = super::sync::lock(&account.data);
        let Some(template) = data.leads.values().next() else {
            return Vec::new();
        };
        let (pipeline_id, status_id, user) = (
            template.pipeline_id,
            template.status_id,
            template.responsible_user_id,
        );
        let first = data
            .leads
            .keys()
            .next_back()
            .map_or(1, |last| last + 1)
            .max(100_000);
        let now = unix_now();
        let ids: Vec<i64> = (first..first + count as i64).collect();
        for &id in &ids {
            data.leads.insert(
                id,
                Lead {
                    id,
                    name: format!("Load lead {id}"),
                    price: 0,
                    responsible_user_id: user,
                    group_id: 0,
                    status_id,
                    pipeline_id,
                    created_by: user,
                    updated_by: user,
                    created_at: now,
                    updated_at: now,
                    closed_at: None,
                    loss_reason_id: None,
                    custom_fields: Vec::new(),
                    tags: Vec::new(),
                },
            );
        }
        ids
    }

    /// Sets the time zone account `subdomain` reports (an IANA name such as
    /// `Europe/Moscow`). Returns whether there is such an account.
    pub fn set_time_zone(&self, subdomain: &str, time_zone: &str) -> bool {
        let Some(account) = self.account(subdomain) else {
            return false;
        };
        *account.time_zone.write().unwrap_or_else(|e| e.into_inner()) = time_zone.to_owned();
        true
    }

    /// Removes status `status_id` from pipeline `pipeline_id` of account `subdomain`, as
    /// when someone deletes a stage in Kommo's settings. Leads already in it stay there.
    /// Returns whether there was such a status.
    pub fn remove_status(&self, subdomain: &str, pipeline_id: i64, status_id: i64) -> bool {
        let Some(account) = self.account(subdomain) else {
            return false;
        };
        let mut pipelines = account.pipelines.write().unwrap_or_else(|e| e.into_inner());
        let Some(pipeline) = pipelines.iter_mut().find(|p| p.id == pipeline_id) else {
            return false;
        };
        let before = pipeline.statuses.len();
        pipeline.statuses.retain(|s| s.id != status_id);
        pipeline.statuses.len() != before
    }

    /// Appends `request` (its `at_ms` is set here) and returns its sequence number.
    pub(crate) fn record(&self, mut request: RecordedRequest) -> (u64, u64) {
        let mut log = lock(&self.log);
        request.at_ms = self.now_ms();
        let at = request.at_ms;
        log.entries.push(request);
        (log.first_seq + log.entries.len() as u64 - 1, at)
    }

    /// Sets the status of the request recorded as `seq` (if still in the log).
    pub(crate) fn set_status(&self, seq: u64, status: u16) {
        let mut log = lock(&self.log);
        if let Some(i) = seq.checked_sub(log.first_seq)
            && let Some(entry) = log.entries.get_mut(i as usize)
        {
            entry.status = status;
        }
    }

    /// Every request received, in arrival order, including refused ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).entries.clone()
    }

    pub fn clear_requests(&self) {
        let mut log = lock(&self.log);
        log.first_seq += log.entries.len() as u64;
        log.entries.clear();
    }

    pub fn push_fault(&self, fault: super::Fault) {
        self.faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.faults.clear();
    }

    pub fn set_missing_lead(&self, mode: MissingLead) {
        let v = match mode {
            MissingLead::NoContent => 0,
            MissingLead::NotFound => 1,
        };
        self.missing_lead.store(v, Ordering::Relaxed);
    }

    pub(crate) fn missing_lead(&self) -> MissingLead {
        match self.missing_lead.load(Ordering::Relaxed) {
            0 => MissingLead::NoContent,
            _ => MissingLead::NotFound,
        }
    }

    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        let v = per_second.map(u64::from).unwrap_or(u64::MAX);
        self.rate_limit.store(v, Ordering::Relaxed);
    }

    pub(crate) fn rate_limit(&self) -> Option<u32> {
        u32::try_from(self.rate_limit.load(Ordering::Relaxed)).ok()
    }

    /// Lifts every 403 block and resets the 429 counters and rate windows.
    pub fn unblock_all(&self) {
        for account in self.accounts_snapshot() {
            lock(&account.limiter).reset();
        }
    }

    /// The most requests to `subdomain` inside any 1000 ms window of the log.
    pub fn max_requests_in_any_second(&self, subdomain: &str) -> usize {
        let log = lock(&self.log);
        let times: Vec<u64> = log
            .entries
            .iter()
            .filter(|r| r.subdomain == subdomain)
            .map(|r| r.at_ms)
            .collect();
        let (mut best, mut start) = (0, 0);
        for end in 0..times.len() {
            while times[end] - times[start] >= 1000 {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
        best
    }

    /// How many requests in the log were answered 429.
    pub fn count_429(&self) -> usize {
        lock(&self.log)
            .entries
            .iter()
            .filter(|r| r.status == 429)
            .count()
    }

    /// (requests, 429s) for one subdomain.
    pub(crate) fn counts(&self, subdomain: &str) -> (usize, usize) {
        let log = lock(&self.log);
        let mine = log.entries.iter().filter(|r| r.subdomain == subdomain);
        mine.fold((0, 0), |(n, t), r| {
            (n + 1, t + usize::from(r.status == 429))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(subdomain: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: "/api/v4/account".into(),
            query: None,
            subdomain: subdomain.into(),
            authorization: None,
            traceparent: None,
            tracestate: None,
            user_agent: None,
            body: None,
            status: 0,
            at_ms: 0,
        }
    }

    #[test]
    fn status_updates_survive_clear() {
        let state = SimState::new(&SimulatorOptions::default());
        let (a, _) = state.record(request("x"));
        state.clear_requests();
        let (b, _) = state.record(request("x"));
        state.set_status(a, 500);
        state.set_status(b, 200);
        let log = state.requests();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, 200);
    }

    #[test]
    fn lead_view_of_seeded_lead() {
        let state = SimState::new(&SimulatorOptions::default());
        state.add_demo_account("demo", "t");
        let lead = state.lead("demo", 9001).unwrap();
        assert_eq!(lead["pipeline_id"], 1001);
        assert_eq!(lead["custom_fields_values"].as_array().unwrap().len(), 2);
        assert!(state.lead("demo", 9002).unwrap()["custom_fields_values"].is_null());
        assert!(state.lead("demo", 9006).is_none());
        assert!(state.lead("other", 9001).is_none());
        assert!(state.notes("demo", 9001).is_empty());
    }

    #[test]
    fn remove_status_changes_the_pipeline_once() {
        let state = SimState::new(&SimulatorOptions::default());
        state.add_demo_account("demo", "t");
        assert!(state.remove_status("demo", 1001, 2004));
        assert!(!state.remove_status("demo", 1001, 2004), "already gone");
        assert!(!state.remove_status("demo", 4242, 2003), "no such pipeline");
        assert!(!state.remove_status("other", 1001, 2003), "no such account");
        let account = state.account("demo").unwrap();
        let pipelines = account.pipelines();
        let sales = pipelines.iter().find(|p| p.id == 1001).unwrap();
        assert!(!sales.has_status(2004) && sales.has_status(2003));
    }

    #[test]
    fn authorization_needs_bearer_and_token() {
        let state = SimState::new(&SimulatorOptions::default());
        state.add_demo_account("demo", "tok");
        let account = state.account("demo").unwrap();
        assert!(account.authorizes(Some("Bearer tok")));
        assert!(!account.authorizes(Some("Bearer other")));
        assert!(!account.authorizes(Some("tok")));
        assert!(!account.authorizes(None));
    }
}
