//! What people and tools see: the report table (coloured on a terminal),
//! inspections, diffs, and JSON.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use procpatch::archive::{Decoration, DocumentChange, FileReport, Inspection};
use procpatch::Status;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn status_style(s: Status) -> Style {
    match s {
        Status::Changed => AnsiColor::Yellow.on_default().bold(),
        Status::Inserted => AnsiColor::Green.on_default().bold(),
        Status::AlreadySet => DIM,
        Status::Absent => AnsiColor::Magenta.on_default(),
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

/// A unified diff of an edited document's text.
pub fn diff(out: &mut dyn Write, path: &str, change: &DocumentChange<'_>) -> std::io::Result<()> {
    let text = |b: &[u8]| match procpatch::Document::parse(b) {
        Ok(doc) => doc.text().to_string(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    };
    let (before, after) = (text(change.before), text(change.after));
    let name = if change.entry.is_empty() {
        path.to_string()
    } else {
        format!("{path}!/{}", change.entry)
    };
    let diff = similar::TextDiff::from_lines(&before, &after);
    let unified = diff.unified_diff().context_radius(2).header(&name, &name).to_string();
    for line in unified.lines() {
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
        writeln!(out, "{style}{}{style:#}", line.trim_end_matches('\r'))?;
    }
    Ok(())
}

/// What a file holds.
pub fn inspection(out: &mut dyn Write, i: &Inspection) -> std::io::Result<()> {
    let text = i.to_string();
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        writeln!(out, "{BOLD}{first}{BOLD:#}")?;
    }
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A failure for the JSON output.
#[derive(Debug, serde::Serialize)]
pub struct JsonError {
    pub path: String,
    pub error: String,
    pub exit_code: u8,
}

/// The JSON document printed with `--json`.
#[derive(Debug, serde::Serialize)]
pub struct Json<T: serde::Serialize> {
    pub files: Vec<T>,
    pub errors: Vec<JsonError>,
}
