//! The names of kommo-mcp's tools and the sets of them that `TOOLS_TO_USE` enables.

use std::fmt;

/// The one list of kommo-mcp's tools, one line each, sorted by name (the order `tools/list`
/// shows them): the `ToolName` variant, the tool's name, whether it only `reads` or also
/// `writes`, and the spec in `tools/` that says everything else about it (`tools::ToolSpec`).
///
/// This is the only place a tool is registered. `ToolName` (with `ALL`, `as_str`, `parse`,
/// `is_read_only`) is expanded from it here, and the dispatch, definitions, instructions, man
/// page and `docs/tools.md` from it in `tools/` (`every_tool!(macro_name)` calls
/// `macro_name!` with the list). Adding a tool is its file plus one line here: see
/// docs/architecture.md, "Adding a tool".
macro_rules! every_tool {
    ($then:ident) => {
        $then! {
            AddBudget "add_budget" writes budget::SPEC,
            AddNote "add_note" writes note::SPEC,
            AddTag "add_tag" writes tag::ADD,
            AssignLead "assign_lead" writes assign_lead::SPEC,
            CloseLead "close_lead" writes close_lead::SPEC,
            CreateLead "create_lead" writes create_lead::SPEC,
            CreateTask "create_task" writes create_task::SPEC,
            FindLeads "find_leads" reads find_leads::SPEC,
            GetLead "get_lead" reads get_lead::SPEC,
            GetLeadHistory "get_lead_history" reads get_lead_history::SPEC,
            ListCustomFields "list_custom_fields" reads list_custom_fields::SPEC,
            ListLossReasons "list_loss_reasons" reads list_loss_reasons::SPEC,
            ListPipelines "list_pipelines" reads list_pipelines::SPEC,
            ListSalesbots "list_salesbots" reads salesbots::LIST,
            ListUsers "list_users" reads list_users::SPEC,
            MoveLead "move_lead" writes move_lead::SPEC,
            PauseAgent "pause_agent" writes pause::PAUSE,
            RemoveTag "remove_tag" writes tag::REMOVE,
            ResumeAgent "resume_agent" writes pause::RESUME,
            RunSalesbot "run_salesbot" writes salesbots::RUN,
            SendMessage "send_message" writes send_message::SPEC,
            StopSalesbot "stop_salesbot" writes salesbots::STOP,
            UpdateContact "update_contact" writes update_contact::SPEC,
            UpdateLeadFields "update_lead_fields" writes update_fields::SPEC,
        }
    };
}
pub(crate) use every_tool;

/// Whether a list line says `reads`.
macro_rules! reads {
    (reads) => {
        true
    };
    (writes) => {
        false
    };
}

/// Expands [`every_tool!`] into `ToolName` and its names.
macro_rules! tool_names {
    ($($variant:ident $name:literal $access:ident $spec:path,)+) => {
        /// Every tool kommo-mcp offers, in the order `tools/list` shows them (sorted by name).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ToolName {
            $($variant,)+
        }

        impl ToolName {
            /// Every tool, in [`every_tool!`] order.
            pub const ALL: [ToolName; [$(stringify!($variant)),+].len()] = [$(ToolName::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ToolName::$variant => $name,)+
                }
            }

            /// Whether the tool only reads (the tools read-only mode keeps).
            pub fn is_read_only(self) -> bool {
                match self {
                    $(ToolName::$variant => reads!($access),)+
                }
            }
        }
    };
}

every_tool!(tool_names);

