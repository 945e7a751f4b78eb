//! `--html FILE`: the change record of `apply` and the page of `inspect`,
//! checked before any work, written atomically (on dry runs too), and
//! rendered in a real browser (headless Chromium, Debian package
//! `chromium`): the picture is not blank and the highlight colour is where
//! the edited tasks are.
//!
//! `PROCPATCH_UPDATE_SCREENSHOT=1 cargo test -p procpatch-cli html` also
//! copies the page's screenshot to `docs/change-record.png`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use procpatch::render::CHANGED_FILL;
use procpatch::{Document, Recipe};

use crate::{copy_fixture, root, Run};

/// The date every page here shows: 2024-05-17 09:30 UTC.
const EPOCH: &str = "1715938200";

/// Runs procpatch in `dir` (so the page shows short relative paths), with
/// a fixed date.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = assert_cmd::Command::cargo_bin("procpatch")
        .unwrap()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .unwrap();
    let tmp = dir.display().to_string();
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&tmp, "[TMP]");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

/// A folder holding a copy of the sample export.
fn sample() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_fixture(
        "testdata/archives/ProcessImport.zip",
        &tmp.path().join("ProcessImport.zip"),
    );
    tmp
}

#[test]
fn apply_writes_the_change_record() {
    let tmp = sample();
    let args = ["apply", "ProcessImport.zip", "-o", "out.zip", "--html", "change.html"];
    let run = run_in(tmp.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("change.html")).unwrap();
    // The three user processes drawn, the six edited call activities
    // marked, the twelve values listed.
    assert_eq!(page.matches("<svg ").count(), 3);
    assert_eq!(page.matches("pp-callActivity changed").count(), 6);
    assert_eq!(page.matches("<td class=\"status changed\">").count(), 12);
    for text in [
        "2024-05-17 09:30 UTC",
        "built-in (Shared credentials)",
        "<code>ProcessImport.zip</code>",
        "<code>out.zip</code>",
        "ae12da04138500ef35b2e6c18a0c55d11829d1a4965bcf98d801141e9b1bf215",
        &format!("procpatch {}", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(page.contains(text), "the page lacks {text}");
    }
    let out_sha = procpatch::archive::sha256_file(&tmp.path().join("out.zip")).unwrap();
    assert!(page.contains(&out_sha), "the output's SHA-256");
    // The report is the same as without --html; the page the same each run.
    let again = run_in(tmp.path(), &["apply", "ProcessImport.zip", "-o", "out2.zip"]);
    assert_eq!(run.stdout.replace("out.zip", "out2.zip"), again.stdout);
    assert_eq!(run_in(tmp.path(), &args).code, 0);
    assert_eq!(std::fs::read_to_string(tmp.path().join("change.html")).unwrap(), page);
    // Nothing but the page and the output is left behind.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ProcessImport.zip", "change.html", "out.zip", "out2.zip"]);
}

#[test]
fn a_dry_run_writes_the_page_too() {
    let tmp = sample();
    let run = run_in(
        tmp.path(),
        &[
            "apply",
            "ProcessImport.zip",
            "--dry-run",
            "--recipe",
            "r.toml",
            "--html",
            "p.html",
        ],
    );
    assert_eq!(run.code, 5, "no recipe file yet: {}", run.stderr);
    assert!(!tmp.path().join("p.html").exists());
    std::fs::write(tmp.path().join("r.toml"), procpatch::BUILTIN_TOML).unwrap();
    let run = run_in(
        tmp.path(),
        &[
            "apply",
            "ProcessImport.zip",
            "--dry-run",
            "-o",
            "out.zip",
            "--recipe",
            "r.toml",
            "--html",
            "p.html",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!tmp.path().join("out.zip").exists());
    let page = std::fs::read_to_string(tmp.path().join("p.html")).unwrap();
    assert!(page.contains("dry run, not written") && page.contains("(dry run: nothing written)"));
    assert!(page.contains("<td>r.toml <span class=\"sha\">sha256 "));
    assert_eq!(page.matches("pp-callActivity changed").count(), 6);
}

#[test]
fn inspect_writes_a_page_of_every_process() {
    let tmp = tempfile::tempdir().unwrap();
    copy_fixture(
        "testdata/archives/ConfigurationExport.zip",
        &tmp.path().join("export.zip"),
    );
    let run = run_in(tmp.path(), &["inspect", "-q", "export.zip", "--html", "inspect.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("inspect.html")).unwrap();
    assert!(page.contains("<h1>procpatch inspection</h1>"));
    assert_eq!(page.matches("<svg ").count(), 3);
    assert!(page.contains("in processes/ProcessImport.zip!/UsersProcLock.bpmn20.xml"));
    assert!(!page.contains(" changed\""), "inspect marks nothing");
    assert!(page.contains("data pool <code class=\"field\">value</code>"));
}

/// A page path that cannot be used is a usage error before any work, as
/// for `-o`.
#[test]
fn the_page_path_is_checked_before_any_work() {
    let tmp = sample();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let cases: [(&str, &[&str]); 6] = [
        (
            "a folder",
            &["apply", "ProcessImport.zip", "-o", "out.zip", "--html", "folder"],
        ),
        (
            "ends with /",
            &["apply", "ProcessImport.zip", "-o", "out.zip", "--html", "new/"],
        ),
        (
            "in a missing folder",
            &[
                "apply",
                "ProcessImport.zip",
                "-o",
                "out.zip",
                "--html",
                "missing/p.html",
            ],
        ),
        (
            "the output",
            &["apply", "ProcessImport.zip", "-o", "out.zip", "--html", "out.zip"],
        ),
        (
            "the input",
            &[
                "apply",
                "ProcessImport.zip",
                "-o",
                "out.zip",
                "--html",
                "./ProcessImport.zip",
            ],
        ),
        (
            "inspect, a folder",
            &["inspect", "ProcessImport.zip", "--html", "folder/"],
        ),
    ];
    let mut out = String::new();
    for (what, args) in cases {
        let run = run_in(tmp.path(), args);
        let first = run.stderr.lines().next().unwrap_or_default().to_string();
        out.push_str(&format!("{what}: exit {}\n  {first}\n", run.code));
        assert_eq!(run.stdout, "", "{what}: work was done");
    }
    insta::assert_snapshot!(out);
    assert!(!tmp.path().join("out.zip").exists());
    assert_eq!(
        std::fs::read(tmp.path().join("ProcessImport.zip")).unwrap(),
        crate::fixture("testdata/archives/ProcessImport.zip")
    );
}

/// The browser: Debian's `chromium`. Missing, the test fails and says what
/// to install (`.ci/run` installs it).
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new(name).arg("--version").output() {
            if out.status.success() {
                return PathBuf::from(name);
            }
        }
    }
    panic!(
        "headless Chromium is needed to render the change record: install the Debian package `chromium` \
         (apt-get install chromium; bash .ci/run does)"
    );
}

/// Renders `page` in headless Chromium at `width` × `height` and returns
/// the screenshot's path. Flags keep it off the network.
fn screenshot(page: &Path, width: u32, height: u32) -> PathBuf {
    let browser = chromium();
    let profile = tempfile::tempdir().unwrap();
    let png = page.with_extension("png");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium took more than 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(png.is_file(), "chromium wrote no screenshot");
    png
}

/// A decoded screenshot: width, height and RGB pixels.
struct Image {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    fn read(path: &Path) -> Image {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut decoder = png::Decoder::new(file);
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .map(|p| match p {
                [g] | [g, _] => [*g, *g, *g],
                [r, g, b, ..] => [*r, *g, *b],
                _ => [0, 0, 0],
            })
            .collect();
        Image {
            width: info.width as usize,
            height: info.height as usize,
            rgb,
        }
    }

    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }
}

/// `#rrggbb` as RGB.
fn hex(color: &str) -> [u8; 3] {
    let c = |i: usize| u8::from_str_radix(&color[i..i + 2], 16).unwrap();
    [c(1), c(3), c(5)]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 8)
}

