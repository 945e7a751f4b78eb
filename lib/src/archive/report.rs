//! Reports for whole files: each archive, entry, process and task with its
//! changes, the processes found nowhere, and the SHA-256 of input and output.

use std::fmt;

use crate::bpmn::Process;
use crate::report::{show_value, ProcessReport, Status, Summary};

use super::entries::EntryKind;

/// What an input file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileKind {
    /// A zip archive.
    Zip,
    /// A bare BPMN XML document.
    Xml,
}

impl FileKind {
    /// How reports name a file of this kind: "archive" or "file".
    pub fn place(self) -> &'static str {
        match self {
            FileKind::Zip => "archive",
            FileKind::Xml => "file",
        }
    }
}

/// The output written (or that would be written) for an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct OutputReport {
    /// Where.
    pub path: String,
    /// The SHA-256 of the output, hex; `None` when nothing was written.
    pub sha256: Option<String>,
    /// Whether a file was written (false for a dry run, or an in-place run
    /// with nothing to change).
    pub written: bool,
    /// Whether the written file replaced one that was there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
    /// The backup of the input made before replacing it in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

impl OutputReport {
    /// An output that was not written (a dry run) at `path`.
    pub fn not_written(path: impl Into<String>) -> OutputReport {
        OutputReport {
            path: path.into(),
            sha256: None,
            written: false,
            replaced: false,
            backup: None,
        }
    }
}

/// The recipe's result on one BPMN document inside a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct EntryReport {
    /// The entry path; nested archives are joined with `!/`. Empty for a
    /// bare XML file.
    pub entry: String,
    /// The document's encoding.
    pub encoding: String,
    /// The recipe processes found in it.
    pub processes: Vec<ProcessReport>,
}

/// The signature of a signed archive (signed-JAR format), nested ones
/// included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SignatureReport {
    /// The signature files found (`META-INF/*.SF` and signature blocks;
    /// entry paths).
    pub files: Vec<String>,
    /// The files removed because the archive changes and
    /// [`Options::strip_signature`](super::Options::strip_signature) was
    /// set, or because signing replaced another signer's. `MANIFEST.MF`
    /// keeps its main section and loses its per-entry digests when the
    /// signature is stripped.
    pub removed: Vec<String>,
    /// The signing of the written archive, when it was signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<super::signature::SigningReport>,
}

/// The recipe's result on one input file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
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
    /// What the report states about the zip structure: bytes kept around
    /// an archive, Java readers that cannot read it (nor the output), and
    /// nested archives that cannot be read and are copied as they are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<super::Note>,
    /// The counts of each status.
    pub summary: Summary,
}

