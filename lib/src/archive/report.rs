//! Reports for whole files: each archive, entry, process and task with its
//! changes, the processes found nowhere, and the SHA-256 of input and output.

use std::fmt;

use crate::bpmn::Process;
use crate::report::{show_value, ProcessReport, Status, Summary};

use super::entries::EntryKind;

/// What an input file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A zip archive.
    Zip,
    /// A bare BPMN XML document.
    Xml,
}

/// The output written (or that would be written) for an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutputReport {
    /// Where.
    pub path: String,
    /// The SHA-256 of the output, hex; `None` when nothing was written.
    pub sha256: Option<String>,
    /// Whether a file was written (false for a dry run, or an in-place run
    /// with nothing to change).
    pub written: bool,
}

/// The recipe's result on one BPMN document inside a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EntryReport {
    /// The entry path; nested archives are joined with `!/`. Empty for a
    /// bare XML file.
    pub entry: String,
    /// The document's encoding.
    pub encoding: String,
    /// The recipe processes found in it.
    pub processes: Vec<ProcessReport>,
}

/// Signature files removed by `--strip-signature`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureReport {
    /// The removed files (entry paths). `MANIFEST.MF` keeps its main section
    /// and loses its per-entry digests.
    pub removed: Vec<String>,
}

/// The recipe's result on one input file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    /// The input path.
    pub path: String,
    /// Zip archive or bare XML.
    pub kind: FileKind,
    /// The SHA-256 of the input, hex.
    pub sha256: String,
    /// The output, once decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputReport>,
    /// Documents where the recipe found processes.
    pub entries: Vec<EntryReport>,
    /// Recipe processes found in no document.
    pub absent: Vec<ProcessReport>,
    /// Signature files removed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureReport>,
    /// Entries copied without being read, because procpatch cannot
    /// decompress their method.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    /// The counts of each status.
    pub summary: Summary,
}

impl FileReport {
    /// Whether the file needs an edit.
    pub fn needs_edit(&self) -> bool {
        self.summary.needs_edit() || self.signature.is_some()
    }

    /// The report as rows: for each task, its context (`entry › process ›
    /// task`) and one row per attribute; then each absent process.
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        for entry in &self.entries {
            for p in &entry.processes {
                let pname = p.found.as_ref().map_or(p.target.label(), |f| f.selector.label());
                for t in &p.tasks {
                    let tname = t.found.as_ref().map_or(t.target.label(), |f| f.selector.label());
                    let mut parts: Vec<&str> = Vec::new();
                    if !entry.entry.is_empty() {
                        parts.push(&entry.entry);
                    }
                    parts.extend([pname, tname]);
                    let context = parts.join(" › ");
                    for c in &t.changes {
                        let field = c
                            .target
                            .as_deref()
                            .filter(|t| *t != c.key)
                            .map(|t| format!(" [{t}]"))
                            .unwrap_or_default();
                        out.push(Row {
                            context: context.clone(),
                            text: format!(
                                "{}{field}: {} → {}",
                                c.key,
                                show_value(c.old.as_deref()),
                                show_value(Some(&c.new))
                            ),
                            status: c.status,
                        });
                    }
                }
            }
        }
        for p in &self.absent {
            let mut text = format!("process \"{}\"", p.target.label());
            if !p.suggestions.is_empty() {
                let s: Vec<String> = p.suggestions.iter().map(|s| format!("\"{s}\"")).collect();
                text.push_str(&format!(", closest found: {}", s.join(", ")));
            }
            out.push(Row {
                context: String::new(),
                text,
                status: Status::Absent,
            });
        }
        out
    }
}

/// One row of a report: an attribute of a task (or an absent process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `entry › process › task`, empty for an absent process.
    pub context: String,
    /// `key [field]: old → new`, or the absent process.
    pub text: String,
    /// What happens.
    pub status: Status,
}

/// How [`FileReport::write_table`] decorates its parts; the CLI adds
/// colour, [`Plain`] adds nothing.
pub trait Decoration {
    /// The file path heading the table.
    fn strong(&self, text: &str) -> String {
        text.to_string()
    }
    /// Secondary words (`sha256`).
    fn faint(&self, text: &str) -> String {
        text.to_string()
    }
    /// A status word.
    fn status(&self, status: Status) -> String {
        status.to_string()
    }
}

