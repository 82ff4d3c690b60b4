//! `rediss://`: a real redis-server that speaks only TLS, with a certificate from a private
//! CA generated here (rcgen). With `--redis-ca-file` naming that CA, `check` reaches it and
//! replicas share Kommo's limit over TLS; without it the certificate is refused (web PKI
//! roots only); the password never shows.

use std::path::Path;

use futures::future::join_all;
use kommo_sim::SimulatorOptions;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

use crate::support::{
    HttpServer, Isolated, SUBDOMAIN, TOKEN, account_args, http_command,
    kommo::{assert_moves_respected_the_limit, concurrent_moves},
    redis::{REDIS_PASSWORD, RedisServer},
    simulator, simulator_with,
};

/// Writes `ca.pem`, and `server.pem` / `server.key` for 127.0.0.1 and localhost signed by it.
fn private_ca(dir: &Path) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "kommo-mcp test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
}

#[tokio::test]
async fn check_reaches_a_tls_redis_with_the_private_ca_and_not_without() {
    let dir = tempfile::tempdir().unwrap();
    private_ca(dir.path());
    let redis = RedisServer::start_tls(dir.path()).await;
    let sim = simulator().await;
    let env = Isolated::new();
    let url = redis.url();
    assert!(url.starts_with("rediss://"));
    let ca = dir.path().join("ca.pem");
    let check = |with_ca: bool| {
        let mut command = env.command();
        command.args(account_args(&sim)).args(["--redis-url", &url]);
        if with_ca {
            command.arg("--redis-ca-file").arg(&ca);
        }
        command.arg("check");
        command.output()
    };
    let output = check(true).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let shown = format!("Redis at rediss://127.0.0.1:{}/0 answers", redis.port);
    assert!(stdout.contains(&shown), "{stdout}");
    assert!(
        stdout.contains("ca.pem"),
        "check names the CA file: {stdout}"
    );
    // The web PKI roots do not know the private CA: refused, and said so.
    let output = check(false).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("does not answer"), "{stdout}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains(REDIS_PASSWORD), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[tokio::test]
async fn replicas_share_kommos_limit_over_rediss() {
    let dir = tempfile::tempdir().unwrap();
    private_ca(dir.path());
    let redis = RedisServer::start_tls(dir.path()).await;
    let sim = simulator_with(SimulatorOptions::default()).await;
    let env = Isolated::new();
    let mut servers = Vec::new();
    for _ in 0..3 {
        let mut command = http_command(env.command(), &["--log-level", "trace"]);
        command
            .args(account_args(&sim))
            .args(["--request-timeout", "60"])
            .env("KOMMO_MCP_REDIS_URL", redis.url())
            .env("KOMMO_MCP_REDIS_CA_FILE", dir.path().join("ca.pem"));
        servers.push(HttpServer::start(command).await);
    }
    let moves = concurrent_moves(30);
    let results: Vec<_> = join_all(
        moves
            .iter()
            .enumerate()
            .map(|(i, (tool, arguments))| servers[i % 3].bare_call(tool, arguments.clone(), &[])),
    )
    .await
    .into_iter()
    .map(|answer| answer["result"].clone())
    .collect();
    assert_moves_respected_the_limit(&sim, SUBDOMAIN, &results, 7);
    for server in &servers {
        assert_eq!(server.health().await["redis"], "up");
    }
    for server in servers {
        let (status, stderr) = server.stop().await;
        assert!(status.success(), "{stderr}");
        assert!(stderr.contains("TRACE"), "trace logging is on");
        assert!(
            !stderr.contains(REDIS_PASSWORD),
            "the Redis password was printed"
        );
        assert!(!stderr.contains(TOKEN));
    }
}

#[tokio::test]
async fn a_ca_file_is_refused_without_a_rediss_url_or_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let env = Isolated::new();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    private_ca(dir.path());
    for (url, ca, expected) in [
        (
            "redis://:pw-xyz@127.0.0.1:6379",
            dir.path().join("ca.pem"),
            "rediss://",
        ),
        (
            "rediss://:pw-xyz@127.0.0.1:6379",
            not_pem.clone(),
            "no PEM certificate",
        ),
        (
            "rediss://:pw-xyz@127.0.0.1:6379",
            dir.path().join("missing.pem"),
            "cannot read",
        ),
    ] {
        let output = env
            .command()
            .args(["--redis-url", url, "--redis-ca-file"])
            .arg(&ca)
            .arg("check")
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("Redis CA file") && stderr.contains(expected),
            "{stderr}"
        );
        assert!(!stderr.contains("pw-xyz"), "{stderr}");
    }
}
