//! Reading an archive's entries: the checks the layout leaves to reading
//! (duplicate names), the decompressed data of each entry read to its end
//! with its size and CRC-32 checked and the size limit enforced, and what
//! each entry is.
//!
//! The layout (`raw`) says where each entry's data is. Stored and deflated
//! data is copied or inflated by [`inflate`], with one inflater for every
//! entry; other methods are decompressed by the `zip` crate, fed a minimal
//! local header and the data, and told to skip its own CRC check: it
//! reports a mismatch as an `io::Error` with a message and no type of its
//! own. Either way procpatch computes CRC-32 and counts the size itself,
//! and its faults are typed here.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use zip::ZipReadOptions;

use super::error::ArchiveError;
use super::inflate;
use super::raw::{self, RawArchive};
use super::Options;

/// Below this size no entry counts as a zip bomb, whatever its ratio.
const RATIO_FLOOR: u64 = 1 << 20;

/// How many bytes of an entry tell what it is.
pub(crate) const HEAD: usize = 512;

/// What an entry holds, found from its content, not its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EntryKind {
    /// A BPMN 2.0 document (root `definitions` in the BPMN model namespace).
    Bpmn,
    /// A zip archive, opened and edited under the same rules.
    Zip,
    /// Anything else; copied untouched.
    Other,
    /// A directory entry.
    Directory,
    /// Content procpatch cannot decompress (a method other than stored,
    /// deflate, bzip2 and LZMA); copied untouched.
    Unreadable,
    /// An encrypted entry: listed by `inspect`, refused by a plan.
    Encrypted,
}

impl From<inflate::Corrupt> for Fault {
    fn from(c: inflate::Corrupt) -> Fault {
        Fault::Decompress(c.0.into())
    }
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Fault {
        Fault::Io(e)
    }
}

/// Why reading an entry's data failed: faults of the data, typed.
#[derive(Debug)]
enum Fault {
    /// The data inflated past the size its headers declare.
    Larger,
    /// The data inflated past the entry's cap (a bomb, or too large).
    Over,
    /// The data does not match its CRC-32.
    Crc,
    /// The decompressor refused the data.
    Decompress(String),
    /// Reading the file failed.
    Io(std::io::Error),
}

/// An archive: its layout and the file it is in.
#[derive(Debug)]
pub(crate) struct Opened<R: Read + Seek> {
    pub raw: RawArchive,
    r: R,
}

/// Reads the entries of a layout from a reader: an [`Opened`] archive's
/// own, or another over the same bytes (for reading ahead on a second
/// thread).
pub(crate) struct Entries<'a, R> {
    raw: &'a RawArchive,
    r: R,
    /// The inflater and buffers of stored and deflated entries, made once
    /// and used for every entry this reads ([`inflate`]).
    kit: inflate::Kit,
}

/// A reader that remembers whether it failed, so that a failure of the
/// file can be told from a fault of the data.
struct Watched<R> {
    inner: R,
    failed: Option<(std::io::ErrorKind, String)>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.inner.read(buf);
        if let Err(e) = &r {
            self.failed.get_or_insert_with(|| (e.kind(), e.to_string()));
        }
        r
    }
}

