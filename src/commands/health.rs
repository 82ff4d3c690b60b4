//! `health`: probe a running `serve --http` at `/healthz`, for a container's health check
//! (the image has no shell or curl). Exit 0 when it answers 200, 1 otherwise.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    process::ExitCode,
    time::Duration,
};

use crate::{cli::HealthArgs, error::exit};

/// How long the probe waits for the whole answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The `/healthz` URL of a server listening on `listen`: an unspecified address (0.0.0.0,
/// [::]) is probed on the matching loopback address.
pub(crate) fn healthz_url(listen: SocketAddr) -> String {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/healthz", SocketAddr::new(ip, listen.port()))
}

pub(crate) async fn run(args: &HealthArgs) -> ExitCode {
    let url = healthz_url(args.listen);
    match probe(&url).await {
        Ok(body) => {
            println!("{body}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("kommo-mcp: unhealthy: {url}: {problem}");
            ExitCode::from(exit::FAILED)
        }
    }
}

async fn probe(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|err| err.to_string())?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|err| err.to_string())?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_probed_on_loopback() {
        let url = |addr: &str| healthz_url(addr.parse().unwrap());
        assert_eq!(url("0.0.0.0:8080"), "http://127.0.0.1:8080/healthz");
        assert_eq!(url("[::]:9000"), "http://[::1]:9000/healthz");
        assert_eq!(url("10.1.2.3:80"), "http://10.1.2.3:80/healthz");
    }
}
