//! Files: process-import archives (zip, nested zips included) and bare BPMN
//! XML documents. Reading, planning, writing safely, and verifying.
//!
//! ```
//! use std::io::Write;
//! use procpatch::archive::{patch_archive, Options};
//! use procpatch::Recipe;
//!
//! // A process-import archive holding the Lock user process, made in memory.
//! let xml = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
//!                           xmlns:activiti="http://activiti.org/bpmn">
//!   <process id="UsersProcLock" name="Lock user">
//!     <callActivity id="c1" name="Lock related credentials">
//!       <extensionElements><activiti:field name="value" expression=""/></extensionElements>
//!     </callActivity>
//!     <callActivity id="c2" name="Load related credentials"/>
//!   </process>
//! </definitions>"#;
//! let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
//! zip.start_file("UsersProcLock.bpmn20.xml", zip::write::SimpleFileOptions::default())?;
//! zip.write_all(xml.as_bytes())?;
//! let export = zip.finish()?.into_inner();
//!
//! let (patched, report) = patch_archive(&export, &Recipe::builtin(), &Options::default())?;
//! assert_eq!((report.summary.changed, report.summary.inserted), (1, 3));
//! // Nothing more to do on the result: the same bytes come back.
//! assert_eq!(patch_archive(&patched, &Recipe::builtin(), &Options::default())?.0, patched);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is copied and what is regenerated
//!
//! An archive with nothing to change is copied byte for byte. Otherwise the
//! output is the input's bytes with these exceptions, and no others:
//!
//! - each **edited entry**'s local record: the local header keeps its bytes
//!   (name, extra fields, times, flags) except CRC-32 and sizes (and their
//!   zip64 fields); the data is recompressed with the entry's own method and
//!   deflate level; a data descriptor is written if the original had one,
//!   with the same signature form, 8-byte sizes only with zip64 (as Java's
//!   `ZipInputStream` reads it). A stored entry with a data descriptor, which
//!   `ZipInputStream` cannot read, gets its sizes in the header instead;
//! - in the **central directory**: each record is copied, with its
//!   local-header offset updated when the entry moved, and for edited
//!   entries the flags, CRC-32 and sizes;
//! - the **end records** (zip64 record and locator included): the central
//!   directory's size and offset, and the entry counts if entries were
//!   removed. The archive comment is kept.
//!
//! With `strip_signature`, the signature files are removed and
//! `META-INF/MANIFEST.MF` keeps only its main section.
//!
//! Everything else — untouched entries' local headers, data and data
//! descriptors, gaps, the bytes of the central records — is copied as raw
//! bytes, and the written file is checked against the input before it is
//! put in place.

mod ahead;
mod documents;
mod entries;
mod error;
mod notes;
mod output;
mod raw;
mod report;
mod rewrite;
mod scan;
mod signature;
mod source;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::document::Document;
use crate::plan::absent_report;
use crate::recipe::Recipe;
use crate::report::{ProcessReport, Summary};

pub use documents::for_each_document;
pub use entries::EntryKind;
pub use error::{ArchiveError, DocumentError, ErrorKind};
pub use notes::{Note, NoteKind};
pub use output::WriteOptions;
pub use report::{
    Decoration, EntryReport, FileKind, FileReport, InspectedEntry, Inspection, OutputReport, Plain, Row,
    SignatureReport, SignatureStatus,
};
pub use signature::{
    CertInfo, ChainStatus, DigestAlg, EntryCheck, EntryStatus, KeyKind, Signer, SignerCheck, SignerError,
    SigningReport, TrustStore, VerifyReport, VerifyStatus,
};
pub use source::sha256_file;

use scan::{ChildData, Visitor, ZipNode};
use source::Source;

