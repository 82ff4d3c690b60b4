//! The parts of Kommo's JSON answers kommo-mcp reads. Every field is lenient (defaulted),
//! because Kommo adds fields and leaves some out; only what a tool relies on is required.

use serde::Deserialize;
use serde_json::Value;

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Lead {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub price: Option<serde_json::Number>,
    #[serde(default)]
    pub status_id: Option<i64>,
    #[serde(default)]
    pub pipeline_id: Option<i64>,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
    #[serde(default)]
    pub closed_at: Option<i64>,
    /// The loss reason of a lead closed as lost, when it has one.
    #[serde(default)]
    pub loss_reason_id: Option<i64>,
    #[serde(default)]
    pub custom_fields_values: Option<Vec<CustomFieldValue>>,
    #[serde(default, rename = "_embedded")]
    pub embedded: Option<LeadEmbedded>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct LeadEmbedded {
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Only with `with=contacts`: references to the lead's contacts.
    #[serde(default)]
    pub contacts: Vec<ContactRef>,
    /// The lead's company (Kommo links at most one), a reference.
    #[serde(default)]
    pub companies: Vec<CompanyRef>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Tag {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CustomFieldValue {
    pub field_id: i64,
    #[serde(default)]
    pub field_name: Option<String>,
    #[serde(default)]
    pub field_code: Option<String>,
    #[serde(default)]
    pub field_type: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<FieldValue>>,
}

/// One value of a custom field. A value Kommo sends without a `value` key (a chained_list's
/// `{catalog_id, catalog_element_id}`) keeps its other keys as its value.
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "WireFieldValue")]
pub(crate) struct FieldValue {
    pub value: Value,
    pub enum_id: Option<i64>,
    /// The part or kind a value is (`WORK`, `MOB` on phones; `city` on an address).
    pub enum_code: Option<String>,
}

/// A custom field's value as Kommo sends it.
#[derive(Deserialize)]
struct WireFieldValue {
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    enum_id: Option<i64>,
    #[serde(default)]
    enum_code: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, Value>,
}

impl From<WireFieldValue> for FieldValue {
    fn from(wire: WireFieldValue) -> Self {
        let value = match wire.value {
            Some(value) => value,
            None if wire.other.is_empty() => Value::Null,
            None => Value::Object(wire.other),
        };
        FieldValue {
            value,
            enum_id: wire.enum_id,
            enum_code: wire.enum_code,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Pipeline {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_main: bool,
    #[serde(default)]
    pub is_archive: bool,
    #[serde(default, rename = "_embedded")]
    pub embedded: PipelineEmbedded,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PipelineEmbedded {
    #[serde(default)]
    pub statuses: Vec<Status>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Status {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sort: Option<i64>,
    #[serde(default, rename = "type")]
    pub kind: Option<i64>,
}

impl Pipeline {
    pub(crate) fn statuses(&self) -> &[Status] {
        &self.embedded.statuses
    }

    pub(crate) fn status(&self, id: i64) -> Option<&Status> {
        self.statuses().iter().find(|status| status.id == id)
    }
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CustomField {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    /// The options of a select, multiselect or radiobutton field (`null` for other types).
    #[serde(default)]
    pub enums: Option<Vec<FieldEnum>>,
}

/// One option of a select, multiselect or radiobutton field.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct FieldEnum {
    pub id: i64,
    #[serde(default)]
    pub value: String,
}

impl CustomField {
    /// The field's options (none for a field without any).
    pub(crate) fn options(&self) -> &[FieldEnum] {
        self.enums.as_deref().unwrap_or_default()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct AccountInfo {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subdomain: String,
}

/// A list page: `{"_embedded": {"<key>": [...]}, "_links": {"next": ...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(rename = "_embedded")]
    pub embedded: T,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Links {
    #[serde(default)]
    pub next: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PipelinesEmbedded {
    #[serde(default)]
    pub pipelines: Vec<Pipeline>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CustomFieldsEmbedded {
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

/// A single-lead PATCH answer: flat `{id, updated_at}` or wrapped in `_embedded.leads[0]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum UpdatedLead {
    Flat { id: i64 },
    Wrapped { _embedded: UpdatedLeads },
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdatedLeads {
    pub leads: Vec<UpdatedLeadId>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UpdatedLeadId {
    pub id: i64,
}

impl UpdatedLead {
    pub(crate) fn id(&self) -> Option<i64> {
        match self {
            UpdatedLead::Flat { id } => Some(*id),
            UpdatedLead::Wrapped { _embedded } => _embedded.leads.first().map(|lead| lead.id),
        }
    }
}

/// A lead's contact as `with=contacts` embeds it: a reference only.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ContactRef {
    pub id: i64,
    #[serde(default)]
    pub is_main: bool,
}

/// A contact: phones and e-mails are the values of its `PHONE` / `EMAIL` multitext fields.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Contact {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub custom_fields_values: Option<Vec<CustomFieldValue>>,
    #[serde(default, rename = "_embedded")]
    pub embedded: Option<ContactEmbedded>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ContactEmbedded {
    /// Only with `with=leads`.
    #[serde(default)]
    pub leads: Vec<LeadRef>,
}

/// A lead's company as `_embedded.companies` lists it: a reference only.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CompanyRef {
    pub id: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct LeadRef {
    pub id: i64,
}

impl Contact {
    /// The text values of the multitext field with this `field_code` (`PHONE`, `EMAIL`).
    pub(crate) fn values(&self, code: &str) -> Vec<String> {
        self.custom_fields_values
            .iter()
            .flatten()
            .filter(|field| field.field_code.as_deref() == Some(code))
            .flat_map(|field| field.values.iter().flatten())
            .filter_map(|v| v.value.as_str().map(str::to_owned))
            .collect()
    }

    /// The values of the multitext field with this `field_code`, each with its kind
    /// (`enum_code`: `WORK`, `MOB`, `PRIV`, …) when Kommo gives one.
    pub(crate) fn kinded_values(&self, code: &str) -> Vec<(String, Option<String>)> {
        self.custom_fields_values
            .iter()
            .flatten()
            .filter(|field| field.field_code.as_deref() == Some(code))
            .flat_map(|field| field.values.iter().flatten())
            .filter_map(|v| {
                v.value
                    .as_str()
                    .map(|text| (text.to_owned(), v.enum_code.clone()))
            })
            .collect()
    }

    /// The ids of the leads `with=leads` listed.
    pub(crate) fn lead_ids(&self) -> Vec<i64> {
        self.embedded
            .iter()
            .flat_map(|e| &e.leads)
            .map(|lead| lead.id)
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct LeadsEmbedded {
    #[serde(default)]
    pub leads: Vec<Lead>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ContactsEmbedded {
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// A Salesbot of the account.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Bot {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct BotsEmbedded {
    #[serde(default, alias = "bots")]
    pub items: Vec<Bot>,
}