impl<R: Read + Seek> Opened<R> {
    /// Its entries, read from its own reader.
    pub fn entries(&mut self) -> Entries<'_, &mut R> {
        Entries::new(&self.raw, &mut self.r)
    }

    /// See [`Entries::read`].
    pub fn read(&mut self, i: usize, options: &Options) -> Result<Vec<u8>, ArchiveError> {
        self.entries().read(i, options)
    }

    /// See [`Entries::check`].
    pub fn check(&mut self, i: usize, options: &Options) -> Result<u64, ArchiveError> {
        self.entries().check(i, options)
    }

    /// See [`Entries::digests`].
    pub fn digests(
        &mut self,
        i: usize,
        algs: &[super::signature::DigestAlg],
        options: &Options,
    ) -> Result<Vec<Vec<u8>>, ArchiveError> {
        self.entries().digests(i, algs, options)
    }

    /// The layout, once reading is done.
    pub fn into_raw(self) -> RawArchive {
        self.raw
    }

    /// The layout and the reader.
    pub fn into_parts(self) -> (RawArchive, R) {
        (self.raw, self.r)
    }

    /// An archive from [`Opened::into_parts`].
    pub fn from_parts(raw: RawArchive, r: R) -> Opened<R> {
        Opened { raw, r }
    }

    /// The layout and the reader, borrowed side by side.
    pub fn parts(&mut self) -> (&RawArchive, &mut R) {
        (&self.raw, &mut self.r)
    }

    /// Whether procpatch can decompress entry `i`: stored, deflate, bzip2
    /// or LZMA, and not encrypted.
    pub fn readable(&self, i: usize) -> bool {
        readable(&self.raw, i)
    }

    /// Whether checking entry `i` is bounded: its header declares at most
    /// [`Options::max_check_size`] bytes. A larger entry is copied without
    /// being read, and the report says so.
    pub fn checkable(&self, i: usize, options: &Options) -> bool {
        checkable(&self.raw, i, options)
    }

    /// Reads the layout, checks it, and keeps the file for reading entries.
    pub fn open(mut r: R) -> Result<Opened<R>, ArchiveError> {
        let raw = raw::read(&mut r)?;
        let mut names: Vec<&[u8]> = raw.entries.iter().map(|e| e.name.as_slice()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w.first() == w.get(1)) {
            return Err(ArchiveError::DuplicateEntry {
                entry: String::from_utf8_lossy(pair.first().copied().unwrap_or_default()).into_owned(),
            });
        }
        Ok(Opened { raw, r })
    }
}

/// What a walk does with an entry, from its headers alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A directory: nothing to read.
    Directory,
    /// Encrypted: listed, never read.
    Encrypted,
    /// A compression method procpatch cannot decompress: copied unread.
    Unreadable,
    /// Larger than the check limit: copied unread, and noted.
    Unchecked,
    /// Read to its end, checked, and kept if it may be a document.
    Read,
}

/// What a walk does with entry `i` of `raw`.
pub(crate) fn step(raw: &RawArchive, i: usize, options: &Options) -> Step {
    let Some(e) = raw.entries.get(i) else {
        return Step::Directory;
    };
    if e.name.last() == Some(&b'/') && e.size == 0 {
        Step::Directory
    } else if e.encrypted() {
        Step::Encrypted
    } else if !readable(raw, i) {
        Step::Unreadable
    } else if !checkable(raw, i, options) {
        Step::Unchecked
    } else {
        Step::Read
    }
}

/// See [`Opened::readable`].
pub(crate) fn readable(raw: &RawArchive, i: usize) -> bool {
    raw.entries
        .get(i)
        .is_some_and(|e| matches!(e.method, 0 | 8 | 12 | 14) && !e.encrypted())
}

/// See [`Opened::checkable`].
pub(crate) fn checkable(raw: &RawArchive, i: usize, options: &Options) -> bool {
    raw.entries.get(i).is_some_and(|e| e.size <= options.max_check_size)
}