/// Limits and choices for reading and writing files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The largest entry (uncompressed) or bare XML file read, in bytes,
    /// counted while reading. Default 256 MiB.
    pub max_entry_size: u64,
    /// How deep archives may nest inside archives. Default 3.
    pub max_depth: usize,
    /// The largest compression ratio (uncompressed / compressed) an entry
    /// may reach once past 1 MiB, counted while reading; beyond it the entry
    /// is refused as a zip bomb. Default 200 (BPMN XML compresses 5–20×).
    /// Only what procpatch keeps in memory to parse is held to it; an
    /// entry it only checks (its CRC-32, streamed) is not.
    pub max_ratio: u64,
    /// The largest entry, by the size its header declares, whose CRC-32 is
    /// checked (streamed, it costs time, not memory). A larger entry is
    /// copied without being read, and the report notes it. Default 4 GiB.
    pub max_check_size: u64,
    /// The largest input file read whole into memory, where it is hashed,
    /// walked, copied and compared from one read; a larger one is read
    /// from the disk as each step needs it. Default 1 GiB.
    pub max_in_memory: u64,
    /// Remove the signature of a signed archive that must change, instead of
    /// refusing it.
    pub strip_signature: bool,
}

impl Options {
    /// The largest entry or bare XML file read, in bytes.
    pub fn with_max_entry_size(mut self, bytes: u64) -> Options {
        self.max_entry_size = bytes;
        self
    }

    /// How deep archives may nest.
    pub fn with_max_depth(mut self, depth: usize) -> Options {
        self.max_depth = depth;
        self
    }

    /// The largest compression ratio of an entry read to be parsed.
    pub fn with_max_ratio(mut self, ratio: u64) -> Options {
        self.max_ratio = ratio;
        self
    }

    /// The largest entry whose CRC-32 is checked.
    pub fn with_max_check_size(mut self, bytes: u64) -> Options {
        self.max_check_size = bytes;
        self
    }

    /// The largest input file read whole into memory.
    pub fn with_max_in_memory(mut self, bytes: u64) -> Options {
        self.max_in_memory = bytes;
        self
    }

    /// Whether a signed archive that must change loses its signature
    /// (instead of being refused).
    pub fn stripping_signature(mut self, strip: bool) -> Options {
        self.strip_signature = strip;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_entry_size: 256 << 20,
            max_depth: 3,
            max_ratio: 200,
            max_check_size: 4 << 30,
            max_in_memory: 1 << 30,
            strip_signature: false,
        }
    }
}

/// A file read and matched against a recipe, ready to be written.
#[derive(Debug)]
pub struct FilePlan {
    path: PathBuf,
    options: Options,
    report: FileReport,
    root: Root,
}

/// A bare document keeps its splices, not its edited bytes: the new
/// document is made when it is written (or diffed), after the parse that
/// planned it is gone, so that the two never take memory at once.
#[derive(Debug)]
enum Root {
    Xml {
        old: Vec<u8>,
        splices: Option<Vec<crate::Splice>>,
    },
    Zip {
        node: Box<ZipNode>,
        source: Source,
    },
}

/// An edited document's bytes before and after, for diffs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DocumentChange<'a> {
    /// The entry path (empty for a bare XML file).
    pub entry: &'a str,
    /// The document before.
    pub before: &'a [u8],
    /// The document after.
    pub after: Vec<u8>,
}

/// What the file in `source` is: a zip when it starts like one, or when
/// it does not look like XML and has an end record near its end (a zip
/// with a self-extractor stub before it); else a BPMN document, whose bytes
/// are returned (the source is then spent).
fn file_kind(path: &Path, source: Source, options: &Options) -> Result<Kind, ArchiveError> {
    let head = source.head(entries::HEAD)?;
    if raw::looks_like_zip(&head)
        || (!scan::may_be_xml(&head) && raw::has_end_signature(&source.tail(raw::END_WINDOW)?))
    {
        return Ok(Kind::Zip(source));
    }
    let Some(bytes) = source.into_bytes(options.max_entry_size)? else {
        return Err(ArchiveError::TooLarge {
            entry: path.display().to_string(),
            limit: options.max_entry_size,
        });
    };
    // The root element decides; the document is parsed once, later, by the
    // plan. XML that is not BPMN gets the document's own error.
    if crate::is_bpmn(&bytes) {
        return Ok(Kind::Xml(bytes));
    }
    match Document::parse(&bytes) {
        Ok(_) => Ok(Kind::Xml(bytes)),
        Err(e) if scan::may_be_xml(&bytes) => Err(e.into()),
        Err(_) => Err(ArchiveError::NotZip),
    }
}

/// A file told apart: a zip archive (its source), or a document's bytes.
enum Kind {
    Zip(Source),
    Xml(Vec<u8>),
}

