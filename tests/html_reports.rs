//! The HTML reports in a real browser: headless Chromium opens each one ropa writes
//! (the record of processing and the audit report, of a clean, a broken and a hostile
//! inventory) and the test checks that it loads without a console message (a blocked
//! script or resource would log one), shows every promise and activity, draws the
//! diagram, and that no script from the inventory runs (the page title stays ropa's).
//! Screenshots go to `target/tmp/html-reports/`. Without Chromium the tests say
//! "skipped", except under CI, where `.ci/run` installs it and they must run.

mod common;

use common::ropa;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Chromium, or `None` (and a note) when it is missing outside CI.
fn browser() -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var_os("CI").is_some() => {
            panic!("chromium is not installed; .ci/run installs it (apt-get install chromium)")
        }
        None => {
            eprintln!("skipped: chromium is not installed (apt-get install chromium)");
            None
        }
    }
}

fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-reports");
    std::fs::create_dir_all(&dir).expect("output directory");
    dir
}

/// Runs Chromium headless with `args` on `page`; returns (stdout, console lines).
fn headless(browser: &Path, args: &[&str], page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("profile directory");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                panic!("chromium did not finish on {}", page.display());
            }
        }
    }
    let output = child.wait_with_output().expect("chromium output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

/// Writes the report ropa makes with `args` to `name` in the output directory.
fn write_report(name: &str, args: &[&str]) -> PathBuf {
    let path = output_dir().join(name);
    let output = ropa()
        .env("SOURCE_DATE_EPOCH", "1768435200")
        .args(args)
        .arg("--output")
        .arg(&path)
        .output()
        .expect("ropa runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    path.canonicalize().expect("written")
}

/// The page as Chromium built it, after checking it logged nothing to the console.
fn load(browser: &Path, page: &Path) -> String {
    let (dom, console) = headless(browser, &["--dump-dom"], page);
    assert!(console.is_empty(), "{}: {console:#?}", page.display());
    assert!(dom.contains("</html>"), "{}: {dom}", page.display());
    dom
}

/// A screenshot beside the page; returns its size in bytes.
fn screenshot(browser: &Path, page: &Path) -> u64 {
    let png = page.with_extension("png");
    let _ = std::fs::remove_file(&png);
    headless(
        browser,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,1600",
        ],
        page,
    );
    std::fs::metadata(&png)
        .unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()))
        .len()
}

/// The number of `<text` elements inside the page's `<svg>`: one per label drawn.
fn drawn_labels(dom: &str) -> usize {
    let Some(start) = dom.find("<svg") else {
        return 0;
    };
    let end = dom[start..].find("</svg>").map_or(dom.len(), |e| start + e);
    dom[start..end].matches("<text").count()
}

#[test]
fn the_record_loads_shows_every_activity_and_draws_the_diagram() {
    let Some(browser) = browser() else { return };
    let page = write_report(
        "record-complete.html",
        &[
            "report",
            "record",
            "fixtures/pass/record-complete.yaml",
            "--format",
            "html",
        ],
    );
    let dom = load(&browser, &page);
    assert!(
        dom.contains("<title>Record of processing activities: Kindred Clinic Software Ltd</title>"),
        "{dom}"
    );
    for shown in [
        "Essential for Service",
        "Essential Service Notifications",
        "health-data-in-the-eea",
        "transfers-use-a-tool",
        "Dana Ortiz",
    ] {
        assert!(dom.contains(shown), "{shown} not shown");
    }
    // Four nodes and three flows, each labelled.
    assert!(drawn_labels(&dom) >= 7, "{dom}");
    // A blank page of the same size, in the same run, is the baseline.
    let blank = output_dir().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").expect("write");
    let blank_size = screenshot(&browser, &blank.canonicalize().expect("blank"));
    let size = screenshot(&browser, &page);
    assert!(
        size > blank_size * 5,
        "screenshot {size} bytes, blank {blank_size}"
    );
}

#[test]
fn the_audit_report_shows_every_promise_of_the_seeds_and_of_a_broken_inventory() {
    let Some(browser) = browser() else { return };
    let page = write_report("audit-seeds.html", &["report", "audit", "--format", "html"]);
    let dom = load(&browser, &page);
    let inventory = ropa::inventory::load(&[PathBuf::from("inventory")])
        .unwrap_or_else(|_| panic!("the seeds load"));
    assert_eq!(
        dom.matches("<tr class=\"promise\">").count(),
        inventory.decl.rules.len()
    );
    for rule in &inventory.decl.rules {
        assert!(
            dom.contains(&format!("<code>{}</code>", rule.id.value)),
            "{} not shown",
            rule.id.value
        );
    }
    assert!(drawn_labels(&dom) > 30, "the seeds' diagram");
    assert!(screenshot(&browser, &page) > 50_000);

    let page = write_report(
        "audit-b1.html",
        &[
            "report",
            "audit",
            "fixtures/broken/b1-transfer-no-mechanism.yaml",
            "--format",
            "html",
        ],
    );
    let dom = load(&browser, &page);
    assert!(dom.contains("Broken promises"), "{dom}");
    assert!(dom.contains("transfers-need-a-mechanism"), "{dom}");
    // The broken flow is drawn in red.
    assert!(dom.contains("#d93025"), "{dom}");
    screenshot(&browser, &page);
}

#[test]
fn no_script_from_a_hostile_inventory_runs() {
    let Some(browser) = browser() else { return };
    let hostile = "fixtures/reports/hostile.yaml";
    for (name, args) in [
        (
            "hostile-record.html",
            ["report", "record", hostile, "--format", "html"],
        ),
        (
            "hostile-audit.html",
            ["report", "audit", hostile, "--format", "html"],
        ),
    ] {
        let page = write_report(name, &args);
        let dom = load(&browser, &page);
        let title_start = dom.find("<title>").map_or(0, |t| t + 7);
        let title = &dom[title_start
            ..dom[title_start..]
                .find("</title>")
                .map_or(title_start, |e| title_start + e)];
        // A script from the inventory would have set the title to `pwned-…`.
        assert!(
            title.starts_with("Record of processing activities: &lt;script&gt;")
                || title.starts_with("Privacy audit: &lt;script&gt;"),
            "{name}: {title}"
        );
        assert!(!dom.contains("<script"), "{name}: a script element");
        assert!(!dom.contains("<img"), "{name}: an img element");
        assert!(
            dom.contains("&lt;script&gt;document.title="),
            "{name}: the text is shown"
        );
        screenshot(&browser, &page);
    }
}