impl ToolName {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tool| tool.as_str() == name)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for ToolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of enabled tools (a bit set: copying and intersecting it costs nothing).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ToolSet(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ToolListError {
    #[error("unknown tool {name:?} (known tools: {known})")]
    Unknown { name: String, known: String },
    #[error("malformed tool list {raw:?}: a JSON array must hold tool names as strings ({reason})")]
    MalformedJson { raw: String, reason: String },
}

impl ToolSet {
    pub(crate) const EMPTY: ToolSet = ToolSet(0);

    pub(crate) fn all() -> Self {
        Self::ALL_SET
    }

    const ALL_SET: ToolSet = ToolSet((1 << ToolName::ALL.len()) - 1);

    /// Parses `TOOLS_TO_USE`: a JSON array (`["move_lead","add_note"]`) or CSV
    /// (`move_lead, add_note`). An empty string or `[]` is the empty set.
    pub(crate) fn parse(raw: &str) -> Result<Self, ToolListError> {
        let trimmed = raw.trim();
        if trimmed.starts_with('[') {
            let names: Vec<String> =
                serde_json::from_str(trimmed).map_err(|err| ToolListError::MalformedJson {
                    raw: raw.to_owned(),
                    reason: err.to_string(),
                })?;
            return Self::from_names(names.iter().map(String::as_str));
        }
        Self::from_names(trimmed.split(',').map(str::trim).filter(|s| !s.is_empty()))
    }

    pub(crate) fn from_names<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, ToolListError> {
        let mut set = Self::EMPTY;
        for name in names {
            let tool = ToolName::parse(name.trim()).ok_or_else(|| ToolListError::Unknown {
                name: name.to_owned(),
                known: Self::all().to_string(),
            })?;
            set = set.with(tool);
        }
        Ok(set)
    }

    pub(crate) fn with(self, tool: ToolName) -> Self {
        ToolSet(self.0 | tool.bit())
    }

    pub(crate) fn contains(self, tool: ToolName) -> bool {
        self.0 & tool.bit() != 0
    }

    /// The read-only tools (see [`ToolName::is_read_only`]).
    pub(crate) fn readers() -> Self {
        ToolName::ALL
            .into_iter()
            .filter(|tool| tool.is_read_only())
            .fold(Self::EMPTY, Self::with)
    }

    /// Tools in both sets: how a per-request header narrows the server's own setting.
    pub(crate) fn intersect(self, other: ToolSet) -> Self {
        ToolSet(self.0 & other.0)
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = ToolName> {
        ToolName::ALL
            .into_iter()
            .filter(move |tool| self.contains(*tool))
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for ToolSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(ToolName::as_str).collect();
        f.write_str(&names.join(","))
    }
}

impl fmt::Debug for ToolSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToolSet[{self}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_and_csv_alike() {
        let json = ToolSet::parse(r#"["move_lead","add_note"]"#).unwrap();
        let csv = ToolSet::parse(" move_lead , add_note ").unwrap();
        assert_eq!(json, csv);
        assert!(json.contains(ToolName::MoveLead));
        assert!(!json.contains(ToolName::PauseAgent));
        assert_eq!(json.to_string(), "add_note,move_lead");
    }

    #[test]
    fn empty_means_none() {
        assert!(ToolSet::parse("").unwrap().is_empty());
        assert!(ToolSet::parse("[]").unwrap().is_empty());
        assert!(ToolSet::parse("  ").unwrap().is_empty());
    }

    #[test]
    fn unknown_and_malformed_are_errors_that_name_the_problem() {
        let err = ToolSet::parse("move_lead,delete_everything").unwrap_err();
        assert!(err.to_string().contains("delete_everything"));
        let err = ToolSet::parse(r#"["move_lead""#).unwrap_err();
        assert!(matches!(err, ToolListError::MalformedJson { .. }));
        let err = ToolSet::parse("[1,2]").unwrap_err();
        assert!(matches!(err, ToolListError::MalformedJson { .. }));
    }

    #[test]
    fn intersection_narrows() {
        let server = ToolSet::parse("move_lead,add_note").unwrap();
        let header = ToolSet::parse("add_note,pause_agent").unwrap();
        assert_eq!(
            server.intersect(header),
            ToolSet::parse("add_note").unwrap()
        );
        assert_eq!(ToolSet::all().iter().count(), ToolName::ALL.len());
    }

    #[test]
    fn all_is_sorted_and_in_declaration_order() {
        let names: Vec<&str> = ToolName::ALL.iter().map(|t| t.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for (i, tool) in ToolName::ALL.iter().enumerate() {
            assert_eq!(*tool as usize, i);
        }
    }
}