impl<'a, R: Read + Seek> Entries<'a, R> {
    /// The entries of `raw`, read from `r`.
    pub fn new(raw: &'a RawArchive, r: R) -> Entries<'a, R> {
        Entries {
            raw,
            r,
            kit: inflate::Kit::default(),
        }
    }

    /// How much entry `i` may decompress to: the size limit, or less when
    /// the compression ratio would pass `max_ratio` (a zip bomb). The
    /// compressed size is trusted only because the layout check has proved
    /// the data fits in the file; the decompressed size is counted while
    /// reading, never taken from a header.
    fn cap(&self, i: usize, options: &Options) -> (u64, bool) {
        let compressed = self.raw.entries.get(i).map_or(0, |e| e.compressed);
        let by_ratio = compressed.saturating_mul(options.max_ratio).max(RATIO_FLOOR);
        if by_ratio < options.max_entry_size {
            (by_ratio, true)
        } else {
            (options.max_entry_size, false)
        }
    }

    fn over(&self, i: usize, options: &Options) -> ArchiveError {
        let entry = self.raw.entries.get(i).map(|e| e.display_name()).unwrap_or_default();
        match self.cap(i, options) {
            (_, true) => ArchiveError::Bomb {
                entry,
                ratio: options.max_ratio,
            },
            (limit, false) => ArchiveError::TooLarge { entry, limit },
        }
    }

    /// Decompresses entry `i` into `out` to its end: at most its declared
    /// size (more is a fault) and, when it is `kept`, its cap (more is a
    /// bomb or too large), its CRC-32 checked. Returns how many bytes it
    /// holds.
    ///
    /// Data streamed and not kept (a check, a digest) costs time, not
    /// memory, so no compression ratio refuses it: its declared size bounds
    /// it, and [`Opened::checkable`] bounds that.
    fn pump(&mut self, i: usize, options: &Options, kept: bool, out: &mut dyn Write) -> Result<u64, ArchiveError> {
        let Some(e) = self.raw.entries.get(i) else {
            return Ok(0);
        };
        let cap = if kept { self.cap(i, options).0 } else { u64::MAX };
        let limit = cap.min(e.size);
        let (crc, compressed, size, method) = (e.crc, e.compressed, e.size, e.method);
        self.r.seek(SeekFrom::Start(e.data_start()))?;
        if method == 0 || method == 8 {
            let mut src = Watched {
                inner: (&mut self.r).take(compressed),
                failed: None,
            };
            let mut n = 0u64;
            let mut hasher = crc32fast::Hasher::new();
            // As with the `zip` crate's reader below, at most one byte past
            // the limit is taken: enough to tell that there is more.
            let mut sink = |chunk: &[u8]| -> Result<bool, Fault> {
                let room = limit.saturating_add(1).saturating_sub(n);
                let chunk = chunk
                    .get(..usize::try_from(room).unwrap_or(usize::MAX))
                    .unwrap_or(chunk);
                hasher.update(chunk);
                out.write_all(chunk).map_err(Fault::Io)?;
                n = n.saturating_add(chunk.len() as u64);
                Ok(n <= limit)
            };
            let result = if method == 0 {
                self.kit.copy(&mut src, &mut sink)
            } else {
                self.kit.inflate(&mut src, &mut sink)
            };
            let result = result.and_then(|()| match (n > limit, hasher.finalize() == crc) {
                (true, _) => Err(if size <= cap { Fault::Larger } else { Fault::Over }),
                (false, false) => Err(Fault::Crc),
                (false, true) => Ok(n),
            });
            let file_failed = src.failed;
            return self.outcome(i, options, result, file_failed);
        }
        let header = e.stream_header();
        let mut src = Cursor::new(header).chain(Watched {
            inner: (&mut self.r).take(compressed),
            failed: None,
        });
        let result = (|| -> Result<u64, Fault> {
            let declared = if method == 14 { size } else { u64::MAX };
            let options = ZipReadOptions::new()
                .ignore_crc32(true)
                .override_compressed_size(compressed)
                .override_uncompressed_size(declared);
            let file = zip::read::read_zipfile_from_stream_with_options(&mut src, options)
                .map_err(|err| match err {
                    zip::result::ZipError::Io(io) => Fault::Decompress(io.to_string()),
                    other => Fault::Decompress(other.to_string()),
                })?
                .ok_or_else(|| Fault::Decompress("no data".into()))?;
            let mut reader = file.take(limit.saturating_add(1));
            let mut hasher = crc32fast::Hasher::new();
            let chunk = limit.saturating_add(1).min(1 << 16);
            let mut buf = vec![0u8; usize::try_from(chunk).unwrap_or(1 << 16)];
            let mut n = 0u64;
            loop {
                let k = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => k,
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(Fault::Decompress(err.to_string())),
                };
                let chunk = buf.get(..k).unwrap_or_default();
                hasher.update(chunk);
                out.write_all(chunk).map_err(Fault::Io)?;
                n = n.saturating_add(k as u64);
            }
            if n > limit {
                return Err(if size <= cap { Fault::Larger } else { Fault::Over });
            }
            if hasher.finalize() != crc {
                return Err(Fault::Crc);
            }
            Ok(n)
        })();
        let file_failed = src.into_inner().1.failed;
        self.outcome(i, options, result, file_failed)
    }

