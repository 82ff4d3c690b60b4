//! The benchmark's table: each figure with its target, printed and written to BENCHMARKS.md
//! together with a description of the machine.

use std::fmt::Write as _;

/// One row: what was measured, kommo-mcp's value, the TypeScript SDK peer's where the peer
/// was measured on the same path in the same run, the target, and whether it is met.
pub struct Row {
    pub figure: String,
    pub value: String,
    pub peer: Option<String>,
    pub target: String,
    pub met: Option<bool>,
}

impl Row {
    pub fn new(
        figure: impl Into<String>,
        value: impl Into<String>,
        target: impl Into<String>,
        met: Option<bool>,
    ) -> Self {
        Self {
            figure: figure.into(),
            value: value.into(),
            peer: None,
            target: target.into(),
            met,
        }
    }

    /// The same figure for the peer.
    pub fn with_peer(mut self, peer: impl Into<String>) -> Self {
        self.peer = Some(peer.into());
        self
    }
}

pub fn table(rows: &[Row]) -> String {
    let mut text = String::from(
        "| figure | kommo-mcp | TypeScript SDK peer | target | met |\n|---|---|---|---|---|\n",
    );
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {met} |",
            row.figure,
            row.value,
            row.peer.as_deref().unwrap_or("—"),
            row.target
        );
    }
    text
}

/// CPU, cores, memory, kernel and toolchain, read from the machine.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores, {memory} RAM, Linux {}, {rustc}",
        kernel.trim()
    )
}

pub fn document(rows: &[Row], quick: bool, notes: &[String]) -> String {
    let mut text = String::from(
        "# Benchmarks\n\nWritten by `./scripts/bench` (do not edit by hand). The release binary \
         (fat LTO, built for size: opt-level \"s\") is measured against the project's Kommo \
         simulator (the same binary's `simulator` subcommand; the load generator is built at \
         opt-level 3) with its rate limit off and kommo-mcp's own limiter off \
         (`--rate-limit 0`). Load, kommo-mcp and the simulator share the same machine.\n\n",
    );
    let _ = writeln!(text, "Machine: {}\n", machine());
    if quick {
        text.push_str("**Quick mode** (a few iterations, to prove the benchmark works; `./scripts/bench --quick` measures the debug build): the figures are not meaningful.\n\n");
    }
    text.push_str(&table(rows));
    if !notes.is_empty() {
        text.push_str("\nNotes:\n");
        for note in notes {
            let _ = writeln!(text, "- {note}");
        }
    }
    text
}