/// Walks the archive in `source` with `visitor`, and hashes it: both from
/// one buffer, side by side, when it is held in memory.
fn walk_and_hash(
    source: &Source,
    options: &Options,
    visitor: &mut (dyn Visitor + Send),
) -> Result<(ZipNode, String), ArchiveError> {
    match source.bytes() {
        Some(bytes) => {
            // The walk stays on this thread (rayon runs the first closure
            // here): what it allocates is freed where writing allocates
            // next, so the allocator reuses it.
            let (node, sha) = rayon::join(
                || scan::walk_bytes(bytes, "", 0, options, visitor),
                || source::sha256(bytes),
            );
            Ok((node?, sha))
        }
        None => {
            let sha = source.sha256()?;
            Ok((scan::walk(source.reader()?, "", 0, options, visitor)?, sha))
        }
    }
}

/// Plans the recipe on each document, collecting reports.
struct Planner<'r> {
    recipe: &'r Recipe,
    /// Each document: its entry path, its plan, and every process in it.
    docs: Vec<(String, crate::Plan, Vec<crate::Candidate>)>,
    /// Signature files found, and those removed.
    signed: Vec<String>,
    removed: Vec<String>,
    /// Entries that could not be decompressed.
    unreadable: Vec<String>,
    /// Encrypted entries.
    encrypted: Vec<String>,
    /// Notes on the zip structure.
    notes: Vec<Note>,
}

impl<'r> Planner<'r> {
    fn new(recipe: &'r Recipe) -> Self {
        Planner {
            recipe,
            docs: Vec::new(),
            signed: Vec::new(),
            removed: Vec::new(),
            unreadable: Vec::new(),
            encrypted: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl Visitor for Planner<'_> {
    fn document(&mut self, entry: &str, data: &[u8]) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        // A bare XML file has no entry path: its errors stand alone.
        let wrap = |error| ArchiveError::document((!entry.is_empty()).then_some(entry), error);
        let doc = Document::parse(data).map_err(wrap)?;
        let mut plan = doc.plan(self.recipe).map_err(wrap)?;
        let known = doc
            .processes()
            .iter()
            .map(|p| crate::Candidate {
                selector: p.selector.clone(),
                position: p.position,
            })
            .collect();
        // The parse goes before anything is made of the splices.
        drop(doc);
        let splices = std::mem::take(&mut plan.splices);
        crate::splice::check(data.len(), &splices).map_err(wrap)?;
        self.docs.push((entry.to_string(), plan, known));
        Ok((!splices.is_empty()).then_some(splices))
    }

    fn entry(&mut self, entry: &str, kind: EntryKind, _: u64) {
        match kind {
            EntryKind::Unreadable => self.unreadable.push(entry.to_string()),
            EntryKind::Encrypted => self.encrypted.push(entry.to_string()),
            _ => {}
        }
    }

    fn signature(&mut self, files: Vec<String>, removed: bool) {
        if removed {
            self.removed.extend(files.iter().cloned());
        }
        self.signed.extend(files);
    }

    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }
}

/// Reads the file at `path` (a zip archive, nested archives included, or a
/// bare BPMN document, found by content) and plans `recipe` on every BPMN
/// document in it. Nothing is written.
///
/// A recipe process found in two documents is ambiguous unless the recipe
/// says `all = true`; one found in none is reported absent. The plan fails
/// when no process of the recipe is found at all, or when the recipe says
/// `require_all` and one is missing.
///
/// # Errors
///
/// An invalid recipe; a file that cannot be read, is not a zip or BPMN file,
/// is damaged or malformed (with the entry path and line:column); a recipe
/// target not found or ambiguous (see [`ArchiveError::kind`]).
pub fn plan_file(path: &Path, recipe: &Recipe, options: &Options) -> Result<FilePlan, ArchiveError> {
    plan_path(path, recipe, options).map_err(|e| e.reading(path))
}

