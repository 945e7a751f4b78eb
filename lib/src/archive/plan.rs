//! [`FilePlan`]: a file read and planned, ready to be written
//! ([`plan_file`]), and the same on bytes in memory ([`patch_archive`]).
//! Both take one route (`plan_source`) over a [`Source`]: a file's bytes,
//! held or read from the disk, or bytes handed over in memory.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::recipe::Recipe;

use super::error::ArchiveError;
use super::planner::{merge, Planner};
use super::report::{FileKind, FileReport, OutputReport};
use super::scan::{self, ChildData, Visitor, ZipNode};
use super::sniff::{file_kind, Kind};
use super::source::{self, Source};
use super::verify;
use super::Options;

/// A file read and matched against a recipe, ready to be written.
#[derive(Debug)]
pub struct FilePlan {
    pub(super) path: PathBuf,
    pub(super) options: Options,
    pub(super) report: FileReport,
    pub(super) root: Root,
}

/// A bare document keeps its splices, not its edited bytes: the new
/// document is made when it is written (or diffed), after the parse that
/// planned it is gone, so that the two never take memory at once.
#[derive(Debug)]
pub(super) enum Root {
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

/// Walks the archive in `source` with `visitor`, and hashes it, side by
/// side: both from one buffer when it is held in memory, unless its hash
/// is `known` (taken as it was read), else each reading the file.
pub(super) fn walk_and_hash<'p>(
    source: &Source,
    known: Option<String>,
    options: &Options,
    visitor: &mut (dyn Visitor<'p> + Send),
) -> Result<(ZipNode, String), ArchiveError> {
    if let (Some(sha), Some(bytes)) = (known, source.bytes()) {
        return Ok((scan::walk_bytes(bytes, "", 0, options, visitor)?, sha));
    }
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
            // Each reads the file with a reader of its own. A failure to
            // hash is reported first, as when one ran after the other.
            let (node, sha) = rayon::join(
                || scan::walk(source.reader()?, Some(source.reader()?), "", 0, options, visitor),
                || source.sha256(),
            );
            let sha = sha?;
            Ok((node?, sha))
        }
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
    plan_source(
        path,
        || Source::open_hashed(path, options.max_in_memory),
        recipe,
        options,
    )
    .map_err(|e| e.reading(path))
}

/// The one route of every plan, whether the bytes come from a file or from
/// memory: the recipe checked, the source opened, what it is told apart, the
/// recipe planned on each document, the reports merged. `name` is the
/// file's path (empty for bytes in memory); `open` gives the source and,
/// when it was taken as the file was read, its SHA-256.
fn plan_source(
    name: &Path,
    open: impl FnOnce() -> Result<(Source, Option<String>), ArchiveError>,
    recipe: &Recipe,
    options: &Options,
) -> Result<FilePlan, ArchiveError> {
    recipe.validate().map_err(crate::Error::from)?;
    let (source, known) = open()?;
    let mut planner = Planner::new(recipe);
    let (root, kind, sha256) = match file_kind(name, source, options)? {
        Kind::Xml(old) => {
            let (splices, sha256) = match known {
                Some(sha256) => (planner.document("", &old, None), sha256),
                None => rayon::join(|| planner.document("", &old, None), || source::sha256(&old)),
            };
            (Root::Xml { old, splices: splices? }, FileKind::Xml, sha256)
        }
        Kind::Zip(source) => {
            let (node, sha256) = walk_and_hash(&source, known, options, &mut planner)?;
            let root = Root::Zip {
                node: Box::new(node),
                source,
            };
            (root, FileKind::Zip, sha256)
        }
    };
    let report = merge(name, kind, sha256, recipe, planner)?;
    Ok(FilePlan {
        path: name.to_path_buf(),
        options: options.clone(),
        report,
        root,
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

/// Plans `recipe` on the bytes of a file held in memory (a zip archive,
/// nested archives included, or a bare BPMN document, told apart as
/// [`plan_file`] tells them) and returns the edited bytes (or the same bytes
/// when nothing changes), for tools that hold files without a disk. The plan
/// is [`plan_file`]'s; an edited archive is verified against the input as
/// [`FilePlan::write`] verifies it.
///
/// # Errors
///
/// As [`plan_file`], and [`ArchiveError::Signed`] for a signed archive the
/// edit would break, [`ArchiveError::Verify`] when the new archive does not
/// verify.
pub fn patch_archive(bytes: &[u8], recipe: &Recipe, options: &Options) -> Result<(Vec<u8>, FileReport), ArchiveError> {
    let plan = plan_source(
        Path::new(""),
        || Ok((Source::Memory(bytes.to_vec()), None)),
        recipe,
        options,
    )?;
    plan.writable()?;
    if !plan.needs_edit() {
        // The copy the plan holds is the answer.
        let held = match plan.root {
            Root::Xml { old, .. } => old,
            Root::Zip {
                source: Source::Memory(held),
                ..
            } => held,
            Root::Zip { .. } => bytes.to_vec(),
        };
        return Ok((held, plan.report));
    }
    let out = match &plan.root {
        Root::Xml { old, splices } => crate::apply(old, splices.as_deref().unwrap_or_default())?,
        Root::Zip { node, source } => {
            let mut out = Vec::new();
            let built = scan::build(&mut source.reader()?, node, scan::Extra::default(), &mut out)?;
            verify::verify(
                &mut source.reader()?,
                &mut Cursor::new(out.as_slice()),
                node,
                &built,
                options,
            )?;
            out
        }
    };
    let mut report = plan.report;
    report.output = Some(OutputReport {
        path: String::new(),
        sha256: Some(source::sha256(&out)),
        written: false,
        replaced: false,
        backup: None,
    });
    Ok((out, report))
}
