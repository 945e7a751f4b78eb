//! Putting a plan's output in place safely: a temporary file beside the
//! target, flushed, re-read and verified, then renamed over the target; a
//! numbered backup of the input when asked. Errors on the output side name
//! the output, not the input.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::bare::{verify_document, write_document, Written};
use super::error::ArchiveError;
use super::readback;
use super::report::{FileReport, OutputReport, SignatureReport};
use super::scan::{self, Built, Contents, Extra};
use super::signature::{self, Signer, SigningReport, VerifyStatus};
use super::source::Source;
use super::{FilePlan, Root};

/// How to put the output in place.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The output may be the input file itself.
    pub in_place: bool,
    /// With `in_place`, keep a copy of the input before replacing it: the
    /// first free name of `FILE.bak`, `FILE.bak.1`, `FILE.bak.2`, … (an
    /// earlier backup is never overwritten). The copy keeps the input's
    /// permissions and modification time.
    pub backup: bool,
    /// Sign the written archive with this key: a signed input again, under
    /// its own signature file name; an unsigned one fresh. A bare BPMN file
    /// has no signature and is written unsigned.
    pub signer: Option<Signer>,
    /// Leave syncing the output's folder, which makes the rename into place
    /// itself survive a crash, to the caller: one writing many files into
    /// a folder syncs it once at the end with [`sync_folder`]. The file's
    /// own bytes are synced before it is renamed either way.
    pub defer_folder_sync: bool,
}

impl WriteOptions {
    /// Writing to a new file, no backup, no signing.
    pub fn new() -> WriteOptions {
        WriteOptions::default()
    }

    /// Allows writing over the input (with `backup`, a numbered copy first).
    pub fn in_place(mut self, backup: bool) -> WriteOptions {
        self.in_place = true;
        self.backup = backup;
        self
    }

    /// Signs with `signer`.
    pub fn signed_by(mut self, signer: Signer) -> WriteOptions {
        self.signer = Some(signer);
        self
    }

    /// Leaves the output's folder to be synced by the caller (see
    /// [`WriteOptions::defer_folder_sync`]).
    pub fn deferring_folder_sync(mut self) -> WriteOptions {
        self.defer_folder_sync = true;
        self
    }
}

/// An output written and verified beside its target, waiting to be put in
/// place ([`FilePlan::stage`]).
#[derive(Debug)]
#[must_use = "a staged output is put in place only by `commit`; dropped, it is removed"]
pub struct Staged {
    /// The report as it will be once committed.
    report: FileReport,
    /// `None` when there is nothing to write (an in-place run that changes
    /// nothing).
    file: Option<StagedFile>,
}

/// The temporary file of a [`Staged`] output and what its commit does.
#[derive(Debug)]
struct StagedFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    /// The folder of `target`, synced after the rename unless deferred.
    dir: PathBuf,
    /// Whether the file is already on disk (a large one, flushed while it
    /// was read back).
    synced: bool,
    /// The input to back up first (an in-place run with backups).
    backup: Option<PathBuf>,
    sync_folder: bool,
}

impl Staged {
    /// The report as the commit will return it: the output's path, hash
    /// and whether it replaces a file; only the backup's name (an in-place
    /// run with backups) is filled in by the commit.
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// Starts writing the file to disk without waiting for it, so that
    /// the [`Staged::flush`] after it waits for less. One flushing a group
    /// of outputs starts every one before it waits for any, and their
    /// writes go to the disk together (on 1,000 small files in groups of
    /// 16, the flushes took half the CPU time of flushing each in turn;
    /// `apply` of 1,000 small archives with `-j 1`, 13–15% less). On Linux
    /// this tells the kernel that the file's cached pages are not needed
    /// again (the file has been read back), which starts writing those not
    /// yet written; elsewhere it does nothing. It cannot fail: the flush
    /// that follows writes and waits either way.
    pub fn start_flush(&self) {
        #[cfg(target_os = "linux")]
        if let Some(f) = self.file.as_ref().filter(|f| !f.synced) {
            let _ = rustix::fs::fadvise(f.tmp.as_file(), 0, None, rustix::fs::Advice::DontNeed);
        }
    }