fn plan_path(path: &Path, recipe: &Recipe, options: &Options) -> Result<FilePlan, ArchiveError> {
    recipe.validate().map_err(crate::Error::from)?;
    let source = Source::open(path, options.max_in_memory)?;
    let mut planner = Planner::new(recipe);
    let (root, kind, sha256) = match file_kind(path, source, options)? {
        Kind::Xml(old) => {
            let (splices, sha256) = rayon::join(|| planner.document("", &old), || source::sha256(&old));
            (Root::Xml { old, splices: splices? }, FileKind::Xml, sha256)
        }
        Kind::Zip(source) => {
            let (node, sha256) = walk_and_hash(&source, options, &mut planner)?;
            let root = Root::Zip {
                node: Box::new(node),
                source,
            };
            (root, FileKind::Zip, sha256)
        }
    };
    let report = merge(path, kind, sha256, recipe, planner)?;
    Ok(FilePlan {
        path: path.to_path_buf(),
        options: options.clone(),
        report,
        root,
    })
}

/// Combines the documents' reports into the file's: found processes per
/// entry, absent ones once, ambiguity across entries.
fn merge(
    path: &Path,
    kind: FileKind,
    sha256: String,
    recipe: &Recipe,
    planner: Planner<'_>,
) -> Result<FileReport, ArchiveError> {
    if let Some(entry) = planner.encrypted.first() {
        return Err(ArchiveError::Encrypted { entry: entry.clone() });
    }
    let mut absent: Vec<ProcessReport> = Vec::new();
    let known: Vec<(String, crate::Candidate)> = planner
        .docs
        .iter()
        .flat_map(|(entry, _, k)| k.iter().map(move |c| (entry.clone(), c.clone())))
        .collect();
    let claimed: Vec<(String, crate::Position)> = planner
        .docs
        .iter()
        .flat_map(|(entry, plan, _)| {
            plan.report
                .processes
                .iter()
                .filter_map(|p| p.found.as_ref())
                .map(move |f| (entry.clone(), f.position))
        })
        .collect();
    // Suggestions for an absent process: processes no target found.
    let all_names: Vec<&str> = known
        .iter()
        .filter(|(entry, c)| !claimed.iter().any(|(e, at)| e == entry && *at == c.position))
        .flat_map(|(_, c)| [c.selector.name.as_deref(), c.selector.id.as_deref()])
        .flatten()
        .collect();
    for target in &recipe.processes {
        let selector = target.selector();
        let found: Vec<(String, crate::Candidate)> = planner
            .docs
            .iter()
            .flat_map(|(entry, plan, _)| {
                plan.report
                    .processes
                    .iter()
                    .filter(|p| p.target == selector)
                    .filter_map(|p| p.found.as_ref())
                    .map(move |f| {
                        (
                            entry.clone(),
                            crate::Candidate {
                                selector: f.selector.clone(),
                                position: f.position,
                            },
                        )
                    })
            })
            .collect();
        if found.len() > 1 && !target.all {
            return Err(ArchiveError::AmbiguousProcess {
                target: selector,
                candidates: found,
            });
        }
        if found.is_empty() {
            absent.push(absent_report(target, all_names.iter().copied()));
        }
    }
    let entries: Vec<EntryReport> = planner
        .docs
        .into_iter()
        .filter_map(|(entry, plan, _)| {
            let processes: Vec<ProcessReport> = plan
                .report
                .processes
                .into_iter()
                .filter(|p| p.found.is_some())
                .collect();
            (!processes.is_empty()).then_some(EntryReport {
                entry,
                encoding: plan.report.encoding,
                processes,
            })
        })
        .collect();
    let mut summary = Summary::default();
    let changes = entries
        .iter()
        .flat_map(|e| &e.processes)
        .chain(&absent)
        .flat_map(|p| &p.tasks)
        .flat_map(|t| &t.changes);
    for c in changes {
        summary.count(c.status);
    }
    summary.processes = recipe.processes.len();
    summary.processes_absent = absent.len();
    if entries.is_empty() && !planner.unreadable.is_empty() {
        return Err(ArchiveError::Unreadable {
            entries: planner.unreadable,
        });
    }
    let mut notes = planner.notes;
    if entries.is_empty() {
        // Nothing found, and a nested archive could not be read: its fault
        // is the reason.
        if let Some(n) = notes.iter().find(|n| n.kind == NoteKind::Unread) {
            return Err(ArchiveError::UnreadableNested {
                archive: n.archive.clone(),
                fault: n.message.clone(),
            });
        }
    }
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(|p| p.target.label().to_string()).collect();
        for n in notes.iter_mut().filter(|n| n.kind == NoteKind::Unread) {
            n.message.push_str(&format!(
                "; the recipe's processes not found ({}) may be in it",
                names.join(", ")
            ));
        }
    }
    let absent_refs: Vec<&ProcessReport> = absent.iter().collect();
    crate::plan::check_input(recipe, &absent_refs, !entries.is_empty(), &known, &claimed)?;
    Ok(FileReport {
        path: path.display().to_string(),
        kind,
        sha256,
        output: None,
        entries,
        absent,
        signature: (!planner.signed.is_empty()).then_some(SignatureReport {
            files: planner.signed,
            removed: planner.removed,
            signed: None,
        }),
        unreadable: planner.unreadable,
        notes,
        summary,
    })
}

