//! A real `redis-server` for the shared-state tests: started on a free loopback port with
//! a password and no persistence, killed and restarted on the same port on demand.

use std::{process::Stdio, time::Duration};

use tokio::process::{Child, Command};

/// The password every test Redis requires; no output may ever contain it.
pub const REDIS_PASSWORD: &str = "redis-pw-3b9e-never-print-me";

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    /// With TLS: the directory holding `ca.pem`, `server.pem` and `server.key`.
    tls: Option<std::path::PathBuf>,
}

impl RedisServer {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self {
            child: None,
            port,
            tls: None,
        };
        server.restart().await;
        server
    }

    /// A Redis that speaks only TLS (`--port 0 --tls-port …`), with the certificate in
    /// `dir/server.pem` (for 127.0.0.1 and localhost, signed by the CA in `dir/ca.pem`).
    pub async fn start_tls(dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self {
            child: None,
            port,
            tls: Some(dir.to_owned()),
        };
        server.restart().await;
        server
    }

    /// `redis://:PASSWORD@127.0.0.1:PORT/0` (`rediss://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://:{REDIS_PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    /// Starts (again) on the same port, with empty memory; waits until it answers.
    pub async fn restart(&mut self) {
        let mut command = Command::new("redis-server");
        match &self.tls {
            None => command.args(["--port", &self.port.to_string()]),
            Some(dir) => command
                .args(["--port", "0", "--tls-port", &self.port.to_string()])
                .arg("--tls-cert-file")
                .arg(dir.join("server.pem"))
                .arg("--tls-key-file")
                .arg(dir.join("server.key"))
                .arg("--tls-ca-cert-file")
                .arg(dir.join("ca.pem"))
                .args(["--tls-auth-clients", "no"]),
        };
        let child = command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--requirepass", REDIS_PASSWORD])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server runs (scripts/test installs it)");
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: Redis disappears at once, as in a crash.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
    }
}
