//! Errors of the archive layer. Each says which entry (with the path of
//! nested archives) and wraps the document error, which says which line.

use crate::error::{Candidate, Error, Selector};

/// What kind of failure an error is: what a caller acts on (an exit code,
/// a retry, a bug report). The message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input cannot be used for a reason the kinds below do not name:
    /// not a zip or BPMN file, encrypted, signed, past a limit (size,
    /// ratio, depth), not BPMN, a bad recipe or value.
    BadInput,
    /// The zip structure or an entry's data is damaged (or contradicts
    /// itself); [`ArchiveError::Damaged`] says where, with the byte offset.
    Damaged,
    /// A document is not well-formed XML, or not valid in its encoding;
    /// [`ArchiveError::position`] says where.
    MalformedXml,
    /// Something valid that procpatch does not handle: a zip feature, a
    /// compression method, an encoding, an entity.
    Unsupported,
    /// A recipe target is not found, or is ambiguous.
    Target,
    /// Reading or writing files failed.
    Io,
    /// The written output did not verify; nothing was put in place.
    Verify,
    /// procpatch failed where it should not: a bug to report, not a fault
    /// of the input. Nothing was written.
    Internal,
    /// The request itself cannot be carried out (output = input).
    Usage,
}

/// Everything that can go wrong with an archive or a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Reading or writing failed. The path is the file that was read, when
    /// it is known (not for bytes in memory, nor for writing to a caller's
    /// writer); the I/O error is the [source](std::error::Error::source).
    #[error("{}", match path { Some(p) => format!("cannot read {}", p.display()), None => "I/O error".into() })]
    Io {
        /// The file being read.
        path: Option<std::path::PathBuf>,
        /// What failed.
        source: std::io::Error,
    },
    /// Neither a zip archive nor BPMN XML.
    #[error("not a zip archive and not BPMN XML; if this is an encrypted Identity Manager export, export it again without encryption")]
    NotZip,
    /// The zip structure is damaged.
    #[error("{}damaged zip archive: {message}", entry_prefix(entry))]
    Damaged {
        /// The entry, when the damage is in one.
        entry: Option<String>,
        /// Where the fault is, when one place can be named: a byte offset
        /// in the archive that holds it (for a fault inside a nested
        /// archive, in that archive's own bytes). The message says it too.
        offset: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// The local and central headers of an entry disagree.
    #[error("entry \"{entry}\": its local header and central directory disagree on the {field}")]
    HeaderMismatch {
        /// The entry.
        entry: String,
        /// The field that differs.
        field: String,
    },
    /// Two entries have the same name.
    #[error("the archive holds two entries named \"{entry}\"")]
    DuplicateEntry {
        /// The name.
        entry: String,
    },
    /// An entry is encrypted.
    #[error("entry \"{entry}\" is encrypted; procpatch cannot read it — export the archive without encryption")]
    Encrypted {
        /// The entry.
        entry: String,
    },
    /// Something the zip format allows that procpatch does not handle.
    #[error("{}{what} are not supported", entry_prefix(entry))]
    Unsupported {
        /// The entry, when it is about one.
        entry: Option<String>,
        /// What is not supported.
        what: String,
    },
    /// An entry is larger than the limit, counted while reading.
    #[error("entry \"{entry}\" is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The entry.
        entry: String,
        /// The limit.
        limit: u64,
    },
    /// No recipe process was found, and some entries could not be read.
    #[error("none of the recipe's processes was found; {} cannot be read (a compression method other than stored, deflate, bzip2 or LZMA): {}", if entries.len() == 1 { "one entry" } else { "some entries" }, entries.join(", "))]
    Unreadable {
        /// The entries that could not be decompressed.
        entries: Vec<String>,
    },
    /// No recipe process was found, and a nested archive, which may hold
    /// them, cannot be read.
    #[error("none of the recipe's processes was found; the nested archive \"{archive}\", which may hold them, cannot be read: {fault}")]
    UnreadableNested {
        /// The nested archive's entry path.
        archive: String,
        /// Why it cannot be read, with the byte offset inside it.
        fault: String,
    },
    /// An entry decompresses far beyond its compressed size.
    #[error("entry \"{entry}\" expands more than {ratio} times its compressed size; refused as a zip bomb")]
    Bomb {
        /// The entry.
        entry: String,
        /// The ratio limit.
        ratio: u64,
    },
    /// Archives nest deeper than the limit.
    #[error("entry \"{entry}\" nests archives more than {limit} deep")]
    TooDeep {
        /// The entry.
        entry: String,
        /// The limit.
        limit: usize,
    },
    /// The archive is signed, and editing it would break the signature.
    #[error("the archive is signed ({}); editing it would break the signature and Identity Manager would refuse it", files.join(", "))]
    Signed {
        /// The signature files.
        files: Vec<String>,
    },
    /// A document could not be read or edited, or the recipe does not fit
    /// the input. The document error (with its line and column) is the
    /// [source](std::error::Error::source); [`ArchiveError::document_error`]
    /// and [`ArchiveError::entry`] get at it.
    #[error(transparent)]
    Document(DocumentError),
    /// A process matches in several entries.
    #[error("process {target} matches {} processes: {}; name it by id too, or set `all = true` to edit each", candidates.len(), candidates.iter().map(|(e, c)| format!("{e}: {c}")).collect::<Vec<_>>().join(", "))]
    AmbiguousProcess {
        /// The recipe target.
        target: Selector,
        /// Each match with its entry.
        candidates: Vec<(String, Candidate)>,
    },
    /// The written file did not verify; it was not put in place.
    #[error("the output did not verify ({0}); nothing was written")]
    Verify(String),
    /// procpatch failed where it should not (the compressor refused data
    /// it made); nothing was written. A bug to report, not a fault of the
    /// input.
    #[error("internal error: {0}; nothing was written (please report this)")]
    Internal(String),
    /// The output could not be written; nothing was put in place. The I/O
    /// error is the [source](std::error::Error::source).
    #[error("cannot write {}", path.display())]
    Output {
        /// The output (or backup) path.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output path is the input path.
    #[error("the output is the input file")]
    SameFile,
}

