//! `assign_lead`: gives a lead to one of the account's users (its responsible user), the
//! user named by id, name or e-mail and checked against the account's users first.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Id, ToolArgs, tool_args},
    id_or_name::IdOrName,
    names::{Pick, pick},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::{kommo::User, observe::call::describe};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Assign lead",
    summary: "Give a lead to a salesperson (its responsible user).",
    description: "Give a lead in Kommo CRM to one of the account's users (its responsible user), \
             e.g. to hand the conversation to a named salesperson. user is the user's id, name or \
             e-mail (compared ignoring case). To hand a conversation over to a person, call \
             pause_agent first, then assign_lead, then optionally create_task for the salesperson. \
             Checks the lead and the user before changing anything: a name several users share, an \
             unknown user or a deactivated one is refused with the candidates (id, name, e-mail). \
             If the lead already belongs to that user, nothing is changed and the call succeeds. \
             On failure nothing is changed.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Lead successfully assigned to the specified user."),
        missing: Some("Failed to assign lead: the specified lead does not exist in Kommo."),
        failed: "Failed to assign lead: the user could not be resolved or Kommo did not accept the update.",
    },
    definition: super::define::<AssignLeadArgs, AssignLeadOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of assign_lead.
    struct AssignLeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The user to give the lead to: their Kommo user id, name ("Ana Souza") or e-mail.
        user: IdOrName,
        /// true: check everything (lead, user) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What assign_lead did.
#[derive(Serialize, JsonSchema)]
pub(super) struct AssignLeadOutput {
    pub lead_id: i64,
    /// The responsible user now.
    pub user_id: i64,
    pub user_name: String,
    /// False when the lead already belonged to that user (nothing was sent).
    pub changed: bool,
    /// The responsible user before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_user_id: Option<i64>,
}

const UNKNOWN_USER: ErrorInfo = ErrorInfo {
    kind: "unknown_user",
    status: None,
};
const AMBIGUOUS_USER: ErrorInfo = ErrorInfo {
    kind: "ambiguous_user",
    status: None,
};
const INACTIVE_USER: ErrorInfo = ErrorInfo {
    kind: "inactive_user",
    status: None,
};

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, wanted, dry_run) = match AssignLeadArgs::parse(args) {
        Ok(args) => (args.lead_id.0, args.user, call.is_dry_run(args.dry_run)),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    describe(|change| change.lead_id = Some(lead_id));
    let (target, lead) = match call.lead_to_change(lead_id, &SPEC.sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let users = match call.client().users(&target.account).await {
        Ok(users) => users,
        Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    };
    let user = match resolve_user(&users, &wanted) {
        Ok(user) => user,
        Err((reason, kind)) => {
            return outcome::failure(SPEC.sentences.failed, reason, ids(), kind);
        }
    };
    describe(|change| {
        change.before = Some(json!({ "responsible_user_id": lead.responsible_user_id }));
        change.after = Some(json!({ "responsible_user_id": user.id }));
    });
    let output = AssignLeadOutput {
        lead_id,
        user_id: user.id,
        user_name: user.name.clone(),
        changed: lead.responsible_user_id != Some(user.id),
        previous_user_id: lead.responsible_user_id,
    };
    if !output.changed {
        return outcome::success(SPEC.sentences.when_done(), &output);
    }
    let write = Write::UpdateLead {
        lead_id,
        body: json!({ "responsible_user_id": user.id }),
    };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, &SPEC.sentences, ids(), &output)
}

