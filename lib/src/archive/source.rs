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
    File(FileReader),
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

/// A buffered reader over a file that keeps its buffer across seeks into
/// it. `BufReader`'s own `seek` empties the buffer every time, even for a
/// seek to where it already is, and the steps that read an archive seek
/// to each record in turn, mostly to just where the last one ended; they
/// would each cost a system call and a read of the buffer again. Here an
/// absolute seek is made relative to the position kept (the file's own
/// cannot be asked without a system call), and `BufReader::seek_relative`
/// stays in the buffer when it can.
pub(crate) struct FileReader {
    inner: BufReader<File>,
    /// Where the next read starts.
    pos: u64,
}

impl FileReader {
    /// How much is read at a time.
    const BUFFER: usize = 1 << 16;

    /// A reader from the start of `file`.
    pub(crate) fn new(file: File) -> FileReader {
        FileReader {
            inner: BufReader::with_capacity(Self::BUFFER, file),
            pos: 0,
        }
    }
}

impl Read for FileReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos = self.pos.saturating_add(n as u64);
        Ok(n)
    }
}

impl Seek for FileReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
            // The end is where the file says it is.
            SeekFrom::End(_) => None,
        };
        let by = target.and_then(|t| i64::try_from(i128::from(t) - i128::from(self.pos)).ok());
        match (target, by) {
            (Some(t), Some(by)) => {
                self.inner.seek_relative(by)?;
                self.pos = t;
            }
            _ => self.pos = self.inner.seek(to)?,
        }
        Ok(self.pos)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.pos)
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

/// A file of at least this many bytes is hashed on a second thread while
/// it is read; a smaller one after, on this thread.
const HASHED_MIN: usize = 1 << 20;

/// Bytes read at a time while a second thread hashes what is read. What is
/// left to hash once the file is read is one chunk: small, so that a file
/// of a few MiB is not hashed mostly after its reading.
const HASHED_CHUNK: usize = 256 << 10;

/// Reads `f`, of about `len` bytes, to its end (at most `limit` + 1 bytes),
/// a chunk at a time, each chunk hashed on a second thread once it is read.
fn read_hashing(f: &mut File, len: usize, limit: u64) -> io::Result<(Vec<u8>, String)> {
    // Zeroed, so that the chunks can be handed out as slices; the zeroes
    // cost nothing, as the pages are only made when first read into.
    let mut bytes = vec![0u8; len];
    let (filled, mut hasher) = std::thread::scope(|s| -> io::Result<(usize, Sha256)> {
        let (tx, rx) = std::sync::mpsc::channel::<&[u8]>();
        let hashing = s.spawn(move || {
            let mut hasher = Sha256::new();
            for chunk in rx {
                hasher.update(chunk);
            }
            hasher
        });
        let mut rest: &mut [u8] = &mut bytes;
        let mut filled = 0;
        let mut read = || -> io::Result<()> {
            while !rest.is_empty() {
                let n = rest.len().min(HASHED_CHUNK);
                let (chunk, after) = std::mem::take(&mut rest).split_at_mut(n);
                let got = fill(f, chunk)?;
                filled += got;
                let (done, _) = chunk.split_at(got);
                // A hashing thread that is gone is found at its join.
                let _ = tx.send(done);
                if got < n {
                    break;
                }
                rest = after;
            }
            Ok(())
        };
        let result = read();
        drop(tx);
        let hasher = hashing
            .join()
            .map_err(|_| io::Error::other("the thread hashing the file stopped"))?;
        result.map(|()| (filled, hasher))
    })?;
    bytes.truncate(filled);
    if filled == len {
        // The file grew while it was read: the rest, up to the limit.
        let mut more = Vec::new();
        f.take(limit.saturating_add(1).saturating_sub(len as u64))
            .read_to_end(&mut more)?;
        hasher.update(&more);
        bytes.extend_from_slice(&more);
    }
    Ok((bytes, hex(&hasher.finalize())))
}