/// A document error, with the entry it is in. Its
/// [source](std::error::Error::source) is the [`Error`] itself, so that
/// `downcast_ref::<procpatch::Error>()` finds it while walking the chain.
#[derive(Debug)]
pub struct DocumentError {
    entry: Option<String>,
    error: Box<Error>,
}

impl DocumentError {
    /// The entry path (nested archives joined with `!/`); `None` for a bare
    /// document, or an error about the input as a whole (a recipe target
    /// found in no entry, an invalid recipe).
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// The document error.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "entry \"{entry}\""),
            None => f.write_str("the input"),
        }
    }
}

impl std::error::Error for DocumentError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

impl From<Error> for ArchiveError {
    /// An error about the input as a whole (no entry).
    fn from(e: Error) -> ArchiveError {
        ArchiveError::document(None, e)
    }
}

impl From<std::io::Error> for ArchiveError {
    /// An I/O error whose path is not known here; the public functions add
    /// it ([`ArchiveError::Io`]).
    fn from(source: std::io::Error) -> ArchiveError {
        ArchiveError::Io { path: None, source }
    }
}

fn entry_prefix(entry: &Option<String>) -> String {
    entry.as_ref().map(|e| format!("entry \"{e}\": ")).unwrap_or_default()
}

impl ArchiveError {
    pub(crate) fn io(e: std::io::Error) -> ArchiveError {
        ArchiveError::from(e)
    }

    /// An I/O error reading the file at `path`.
    pub(crate) fn io_at(path: &std::path::Path, source: std::io::Error) -> ArchiveError {
        ArchiveError::Io {
            path: Some(path.to_path_buf()),
            source,
        }
    }

    /// A document error, in `entry` (`None`: the bare document, or the
    /// input as a whole).
    pub(crate) fn document(entry: Option<&str>, error: Error) -> ArchiveError {
        ArchiveError::Document(DocumentError {
            entry: entry.map(str::to_string),
            error: Box::new(error),
        })
    }

    /// The same error, with `path` as the file read when an I/O error does
    /// not name one yet.
    pub(crate) fn reading(self, path: &std::path::Path) -> ArchiveError {
        match self {
            ArchiveError::Io { path: None, source } => ArchiveError::io_at(path, source),
            other => other,
        }
    }

    /// The document error inside, if this is one (with its line and column;
    /// [`ArchiveError::entry`] says in which entry).
    pub fn document_error(&self) -> Option<&Error> {
        match self {
            ArchiveError::Document(d) => Some(d.error()),
            _ => None,
        }
    }

