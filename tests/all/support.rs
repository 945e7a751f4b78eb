//! Shared helpers: where the corpus and fixtures are, and byte-level checks.

use std::path::{Path, PathBuf};

use procpatch::{Document, Splice};

/// The workspace root.
pub fn root() -> PathBuf {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR"));
    lib.parent().unwrap_or(lib).to_path_buf()
}

/// The real-world BPMN corpus, copied byte for byte into `testdata/corpus/`
/// (see its README and `SOURCES.tsv`).
pub fn corpus_dir() -> PathBuf {
    root().join("testdata/corpus")
}

/// The path of a fixture (relative to the workspace root) that a test hands
/// to the library; a missing fixture fails the test with the path it looked
/// for rather than with a bare I/O error.
pub fn fixture(rel: &str) -> PathBuf {
    let path = root().join(rel);
    assert!(path.is_file(), "fixture {}: not found", path.display());
    path
}

/// The bytes of a fixture file; a missing or unreadable file fails the test
/// with the path it looked for.
pub fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    std::fs::read(path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The paths in a fixture directory, sorted; a missing or unreadable
/// directory fails the test with the path it looked for.
pub fn read_dir(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let dir = dir.as_ref();
    let fail = |e: std::io::Error| -> ! { panic!("fixture directory {}: {e}", dir.display()) };
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| fail(e))
        .map(|e| e.unwrap_or_else(|e| fail(e)).path())
        .collect();
    out.sort();
    out
}

/// Copies a fixture file to `to`; a missing fixture fails the test with the
/// path it looked for.
pub fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) {
    let (from, to) = (from.as_ref(), to.as_ref());
    if let Err(e) = std::fs::copy(from, to) {
        panic!("fixture {} (copying to {}): {e}", from.display(), to.display());
    }
}

/// The file name of `path`, as a string.
pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Every BPMN file of the corpus, sorted by name. Fails if there are none,
/// so a missing corpus cannot pass silently.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir();
    let out: Vec<(String, Vec<u8>)> = read_dir(&dir)
        .into_iter()
        .filter(|p| {
            let n = file_name(p);
            n.ends_with(".bpmn") || n.ends_with(".xml")
        })
        .map(|p| (file_name(&p), read(&p)))
        .collect();
    assert_eq!(out.len(), 63, "expected the 63-file corpus in {}", dir.display());
    out
}

/// The fixture variants: (variant, file name, bytes), sorted.
pub fn fixtures() -> Vec<(String, String, Vec<u8>)> {
    let dir = root().join("testdata/bpmn");
    let mut out = Vec::new();
    for variant in read_dir(&dir) {
        for file in read_dir(&variant) {
            out.push((file_name(&variant), file_name(&file), read(&file)));
        }
    }
    out.sort();
    assert!(out.len() >= 18, "fixtures missing in {}", dir.display());
    out
}

/// Asserts that `output` is `input` with only the splice ranges replaced:
/// every byte outside the ranges is compared directly.
pub fn assert_only_spans_changed(input: &[u8], output: &[u8], splices: &[Splice]) {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.range.start, s.range.end));
    let (mut i, mut o) = (0usize, 0usize);
    for s in sorted {
        let keep = s.range.start - i;
        assert_eq!(
            &input[i..s.range.start],
            &output[o..o + keep],
            "bytes before offset {} changed",
            s.range.start
        );
        o += keep;
        assert_eq!(
            &output[o..o + s.bytes.len()],
            &s.bytes[..],
            "splice at {} not written as planned",
            s.range.start
        );
        o += s.bytes.len();
        i = s.range.end;
    }
    assert_eq!(&input[i..], &output[o..], "bytes after offset {i} changed");
}

/// A readable unified diff of two documents, with carriage returns shown
/// as `␍` so that CRLF documents snapshot clearly.
pub fn diff(name: &str, before: &[u8], after: &[u8]) -> String {
    let show = |b: &[u8]| String::from_utf8_lossy(b).replace('\r', "␍");
    let (a, b) = (show(before), show(after));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(1)
        .header(name, name)
        .to_string()
}

/// The value of field `name` on the task named `task` of process `process`.
pub fn field_value(bytes: &[u8], process: &str, task: &str, name: &str) -> Option<String> {
    let doc = Document::parse(bytes).unwrap();
    let p = doc
        .processes()
        .iter()
        .find(|p| p.selector.name.as_deref() == Some(process))?;
    let t = p.tasks.iter().find(|t| t.selector.name.as_deref() == Some(task))?;
    t.fields.iter().find(|f| f.name == name)?.value.clone()
}

/// An error and each of its sources, joined with ": ", as error-chain
/// printers (anyhow's `{:#}`) show them.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    levels(e).join(": ")
}

/// The message of each level of an error's chain, outermost first.
pub fn levels(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(level) = next {
        out.push(level.to_string());
        next = level.source();
    }
    out
}