/// The areas of highlight colour (4-connected) of at least `min` pixels.
fn highlight_areas(img: &Image, min: usize) -> usize {
    let want = hex(CHANGED_FILL);
    let mut seen = vec![false; img.rgb.len()];
    let mut areas = 0;
    for start in 0..img.rgb.len() {
        if seen[start] || !near(img.rgb[start], want) {
            continue;
        }
        let (mut size, mut stack) = (0, vec![start]);
        seen[start] = true;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % img.width, i / img.width);
            let mut push = |j: usize| {
                if !seen[j] && near(img.rgb[j], want) {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < img.width {
                push(i + 1);
            }
            if y > 0 {
                push(i - img.width);
            }
            if y + 1 < img.height {
                push(i + img.width);
            }
        }
        if size >= min {
            areas += 1;
        }
    }
    areas
}

#[test]
fn chromium_renders_the_change_record() {
    let tmp = sample();
    let args = ["apply", "ProcessImport.zip", "-o", "out.zip", "--html", "change.html"];
    assert_eq!(run_in(tmp.path(), &args).code, 0);
    let png = screenshot(&tmp.path().join("change.html"), 1000, 1320);
    let img = Image::read(&png);
    assert_eq!((img.width, img.height), (1000, 1320));

    // Not blank: plenty of ink, and more than a couple of colours.
    let background = img.at(0, 0);
    let inked = img.rgb.iter().filter(|p| !near(**p, background)).count();
    assert!(
        inked > img.rgb.len() / 20,
        "only {inked} pixels differ from the background"
    );
    let mut colours: Vec<[u8; 3]> = img.rgb.iter().step_by(7).copied().collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "{} colours", colours.len());
    // The six edited tasks are six areas of the highlight colour (the
    // "changed" count in the header is a seventh).
    let areas = highlight_areas(&img, 800);
    assert!((6..=7).contains(&areas), "{areas} highlighted areas");

    if std::env::var_os("PROCPATCH_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&png, root().join("docs/change-record.png")).unwrap();
    }
}