/// Reads into `buf` until it is full or the file ends: how much was read.
fn fill(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match f.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl Source {
    /// The file at `path`: read whole when it holds at most `limit` bytes.
    pub fn open(path: &Path, limit: u64) -> Result<Source, ArchiveError> {
        Source::read(path, limit, false).map(|(source, _)| source)
    }

    /// [`Source::open`], and the SHA-256 of the bytes held, taken on a
    /// second thread while they are read (the hash then costs no time of
    /// its own).
    pub fn open_hashed(path: &Path, limit: u64) -> Result<(Source, Option<String>), ArchiveError> {
        Source::read(path, limit, true)
    }

    fn read(path: &Path, limit: u64, hash: bool) -> Result<(Source, Option<String>), ArchiveError> {
        let failed = |e| ArchiveError::io_at(path, e);
        let mut f = File::open(path).map_err(failed)?;
        let len = f.metadata().map_err(failed)?.len();
        if len > limit {
            return Ok((Source::File(path.to_path_buf()), None));
        }
        // The length is a hint: a file that grows while it is read is read
        // to its end, and held if it still fits.
        let len = usize::try_from(len).unwrap_or(0);
        let (bytes, sha256) = if hash && len >= HASHED_MIN {
            let (bytes, sha256) = read_hashing(&mut f, len, limit).map_err(failed)?;
            (bytes, Some(sha256))
        } else {
            let mut bytes = Vec::with_capacity(len.saturating_add(1));
            (&mut f)
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(failed)?;
            let sha256 = hash.then(|| sha256(&bytes));
            (bytes, sha256)
        };
        if bytes.len() as u64 > limit {
            return Ok((Source::File(path.to_path_buf()), None));
        }
        Ok((Source::Memory(bytes), sha256))
    }

    /// A reader from the start.
    pub fn reader(&self) -> Result<Reader<'_>, ArchiveError> {
        Ok(match self {
            Source::Memory(b) => Reader::Memory(Cursor::new(b)),
            Source::File(p) => Reader::File(FileReader::new(File::open(p).map_err(|e| ArchiveError::io_at(p, e))?)),
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Bytes that do not repeat within a chunk (also the other archive
    /// modules' tests').
    pub(in crate::archive) fn content(n: usize) -> Vec<u8> {
        let mut x: u32 = 0x9E37_79B9;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn a_file_read_while_hashed_is_held_whole_with_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            0,
            5,
            HASHED_CHUNK - 1,
            HASHED_CHUNK,
            HASHED_MIN - 1,
            HASHED_MIN,
            HASHED_MIN + 3 * HASHED_CHUNK + HASHED_CHUNK / 2 + 7,
        ] {
            let path = dir.path().join(format!("f{n}"));
            let data = content(n);
            std::fs::write(&path, &data).unwrap();
            let (source, sha) = Source::open_hashed(&path, u64::MAX).unwrap();
            assert_eq!(source.bytes(), Some(data.as_slice()), "{n}");
            assert_eq!(sha.as_deref(), Some(sha256(&data).as_str()), "{n}");
            assert_eq!(sha, Some(sha256_file(&path).unwrap()));
            // Past the limit, nothing is held and nothing hashed.
            let (source, sha) = Source::open_hashed(&path, n.saturating_sub(1) as u64).unwrap();
            assert_eq!((source.bytes().is_none(), sha), (n > 0, (n == 0).then(|| sha256(&[]))));
            // Without the hash, the same bytes.
            assert_eq!(Source::open(&path, u64::MAX).unwrap().bytes(), Some(data.as_slice()));
        }
    }

    /// The length found before reading is a hint: a file found longer is
    /// read to its end (up to the limit), one found shorter to where it
    /// ends, and the hash is of what was read.
    #[test]
    fn a_file_that_grows_or_shrinks_while_read_is_read_to_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data = content(2 * HASHED_CHUNK + 100);
        std::fs::write(&path, &data).unwrap();
        for hint in [
            HASHED_CHUNK,
            2 * HASHED_CHUNK,
            data.len(),
            data.len() + 4096,
            3 * HASHED_CHUNK,
        ] {
            let mut f = File::open(&path).unwrap();
            let (bytes, sha) = read_hashing(&mut f, hint, u64::MAX).unwrap();
            assert_eq!(bytes, data, "{hint}");
            assert_eq!(sha, sha256(&data), "{hint}");
        }
        // Growth is read up to one byte past the limit, which refuses it.
        let mut f = File::open(&path).unwrap();
        let limit = (HASHED_CHUNK + 10) as u64;
        let (bytes, _) = read_hashing(&mut f, HASHED_CHUNK, limit).unwrap();
        assert_eq!(bytes.len() as u64, limit + 1);
    }

    /// Seeks of every kind, into the buffer and out of it, forwards and
    /// back, then reads of every size: the same bytes and positions as a
    /// cursor over the file's bytes gives, and the same refusals.
    #[test]
    fn a_file_reader_reads_what_a_cursor_over_its_bytes_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let n = 3 * FileReader::BUFFER + 123;
        let data = content(n);
        std::fs::write(&path, &data).unwrap();
        let mut file = FileReader::new(File::open(&path).unwrap());
        let mut cursor = Cursor::new(data.as_slice());
        let buffer = FileReader::BUFFER as i64;
        let len = n as i64;
        // A walk over the file: where to go, then how much to read.
        let mut x: u64 = 7;
        let mut next = |m: i64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (m.max(1) as u64)) as i64
        };
        for step in 0..2000 {
            let to = match step % 6 {
                0 => SeekFrom::Start(next(len + 10) as u64),
                1 => SeekFrom::Current(next(200) - 100),
                2 => SeekFrom::Current(next(2 * buffer) - buffer),
                3 => SeekFrom::End(-next(len + 10)),
                4 => SeekFrom::Current(0),
                _ => SeekFrom::Current(-(len + 1)),
            };
            let (a, b) = (file.seek(to), cursor.seek(to));
            assert_eq!(a.is_ok(), b.is_ok(), "step {step}: {to:?}");
            if let (Ok(a), Ok(b)) = (a, b) {
                assert_eq!(a, b, "step {step}: {to:?}");
            } else {
                // A refused seek leaves both where they were.
                let (a, b) = (file.stream_position().unwrap(), cursor.stream_position().unwrap());
                assert_eq!(a, b, "step {step}");
            }
            let want = match step % 4 {
                0 => next(30),
                1 => next(buffer),
                2 => buffer + next(buffer),
                _ => next(4 * buffer),
            } as usize;
            let (mut a, mut b) = (vec![0; want], vec![0; want]);
            // The position kept is the file's own.
            assert_eq!(file.inner.stream_position().unwrap(), file.pos, "step {step}");
            let (ra, rb) = (file.read_exact(&mut a).is_ok(), cursor.read_exact(&mut b).is_ok());
            assert_eq!(ra, rb, "step {step}: {want} bytes");
            if ra {
                assert_eq!(a, b, "step {step}");
                assert_eq!(file.stream_position().unwrap(), cursor.stream_position().unwrap());
            } else {
                // Past the end: both go back to a known place.
                file.seek(SeekFrom::Start(0)).unwrap();
                cursor.seek(SeekFrom::Start(0)).unwrap();
            }
        }
    }
}
