//! Listing what a file holds, read only: [`inspect_file`].

use std::path::Path;

use crate::document::Document;

use super::entries::EntryKind;
use super::error::{self, ArchiveError};
use super::notes::Note;
use super::plan::walk_and_hash;
use super::prepare::{self, Inspected, Prepare, Prepared};
use super::report::{FileKind, Found, InspectedEntry, Inspection, SignatureStatus};
use super::scan::Visitor;
use super::sniff::{file_kind, Kind};
use super::source::{self, Source};
use super::{signature, Options};

/// Where [`inspect_file_with`] hands over entries and processes.
type Each<'e> = &'e mut (dyn FnMut(Found<'_>) + Send);

/// Processes read at a time from a document listed as it is read: an
/// eighth of the document's, from [`MIN_BATCH`] to [`MAX_BATCH`]. A
/// listing then holds little of a document's processes at once, and a
/// document is read in at most eight batches below [`MAX_BATCH`]: the
/// pool's threads wait while each batch is listed.
fn batch(processes: usize) -> usize {
    (processes / 8).clamp(MIN_BATCH, MAX_BATCH)
}

/// The fewest processes read at a time: two threads' worth (each reads 64
/// side by side, `document`). At 1,024 at a time, a 1 MiB document (259
/// processes) was listed all at once, which added about 1 MiB to its peak
/// memory (`inspect`: 3.6 MiB per MiB of document, against 2.5 at 10 MiB).
const MIN_BATCH: usize = 128;

/// The most processes read at a time: what a listing of the largest
/// documents holds at once.
const MAX_BATCH: usize = 1024;

/// Collects what each entry is, and the processes of BPMN documents.
struct Inspector<'e> {
    entries: Vec<InspectedEntry>,
    notes: Vec<Note>,
    /// With [`inspect_file_with`]: where each entry goes once known, and
    /// its processes as they are read (which `entries` then does not keep).
    each: Option<Each<'e>>,
}

/// Records what a document holds as its entry, which was listed just
/// before it (looked for from the end, so that 50,000 entries cost linear
/// time) or, for a bare document, is new.
fn record<'i>(
    entries: &'i mut Vec<InspectedEntry>,
    entry: &str,
    size: usize,
    found: Inspected,
) -> Option<&'i InspectedEntry> {
    let Inspected {
        encoding,
        processes,
        error,
    } = found;
    let e = match entries.iter().rposition(|e| e.entry == entry) {
        Some(at) => entries.get_mut(at),
        None => {
            entries.push(InspectedEntry {
                entry: entry.to_string(),
                kind: EntryKind::Bpmn,
                size: size as u64,
                encoding: None,
                processes: Vec::new(),
                error: None,
            });
            entries.last_mut()
        }
    }?;
    e.encoding = encoding;
    e.processes = processes;
    e.error = error;
    Some(e)
}

impl Visitor<'static> for Inspector<'_> {
    fn preparer(&self) -> Option<&'static dyn Prepare> {
        Some(&prepare::Inspect)
    }

    fn document(
        &mut self,
        entry: &str,
        data: &[u8],
        prepared: Option<Prepared>,
    ) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        let ready = prepare::ready::<Inspected>(prepared);
        let Some(each) = self.each.as_deref_mut() else {
            let found = ready.unwrap_or_else(|| prepare::inspect(data));
            record(&mut self.entries, entry, data.len(), found);
            return Ok(None);
        };
        // Prepared ahead (a small document), its processes read; else parsed
        // here, its processes read a batch at a time below.
        let (mut found, doc) = match ready {
            Some(found) => (found, None),
            None => {
                let parsed = Document::parse(data);
                (prepare::parse_of(&parsed), parsed.ok())
            }
        };
        let processes = std::mem::take(&mut found.processes);
        if let Some(e) = record(&mut self.entries, entry, data.len(), found) {
            each(Found::Entry(e));
        }
        if !processes.is_empty() {
            each(Found::Processes(&processes));
        }
        if let Some(doc) = doc {
            doc.each_process(batch(doc.heads().len()), &mut |part| each(Found::Processes(part)));
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
        // A document's entry is handed over once its document is read.
        if let (Some(each), Some(e)) = (self.each.as_deref_mut(), self.entries.last()) {
            if kind != EntryKind::Bpmn {
                each(Found::Entry(e));
            }
        }
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
    let (source, known) = Source::open_hashed(path, options.max_in_memory).map_err(|e| e.reading(path))?;
    inspect_source(path, source, known, options, None).map_err(|e| e.reading(path))
}

/// [`inspect_file`] on the bytes of a file held in memory (a zip archive or a
/// bare BPMN document). The inspection's path is empty.
///
/// # Errors
///
/// As [`inspect_file`], but for reading a file.
pub fn inspect_bytes(bytes: &[u8], options: &Options) -> Result<Inspection, ArchiveError> {
    inspect_source(Path::new(""), Source::Memory(bytes.to_vec()), None, options, None)
}

/// [`inspect_file`], handing each entry and its processes to `each` as
/// they are read, in the order of the listing, instead of keeping them:
/// the inspection returned holds no processes. A document is read a batch
/// of processes at a time, so listing a large one (with a [`Listing`])
/// needs little more memory than its text and its element tree.
///
/// [`Listing`]: super::Listing
///
/// # Errors
///
/// As [`inspect_file`].
pub fn inspect_file_with(
    path: &Path,
    options: &Options,
    each: &mut (dyn FnMut(Found<'_>) + Send),
) -> Result<Inspection, ArchiveError> {
    let (source, known) = Source::open_hashed(path, options.max_in_memory).map_err(|e| e.reading(path))?;
    inspect_source(path, source, known, options, Some(each)).map_err(|e| e.reading(path))
}

/// What [`inspect_file`], [`inspect_file_with`] and [`inspect_bytes`]
/// share: `name` is the file's path (empty for bytes in memory), `known`
/// the SHA-256 taken as the file was read.
fn inspect_source(
    name: &Path,
    source: Source,
    known: Option<String>,
    options: &Options,
    each: Option<Each<'_>>,
) -> Result<Inspection, ArchiveError> {
    let mut inspector = Inspector {
        entries: Vec::new(),
        notes: Vec::new(),
        each,
    };
    let mut signature = None;
    let (kind, sha256) = match file_kind(name, source, options)? {
        Kind::Xml(data) => {
            let (read, sha256) = match known {
                Some(sha256) => (inspector.document("", &data, None), sha256),
                None => rayon::join(|| inspector.document("", &data, None), || source::sha256(&data)),
            };
            read?;
            (FileKind::Xml, sha256)
        }
        Kind::Zip(source) => {
            let (_, sha256) = walk_and_hash(&source, known, options, &mut inspector)?;
            let checked = source
                .reader()
                .and_then(|r| signature::verify(r, &name.display().to_string(), options, None));
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
        path: name.display().to_string(),
        kind,
        sha256,
        entries: inspector.entries,
        notes: inspector.notes,
        signature,
    })
}
