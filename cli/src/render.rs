//! What people and tools see: the report table (coloured on a terminal),
//! inspections, diffs, verdicts, totals, and JSON.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use procpatch::archive::{Decoration, DocumentChange, FileReport, Inspection};
use procpatch::{Status, Summary};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn status_style(s: Status) -> Style {
    match s {
        Status::Changed => AnsiColor::Yellow.on_default().bold(),
        Status::Inserted => AnsiColor::Green.on_default().bold(),
        Status::AlreadySet => DIM,
        Status::Absent => AnsiColor::Magenta.on_default(),
        _ => Style::new(),
    }
}

/// Colour for the report table (stripped by anstream off a terminal or
/// with NO_COLOR).
struct Ansi;

impl Decoration for Ansi {
    fn strong(&self, text: &str) -> String {
        format!("{BOLD}{text}{BOLD:#}")
    }
    fn faint(&self, text: &str) -> String {
        format!("{DIM}{text}{DIM:#}")
    }
    fn status(&self, status: Status) -> String {
        let st = status_style(status);
        format!("{st}{status}{st:#}")
    }
}

/// The report of one file: the library's table, in colour.
pub fn report(out: &mut dyn Write, r: &FileReport) -> std::io::Result<()> {
    let mut table = String::new();
    r.write_table(&mut table, &Ansi).map_err(std::io::Error::other)?;
    writeln!(out, "{table}")
}

/// A unified diff of an edited document's text, uncoloured (`--json`
/// carries it as is). `path` is the input file.
pub fn diff_text(path: &str, change: &DocumentChange<'_>) -> String {
    let text = |b: &[u8]| match procpatch::Document::parse(b) {
        Ok(doc) => doc.text().to_string(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    };
    let (before, after) = (text(change.before), text(&change.after));
    let name = if change.entry.is_empty() {
        path.to_string()
    } else {
        format!("{path}!/{}", change.entry)
    };
    let diff = similar::TextDiff::from_lines(&before, &after);
    let unified = diff.unified_diff().context_radius(2).header(&name, &name).to_string();
    let mut out = String::with_capacity(unified.len());
    for line in unified.lines() {
        out.push_str(line.trim_end_matches('\r'));
        out.push('\n');
    }
    out
}

/// A diff from [`diff_text`], coloured by line.
pub fn diff(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    for line in text.lines() {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            Style::new()
        };
        writeln!(out, "{style}{line}{style:#}")?;
    }
    Ok(())
}

/// What a file holds, fields named by `labels`.
pub fn inspection(out: &mut dyn Write, i: &Inspection, labels: &[(String, Vec<String>)]) -> std::io::Result<()> {
    let mut text = String::new();
    i.write_text(&mut text, labels).map_err(std::io::Error::other)?;
    listing(out, &text)
}

/// An inspection's listing in the pieces a `Listing` made it in, its first
/// line in bold: as [`listing`] writes the whole text. A piece with no
/// control character but line ends and tabs has nothing that colour
/// handling would strip, so it goes to `raw`, unscanned (a large
/// document's listing is tens of megabytes).
pub fn listing_pieces(styled: &mut dyn Write, raw: &mut dyn Write, pieces: &[String]) -> std::io::Result<()> {
    if pieces.iter().any(|p| p.contains('\r')) {
        return listing(styled, &pieces.concat());
    }
    let Some((first, rest)) = pieces.split_first() else {
        return Ok(());
    };
    let (line, after) = first.split_once('\n').unwrap_or((first, ""));
    writeln!(styled, "{BOLD}{line}{BOLD:#}")?;
    let mut last = after;
    for piece in std::iter::once(after).chain(rest.iter().map(String::as_str)) {
        if piece.is_empty() {
            continue;
        }
        if plain(piece) {
            styled.flush()?;
            raw.write_all(piece.as_bytes())?;
        } else {
            styled.write_all(piece.as_bytes())?;
        }
        last = piece;
    }
    if !last.is_empty() && !last.ends_with('\n') {
        writeln!(styled)?;
    }
    Ok(())
}

/// Whether `text` has no control character (C0, DEL or C1) but line ends
/// and tabs.
fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Each block is folded without a branch, which the compiler turns into
    // vector instructions: tens of megabytes are scanned in milliseconds.
    let control = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f);
    let c0 = bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |seen, &b| seen | control(b)));
    // A C1 control is U+0080 to U+009F, 0xC2 then 0x80 to 0x9F in UTF-8.
    let c1 = || memchr::memchr_iter(0xC2, bytes).any(|i| matches!(bytes.get(i + 1), Some(0x80..=0x9F)));
    !c0 && !c1()
}

