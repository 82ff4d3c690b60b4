//! How much memory a process holds, read from Linux's `/proc/<pid>/status`, for the tests
//! that bound the server's growth under load.

/// The resident set size of a process now (VmRSS), in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmRSS:")
}

/// The highest resident set size of a process so far (VmHWM), in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmHWM:")
}

/// The value of the `/proc/<pid>/status` line starting with `field` (written in kB), in MiB.
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {field} line in /proc/{pid}/status"));
    kib / 1024.0
}
