//! The manual holds together: every relative Markdown link in README.md, CONTRIBUTING.md,
//! docs/*.md and the crates' READMEs points at a file that exists and, when it names a
//! heading (`file.md#anchor`, `#anchor`), at a heading that exists, as GitHub spells anchors.
//! The README stays a page a desktop user reads to the end.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

/// The README is the front page; the manual proper lives under docs/.
const README_MAX_BYTES: usize = 12 * 1024;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked, relative to the repository root.
fn manual_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", "tests/e2e/README.md"]
        .iter()
        .map(PathBuf::from)
        .filter(|path| root().join(path).is_file())
        .collect();
    for (dir, pick) in [
        ("docs", None),
        ("crates", Some("README.md")),
        ("benches", Some("README.md")),
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter_map(|path| match pick {
                None => (path.extension()? == "md").then_some(path),
                Some(name) => Some(path.join(name)).filter(|readme| readme.is_file()),
            })
            .map(|path| path.strip_prefix(root()).unwrap().to_owned())
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"]
            .into_iter()
            .find(|marker| trimmed.starts_with(marker));
        match (fence, marker) {
            (None, Some(marker)) => fence = Some(marker),
            (Some(open), Some(marker)) if open == marker => fence = None,
            (None, None) => lines.push(line),
            _ => {}
        }
    }
    lines
}

/// A line with its inline code spans left out (a link shown as code is not a link).
fn without_code_spans(line: &str) -> String {
    line.split('`')
        .enumerate()
        .filter(|(index, _)| index % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(" ")
}

/// GitHub's anchor for a heading: lower case, only letters, digits, `-`, `_` and spaces
/// kept, spaces turned into hyphens; a repeated anchor gets `-1`, `-2`, ….
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = Vec::new();
    for line in prose_lines(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let title = line[hashes..].trim().trim_end_matches('#').trim();
        let title = link_texts(&title.replace('`', ""));
        let base: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(base.clone()).or_insert(0);
        anchors.push(if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// `[text](target)` becomes `text`, as GitHub does when it makes a heading's anchor.
fn link_texts(title: &str) -> String {
    let mut out = String::new();
    let mut rest = title;
    while let Some((before, after)) = rest.split_once("](") {
        out.push_str(&before.replacen('[', "", 1));
        rest = after.split_once(')').map_or("", |(_, tail)| tail);
    }
    out.push_str(rest);
    out
}

/// Every link target in a Markdown text: inline links and images `[text](target "title")`
/// and reference definitions `[label]: target`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            targets.push(target.trim_matches(['<', '>']).to_owned());
            rest = &after[end..];
        }
        let trimmed = line.trim_start();
        if let Some((label, target)) = trimmed.split_once("]: ")
            && label.starts_with('[')
            && !label.contains(']')
        {
            targets.push(target.split_whitespace().next().unwrap_or("").to_owned());
        }
    }
    targets
}

fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

/// Why a relative link from `file` does not resolve, if it does not.
fn broken(file: &Path, target: &str) -> Option<String> {
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let linked = if path.is_empty() {
        root().join(file)
    } else {
        root().join(file).parent().unwrap().join(path)
    };
    if !linked.exists() {
        return Some(format!("{}: {target}: no file {}", file.display(), path));
    }
    if anchor.is_empty() || linked.extension().is_none_or(|ext| ext != "md") {
        return None;
    }
    let text = std::fs::read_to_string(&linked).unwrap();
    if anchors(&text).iter().any(|known| known == anchor) {
        return None;
    }
    Some(format!(
        "{}: {target}: no heading #{anchor} in {}",
        file.display(),
        linked.strip_prefix(root()).unwrap_or(&linked).display()
    ))
}

#[test]
fn every_relative_link_in_the_manual_resolves() {
    let files = manual_files();
    for expected in ["README.md", "CONTRIBUTING.md", "docs/operating.md"] {
        assert!(
            files.iter().any(|file| file == Path::new(expected)),
            "{expected} is not among the checked files: {files:?}"
        );
    }
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for target in link_targets(&text) {
            if target.is_empty() {
                problems.push(format!("{}: an empty link target", file.display()));
                continue;
            }
            if is_external(&target) {
                continue;
            }
            checked += 1;
            problems.extend(broken(file, &target));
        }
    }
    assert!(checked >= 20, "found only {checked} relative links");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_link_check_sees_what_github_sees() {
    let text = "# Kommo's limits, retries and timeouts\n\
                ```sh\n# not a heading\n[not](a-link.md)\n```\n\
                ## From the `call` shell\n## Notes\n## Notes\n\
                See [this](other.md#x \"title\"), ![img](pic.png) and `[code](skipped.md)`.\n\
                [ref]: ref.md#y\n";
    assert_eq!(
        anchors(text),
        [
            "kommos-limits-retries-and-timeouts",
            "from-the-call-shell",
            "notes",
            "notes-1"
        ]
    );
    assert_eq!(link_targets(text), ["other.md#x", "pic.png", "ref.md#y"]);
    let readme = Path::new("README.md");
    assert!(broken(readme, "docs/operating.md#limits").is_none());
    assert!(broken(readme, "docs/operating.md#no-such-heading").is_some());
    assert!(broken(readme, "docs/no-such-file.md").is_some());
    assert!(broken(readme, "#no-such-heading").is_some());
}

#[test]
fn the_readme_stays_short() {
    let size = std::fs::metadata(root().join("README.md")).unwrap().len();
    assert!(
        size <= README_MAX_BYTES as u64,
        "README.md is {size} bytes; keep it under {README_MAX_BYTES} and move detail to docs/"
    );
}
