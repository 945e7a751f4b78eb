//! Listing what a file holds, read only: [`inspect_file`].

use std::path::Path;

use super::entries::EntryKind;
use super::error::{self, ArchiveError};
use super::notes::Note;
use super::plan::walk_and_hash;
use super::prepare::{self, Prepare, Prepared};
use super::report::{FileKind, InspectedEntry, Inspection, SignatureStatus};
use super::scan::Visitor;
use super::sniff::{file_kind, Kind};
use super::source::{self, Source};
use super::{signature, Options};

/// Collects what each entry is, and the processes of BPMN documents.
struct Inspector {
    entries: Vec<InspectedEntry>,
    notes: Vec<Note>,
}

impl Visitor<'static> for Inspector {
    fn preparer(&self) -> Option<&'static dyn Prepare> {
        Some(&prepare::Inspect)
    }

    fn document(
        &mut self,
        entry: &str,
        data: &[u8],
        prepared: Option<Prepared>,
    ) -> Result<Option<Vec<crate::Splice>>, ArchiveError> {
        let prepare::Inspected {
            encoding,
            processes,
            error,
        } = prepare::take(prepared, || prepare::inspect(data));
        // The entry was listed just before its document: looked for from
        // the end, so that 50,000 entries cost linear time.
        match self.entries.iter_mut().rev().find(|e| e.entry == entry) {
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
    let source = Source::open(path, options.max_in_memory).map_err(|e| e.reading(path))?;
    inspect_source(path, source, options).map_err(|e| e.reading(path))
}

/// [`inspect_file`] on the bytes of a file held in memory (a zip archive or a
/// bare BPMN document). The inspection's path is empty.
///
/// # Errors
///
/// As [`inspect_file`], but for reading a file.
pub fn inspect_bytes(bytes: &[u8], options: &Options) -> Result<Inspection, ArchiveError> {
    inspect_source(Path::new(""), Source::Memory(bytes.to_vec()), options)
}

/// What [`inspect_file`] and [`inspect_bytes`] share: `name` is the file's
/// path (empty for bytes in memory).
fn inspect_source(name: &Path, source: Source, options: &Options) -> Result<Inspection, ArchiveError> {
    let mut inspector = Inspector {
        entries: Vec::new(),
        notes: Vec::new(),
    };
    let mut signature = None;
    let (kind, sha256) = match file_kind(name, source, options)? {
        Kind::Xml(data) => {
            let (read, sha256) = rayon::join(|| inspector.document("", &data, None), || source::sha256(&data));
            read?;
            (FileKind::Xml, sha256)
        }
        Kind::Zip(source) => {
            let (_, sha256) = walk_and_hash(&source, options, &mut inspector)?;
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
