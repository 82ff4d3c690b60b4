//! Kommo's documented custom-field types (developers.kommo.com/reference/custom-fields, and
//! the types the official PHP library knows) that `update_lead_fields` does not write, each
//! with the reason it is refused; the types it does write are listed once, for messages.

/// The types `update_lead_fields` writes (`field_values.rs` checks each one's value).
pub(super) const WRITTEN: &str = "text, textarea, url, numeric, monetary, checkbox, date, date_time, \
                           birthday, select, radiobutton, multiselect, streetaddress and \
                           tracking_data";

/// Why a type is not written: a value of several parts or a link to something else, which
/// a name-to-value map cannot express safely.
fn reason(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "smart_address" => {
            "its value has several labelled parts (address lines, city, state, zip, country)"
        }
        "legal_entity" => {
            "its value is a company's legal details (name, tax ids, address) in several parts"
        }
        "items" => "its value is a list of catalog items with quantities and prices",
        "chained_list" => "its value links catalog elements",
        "linked_entity" => "its value links another Kommo entity",
        "file" => "its value is a file uploaded to Kommo's file storage",
        "payer" | "supplier" => "it belongs to invoices and links a contact or company",
        "category" => "it belongs to catalogs (lists)",
        "price" => "it belongs to catalogs (lists), not to a lead's sale value",
        "multitext" => "it holds phones and e-mails of contacts and companies",
        "org_legal_name" => "it is a deprecated legal-entity type",
        _ => return None,
    })
}

/// The message refusing a field of `kind`; `what` names the field, `tool` the tool
/// refusing it (update_lead_fields, update_contact).
pub(super) fn unsupported(what: &str, kind: &str, tool: &str) -> String {
    match reason(kind) {
        Some(reason) => {
            format!("{what}: {tool} cannot set {kind} fields: {reason} (it sets {WRITTEN} fields)")
        }
        None => format!(
            "{what}: {tool} cannot set fields of type {kind:?}, a type it does not know (it sets {WRITTEN} fields)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_unwritten_type_is_named_with_a_reason() {
        for kind in [
            "smart_address",
            "legal_entity",
            "items",
            "chained_list",
            "linked_entity",
            "file",
            "payer",
            "supplier",
            "category",
            "price",
            "multitext",
            "org_legal_name",
        ] {
            let message = unsupported("\"X\" (field 1)", kind, "update_lead_fields");
            assert!(
                message.starts_with(&format!(
                    "\"X\" (field 1): update_lead_fields cannot set {kind} fields: "
                )),
                "{message}"
            );
            assert!(message.ends_with("tracking_data fields)"), "{message}");
        }
        assert_eq!(
            unsupported("\"X\" (field 1)", "hologram", "update_lead_fields"),
            format!(
                "\"X\" (field 1): update_lead_fields cannot set fields of type \"hologram\", a type it does not know (it sets {WRITTEN} fields)"
            )
        );
    }
}