/// The one active user `wanted` names (id, name or e-mail), or the reason with the
/// candidates and the kind of failure.
pub(super) fn resolve_user<'a>(
    users: &'a [User],
    wanted: &IdOrName,
) -> Result<&'a User, (String, ErrorInfo)> {
    let found = match wanted {
        IdOrName::Id(id) => match users.iter().find(|user| user.id == *id) {
            Some(user) => Pick::One(user),
            None => Pick::None,
        },
        IdOrName::Name(name) => pick(name, users.iter(), |user| {
            [Some(user.name.as_str()), user.email.as_deref()]
                .into_iter()
                .flatten()
        }),
    };
    let asked = match wanted {
        IdOrName::Id(id) => format!("user id {id}"),
        IdOrName::Name(name) => format!("user {name:?}"),
    };
    match found {
        Pick::One(user) if user.is_active() => Ok(user),
        Pick::One(user) => Err((
            format!(
                "{asked} is {} and is deactivated in Kommo; give the lead to an active user: {}. \
                 Nothing was changed.",
                candidate(user),
                list(users.iter().filter(|u| u.is_active()))
            ),
            INACTIVE_USER,
        )),
        Pick::Several(several) => Err((
            format!(
                "{asked} matches several users: {}; give the user's id or e-mail instead. \
                 Nothing was changed.",
                list(several.into_iter())
            ),
            AMBIGUOUS_USER,
        )),
        Pick::None => Err((
            format!(
                "{asked} is not a user of this account; its active users are: {}. Nothing was \
                 changed.",
                list(users.iter().filter(|u| u.is_active()))
            ),
            UNKNOWN_USER,
        )),
    }
}

/// "Ana Souza (id 7000001, ana@example.com)", with "deactivated" when the user is.
fn candidate(user: &User) -> String {
    let email = user
        .email
        .as_deref()
        .map(|email| format!(", {email}"))
        .unwrap_or_default();
    let inactive = if user.is_active() {
        ""
    } else {
        ", deactivated"
    };
    format!("{:?} (id {}{email}{inactive})", user.name, user.id)
}

fn list<'a>(users: impl Iterator<Item = &'a User>) -> String {
    let named: Vec<String> = users.map(candidate).collect();
    if named.is_empty() {
        "none".to_owned()
    } else {
        named.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<User> {
        serde_json::from_value(json!([
            {"id": 1, "name": "Ana Souza", "email": "ana@example.com"},
            {"id": 2, "name": "Bruno Díaz", "email": "bruno@example.com"},
            {"id": 3, "name": "Olga Ivanova", "email": "olga@example.com", "rights": {"is_active": false}},
            {"id": 4, "name": "ANA SOUZA", "email": "ana.s@example.com"}
        ]))
        .unwrap()
    }

    fn name(text: &str) -> IdOrName {
        IdOrName::Name(text.to_owned())
    }

    #[test]
    fn ids_names_and_emails_resolve_case_insensitively() {
        let users = users();
        assert_eq!(
            resolve_user(&users, &IdOrName::Id(2)).ok().map(|u| u.id),
            Some(2)
        );
        assert_eq!(
            resolve_user(&users, &name("BRUNO DÍAZ")).ok().map(|u| u.id),
            Some(2)
        );
        assert_eq!(
            resolve_user(&users, &name("bruno diaz")).ok().map(|u| u.id),
            Some(2)
        );
        assert_eq!(
            resolve_user(&users, &name("Ana@Example.com"))
                .ok()
                .map(|u| u.id),
            Some(1)
        );
    }

    #[test]
    fn ambiguous_inactive_and_unknown_users_are_refused_with_candidates() {
        let users = users();
        let Err((reason, kind)) = resolve_user(&users, &name("ana souza")) else {
            panic!("resolved")
        };
        assert_eq!(kind.kind, "ambiguous_user");
        assert!(
            reason.contains("\"Ana Souza\" (id 1, ana@example.com)"),
            "{reason}"
        );
        assert!(
            reason.contains("\"ANA SOUZA\" (id 4, ana.s@example.com)"),
            "{reason}"
        );
        let Err((reason, kind)) = resolve_user(&users, &name("Olga Ivanova")) else {
            panic!("resolved")
        };
        assert_eq!(kind.kind, "inactive_user");
        assert!(reason.contains("deactivated"), "{reason}");
        assert!(!reason.contains("active user: \"Olga"), "{reason}");
        let Err((reason, kind)) = resolve_user(&users, &IdOrName::Id(99)) else {
            panic!("resolved")
        };
        assert_eq!(kind.kind, "unknown_user");
        assert!(
            reason.contains("\"Bruno Díaz\" (id 2, bruno@example.com)"),
            "{reason}"
        );
        assert!(!reason.contains("Olga"), "{reason}");
    }
}
