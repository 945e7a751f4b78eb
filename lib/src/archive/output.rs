//! Putting a plan's output in place safely: a temporary file beside the
//! target, flushed, re-read and verified, then renamed over the target; a
//! numbered backup of the input when asked. Errors on the output side name
//! the output, not the input.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use super::error::ArchiveError;
use super::report::{FileReport, OutputReport};
use super::scan::{self, Contents};
use super::{rewrite, sha256_file, FilePlan, Root};
use crate::document::Document;

/// How to put the output in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// The output may be the input file itself.
    pub in_place: bool,
    /// With `in_place`, keep a copy of the input before replacing it: the
    /// first free name of `FILE.bak`, `FILE.bak.1`, `FILE.bak.2`, … (an
    /// earlier backup is never overwritten). The copy keeps the input's
    /// permissions and modification time.
    pub backup: bool,
}

/// The most numbered backups tried before giving up.
const MAX_BACKUPS: u32 = 10_000;

impl FilePlan {
    /// Writes the result to `target`: into a temporary file beside it,
    /// flushed to disk, re-read and verified, then renamed into place. On
    /// any error no file is left at `target`, and the input is never
    /// touched. When nothing changes, the output is a byte-identical copy
    /// (and an in-place run writes nothing).
    ///
    /// An existing file at `target` is replaced (the report says so); a
    /// directory there, or a folder that does not exist, is an
    /// [`ArchiveError::Output`] naming `target`.
    pub fn write(&self, target: &Path, options: &WriteOptions) -> Result<FileReport, ArchiveError> {
        self.writable()?;
        let same = same_file(&self.path, target);
        if same && !options.in_place {
            return Err(ArchiveError::SameFile);
        }
        let out_err = |source: std::io::Error| ArchiveError::Output {
            path: target.to_path_buf(),
            source,
        };
        let existing = std::fs::metadata(target).ok();
        if existing.as_ref().is_some_and(std::fs::Metadata::is_dir) {
            return Err(out_err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "it is a directory",
            )));
        }
        let mut report = self.report.clone();
        let mut output = OutputReport {
            path: target.display().to_string(),
            sha256: None,
            written: false,
            replaced: false,
            backup: None,
        };
        if same && !self.needs_edit() {
            output.sha256 = Some(report.sha256.clone());
            report.output = Some(output);
            return Ok(report);
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".procpatch-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(out_err)?;
        let built = self.fill(tmp.as_file_mut(), target)?;
        tmp.as_file().sync_all().map_err(out_err)?;
        self.verify(tmp.path(), built)?;
        let sha = sha256_file(tmp.path())?;
        if let Ok(meta) = std::fs::metadata(&self.path) {
            // The output gets the input's permissions, not the temporary
            // file's private ones.
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        if same && options.backup {
            output.backup = Some(backup(&self.path)?.display().to_string());
        }
        tmp.persist(target).map_err(|e| out_err(e.error))?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        output.sha256 = Some(sha);
        output.written = true;
        output.replaced = existing.is_some();
        report.output = Some(output);
        Ok(report)
    }

    /// Writes the output bytes to any writer (standard output, a buffer),
    /// without the temporary-file, verification and rename steps of
    /// [`FilePlan::write`].
    pub fn write_to(&self, out: &mut dyn Write) -> Result<(), ArchiveError> {
        self.writable()?;
        self.emit(out).map(|_| ())
    }

    /// Writes the output bytes; for an edited archive, returns where its
    /// entries went and their new content, which verification needs.
    fn emit(&self, out: &mut dyn Write) -> Result<Option<(rewrite::Written, Contents)>, ArchiveError> {
        match &self.root {
            Root::Xml { old, new } => out.write_all(new.as_deref().unwrap_or(old))?,
            Root::Zip(node) if !node.changes() => {
                std::io::copy(&mut File::open(&self.path)?, out)?;
            }
            Root::Zip(node) => {
                let mut src = BufReader::new(File::open(&self.path)?);
                return scan::build(&mut src, node, out).map(Some);
            }
        }
        Ok(None)
    }

    /// The output bytes, into `out` (buffered). A failure to write is an
    /// error about `target`; a failure to read stays one about the input.
    fn fill(&self, out: &mut File, target: &Path) -> Result<Option<(rewrite::Written, Contents)>, ArchiveError> {
        let mut w = Tracked {
            inner: std::io::BufWriter::new(out),
            failed: false,
        };
        let result = self.emit(&mut w).and_then(|built| {
            w.flush()?;
            Ok(built)
        });
        match result {
            Err(ArchiveError::Io(source)) if w.failed => Err(ArchiveError::Output {
                path: target.to_path_buf(),
                source,
            }),
            other => other,
        }
    }

    /// Re-reads the written file and checks it against the plan.
    fn verify(&self, written: &Path, built: Option<(rewrite::Written, Contents)>) -> Result<(), ArchiveError> {
        match &self.root {
            Root::Xml { old, new } => {
                let got = std::fs::read(written)?;
                let want = new.as_deref().unwrap_or(old);
                if got != want {
                    return Err(ArchiveError::Verify(
                        "the written document differs from the plan".into(),
                    ));
                }
                Document::parse(&got)
                    .map_err(|e| ArchiveError::Verify(format!("the written document does not parse: {e}")))?;
                Ok(())
            }
            Root::Zip(node) if !node.changes() => {
                if sha256_file(written)? != self.report.sha256 {
                    return Err(ArchiveError::Verify("the copy differs from the input".into()));
                }
                Ok(())
            }
            Root::Zip(node) => {
                let Some((w, contents)) = built else {
                    return Err(ArchiveError::Verify("nothing was built".into()));
                };
                let mut src = BufReader::new(File::open(&self.path)?);
                let mut out = BufReader::new(File::open(written)?);
                scan::verify(&mut src, &mut out, node, &w, &contents, &self.options)
            }
        }
    }
}

/// A writer that remembers whether it failed, so that an I/O error can be
/// told apart from one while reading the input.
struct Tracked<W: Write> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}

/// Copies `input` to the first free name of `input.bak`, `input.bak.1`,
/// … (created exclusively, so an earlier backup is never overwritten),
/// with the input's permissions and modification time, flushed to disk.
fn backup(input: &Path) -> Result<PathBuf, ArchiveError> {
    let meta = std::fs::metadata(input)?;
    let mut n = 0;
    let (path, mut file) = loop {
        let mut name = input.as_os_str().to_owned();
        name.push(".bak");
        if n > 0 {
            name.push(format!(".{n}"));
        }
        let path = PathBuf::from(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => break (path, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < MAX_BACKUPS => n += 1,
            Err(source) => return Err(ArchiveError::Output { path, source }),
        }
    };
    let out_err = |source| ArchiveError::Output {
        path: path.clone(),
        source,
    };
    let copied = std::io::copy(&mut File::open(input)?, &mut file);
    let done = copied
        .and_then(|_| file.set_permissions(meta.permissions()))
        .and_then(|()| {
            let mut times = std::fs::FileTimes::new();
            if let Ok(m) = meta.modified() {
                times = times.set_modified(m);
            }
            if let Ok(a) = meta.accessed() {
                times = times.set_accessed(a);
            }
            file.set_times(times)
        })
        .and_then(|()| file.sync_all());
    if let Err(e) = done {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(out_err(e));
    }
    Ok(path)
}

/// Whether two paths name one existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