    /// What reading entry `i` gave, as the caller sees it: a fault of the
    /// data, or of the file under it (`file_failed`) whatever the
    /// decompressor made of that.
    fn outcome(
        &self,
        i: usize,
        options: &Options,
        result: Result<u64, Fault>,
        file_failed: Option<(std::io::ErrorKind, String)>,
    ) -> Result<u64, ArchiveError> {
        match (result, file_failed) {
            (Ok(n), _) => Ok(n),
            (Err(Fault::Over), _) => Err(self.over(i, options)),
            (Err(Fault::Io(err)), _) => Err(ArchiveError::io(err)),
            // The file failed under the decompressor: an I/O error.
            (Err(_), Some((kind, message))) => Err(ArchiveError::io(std::io::Error::new(kind, message))),
            (Err(fault), None) => Err(self.fault(i, fault)),
        }
    }

    /// A fault of entry `i`'s data, with where the data is.
    fn fault(&self, i: usize, fault: Fault) -> ArchiveError {
        let Some(e) = self.raw.entries.get(i) else {
            return ArchiveError::Damaged {
                entry: None,
                offset: None,
                message: format!("{fault:?}"),
            };
        };
        let data = format!("{} bytes at byte {}", e.compressed, e.data_start());
        let message = match fault {
            Fault::Larger => format!(
                "its data ({data}) inflates to more than the {} bytes its headers declare",
                e.size
            ),
            Fault::Crc => format!("its CRC-32 does not match its data ({data}): the entry is corrupt"),
            Fault::Decompress(why) => format!("its data ({data}) cannot be decompressed: {why}"),
            Fault::Over => "it passes its size limit".into(),
            Fault::Io(err) => err.to_string(),
        };
        ArchiveError::Damaged {
            entry: Some(e.display_name()),
            offset: Some(e.data_start()),
            message,
        }
    }

    /// The decompressed content of entry `i` (central-directory order),
    /// checked against its size and CRC-32, refused once it passes its cap.
    pub fn read(&mut self, i: usize, options: &Options) -> Result<Vec<u8>, ArchiveError> {
        let size = self.raw.entries.get(i).map_or(0, |e| e.size);
        let (cap, _) = self.cap(i, options);
        let mut out = Vec::with_capacity(usize::try_from(size.min(cap).min(1 << 24)).unwrap_or(0));
        self.pump(i, options, true, &mut out)?;
        Ok(out)
    }

    /// Reads entry `i` to its end without keeping it: checks its size and
    /// CRC-32, and returns its size. No compression ratio refuses it.
    pub fn check(&mut self, i: usize, options: &Options) -> Result<u64, ArchiveError> {
        self.pump(i, options, false, &mut std::io::sink())
    }

    /// Reads entry `i` to its end, size and CRC-32 checked, and tells
    /// whether it holds exactly `expected` (the pieces joined), without
    /// keeping it.
    pub fn holds(&mut self, i: usize, options: &Options, expected: &[&[u8]]) -> Result<bool, ArchiveError> {
        struct Compare<'e> {
            /// The pieces still to come, the first partly compared.
            pieces: std::slice::Iter<'e, &'e [u8]>,
            rest: &'e [u8],
            same: bool,
        }
        impl Write for Compare<'_> {
            fn write(&mut self, mut buf: &[u8]) -> std::io::Result<usize> {
                let n = buf.len();
                while self.same && !buf.is_empty() {
                    if self.rest.is_empty() {
                        match self.pieces.next() {
                            Some(p) => self.rest = p,
                            None => self.same = false,
                        }
                        continue;
                    }
                    let k = self.rest.len().min(buf.len());
                    let (want, rest) = self.rest.split_at(k);
                    let (got, more) = buf.split_at(k);
                    self.same = want == got;
                    (self.rest, buf) = (rest, more);
                }
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut compare = Compare {
            pieces: expected.iter(),
            rest: &[],
            same: true,
        };
        self.pump(i, options, false, &mut compare)?;
        Ok(compare.same && compare.rest.is_empty() && compare.pieces.all(|p| p.is_empty()))
    }