impl FileReport {
    /// Whether the file needs an edit.
    pub fn needs_edit(&self) -> bool {
        self.summary.needs_edit() || self.signature.as_ref().is_some_and(|s| !s.removed.is_empty())
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
    ///
    /// # Errors
    ///
    /// Only what `out` returns.
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
            if let Some(signed) = &sig.signed {
                let how = if signed.fresh { "signed" } else { "signed again" };
                writeln!(
                    out,
                    "  signature: {how} by {} ({})",
                    signed.signer,
                    signed.files.join(", ")
                )?;
                if let Some(previous) = &signed.previous_signer {
                    let now = signed.signer.split(" (").next().unwrap_or(&signed.signer);
                    writeln!(out, "  signer changed from {previous} to {now}")?;
                }
                if !sig.removed.is_empty() {
                    writeln!(out, "  signature files removed: {}", sig.removed.join(", "))?;
                }
                if !signed.added_to_manifest.is_empty() {
                    writeln!(out, "  added to the manifest: {}", signed.added_to_manifest.join(", "))?;
                }
                for w in &signed.warnings {
                    writeln!(out, "  warning: {w}")?;
                }
            } else if !sig.removed.is_empty() {
                writeln!(out, "  signature removed: {}", sig.removed.join(", "))?;
            } else if self.summary.needs_edit() {
                writeln!(
                    out,
                    "  signed ({}): the edit would break the signature",
                    sig.files.join(", ")
                )?;
            } else {
                writeln!(out, "  signed ({})", sig.files.join(", "))?;
            }
        }
        if !self.unreadable.is_empty() {
            writeln!(
                out,
                "  copied unread (unsupported compression): {}",
                self.unreadable.join(", ")
            )?;
        }
        for note in &self.notes {
            writeln!(out, "  {note}")?;
        }
        writeln!(out, "  {}", self.summary.describe(self.kind.place()))?;
        write!(out, "  {} {}  {}", d.faint("sha256"), self.sha256, self.path)?;
        if let Some(o) = &self.output {
            match (&o.sha256, o.written) {
                (Some(sha), true) => {
                    write!(out, "\n  {} {sha}  {}", d.faint("sha256"), o.path)?;
                    if o.path == self.path {
                        write!(out, " (in place)")?;
                    } else if o.replaced {
                        write!(out, " (replaced)")?;
                    }
                }
                (Some(_), false) => write!(out, "\n  unchanged, not rewritten: {}", o.path)?,
                (None, _) => write!(out, "\n  dry run, not written: {}", o.path)?,
            }
            if let Some(b) = &o.backup {
                write!(out, "\n  backup of the input: {b}")?;
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
#[non_exhaustive]
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

/// A zip archive's signature in one line, for `inspect`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SignatureStatus {
    /// The verdict; `None` when it could not be checked.
    pub status: Option<super::signature::VerifyStatus>,
    /// The signers' subjects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<String>,
    /// The line: `valid, signed by CN=… (META-INF/X.SF)`, `unsigned`, …
    pub summary: String,
}

impl SignatureStatus {
    /// The one line of a verification.
    pub fn of(v: &super::signature::VerifyReport) -> SignatureStatus {
        use super::signature::{EntryStatus, VerifyStatus};
        let signers: Vec<String> = v
            .signers
            .iter()
            .filter_map(|s| s.certificate.as_ref().map(|c| c.subject.clone()))
            .collect();
        let by = v
            .signers
            .iter()
            .map(|s| {
                let who = s
                    .certificate
                    .as_ref()
                    .map_or("an unreadable signer", |c| c.subject.as_str());
                format!("{who} ({})", s.signature_file)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let summary = match v.status {
            VerifyStatus::Unsigned => "unsigned".to_string(),
            VerifyStatus::Valid => format!("valid, signed by {by}"),
            VerifyStatus::Broken => {
                let mut why: Vec<String> = v.signers.iter().flat_map(|s| s.problems.iter().cloned()).collect();
                why.extend(v.problems.iter().cloned());
                for (status, what) in [
                    (EntryStatus::Changed, "changed after signing"),
                    (EntryStatus::NotCovered, "not covered"),
                    (EntryStatus::Missing, "missing"),
                ] {
                    let n = v.count(status);
                    if n > 0 {
                        why.push(format!("{n} {} {what}", if n == 1 { "entry" } else { "entries" }));
                    }
                }
                format!("broken ({}), signed by {by}", why.join("; "))
            }
        };
        SignatureStatus {
            status: Some(v.status),
            signers,
            summary,
        }
    }
}

/// What a file holds, as found.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The input path.
    pub path: String,
    /// Zip archive or bare XML.
    pub kind: FileKind,
    /// The SHA-256 of the input, hex.
    pub sha256: String,
    /// Every entry (for a bare XML file, one).
    pub entries: Vec<InspectedEntry>,
    /// What the zip structure calls for saying (see [`FileReport::notes`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<super::Note>,
    /// For a zip archive: its signature, checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureStatus>,
}

impl Inspection {
    /// What the file holds, for people: each entry with its kind and size,
    /// and each process, task and attribute. A field that a label names is
    /// shown as the report shows it, `data pool [value] = ""`; `labels` is
    /// label → field names, as [`Recipe::labels`](crate::Recipe::labels)
    /// gives them.
    ///
    /// # Errors
    ///
    /// Only what `out` returns.
    pub fn write_text(&self, out: &mut dyn fmt::Write, labels: &[(String, Vec<String>)]) -> fmt::Result {
        let mut listing = Listing::new(labels);
        for e in &self.entries {
            listing.add(Found::Entry(e));
            listing.add(Found::Processes(&e.processes));
        }
        listing.write(out, self)
    }
}

/// What [`inspect_file_with`](super::inspect_file_with) hands over as it
/// reads a file, in the order of the listing.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Found<'a> {
    /// An entry, once it is known what it is: for a BPMN document, with its
    /// encoding or why it cannot be read. Its processes are not in it: they
    /// follow as [`Found::Processes`].
    Entry(&'a InspectedEntry),
    /// Processes of the entry handed over last, in document order.
    Processes(&'a [Process]),
}

/// The text listing of [`Inspection::write_text`], made as a file is read:
/// [`Listing::add`] what [`inspect_file_with`](super::inspect_file_with)
/// finds, then [`Listing::write`] it with the inspection that returns. Only
/// the text is kept, not the processes, so a large document's listing needs
/// a fraction of the memory of its [`Inspection`].
///
/// ```no_run
/// use procpatch::archive::{inspect_file_with, Listing, Options};
/// let labels = procpatch::Recipe::builtin().labels();
/// let mut listing = Listing::new(&labels);
/// let inspection = inspect_file_with("export.zip".as_ref(), &Options::default(), &mut |found| listing.add(found))?;
/// let mut text = String::new();
/// listing.write(&mut text, &inspection)?;
/// println!("{text}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Listing<'l> {
    labels: &'l [Label],
    /// The text so far: pieces made side by side, then what follows them.
    pieces: Vec<String>,
    last: String,
    processes: usize,
    /// What writing the text returned, first fault kept.
    status: fmt::Result,
}

impl<'l> Listing<'l> {
    /// An empty listing; `labels` as for [`Inspection::write_text`].
    pub fn new(labels: &'l [(String, Vec<String>)]) -> Listing<'l> {
        Listing {
            labels,
            pieces: Vec::new(),
            last: String::new(),
            processes: 0,
            status: Ok(()),
        }
    }

    /// Adds an entry or processes to the listing.
    pub fn add(&mut self, found: Found<'_>) {
        let written = match found {
            Found::Entry(e) => write_entry(&mut self.last, e),
            Found::Processes(processes) => {
                self.processes += processes.len();
                self.write_processes(processes)
            }
        };
        self.status = self.status.and(written);
    }

    /// How many processes it lists.
    pub fn processes(&self) -> usize {
        self.processes
    }

    /// Writes the listing of `inspection`: its file, what was added, and
    /// its notes, signature and SHA-256.
    ///
    /// # Errors
    ///
    /// Only what `out` returns.
    pub fn write(&self, out: &mut dyn fmt::Write, inspection: &Inspection) -> fmt::Result {
        self.status?;
        out.write_str(&head(inspection))?;
        for piece in &self.pieces {
            out.write_str(piece)?;
        }
        out.write_str(&self.last)?;
        write_tail(out, inspection)
    }

    /// The text [`Listing::write`] writes, in the pieces it was made in
    /// (a large document's listing is made side by side): the first is
    /// the file's line, with its line end.
    ///
    /// # Errors
    ///
    /// None in practice: what writing to a `String` returns.
    pub fn finish(mut self, inspection: &Inspection) -> Result<Vec<String>, fmt::Error> {
        self.status?;
        write_tail(&mut self.last, inspection)?;
        let mut out = Vec::with_capacity(self.pieces.len() + 2);
        out.push(head(inspection));
        out.append(&mut self.pieces);
        out.push(self.last);
        Ok(out)
    }

    /// Processes in the listing. Many are written side by side, in
    /// order, each share a piece of its own: a large document's listing
    /// can run to a million lines.
    fn write_processes(&mut self, processes: &[Process]) -> fmt::Result {
        let labels = self.labels;
        let label_of = |field: &str| labels.iter().find(|(_, names)| names.iter().any(|n| n == field));
        if processes.len() < 2 * PROCESSES_PER_CHUNK {
            return processes
                .iter()
                .try_for_each(|p| write_process(&mut self.last, p, &label_of));
        }
        use rayon::prelude::*;
        let chunks: Vec<Result<String, fmt::Error>> = processes
            .par_chunks(PROCESSES_PER_CHUNK)
            .map(|chunk| {
                let mut text = String::new();
                chunk.iter().try_for_each(|p| write_process(&mut text, p, &label_of))?;
                Ok(text)
            })
            .collect();
        if !self.last.is_empty() {
            self.pieces.push(std::mem::take(&mut self.last));
        }
        for chunk in chunks {
            self.pieces.push(chunk?);
        }
        Ok(())
    }
}

/// The first line of a listing: the file and what it is.
fn head(inspection: &Inspection) -> String {
    let kind = if inspection.kind == FileKind::Zip { "zip" } else { "xml" };
    format!("{}  ({kind})\n", inspection.path)
}

/// The end of a listing: notes, signature, SHA-256 (with no line end).
fn write_tail(out: &mut dyn fmt::Write, inspection: &Inspection) -> fmt::Result {
    for note in &inspection.notes {
        writeln!(out, "  {note}")?;
    }
    if let Some(sig) = &inspection.signature {
        writeln!(out, "  signature: {}", sig.summary)?;
    }
    write!(out, "  sha256 {}", inspection.sha256)
}

/// An entry's line in a listing, and its error.
fn write_entry(out: &mut dyn fmt::Write, e: &InspectedEntry) -> fmt::Result {
    let kind = match e.kind {
        EntryKind::Bpmn => "bpmn",
        EntryKind::Zip => "zip",
        EntryKind::Other => "other",
        EntryKind::Directory => "dir",
        EntryKind::Unreadable => "unreadable",
        EntryKind::Encrypted => "encrypted",
    };
    if !e.entry.is_empty() {
        writeln!(out, "  {} [{kind}, {} bytes]", e.entry, e.size)?;
    }
    if let Some(err) = &e.error {
        writeln!(out, "    error: {err}")?;
    }
    Ok(())
}

/// Processes listed per thread, at least, in a [`Listing`].
const PROCESSES_PER_CHUNK: usize = 256;

/// A label and the field names it maps.
type Label = (String, Vec<String>);

/// One process of an inspection's listing, with its tasks.
fn write_process<'l>(
    out: &mut dyn fmt::Write,
    p: &crate::Process,
    label_of: &dyn Fn(&str) -> Option<&'l Label>,
) -> fmt::Result {
    writeln!(out, "    process {} at {}", p.selector, p.position)?;
    for t in &p.tasks {
        let within = if t.within.is_empty() {
            String::new()
        } else {
            format!(" in {}", t.within.join(" › "))
        };
        writeln!(out, "      {} {}{within} at {}", t.kind, t.selector, t.position)?;
        for a in &t.attributes {
            if a.name != "id" && a.name != "name" {
                writeln!(out, "        @{} = {:?}", a.name, a.value)?;
            }
        }
        for fld in &t.fields {
            let value = show_value(fld.value.as_deref());
            match label_of(&fld.name) {
                Some((label, _)) => writeln!(out, "        {label} [{}] = {value}", fld.name)?,
                None => writeln!(out, "        {} = {value}", fld.name)?,
            }
        }
    }
    Ok(())
}

impl fmt::Display for Inspection {
    /// [`Inspection::write_text`] with the built-in labels.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f, &crate::Recipe::builtin().labels())
    }
}
