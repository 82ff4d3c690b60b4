//! Small helpers for the benchmark: statistics, RSS, free ports, processes.

use std::{
    net::{SocketAddr, TcpListener},
    path::PathBuf,
    process::Stdio,
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// Sorted samples in milliseconds with percentile access.
pub struct Samples(Vec<f64>);

impl Samples {
    pub fn new(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Self(values)
    }

    pub fn percentile(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (self.0.len() - 1) as f64).round() as usize;
        self.0[rank.min(self.0.len() - 1)]
    }

    pub fn min(&self) -> f64 {
        self.percentile(0.0)
    }

    pub fn median(&self) -> f64 {
        self.percentile(50.0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The resident set size of a process, in KiB (Linux `/proc`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A loopback address with a port that was free a moment ago.
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr")
}

pub fn release_binary() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("KOMMO_MCP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/kommo-mcp"))
}

/// A kommo-mcp command with a clean environment (no config file, no KOMMO_* variables).
pub fn kommo_command(args: &[String]) -> Command {
    let mut command = Command::new(release_binary());
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir().join("kommo-mcp-bench-home"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// The simulator as its own process (so its work is not counted in kommo-mcp's RSS), with
/// the bench account and Kommo's per-second limit at `requests_per_second` (0: none); returns
/// the process and the base URL template it prints.
pub async fn start_simulator(requests_per_second: u32) -> Result<(Child, String), String> {
    let mut command = kommo_command(&[
        "simulator".to_owned(),
        "--requests-per-second".to_owned(),
        requests_per_second.to_string(),
        "--account".to_owned(),
        format!("{}:{}", crate::SUBDOMAIN, crate::TOKEN),
    ]);
    command.stdout(Stdio::piped());
    let mut child = command.spawn().map_err(|e| format!("simulator: {e}"))?;
    let stdout = child.stdout.take().ok_or("simulator stdout")?;
    let template = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the simulator printed no base URL")?;
    Ok((child, template))
}

/// Starts `kommo-mcp serve --http` on a free port and waits until /healthz answers.
pub async fn start_http_server(extra: &[String]) -> (Child, SocketAddr) {
    let addr = free_addr();
    let mut args = vec![
        "serve".to_owned(),
        "--http".to_owned(),
        "--listen".to_owned(),
        addr.to_string(),
    ];
    args.extend_from_slice(extra);
    let mut child = kommo_command(&args)
        .spawn()
        .expect("kommo-mcp serve --http starts");
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("ERROR") || line.contains("WARN") {
                    eprintln!("server: {line}");
                }
            }
        });
    }
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("http://{addr}/healthz")).send().await
            && response.status().is_success()
        {
            return (child, addr);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("kommo-mcp serve --http did not come up on {addr}");
}