    /// Reads entry `i` to its end, size and CRC-32 checked, and keeps its
    /// content only when `keep` says so after its first [`HEAD`] bytes (or
    /// all of them, if fewer). Content kept is refused past its cap, as
    /// [`Opened::read`] refuses it; content not kept is only checked, as
    /// [`Opened::check`] does. Returns its size, and the content if kept.
    pub fn read_or_check(
        &mut self,
        i: usize,
        options: &Options,
        keep: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(u64, Option<Vec<u8>>), ArchiveError> {
        let cap = usize::try_from(self.cap(i, options).0).unwrap_or(usize::MAX);
        let declared = self.raw.entries.get(i).map_or(0, |e| e.size);
        let mut sniff = Sniff {
            data: Vec::new(),
            keep: None,
            decide: keep,
            cap,
            expected: usize::try_from(declared).unwrap_or(usize::MAX).min(cap),
            over: false,
        };
        let n = match self.pump(i, options, false, &mut sniff) {
            Err(_) if sniff.over => return Err(self.over(i, options)),
            other => other?,
        };
        let kept = match sniff.keep {
            Some(k) => k,
            None => (sniff.decide)(&sniff.data),
        };
        Ok((n, kept.then_some(sniff.data)))
    }

    /// Reads entry `i` to its end, checked as [`Opened::read`] does, and
    /// returns its digest in each of `algs`, without keeping it.
    pub fn digests(
        &mut self,
        i: usize,
        algs: &[super::signature::DigestAlg],
        options: &Options,
    ) -> Result<Vec<Vec<u8>>, ArchiveError> {
        struct Sink(Vec<super::signature::Hasher>);
        impl Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                for h in &mut self.0 {
                    h.update(buf);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut sink = Sink(algs.iter().map(|&a| super::signature::Hasher::new(a)).collect());
        self.pump(i, options, false, &mut sink)?;
        Ok(sink.0.into_iter().map(super::signature::Hasher::finish).collect())
    }
}

/// Keeps an entry's first [`HEAD`] bytes, then either all of it or nothing,
/// as `decide` says; what it keeps stops at `cap` (and says it is `over`).
struct Sniff<'k> {
    data: Vec<u8>,
    keep: Option<bool>,
    decide: &'k mut dyn FnMut(&[u8]) -> bool,
    cap: usize,
    /// The size its headers declare (within the cap): what a kept entry's
    /// buffer is made for at once, not doubled into.
    expected: usize,
    over: bool,
}

impl Write for Sniff<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.keep != Some(false) && self.data.len().saturating_add(buf.len()) > self.cap {
            self.over = true;
            return Err(std::io::Error::other("past the entry's cap"));
        }
        match self.keep {
            Some(true) => self.data.extend_from_slice(buf),
            Some(false) => {}
            None => {
                self.data.extend_from_slice(buf);
                if self.data.len() >= HEAD {
                    let keep = (self.decide)(&self.data);
                    self.keep = Some(keep);
                    if !keep {
                        self.data = Vec::new();
                    } else {
                        self.data.reserve_exact(self.expected.saturating_sub(self.data.len()));
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether an entry named `name` whose content starts with `head` may be
/// an archive or a BPMN document, and must be read whole to tell: it
/// starts like a zip or like XML, or its name ends in `.zip` (an archive
/// with a stub before it, found by its end).
pub(crate) fn worth_reading(name: &str, head: &[u8]) -> bool {
    raw::looks_like_zip(head) || super::scan::may_be_xml(head) || named_zip(name)
}

fn named_zip(name: &str) -> bool {
    name.len() >= 4
        && name
            .get(name.len().saturating_sub(4)..)
            .is_some_and(|s| s.eq_ignore_ascii_case(".zip"))
}

/// What `data` (an entry named `name`) is: a zip, a BPMN document, or
/// something else. A zip starts like one, or (with a stub before it) is
/// named `.zip` and has an end record near its end.
pub(crate) fn sniff(name: &str, data: &[u8]) -> EntryKind {
    let tail_from = data
        .len()
        .saturating_sub(usize::try_from(raw::END_WINDOW).unwrap_or(usize::MAX));
    if raw::looks_like_zip(data)
        || (named_zip(name) && raw::has_end_signature(data.get(tail_from..).unwrap_or_default()))
    {
        EntryKind::Zip
    } else if crate::is_bpmn(data) {
        EntryKind::Bpmn
    } else {
        EntryKind::Other
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    #[test]
    fn an_entry_holds_exactly_its_pieces_joined() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("a.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"hello world").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let mut opened = Opened::open(Cursor::new(bytes)).unwrap();
        let options = Options::default();
        let mut holds = |pieces: &[&[u8]]| opened.entries().holds(0, &options, pieces).unwrap();
        assert!(holds(&[b"hello world"]));
        assert!(holds(&[b"hel", b"", b"lo w", b"orld", b""]));
        assert!(!holds(&[b"hello world!"]));
        assert!(!holds(&[b"hello", b" worl"]));
        assert!(!holds(&[b"hello", b" worlX"]));
        assert!(!holds(&[b"Hello", b" world"]));
        assert!(!holds(&[]));
    }

    /// Bytes that compress a little, so that deflated data fills several
    /// input and output chunks.
    fn text(n: usize, seed: u32) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let line = b"<task id=\"t\" name=\"Lock\"/>\n";
                line[x as usize % line.len()]
            })
            .collect()
    }

    /// An entry that holds more than its headers declare is refused once
    /// one byte past the declared size is read, and no more is handed on,
    /// whichever way it is decompressed. (A stored entry's sizes must be
    /// equal, which the layout checks.)
    #[test]
    fn data_past_the_declared_size_stops_one_byte_past_it() {
        use zip::CompressionMethod::{Bzip2, Deflated};
        for method in [Deflated, Bzip2] {
            let data = text(5 * inflate::CHUNK, 11);
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            zip.start_file("a.xml", options).unwrap();
            zip.write_all(&data).unwrap();
            let mut bytes = zip.finish().unwrap().into_inner();
            // The uncompressed size, 1,000, in the local and central headers.
            let declared = 1000u32.to_le_bytes();
            bytes[22..26].copy_from_slice(&declared);
            let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
            bytes[central + 24..central + 28].copy_from_slice(&declared);
            let mut opened = Opened::open(Cursor::new(bytes)).unwrap();
            let options = Options::default();
            let mut out = Vec::new();
            let got = opened.entries().pump(0, &options, false, &mut out);
            assert!(matches!(got, Err(ArchiveError::Damaged { .. })), "{method}: {got:?}");
            assert_eq!(out, data[..1001], "{method}");
        }
    }

    /// Stored, deflated and bzip2 entries of every size around the chunk,
    /// read with one reader in order, backwards and again: each one's
    /// bytes, whatever was read before it (the inflater is reset between
    /// entries, its buffers reused).
    #[test]
    fn entries_read_with_one_reader_are_each_their_own_bytes() {
        use zip::CompressionMethod::{Bzip2, Deflated, Stored};
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut contents = Vec::new();
        for (k, n) in [
            0,
            1,
            100,
            inflate::CHUNK - 1,
            inflate::CHUNK,
            inflate::CHUNK + 1,
            3 * inflate::CHUNK + 17,
            8 * inflate::CHUNK,
        ]
        .into_iter()
        .enumerate()
        {
            for method in [Deflated, Stored, Bzip2] {
                let data = text(n, k as u32 + 7);
                let options = zip::write::SimpleFileOptions::default().compression_method(method);
                zip.start_file(format!("{k}-{method}"), options).unwrap();
                zip.write_all(&data).unwrap();
                contents.push(data);
            }
        }
        let bytes = zip.finish().unwrap().into_inner();
        let mut opened = Opened::open(Cursor::new(bytes)).unwrap();
        let options = Options::default();
        let raw = opened.raw.clone();
        let mut entries = Entries::new(&raw, &mut opened.r);
        let order: Vec<usize> = (0..contents.len())
            .chain((0..contents.len()).rev())
            .chain(0..contents.len())
            .collect();
        for i in order {
            assert_eq!(entries.read(i, &options).unwrap(), contents[i], "entry {i}");
            assert_eq!(
                entries.check(i, &options).unwrap(),
                contents[i].len() as u64,
                "entry {i}"
            );
        }
    }
}