    /// Flushes the written file to disk now, so that [`Staged::commit`]
    /// only puts it in place. One committing many outputs into one folder
    /// flushes a group of them before renaming any: on a file system that
    /// writes a new file's folder with the file (ext4 without a journal),
    /// each rename left the folder to be written again by the next
    /// file's flush. Flushing twice does nothing more.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Output`] naming the target when flushing fails; the
    /// output is then not to be committed (dropped, its temporary file is
    /// removed).
    pub fn flush(&mut self) -> Result<(), ArchiveError> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        if !f.synced {
            f.tmp.as_file().sync_all().map_err(|source| ArchiveError::Output {
                path: f.target.clone(),
                source,
            })?;
            f.synced = true;
        }
        Ok(())
    }

    /// Puts the output in place: the file flushed to disk (unless it
    /// already was, by [`Staged::flush`] or while it was read back), the
    /// backup made (an in-place run with backups), the file renamed over
    /// its target, then its folder synced unless the caller defers that
    /// ([`WriteOptions::deferring_folder_sync`]).
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Output`] naming the target (or the backup) when
    /// flushing, backing up or renaming fails; the temporary file is then
    /// removed and the target untouched.
    pub fn commit(mut self) -> Result<FileReport, ArchiveError> {
        self.flush()?;
        let Some(f) = self.file else {
            return Ok(self.report);
        };
        let out_err = |source: std::io::Error| ArchiveError::Output {
            path: f.target.clone(),
            source,
        };
        let mut report = self.report;
        if let Some(input) = &f.backup {
            let made = backup(input)?.display().to_string();
            if let Some(output) = report.output.as_mut() {
                output.backup = Some(made);
            }
        }
        f.tmp.persist(&f.target).map_err(|e| out_err(e.error))?;
        if f.sync_folder {
            let _ = sync_folder(&f.dir);
        }
        Ok(report)
    }
}

/// Syncs the folder `dir` (its entries: the names renamed into it), as
/// [`FilePlan::write`] does after its rename unless the caller defers it.
///
/// # Errors
///
/// The folder cannot be opened or synced (some file systems cannot sync
/// a folder; [`FilePlan::write`] ignores that).
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The most numbered backups tried before giving up.
const MAX_BACKUPS: u32 = 10_000;

/// Outputs of this many bytes or more go to disk on a thread of their own
/// while they are read back and checked; smaller ones are synced by the
/// commit, after the check.
const SYNC_BESIDE: u64 = 1 << 20;

/// An edited archive ready to be written: the new content of its entries
/// and what a signing adds.
struct Prepared<'n> {
    contents: Contents<'n>,
    extra: Extra,
    signing: Option<SigningReport>,
}

/// The DOS date and time of `t` (UTC), for new entries.
fn dos_time(t: SystemTime) -> (u16, u16) {
    match der::DateTime::from_system_time(t) {
        Ok(d) => {
            let year = d.year().clamp(1980, 2107) - 1980;
            let date = (year << 9) | (u16::from(d.month()) << 5) | u16::from(d.day());
            let time = (u16::from(d.hour()) << 11) | (u16::from(d.minutes()) << 5) | u16::from(d.seconds() / 2);
            (date, time)
        }
        Err(_) => (0x21, 0),
    }
}

impl FilePlan {
    /// Writes the result to `target`: into a temporary file beside it,
    /// re-read and verified, flushed to disk, then renamed into place. On
    /// any error no file is left at `target`, and the input is never
    /// touched. When nothing changes, the output is a byte-identical copy
    /// (and an in-place run writes nothing).
    ///
    /// With a signer, the archive is signed (see [`WriteOptions::signer`])
    /// and its signature verified in the written file before it is put in
    /// place.
    ///
    /// An existing file at `target` is replaced (the report says so); a
    /// directory there, or a folder that does not exist, is an
    /// [`ArchiveError::Output`] naming `target`.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Signed`] for a signature the edit would break (and
    /// no signer), [`ArchiveError::SameFile`] for the input as target
    /// without `in_place`, [`ArchiveError::Output`] when writing fails,
    /// [`ArchiveError::Verify`] when the written file does not verify.
    pub fn write(&self, target: &Path, options: &WriteOptions) -> Result<FileReport, ArchiveError> {
        self.stage(target, options)?.commit()
    }

    /// The first half of [`FilePlan::write`]: the output written into a
    /// temporary file beside `target`, read back and verified (a signature
    /// included), but not yet flushed to disk nor put in place;
    /// [`Staged::commit`] does that. A large output is flushed here, while
    /// it is read back.
    ///
    /// One writing many files can hand each staged file to a thread of its
    /// own that commits them, so that waiting for the disk overlaps the
    /// next file's work (the CLI does this for a batch). A `Staged` dropped
    /// without a commit removes its temporary file; `target` is untouched.
    ///
    /// ```no_run
    /// use std::path::Path;
    /// use procpatch::archive::{plan_file, Options, WriteOptions};
    /// use procpatch::Recipe;
    ///
    /// let input = Path::new("ProcessImport.zip");
    /// let plan = plan_file(input, &Recipe::builtin(), &Options::default())?;
    /// let staged = plan.stage(Path::new("patched.zip"), &WriteOptions::new())?;
    /// // Verified, not yet in place: another thread may commit it.
    /// let report = std::thread::spawn(move || staged.commit()).join().expect("commit thread")?;
    /// assert!(report.output.is_some_and(|o| o.written));
    /// # Ok::<(), procpatch::archive::ArchiveError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`FilePlan::write`], but for what the commit does: flushing the
    /// file, the backup and the rename.
    pub fn stage(&self, target: &Path, options: &WriteOptions) -> Result<Staged, ArchiveError> {
        self.writable_with(options.signer.is_some())?;
        let existing = std::fs::metadata(target).ok();
        let same = existing.is_some() && same_file(&self.path, target);
        if same && !options.in_place {
            return Err(ArchiveError::SameFile);
        }
        let out_err = |source: std::io::Error| ArchiveError::Output {
            path: target.to_path_buf(),
            source,
        };
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
        let prepared = self.prepare(options.signer.as_ref())?;
        if same && prepared.is_none() && !self.needs_edit() {
            output.sha256 = Some(report.sha256.clone());
            report.output = Some(output);
            return Ok(Staged { report, file: None });
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
        let signing = prepared.as_ref().and_then(|p| p.signing.clone());
        let wrote = match &self.root {
            Root::Xml { old, splices } => {
                let pieces = crate::splice::pieces(old, splices.as_deref().unwrap_or_default())?;
                let sha256 = write_document(tmp.as_file_mut(), &self.path, old, &pieces)
                    .map_err(|e| self.write_error(e, target))?;
                Wrote::Document { pieces, sha256 }
            }
            Root::Zip { .. } => Wrote::Archive(self.fill(tmp.as_file_mut(), target, prepared)?),
        };
        // The written file is read back: a document once, into one buffer,
        // and compared piece by piece (it was hashed as it was written); an
        // archive verified and hashed side by side, each reading it (from
        // 1 MiB, from the file a buffer at a time, else once into memory).
        // Meanwhile it goes to disk (it is read back from the page cache
        // either way).
        let file = tmp.as_file();
        let len = file.metadata().map(|m| m.len()).ok();
        let small = len.is_some_and(|n| n < SYNC_BESIDE);
        let (synced, checked) = if small {
            // A thread costs more than it saves here, and in a batch of
            // small archives its stack's mapping and unmapping would hold
            // up the other workers: the commit flushes it.
            (Ok(false), self.check_written(tmp.path(), len, wrote))
        } else {
            std::thread::scope(|s| {
                let sync = s.spawn(|| file.sync_all());
                let checked = self.check_written(tmp.path(), len, wrote);
                let synced = sync
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("the thread syncing the file stopped")));
                (synced.map(|()| true), checked)
            })
        };
        let synced = synced.map_err(out_err)?;
        let (sha, back) = checked?;
        if let (Some(s), Some(back)) = (signing, &back) {
            // The new signature holds in the written file, or nothing is put
            // in place.
            let check = signature::verify(back.reader()?, "", &self.options, None)?;
            if check.status != VerifyStatus::Valid {
                return Err(ArchiveError::Verify(format!(
                    "the new signature does not verify: {}",
                    check.to_string().lines().skip(1).collect::<Vec<_>>().join("; ")
                )));
            }
            let sig = report.signature.get_or_insert_with(|| SignatureReport {
                files: Vec::new(),
                removed: Vec::new(),
                signed: None,
            });
            sig.removed.extend(s.removed.iter().cloned());
            sig.signed = Some(s);
        }
        drop(back);
        if let Ok(meta) = std::fs::metadata(&self.path) {
            // The output gets the input's permissions, not the temporary
            // file's private ones.
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        output.sha256 = Some(sha);
        output.written = true;
        output.replaced = existing.is_some();
        report.output = Some(output);
        Ok(Staged {
            report,
            file: Some(StagedFile {
                tmp,
                target: target.to_path_buf(),
                dir,
                synced,
                backup: (same && options.backup).then(|| self.path.clone()),
                sync_folder: !options.defer_folder_sync,
            }),
        })
    }

    /// Writes the output bytes to any writer (standard output, a buffer),
    /// without the temporary-file, verification and rename steps of
    /// [`FilePlan::write`], and without signing.
    ///
    /// # Errors
    ///
    /// [`ArchiveError::Signed`] for a signature the edit would break; read
    /// and write errors.
    pub fn write_to(&self, out: &mut dyn Write) -> Result<(), ArchiveError> {
        self.writable()?;
        let prepared = self.prepare(None)?;
        self.emit(out, prepared).map(|_| ())
    }

    /// The new contents of an edited archive and, with a signer, what
    /// signing adds; `None` when the input is copied as it is.
    fn prepare(&self, signer: Option<&Signer>) -> Result<Option<Prepared<'_>>, ArchiveError> {
        let Root::Zip { node, source } = &self.root else {
            return Ok(None);
        };
        let unsigned = signature::detect(&node.raw).is_none();
        let sign_fresh = signer.is_some() && unsigned;
        if !(node.changes() || sign_fresh) {
            return Ok(None);
        }
        let contents = scan::contents(node)?;
        let mut extra = Extra::default();
        let mut signing = None;
        if let Some(signer) = signer {
            let time = SystemTime::now();
            // Signing digests whole contents.
            let whole = contents
                .iter()
                .map(|(i, c)| Ok((*i, c.to_vec()?)))
                .collect::<Result<Vec<_>, ArchiveError>>()?;
            let s = signature::sign(source.reader()?, &node.raw, &whole, signer, &self.options, time)?;
            extra = Extra {
                replace: s.replace,
                remove: s.remove,
                add: s.add,
                time: dos_time(time),
            };
            signing = Some(s.report);
        }
        Ok(Some(Prepared {
            contents,
            extra,
            signing,
        }))
    }

    /// Writes the output bytes; for an edited archive, returns what was
    /// built, which verification needs.
    fn emit<'p>(&self, out: &mut dyn Write, prepared: Option<Prepared<'p>>) -> Result<Option<Built<'p>>, ArchiveError> {
        match (&self.root, prepared) {
            (Root::Xml { old, splices }, _) => {
                for piece in crate::splice::pieces(old, splices.as_deref().unwrap_or_default())? {
                    out.write_all(piece)?;
                }
            }
            (Root::Zip { node, source }, Some(mut p)) => {
                return scan::build_with(&mut source.reader()?, node, &mut p.contents, p.extra, out).map(Some);
            }
            (Root::Zip { source, .. }, None) => match source.bytes() {
                Some(bytes) => out.write_all(bytes)?,
                None => {
                    std::io::copy(&mut source.reader()?, out)?;
                }
            },
        }
        Ok(None)
    }

    /// Reads the file written at `path` back and checks it against the
    /// plan: its SHA-256, and for an archive the file read back. A
    /// document's SHA-256 was taken from the bytes it should hold while it
    /// was written; once the file read back is found to hold exactly those
    /// bytes, that is the file's. `len` is the file's length as written (how
    /// an archive is read back).
    fn check_written(
        &self,
        path: &Path,
        len: Option<u64>,
        wrote: Wrote<'_, '_>,
    ) -> Result<(String, Option<Source>), ArchiveError> {
        let built = match wrote {
            Wrote::Document { pieces, sha256 } => {
                verify_document(path, &pieces)?;
                return Ok((sha256, None));
            }
            Wrote::Archive(built) => built,
        };
        // Read back from the file, not into memory: the pages are in the
        // page cache, and a buffer the archive's size would cost as much
        // time in fresh memory as the reading itself.
        let back = match len {
            Some(n) if n >= READ_BACK_HELD => Source::File(path.to_path_buf()),
            _ => Source::open(path, self.options.max_in_memory)?,
        };
        let copied = built.is_none();
        let (verified, sha) = rayon::join(|| self.verify(&back, path, built), || back.sha256());
        let sha = sha?;
        verified?;
        if copied && sha != self.report.sha256 {
            return Err(ArchiveError::Verify("the copy differs from the input".into()));
        }
        Ok((sha, Some(back)))
    }

    /// A failure of [`write_document`] as an error about `target` or the input.
    fn write_error(&self, e: Written, target: &Path) -> ArchiveError {
        match e {
            Written::Read(e) => e,
            Written::Write(source) => ArchiveError::Output {
                path: target.to_path_buf(),
                source,
            },
        }
    }

    /// The output bytes, into `out` (buffered). A failure to write is an
    /// error about `target`; a failure to read stays one about the input.
    fn fill<'p>(
        &self,
        out: &mut File,
        target: &Path,
        prepared: Option<Prepared<'p>>,
    ) -> Result<Option<Built<'p>>, ArchiveError> {
        // An eighth of the archive's size, from 8 KiB: the buffer is
        // allocated whole, and a small archive's output is mostly its
        // edited entries, written past any buffer. An archive read from
        // the disk is past `max_in_memory`: large.
        let size = match &self.root {
            Root::Zip { source, .. } => source.bytes().map_or(WRITE_BUFFER, <[u8]>::len),
            Root::Xml { .. } => WRITE_BUFFER,
        };
        let mut w = Tracked {
            inner: std::io::BufWriter::with_capacity((size / 8).clamp(8 << 10, WRITE_BUFFER), out),
            failed: false,
        };
        let result = self.emit(&mut w, prepared).and_then(|built| {
            w.flush()?;
            Ok(built)
        });
        match result {
            Err(ArchiveError::Io { source, .. }) if w.failed => Err(ArchiveError::Output {
                path: target.to_path_buf(),
                source,
            }),
            other => other,
        }
    }

    /// Checks the written archive at `path`, read back as `back`, against
    /// the plan. A copy is checked by its SHA-256, in [`FilePlan::write`].
    fn verify(&self, back: &Source, path: &Path, built: Option<Built<'_>>) -> Result<(), ArchiveError> {
        match (&self.root, built) {
            (Root::Zip { node, source }, Some(built)) => {
                readback::verify(&mut source.reader()?, back.reader()?, path, node, &built, &self.options)
            }
            _ => Ok(()),
        }
    }
}

