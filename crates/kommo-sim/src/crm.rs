//! The simulator's contacts, tasks and Salesbots as one account stores them, the seeded
//! ones, and their one-line description in the sandbox banner. Their routes live in
//! `routes/contacts.rs`, `routes/tasks.rs` and `routes/bots.rs`.

/// A contact: phones and e-mails are multitext values with an `enum_code`.
pub(crate) struct Contact {
    pub id: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub responsible_user_id: i64,
    pub updated_at: i64,
    /// `(value, enum_code)`
    pub phones: Vec<(String, &'static str)>,
    pub emails: Vec<(String, &'static str)>,
    /// The other contact field values (`contact_fields.rs`): `(field_id, values)`.
    pub custom_fields: Vec<(i64, Vec<serde_json::Value>)>,
}

/// A stored task.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    pub id: i64,
    pub entity_id: Option<i64>,
    pub entity_type: Option<String>,
    pub text: String,
    pub complete_till: i64,
    pub task_type_id: i64,
    pub responsible_user_id: i64,
    pub is_completed: bool,
    pub created_at: i64,
}

/// A Salesbot.
pub(crate) struct Bot {
    pub id: i64,
    pub name: &'static str,
    /// The lead field whose value the bot's send-message step sends, if it has one.
    pub sends_field: Option<i64>,
}

/// A run or stop Kommo accepted (202).
#[derive(Clone, Debug)]
pub(crate) struct BotAction {
    pub action: &'static str,
    pub bot_id: i64,
    pub entity_id: i64,
    pub entity_type: String,
    /// The text a run of a sending bot sent to the lead's chat.
    pub sent: Option<String>,
}

/// Contacts, lead–contact links, tasks and bots of one account.
pub(crate) struct CrmData {
    pub contacts: Vec<Contact>,
    /// `(lead_id, contact_id, is_main)`
    pub links: Vec<(i64, i64, bool)>,
    pub tasks: Vec<Task>,
    pub next_task_id: i64,
    pub bots: Vec<Bot>,
    pub bot_actions: Vec<BotAction>,
    /// Companies created with a lead: `(id, name)`.
    pub companies: Vec<(i64, String)>,
    /// `(lead_id, company_id)`
    pub company_links: Vec<(i64, i64)>,
}

/// The task types every account has (1 follow-up, 2 meeting); seeded accounts add 3.
pub(crate) const TASK_TYPES: &[i64] = &[1, 2, 3];

/// The seeded contacts, links, tasks and bot.
pub(crate) fn seed(now: i64, user_id: i64) -> CrmData {
    let contact =
        |id: i64, first: &str, last: &str, phones: &[(&str, &'static str)], emails: &[&str]| {
            Contact {
                id,
                name: format!("{first} {last}").trim().to_owned(),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                responsible_user_id: user_id,
                updated_at: now - 3_600 * (id - 8000),
                phones: phones.iter().map(|(p, c)| ((*p).to_owned(), *c)).collect(),
                emails: emails.iter().map(|e| ((*e).to_owned(), "WORK")).collect(),
                custom_fields: super::contact_fields::seeded_values(id),
            }
        };
    CrmData {
        contacts: vec![
            contact(
                8001,
                "Maria",
                "Gonzalez",
                &[("+54 9 11 5555-0101", "MOB")],
                &["maria@example.com"],
            ),
            contact(8002, "Pedro", "Gonzalez", &[("5491155550102", "WORK")], &[]),
            contact(
                8003,
                "Acme",
                "Purchasing",
                &[("(011) 4444-0303", "WORK"), ("+54 9 11 6666-0303", "MOB")],
                &["buy@acme.example"],
            ),
            contact(
                8004,
                "Juan",
                "Perez",
                &[("011 15 7777-0404", "MOB")],
                &["juan.perez@example.org"],
            ),
        ],
        links: vec![
            (9001, 8001, true),
            (9001, 8002, false),
            (9002, 8003, true),
            (9003, 8004, true),
        ],
        tasks: vec![Task {
            id: 60_001,
            entity_id: Some(9002),
            entity_type: Some("leads".into()),
            text: "Send the renewal quote".into(),
            complete_till: now + 86_400,
            task_type_id: 1,
            responsible_user_id: user_id,
            is_completed: false,
            created_at: now - 3_600,
        }],
        next_task_id: 60_002,
        bots: vec![Bot {
            id: 401,
            name: "Welcome bot",
            sends_field: None,
        }],
        bot_actions: Vec::new(),
        companies: Vec::new(),
        company_links: Vec::new(),
    }
}

/// The sandbox's description of the seeded contacts and bots (one line each).
pub(crate) fn summary(crm: &CrmData) -> String {
    let mut out = String::new();
    for c in &crm.contacts {
        let leads: Vec<String> = crm
            .links
            .iter()
            .filter(|(_, id, _)| *id == c.id)
            .map(|(lead, _, _)| lead.to_string())
            .collect();
        let phones: Vec<&str> = c.phones.iter().map(|(p, _)| p.as_str()).collect();
        let emails: Vec<&str> = c.emails.iter().map(|(e, _)| e.as_str()).collect();
        out.push_str(&format!(
            "  contact {} \"{}\" (lead {}; phones {}; e-mails {})\n",
            c.id,
            c.name,
            leads.join(", "),
            phones.join(", "),
            if emails.is_empty() {
                "none".to_owned()
            } else {
                emails.join(", ")
            }
        ));
    }
    for bot in &crm.bots {
        out.push_str(&format!("  Salesbot {} \"{}\"\n", bot.id, bot.name));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_names_contacts_and_the_salesbot() {
        let text = crate::seed::summary();
        assert!(text.contains("contact 8001 \"Maria Gonzalez\" (lead 9001; phones +54 9 11 5555-0101; e-mails maria@example.com)"), "{text}");
        assert!(text.contains("Salesbot 401 \"Welcome bot\""), "{text}");
        assert!(
            text.contains("contact fields: 5101 \"Phone\" (multitext), 5102 \"Email\" (multitext), 5103 \"Cargo\" (text), 5104 \"Canal preferido\" (select)"),
            "{text}"
        );
    }
}