/// One diagram alone at its natural size (1 px per DI unit): the highlight
/// colour fills each edited task's bounds, and no other task.
#[test]
fn chromium_shows_the_highlight_inside_the_edited_tasks_bounds() {
    let xml = crate::fixture("testdata/bpmn/vendor/UsersProcLock.bpmn20.xml");
    let doc = Document::parse(&xml).unwrap();
    let plan = doc.plan(&Recipe::builtin()).unwrap();
    let figure = procpatch::render::figures(&doc, &plan.report).remove(0);
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("lock.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\">{}</body></html>",
            figure.svg
        ),
    )
    .unwrap();
    let vb = figure.view_box;
    let img = Image::read(&screenshot(&page, 800, 300));
    let want = hex(CHANGED_FILL);
    // The share of highlight pixels on a grid inside `b`, away from its
    // border (DI units are pixels, offset by the view box).
    let share = |b: procpatch::diagram::Bounds| {
        let (mut hits, mut total) = (0, 0);
        let mut y = b.y + 8.0;
        while y < b.bottom() - 8.0 {
            let mut x = b.x + 8.0;
            while x < b.right() - 8.0 {
                let (px, py) = ((x - vb.x) as usize, (y - vb.y) as usize);
                total += 1;
                hits += usize::from(near(img.at(px, py), want));
                x += 3.0;
            }
            y += 3.0;
        }
        hits as f64 / total as f64
    };
    assert_eq!(figure.highlights.len(), 2);
    for (id, bounds) in &figure.highlights {
        let s = share(*bounds);
        assert!(s > 0.6, "{id}: only {:.0}% of its inside is highlighted", s * 100.0);
    }
    let plain = doc.diagram().planes[0]
        .shapes
        .iter()
        .find(|s| s.element == "servicetask1")
        .unwrap()
        .bounds;
    assert_eq!(share(plain), 0.0, "an untouched task is highlighted");
}

/// With --in-place the output replaces the input: the page is drawn from
/// the input as it was, so the edited tasks are still found and marked.
#[test]
fn in_place_draws_the_input_as_it_was() {
    let tmp = sample();
    let args = [
        "apply",
        "-q",
        "ProcessImport.zip",
        "--in-place",
        "--html",
        "change.html",
    ];
    let run = run_in(tmp.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("change.html")).unwrap();
    assert_eq!(page.matches("pp-callActivity changed").count(), 6);
    let sha = procpatch::archive::sha256_file(&tmp.path().join("ProcessImport.zip")).unwrap();
    assert!(page.contains(&sha), "the replaced file's SHA-256");
}