/// What [`FilePlan::stage`] wrote, for [`FilePlan::check_written`].
enum Wrote<'p, 'a> {
    /// A document: the pieces it should hold (its old bytes and splices,
    /// [`crate::splice::pieces`]) and their SHA-256.
    Document { pieces: Vec<&'a [u8]>, sha256: String },
    /// An archive, and what was built unless it was copied as it is.
    Archive(Option<Built<'p>>),
}

/// How much of an archive is written at a time, at most: a system call
/// per record, or per 8 KiB of small records as `BufWriter::new` would,
/// costs more in the kernel than the copying (measured on an export of
/// 34 MiB: 8 KiB 131 ms, 256 KiB 121 ms, 1 MiB 117 ms, 4 MiB 153 ms).
const WRITE_BUFFER: usize = 1 << 20;

/// Archives written of fewer bytes than this are read back whole into
/// memory (one read); larger ones from the file, a buffer at a time.
const READ_BACK_HELD: u64 = 1 << 20;

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
    let meta = std::fs::metadata(input).map_err(|e| ArchiveError::io_at(input, e))?;
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
    let mut original = File::open(input).map_err(|e| ArchiveError::io_at(input, e))?;
    let copied = std::io::copy(&mut original, &mut file);
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

/// Whether two paths name one existing file (both resolved, links
/// followed): the check [`FilePlan::write`] makes before it writes over its
/// input.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        // Two files apart (most often) are told by their inodes, without
        // resolving every folder on both paths. One inode may still be two
        // names (hard links), which resolving tells apart.
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) if (x.dev(), x.ino()) == (y.dev(), y.ino()) => {}
            _ => return false,
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