/// An inspection's listing, made by [`Inspection::write_text`]: its first
/// line in bold.
pub fn listing(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    if text.contains('\r') {
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            writeln!(out, "{BOLD}{first}{BOLD:#}")?;
        }
        for line in lines {
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    // The rest in one write: a large export lists a million lines.
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    writeln!(out, "{BOLD}{first}{BOLD:#}")?;
    out.write_all(rest.as_bytes())?;
    if !rest.is_empty() && !rest.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What `check` concludes about one file: "needs 12 edits in 3 processes"
/// or "nothing to change".
pub fn verdict(r: &FileReport) -> String {
    let edits = r.summary.edits();
    let processes = r
        .entries
        .iter()
        .flat_map(|e| &e.processes)
        .filter(|p| {
            p.tasks
                .iter()
                .flat_map(|t| &t.changes)
                .any(|c| matches!(c.status, Status::Changed | Status::Inserted))
        })
        .count();
    let mut s = if edits > 0 {
        format!(
            "needs {} in {}",
            plural(edits, "edit", "edits"),
            plural(processes, "process", "processes")
        )
    } else {
        "nothing to change".to_string()
    };
    if r.signature.as_ref().is_some_and(|s| s.removed.is_empty()) && edits > 0 {
        s.push_str("; the archive is signed, so apply needs --strip-signature");
    }
    s
}

/// The grand total after several files.
#[derive(Debug, Default, serde::Serialize)]
pub struct Totals {
    /// Files read.
    pub files: usize,
    /// Files that failed.
    pub failed: usize,
    /// The values of every file's report (apply, check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Summary>,
    /// Files that need an edit (check) or got one (apply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_edit: Option<usize>,
    /// Processes found (inspect).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processes: Option<usize>,
}

impl Totals {
    /// One line: `3 files: 36 changed, 0 inserted, 0 already set; 0 failed`.
    pub fn line(&self, verb: &str) -> String {
        let files = plural(self.files, "file", "files");
        let what = match (verb, &self.values, self.needs_edit, self.processes) {
            ("check", Some(v), Some(n), _) => {
                let fine = self.files.saturating_sub(self.failed + n);
                format!(
                    "{n} {} ({}), {fine} {} nothing to change",
                    if n == 1 { "needs edits" } else { "need edits" },
                    plural(v.edits(), "value", "values"),
                    if fine == 1 { "has" } else { "have" }
                )
            }
            ("verify", None, Some(n), _) => {
                let fine = self.files.saturating_sub(self.failed + n);
                format!("{fine} signed and valid, {n} unsigned or broken")
            }
            (_, Some(v), _, _) => format!(
                "{} changed, {} inserted, {} already set",
                v.changed, v.inserted, v.already_set
            ),
            (_, None, _, Some(p)) => plural(p, "process", "processes"),
            _ => String::new(),
        };
        format!("{files}: {what}; {} failed", self.failed)
    }
}

/// A failure for the JSON output.
#[derive(Debug, serde::Serialize)]
pub struct JsonError {
    /// The file it is about, if any.
    pub path: Option<String>,
    pub error: String,
    pub exit_code: u8,
}

/// The JSON document printed with `--json`: always one, errors included.
#[derive(Debug, serde::Serialize)]
pub struct Json<T: serde::Serialize> {
    pub files: Vec<T>,
    pub errors: Vec<JsonError>,
    pub totals: Totals,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// `plain` against its definition, for every character below U+0800
    /// and U+FFFD, at every place around a block's edges.
    #[test]
    fn plain_finds_every_control_anywhere() {
        let control = |c: char| c.is_control() && c != '\n' && c != '\t';
        for c in (0..0x800u32).filter_map(char::from_u32).chain(['\u{FFFD}', '€']) {
            for at in [0, 1, 62, 63, 64, 65, 127, 128, 130] {
                let text: String = "x".repeat(at) + &c.to_string() + "yz";
                assert_eq!(plain(&text), !control(c), "{c:?} at {at}");
            }
        }
        // 0xC2 followed by no continuation in the text's last bytes.
        assert!(plain("ab\u{a0}"));
        assert!(plain(""));
    }

    /// Pieces give the bytes the whole text gives; only plain ones go raw.
    #[test]
    fn a_listing_in_pieces_is_written_as_the_whole_text_is() {
        let cases: [&[&str]; 4] = [
            &[
                "a.zip  (zip)\n",
                "  x [bpmn, 1 bytes]\n",
                "    process \"p\" at 1:1\n",
                "  sha256 00",
            ],
            &["a.zip  (zip)\n", "    process \"bell\u{7}\" at 1:1\n", "  sha256 00"],
            &["a.zip  (zip)\n", "    process \"c1\u{9b}\" at 1:1\n", "  sha256 00"],
            &["a.zip  (zip)\n", "    process \"cr\r\n\" at 1:1\r\n", "  sha256 00"],
        ];
        for pieces in cases {
            let pieces: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
            let mut whole = Vec::new();
            listing(&mut whole, &pieces.concat()).unwrap();
            let (mut styled, mut raw) = (Vec::new(), Vec::new());
            listing_pieces(&mut styled, &mut raw, &pieces).unwrap();
            let raw = String::from_utf8(raw).unwrap();
            // Put back in order, the two streams are the whole text's bytes.
            let mut joined = Vec::new();
            let styled = String::from_utf8(styled).unwrap();
            let (first, rest) = styled.split_once('\n').unwrap();
            joined.extend_from_slice(first.as_bytes());
            joined.push(b'\n');
            let mut rest = rest;
            for p in pieces.iter().skip(1) {
                if plain(p) {
                    joined.extend_from_slice(p.as_bytes());
                } else if let Some(after) = rest.strip_prefix(p.as_str()) {
                    joined.extend_from_slice(p.as_bytes());
                    rest = after;
                }
            }
            joined.extend_from_slice(rest.as_bytes());
            if pieces.iter().any(|p| p.contains('\r')) {
                assert!(raw.is_empty());
                assert_eq!(styled.as_bytes(), whole.as_slice());
            } else {
                let expected: String = pieces.iter().skip(1).filter(|p| plain(p)).map(String::as_str).collect();
                assert_eq!(raw, expected, "{pieces:?}");
                assert_eq!(joined, whole, "{pieces:?}");
            }
        }
    }
}