    /// The entry path the error is about, when it is about one.
    pub fn entry(&self) -> Option<&str> {
        match self {
            ArchiveError::Document(d) => d.entry(),
            ArchiveError::Damaged { entry, .. } | ArchiveError::Unsupported { entry, .. } => entry.as_deref(),
            ArchiveError::HeaderMismatch { entry, .. }
            | ArchiveError::DuplicateEntry { entry }
            | ArchiveError::Encrypted { entry }
            | ArchiveError::TooLarge { entry, .. }
            | ArchiveError::Bomb { entry, .. }
            | ArchiveError::TooDeep { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// The file the error names itself: the input read ([`ArchiveError::Io`])
    /// or the output written ([`ArchiveError::Output`]).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            ArchiveError::Io { path, .. } => path.as_deref(),
            ArchiveError::Output { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Where in a document the error is (line and column), for a document
    /// error that has a position.
    pub fn position(&self) -> Option<crate::Position> {
        self.document_error().and_then(Error::position)
    }

    /// Where a damaged archive's fault is ([`ArchiveError::Damaged`]): a
    /// byte offset in the archive that holds it, when one place can be
    /// named.
    pub fn offset(&self) -> Option<u64> {
        match self {
            ArchiveError::Damaged { offset, .. } => *offset,
            _ => None,
        }
    }

    /// A damaged archive's fault located at byte `at` (other errors as
    /// they are).
    pub(crate) fn at(self, at: u64) -> ArchiveError {
        match self {
            ArchiveError::Damaged { entry, message, .. } => ArchiveError::Damaged {
                entry,
                offset: Some(at),
                message,
            },
            other => other,
        }
    }

    /// The same error about the archive nested at `archive` (an entry
    /// path): entry names get the archive's path before them, and an error
    /// about the whole archive names it.
    pub(crate) fn within(self, archive: &str) -> ArchiveError {
        let inside = |e: String| format!("{archive}!/{e}");
        let whole = |e: Option<String>| Some(e.map_or_else(|| archive.to_string(), inside));
        match self {
            ArchiveError::Damaged { entry, offset, message } => ArchiveError::Damaged {
                entry: whole(entry),
                offset,
                message,
            },
            ArchiveError::Unsupported { entry, what } => ArchiveError::Unsupported {
                entry: whole(entry),
                what,
            },
            ArchiveError::HeaderMismatch { entry, field } => ArchiveError::HeaderMismatch {
                entry: inside(entry),
                field,
            },
            ArchiveError::DuplicateEntry { entry } => ArchiveError::DuplicateEntry { entry: inside(entry) },
            ArchiveError::Encrypted { entry } => ArchiveError::Encrypted { entry: inside(entry) },
            ArchiveError::TooLarge { entry, limit } => ArchiveError::TooLarge {
                entry: inside(entry),
                limit,
            },
            ArchiveError::Bomb { entry, ratio } => ArchiveError::Bomb {
                entry: inside(entry),
                ratio,
            },
            other => other,
        }
    }

    /// Whether this is a fault of the zip structure or of an entry's data
    /// (damage, a header mismatch, two entries of one name, a layout
    /// procpatch does not read): what makes a nested archive unreadable,
    /// and copied as it is, rather than the whole input refused.
    pub(crate) fn is_damage(&self) -> bool {
        matches!(
            self,
            ArchiveError::Damaged { .. }
                | ArchiveError::HeaderMismatch { .. }
                | ArchiveError::DuplicateEntry { .. }
                | ArchiveError::Unsupported { .. }
                | ArchiveError::NotZip
        )
    }

    /// The kind of failure: what a caller acts on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ArchiveError::Io { .. } | ArchiveError::Output { .. } => ErrorKind::Io,
            ArchiveError::Verify(_) => ErrorKind::Verify,
            ArchiveError::Internal(_) => ErrorKind::Internal,
            ArchiveError::SameFile => ErrorKind::Usage,
            ArchiveError::AmbiguousProcess { .. } => ErrorKind::Target,
            ArchiveError::Damaged { .. }
            | ArchiveError::HeaderMismatch { .. }
            | ArchiveError::DuplicateEntry { .. } => ErrorKind::Damaged,
            ArchiveError::Unsupported { .. } | ArchiveError::Unreadable { .. } => ErrorKind::Unsupported,
            ArchiveError::Document(d) => document_kind(d.error()),
            ArchiveError::NotZip
            | ArchiveError::Encrypted { .. }
            | ArchiveError::TooLarge { .. }
            | ArchiveError::UnreadableNested { .. }
            | ArchiveError::Bomb { .. }
            | ArchiveError::TooDeep { .. }
            | ArchiveError::Signed { .. } => ErrorKind::BadInput,
        }
    }
}

/// The kind of a document error.
fn document_kind(error: &Error) -> ErrorKind {
    match error {
        Error::TaskNotFound { .. }
        | Error::AmbiguousTask { .. }
        | Error::AmbiguousProcess { .. }
        | Error::NothingFound { .. }
        | Error::MissingProcesses { .. }
        | Error::ProcessNotFound { .. }
        | Error::DuplicateField { .. }
        | Error::SetTwice { .. } => ErrorKind::Target,
        Error::Undecodable { .. } | Error::EncodingMismatch { .. } | Error::Xml { .. } | Error::Empty => {
            ErrorKind::MalformedXml
        }
        Error::UnsupportedEncoding { .. } | Error::UnknownEntity { .. } | Error::ElementContent { .. } => {
            ErrorKind::Unsupported
        }
        // A plan or task handed to the wrong document, overlapping
        // edits: procpatch's own mistakes when it reads files.
        Error::Internal(_) | Error::WrongDocument { .. } | Error::ForeignTask { .. } => ErrorKind::Internal,
        _ => ErrorKind::BadInput,
    }
}

/// `error` and each of its sources, joined with ": ", as chain printers
/// show them: for messages that hold an error of their own.
pub(crate) fn chain_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        text.push_str(": ");
        text.push_str(&e.to_string());
        next = e.source();
    }
    text
}
