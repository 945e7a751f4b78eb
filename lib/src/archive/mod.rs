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
//!   deflate level, except that a deflated entry of an input held in memory
//!   keeps its old stream's blocks before the first edit and from 32 KiB
//!   past the last, bit for bit; a data descriptor is written if the original had one,
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
mod bare;
mod content;
mod deflate;
mod documents;
mod entries;
mod error;
mod inflate;
mod inspect;
mod notes;
mod options;
mod output;
mod plan;
mod planner;
mod prepare;
mod raw;
mod readback;
mod report;
mod rewrite;
mod scan;
mod signature;
mod sniff;
mod source;
mod verify;

use std::io::Cursor;
use std::path::Path;

pub use documents::for_each_document;
pub use entries::EntryKind;
pub use error::{ArchiveError, DocumentError, ErrorKind};
pub use inspect::{inspect_bytes, inspect_file, inspect_file_with};
pub use notes::{Note, NoteKind};
pub use options::Options;
pub use output::{same_file, sync_folder, Staged, WriteOptions};
pub use plan::{patch_archive, plan_file, DocumentChange, FilePlan};
pub use report::{
    Decoration, EntryReport, FileKind, FileReport, Found, InspectedEntry, Inspection, Listing, OutputReport, Plain,
    Row, SignatureReport, SignatureStatus,
};
pub use signature::{
    CertInfo, ChainStatus, DigestAlg, EntryCheck, EntryStatus, KeyKind, Signer, SignerCheck, SignerError,
    SigningReport, TrustStore, VerifyReport, VerifyStatus,
};
pub use sniff::file_kind_of;
pub use source::sha256_file;

// What output.rs and documents.rs take from here.
use plan::Root;
use sniff::{file_kind, Kind};
use source::Source;

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