/// No decoration.
#[derive(Debug, Clone, Copy)]
pub struct Plain;

impl Decoration for Plain {}

impl FileReport {
    /// The compact table: the path, each task's context with one line per
    /// attribute (`key [field]: old → new (status)`), absent processes, the
    /// counts, and the SHA-256 of input and output.
    pub fn write_table(&self, out: &mut dyn fmt::Write, d: &dyn Decoration) -> fmt::Result {
        writeln!(out, "{}", d.strong(&self.path))?;
        let mut context = None;
        for row in self.rows() {
            let indent = if row.context.is_empty() {
                "  "
            } else {
                if context.as_ref() != Some(&row.context) {
                    writeln!(out, "  {}", row.context)?;
                    context = Some(row.context.clone());
                }
                "    "
            };
            writeln!(out, "{indent}{} ({})", row.text, d.status(row.status))?;
        }
        if let Some(sig) = &self.signature {
            writeln!(out, "  signature removed: {}", sig.removed.join(", "))?;
        }
        if !self.unreadable.is_empty() {
            writeln!(
                out,
                "  copied unread (unsupported compression): {}",
                self.unreadable.join(", ")
            )?;
        }
        let s = &self.summary;
        writeln!(
            out,
            "  {} changed, {} inserted, {} already set, {} absent",
            s.changed, s.inserted, s.already_set, s.absent
        )?;
        write!(out, "  {} {}  {}", d.faint("sha256"), self.sha256, self.path)?;
        if let Some(o) = &self.output {
            match (&o.sha256, o.written) {
                (Some(sha), true) => write!(out, "\n  {} {sha}  {}", d.faint("sha256"), o.path)?,
                (Some(_), false) => write!(out, "\n  unchanged, not rewritten: {}", o.path)?,
                (None, _) => write!(out, "\n  dry run, not written: {}", o.path)?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for FileReport {
    /// [`FileReport::write_table`] without decoration.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_table(f, &Plain)
    }
}

/// One entry of an inspected file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InspectedEntry {
    /// The entry path; nested archives are joined with `!/`.
    pub entry: String,
    /// What it is.
    pub kind: EntryKind,
    /// Its uncompressed size in bytes (as read, or as the header says for
    /// entries not read).
    pub size: u64,
    /// For BPMN documents: the encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// For BPMN documents: the processes, tasks and attributes found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<Process>,
    /// For BPMN documents that cannot be read: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a file holds, as found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inspection {
    /// The input path.
    pub path: String,
    /// Zip archive or bare XML.
    pub kind: FileKind,
    /// The SHA-256 of the input, hex.
    pub sha256: String,
    /// Every entry (for a bare XML file, one).
    pub entries: Vec<InspectedEntry>,
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}  ({})",
            self.path,
            if self.kind == FileKind::Zip { "zip" } else { "xml" }
        )?;
        for e in &self.entries {
            let kind = match e.kind {
                EntryKind::Bpmn => "bpmn",
                EntryKind::Zip => "zip",
                EntryKind::Other => "other",
                EntryKind::Directory => "dir",
                EntryKind::Unreadable => "unreadable",
            };
            if !e.entry.is_empty() {
                writeln!(f, "  {} [{kind}, {} bytes]", e.entry, e.size)?;
            }
            if let Some(err) = &e.error {
                writeln!(f, "    error: {err}")?;
            }
            for p in &e.processes {
                writeln!(f, "    process {} at {}", p.selector, p.position)?;
                for t in &p.tasks {
                    let within = if t.within.is_empty() {
                        String::new()
                    } else {
                        format!(" in {}", t.within.join(" › "))
                    };
                    writeln!(f, "      {} {}{within} at {}", t.kind, t.selector, t.position)?;
                    for a in &t.attributes {
                        if a.name != "id" && a.name != "name" {
                            writeln!(f, "        @{} = {:?}", a.name, a.value)?;
                        }
                    }
                    for fld in &t.fields {
                        writeln!(f, "        {} = {}", fld.name, show_value(fld.value.as_deref()))?;
                    }
                }
            }
        }
        write!(f, "  sha256 {}", self.sha256)
    }
}