impl FilePlan {
    /// The report: what was found and what changes.
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// Whether writing would change anything.
    pub fn needs_edit(&self) -> bool {
        match &self.root {
            Root::Xml { splices, .. } => splices.is_some(),
            Root::Zip { node, .. } => node.changes(),
        }
    }

    /// Each edited document, before and after.
    pub fn changes(&self) -> Vec<DocumentChange<'_>> {
        fn collect<'a>(node: &'a ZipNode, out: &mut Vec<DocumentChange<'a>>) {
            for c in &node.children {
                match &c.data {
                    ChildData::Xml { old, splices } => out.push(DocumentChange {
                        entry: &c.path,
                        before: old,
                        after: crate::apply(old, splices).unwrap_or_default(),
                    }),
                    ChildData::Zip { node, .. } => collect(node, out),
                    ChildData::Manifest { .. } => {}
                }
            }
        }
        let mut out = Vec::new();
        match &self.root {
            Root::Xml {
                old,
                splices: Some(splices),
            } => out.push(DocumentChange {
                entry: "",
                before: old,
                after: crate::apply(old, splices).unwrap_or_default(),
            }),
            Root::Xml { .. } => {}
            Root::Zip { node, .. } => collect(node, &mut out),
        }
        out
    }

    /// The refusal that writing would meet, if any: a signed archive whose
    /// content changes while its signature is kept (the edit would break the
    /// signature). [`FilePlan::write`] checks this first; a dry run can ask.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Signed`], naming the signature files.
    pub fn writable(&self) -> Result<(), ArchiveError> {
        self.writable_with(false)
    }

    /// [`FilePlan::writable`] when the written archive is signed again
    /// (`signing`): then only a nested archive's signature is in the way.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Signed`], naming the signature files.
    pub fn writable_with(&self, signing: bool) -> Result<(), ArchiveError> {
        let files = match &self.root {
            Root::Xml { .. } => Vec::new(),
            Root::Zip { node, .. } if signing => node.nested_broken_signatures(),
            Root::Zip { node, .. } => node.broken_signatures(),
        };
        match files.is_empty() {
            true => Ok(()),
            false => Err(ArchiveError::Signed { files }),
        }
    }
}

/// Collects what each entry is, and the processes of BPMN documents.
struct Inspector {
    entries: Vec<InspectedEntry>,
    notes: Vec<Note>,
}

impl Visitor for Inspector {
    fn document(&mut self, entry: &str, data: &[u8]) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        let (encoding, processes, error) = match Document::parse(data) {
            Ok(doc) => (Some(doc.charset().name().to_string()), doc.into_processes(), None),
            Err(e) => (None, Vec::new(), Some(e.to_string())),
        };
        match self.entries.iter_mut().find(|e| e.entry == entry) {
            Some(e) => {
                e.encoding = encoding;
                e.processes = processes;
                e.error = error;
            }
            None => self.entries.push(InspectedEntry {
                entry: entry.to_string(),
                kind: EntryKind::Bpmn,
                size: data.len() as u64,
                encoding,
                processes,
                error,
            }),
        }
        Ok(None)
    }

    fn entry(&mut self, entry: &str, kind: EntryKind, size: u64) {
        self.entries.push(InspectedEntry {
            entry: entry.to_string(),
            kind,
            size,
            encoding: None,
            processes: Vec::new(),
            error: None,
        });
    }

    fn signature(&mut self, _: Vec<String>, _: bool) {}

    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }
}

