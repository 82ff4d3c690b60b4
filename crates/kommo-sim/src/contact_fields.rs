//! The simulator's contact custom fields: Kommo's PHONE and EMAIL (multitext, with a kind
//! per value) and a few an account's admin adds, named as Latin-American accounts name
//! them (a text, a select, a birthday and a date), with the values the seeded contacts hold.
//! Their routes are `routes/custom_fields.rs` (`GET /api/v4/contacts/custom_fields`) and
//! `routes/contacts.rs` / `routes/create.rs` (reading and patching a contact).

use serde_json::{Value, json};

use super::state::{CustomField, FieldType};

/// Kommo's own contact fields, whose values `crm::Contact` keeps apart with their kinds.
pub const PHONE_FIELD_ID: i64 = 5101;
pub const EMAIL_FIELD_ID: i64 = 5102;
/// The contact's position in the customer's company (text).
pub const POSITION_FIELD_ID: i64 = 5103;
/// How the customer prefers to be reached (select).
pub const CHANNEL_FIELD_ID: i64 = 5104;
pub const BIRTHDAY_FIELD_ID: i64 = 5105;
/// The day the contact became a customer (date).
pub const CUSTOMER_SINCE_FIELD_ID: i64 = 5106;

fn field(id: i64, name: &str, code: Option<&'static str>, kind: FieldType) -> CustomField {
    CustomField {
        id,
        name: name.to_owned(),
        code,
        kind,
        sort: id - PHONE_FIELD_ID + 1,
        enums: Vec::new(),
    }
}

/// The contact custom fields of every seeded account.
pub(crate) fn seed() -> Vec<CustomField> {
    let mut channel = field(CHANNEL_FIELD_ID, "Canal preferido", None, FieldType::Select);
    channel.enums = vec![
        (6201, "WhatsApp".to_owned(), 1),
        (6202, "Llamada".to_owned(), 2),
        (6203, "E-mail".to_owned(), 3),
    ];
    vec![
        field(PHONE_FIELD_ID, "Phone", Some("PHONE"), FieldType::Multitext),
        field(EMAIL_FIELD_ID, "Email", Some("EMAIL"), FieldType::Multitext),
        field(
            POSITION_FIELD_ID,
            "Cargo",
            Some("POSITION"),
            FieldType::Text,
        ),
        channel,
        field(
            BIRTHDAY_FIELD_ID,
            "Data de nascimento",
            None,
            FieldType::Birthday,
        ),
        field(
            CUSTOMER_SINCE_FIELD_ID,
            "Cliente desde",
            None,
            FieldType::Date,
        ),
    ]
}

/// The other field values a seeded contact holds (`(field_id, values)`): contact 8001 has
/// a position and a preferred channel.
pub(crate) fn seeded_values(contact_id: i64) -> Vec<(i64, Vec<Value>)> {
    match contact_id {
        8001 => vec![
            (
                POSITION_FIELD_ID,
                vec![json!({"value": "Gerente de compras"})],
            ),
            (
                CHANNEL_FIELD_ID,
                vec![json!({"value": "WhatsApp", "enum_id": 6201})],
            ),
        ],
        _ => Vec::new(),
    }
}

/// Whether `id` is one of the PHONE / EMAIL fields (kept as the contact's kinded lists).
pub(crate) fn is_multitext(id: i64) -> bool {
    matches!(id, PHONE_FIELD_ID | EMAIL_FIELD_ID)
}
