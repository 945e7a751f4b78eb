//! Where an input file's bytes come from. A file up to
//! [`Options::max_in_memory`](super::Options::max_in_memory) is read once,
//! whole: it is hashed, walked, copied and compared from that one buffer,
//! and the bytes written are the bytes that were hashed. A larger one is
//! read from the disk by each step.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::ArchiveError;

/// An input file: its bytes, or where to read them.
#[derive(Debug)]
pub(crate) enum Source {
    /// The whole file.
    Memory(Vec<u8>),
    /// A file too large to hold.
    File(PathBuf),
}

/// A reader over a [`Source`].
pub(crate) enum Reader<'a> {
    Memory(Cursor<&'a [u8]>),
    File(BufReader<File>),
}

impl Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Reader::Memory(c) => c.read(buf),
            Reader::File(f) => f.read(buf),
        }
    }
}

impl Seek for Reader<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Reader::Memory(c) => c.seek(pos),
            Reader::File(f) => f.seek(pos),
        }
    }
}

impl super::rewrite::Input for Reader<'_> {
    fn held(&self) -> Option<&[u8]> {
        match self {
            Reader::Memory(c) => Some(c.get_ref()),
            Reader::File(_) => None,
        }
    }
}

/// The lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file, streamed.
///
/// # Errors
///
/// An I/O error when the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String, ArchiveError> {
    let mut hasher = Sha256::new();
    let mut f = File::open(path).map_err(|e| ArchiveError::io_at(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ArchiveError::io_at(path, e)),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

impl Source {
    /// The file at `path`: read whole when it holds at most `limit` bytes.
    pub fn open(path: &Path, limit: u64) -> Result<Source, ArchiveError> {
        let failed = |e| ArchiveError::io_at(path, e);
        let mut f = File::open(path).map_err(failed)?;
        let len = f.metadata().map_err(failed)?.len();
        if len > limit {
            return Ok(Source::File(path.to_path_buf()));
        }
        // The length is a hint: a file that grows while it is read is read
        // to its end, and held if it still fits.
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
        (&mut f)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(failed)?;
        if bytes.len() as u64 > limit {
            return Ok(Source::File(path.to_path_buf()));
        }
        Ok(Source::Memory(bytes))
    }

    /// A reader from the start.
    pub fn reader(&self) -> Result<Reader<'_>, ArchiveError> {
        Ok(match self {
            Source::Memory(b) => Reader::Memory(Cursor::new(b)),
            Source::File(p) => Reader::File(BufReader::with_capacity(
                1 << 16,
                File::open(p).map_err(|e| ArchiveError::io_at(p, e))?,
            )),
        })
    }

    /// The bytes, when they are held.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Source::Memory(b) => Some(b),
            Source::File(_) => None,
        }
    }

    /// Its SHA-256, in hex.
    pub fn sha256(&self) -> Result<String, ArchiveError> {
        match self {
            Source::Memory(b) => Ok(sha256(b)),
            Source::File(p) => sha256_file(p),
        }
    }

    /// Its first `n` bytes (fewer if it is shorter).
    pub fn head(&self, n: usize) -> Result<Vec<u8>, ArchiveError> {
        let mut head = Vec::with_capacity(n);
        self.reader()?.take(n as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    /// Its last `n` bytes (fewer if it is shorter).
    pub fn tail(&self, n: u64) -> Result<Vec<u8>, ArchiveError> {
        let mut r = self.reader()?;
        let len = r.seek(SeekFrom::End(0))?;
        r.seek(SeekFrom::Start(len.saturating_sub(n)))?;
        let mut tail = Vec::new();
        r.take(n).read_to_end(&mut tail)?;
        Ok(tail)
    }

    /// All its bytes, up to `limit` (`None` past it): the held buffer, or
    /// the file read.
    pub fn into_bytes(self, limit: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
        let bytes = match self {
            Source::Memory(b) => b,
            Source::File(p) => {
                let mut bytes = Vec::new();
                let failed = |e| ArchiveError::io_at(&p, e);
                File::open(&p)
                    .map_err(failed)?
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut bytes)
                    .map_err(failed)?;
                bytes
            }
        };
        Ok((bytes.len() as u64 <= limit).then_some(bytes))
    }
}