/// Reads the file at `path` and lists what it holds: every entry, and the
/// processes, tasks and attributes of each BPMN document.
///
/// # Errors
///
/// A file that cannot be read, or is not a zip or BPMN file, or is damaged. A
/// BPMN entry that does not parse is listed with its error, not an error of
/// the whole file.
pub fn inspect_file(path: &Path, options: &Options) -> Result<Inspection, ArchiveError> {
    inspect_path(path, options).map_err(|e| e.reading(path))
}

fn inspect_path(path: &Path, options: &Options) -> Result<Inspection, ArchiveError> {
    let source = Source::open(path, options.max_in_memory)?;
    let mut inspector = Inspector {
        entries: Vec::new(),
        notes: Vec::new(),
    };
    let mut signature = None;
    let (kind, sha256) = match file_kind(path, source, options)? {
        Kind::Xml(data) => {
            let (read, sha256) = rayon::join(|| inspector.document("", &data), || source::sha256(&data));
            read?;
            (FileKind::Xml, sha256)
        }
        Kind::Zip(source) => {
            let (_, sha256) = walk_and_hash(&source, options, &mut inspector)?;
            let checked = source
                .reader()
                .and_then(|r| signature::verify(r, &path.display().to_string(), options, None));
            signature = Some(match checked {
                Ok(v) => SignatureStatus::of(&v),
                Err(e) => SignatureStatus {
                    status: None,
                    signers: Vec::new(),
                    summary: format!("cannot be checked: {}", error::chain_text(&e)),
                },
            });
            (FileKind::Zip, sha256)
        }
    };
    Ok(Inspection {
        path: path.display().to_string(),
        kind,
        sha256,
        entries: inspector.entries,
        notes: inspector.notes,
        signature,
    })
}

/// Verifies the JAR signature of the archive at `path` as `jarsigner
/// -verify -strict` does: each signature block over its signature file, the
/// signature file over the manifest, the manifest over every entry; with
/// `trust`, the signer's chain too.
///
/// # Errors
///
/// An [`ArchiveError`] when the file cannot be read as a zip archive; a
/// broken signature is a report, not an error.
pub fn verify_file(path: &Path, options: &Options, trust: Option<&TrustStore>) -> Result<VerifyReport, ArchiveError> {
    let source = Source::open(path, options.max_in_memory)?;
    signature::verify(source.reader()?, &path.display().to_string(), options, trust).map_err(|e| e.reading(path))
}

/// [`verify_file`] on archive bytes in memory.
///
/// # Errors
///
/// As [`verify_file`].
pub fn verify_bytes(bytes: &[u8], options: &Options, trust: Option<&TrustStore>) -> Result<VerifyReport, ArchiveError> {
    signature::verify(Cursor::new(bytes), "", options, trust)
}

/// Plans `recipe` on archive bytes in memory and returns the edited archive
/// (or the same bytes when nothing changes), for tools that hold archives
/// without files.
///
/// # Errors
///
/// As [`plan_file`], and [`ArchiveError::Signed`] for a signed archive the
/// edit would break, [`ArchiveError::Verify`] when the new archive does not
/// verify.
pub fn patch_archive(bytes: &[u8], recipe: &Recipe, options: &Options) -> Result<(Vec<u8>, FileReport), ArchiveError> {
    recipe.validate().map_err(crate::Error::from)?;
    let mut planner = Planner::new(recipe);
    let node = scan::walk_bytes(bytes, "", 0, options, &mut planner)?;
    let sha = source::sha256(bytes);
    let mut report = merge(Path::new(""), FileKind::Zip, sha, recipe, planner)?;
    let broken = node.broken_signatures();
    if !broken.is_empty() {
        return Err(ArchiveError::Signed { files: broken });
    }
    if !node.changes() {
        return Ok((bytes.to_vec(), report));
    }
    let mut out = Vec::new();
    let built = scan::build(&mut Cursor::new(bytes), &node, scan::Extra::default(), &mut out)?;
    scan::verify(
        &mut Cursor::new(bytes),
        &mut Cursor::new(out.as_slice()),
        &node,
        &built,
        options,
    )?;
    report.output = Some(OutputReport {
        path: String::new(),
        sha256: Some(source::sha256(&out)),
        written: false,
        replaced: false,
        backup: None,
    });
    Ok((out, report))
}
