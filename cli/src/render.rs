//! What people and tools see: the report table (coloured on a terminal),
//! inspections, diffs, and JSON.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use procpatch::archive::{DocumentChange, FileReport, Inspection};
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

/// The report of one file: one line per attribute, then counts and hashes.
pub fn report(out: &mut dyn Write, r: &FileReport) -> std::io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}", r.path)?;
    let mut context = None;
    for row in r.rows() {
        let st = status_style(row.status);
        if row.context.is_empty() {
            writeln!(out, "  {} ({st}{}{st:#})", row.text, row.status)?;
            continue;
        }
        if context.as_ref() != Some(&row.context) {
            writeln!(out, "  {}", row.context)?;
            context = Some(row.context.clone());
        }
        writeln!(out, "    {} ({st}{}{st:#})", row.text, row.status)?;
    }
    if let Some(sig) = &r.signature {
        writeln!(out, "  signature removed: {}", sig.removed.join(", "))?;
    }
    let s = &r.summary;
    writeln!(
        out,
        "  {} changed, {} inserted, {} already set, {} absent",
        s.changed, s.inserted, s.already_set, s.absent
    )?;
    writeln!(out, "  {DIM}sha256{DIM:#} {}  {}", r.sha256, r.path)?;
    if let Some(o) = &r.output {
        match (&o.sha256, o.written) {
            (Some(sha), true) => writeln!(out, "  {DIM}sha256{DIM:#} {sha}  {}", o.path)?,
            (Some(_), false) => writeln!(out, "  unchanged, not rewritten: {}", o.path)?,
            (None, _) => writeln!(out, "  dry run, not written: {}", o.path)?,
        }
    }
    Ok(())
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
