//! Opening an archive with the `zip` crate and reading its entries: the
//! checks the `zip` crate does not make (duplicate names, encryption), the
//! size limit enforced while reading, and what each entry is.

use std::io::{Read, Seek};

use zip::ZipArchive;

use super::error::ArchiveError;
use super::raw::{self, RawArchive};
use super::Options;

/// Below this size no entry counts as a zip bomb, whatever its ratio.
const RATIO_FLOOR: u64 = 1 << 20;

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

/// An archive opened twice over: its raw layout and the `zip` crate's view.
pub(crate) struct Opened<R: Read + Seek> {
    pub raw: RawArchive,
    zip: ZipArchive<R>,
    /// For each raw entry (central-directory order), the `zip` crate's index.
    index: Vec<usize>,
}

impl<R: Read + Seek> Opened<R> {
    /// Reads the layout, checks it, and opens the archive with `zip`.
    pub fn open(mut r: R) -> Result<Opened<R>, ArchiveError> {
        let raw = raw::read(&mut r)?;
        let mut names: Vec<&[u8]> = raw.entries.iter().map(|e| e.name.as_slice()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w.first() == w.get(1)) {
            return Err(ArchiveError::DuplicateEntry {
                entry: String::from_utf8_lossy(pair.first().copied().unwrap_or_default()).into_owned(),
            });
        }
        let mut zip = ZipArchive::new(r).map_err(|e| zip_error(None, e))?;
        let mut by_offset = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            let start = zip.by_index_raw(i).map_err(|e| zip_error(None, e))?.header_start();
            by_offset.push((start, i));
        }
        by_offset.sort_unstable();
        let index = raw
            .entries
            .iter()
            .map(|e| {
                by_offset
                    .binary_search_by_key(&e.local_offset, |&(s, _)| s)
                    .ok()
                    .and_then(|at| by_offset.get(at))
                    .map(|&(_, i)| i)
                    .ok_or_else(|| ArchiveError::Damaged {
                        entry: Some(e.display_name()),
                        message: "the zip reader does not find this entry".into(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Opened { raw, zip, index })
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

    /// The decompressed content of entry `i` (central-directory order),
    /// checked against its CRC, refused once it passes its cap.
    pub fn read(&mut self, i: usize, options: &Options) -> Result<Vec<u8>, ArchiveError> {
        let (limit, _) = self.cap(i, options);
        let size = self.raw.entries.get(i).map_or(0, |e| e.size);
        let mut out = Vec::with_capacity(usize::try_from(size.min(limit).min(1 << 24)).unwrap_or(0));
        let result = self.reader(i)?.take(limit.saturating_add(1)).read_to_end(&mut out);
        result.map_err(|e| self.damaged(i, e))?;
        if out.len() as u64 > limit {
            return Err(self.over(i, options));
        }
        Ok(out)
    }

    fn reader(&mut self, i: usize) -> Result<zip::read::ZipFile<'_, R>, ArchiveError> {
        let name = self.raw.entries.get(i).map(|e| e.display_name());
        let zi = self.index.get(i).copied().unwrap_or(usize::MAX);
        self.zip.by_index(zi).map_err(|e| zip_error(name.as_deref(), e))
    }

    fn damaged(&self, i: usize, e: std::io::Error) -> ArchiveError {
        let message = match e.to_string().as_str() {
            "Invalid checksum" => "its CRC-32 does not match its data: the entry is corrupt".to_string(),
            other => other.to_string(),
        };
        ArchiveError::Damaged {
            entry: self.raw.entries.get(i).map(|e| e.display_name()),
            message,
        }
    }

    /// Up to `n` bytes from the start of entry `i`, decompressed.
    pub fn read_head(&mut self, i: usize, n: u64) -> Result<Vec<u8>, ArchiveError> {
        let mut out = Vec::new();
        let result = self.reader(i)?.take(n).read_to_end(&mut out);
        result.map_err(|e| self.damaged(i, e))?;
        Ok(out)
    }

    /// Reads entry `i` to its end without keeping it: checks its CRC.
    pub fn check(&mut self, i: usize, options: &Options) -> Result<u64, ArchiveError> {
        let (limit, _) = self.cap(i, options);
        let result = std::io::copy(&mut self.reader(i)?.take(limit.saturating_add(1)), &mut std::io::sink());
        let n = result.map_err(|e| self.damaged(i, e))?;
        if n > limit {
            return Err(self.over(i, options));
        }
        Ok(n)
    }

    /// Reads entry `i` to its end, CRC checked and within its cap, and
    /// returns its digest in each of `algs`, without keeping it.
    pub fn digests(
        &mut self,
        i: usize,
        algs: &[super::signature::DigestAlg],
        options: &Options,
    ) -> Result<Vec<Vec<u8>>, ArchiveError> {
        struct Sink(Vec<super::signature::Hasher>);
        impl std::io::Write for Sink {
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
        let (limit, _) = self.cap(i, options);
        let mut sink = Sink(algs.iter().map(|&a| super::signature::Hasher::new(a)).collect());
        let result = std::io::copy(&mut self.reader(i)?.take(limit.saturating_add(1)), &mut sink);
        let n = result.map_err(|e| self.damaged(i, e))?;
        if n > limit {
            return Err(self.over(i, options));
        }
        Ok(sink.0.into_iter().map(super::signature::Hasher::finish).collect())
    }

    /// The layout, once reading is done.
    pub fn into_raw(self) -> RawArchive {
        self.raw
    }

    /// Whether the `zip` crate can decompress entry `i` (an encrypted
    /// entry cannot be).
    pub fn readable(&self, i: usize) -> bool {
        self.raw
            .entries
            .get(i)
            .is_some_and(|e| matches!(e.method, 0 | 8 | 12 | 14) && !e.encrypted())
    }
}

fn zip_error(entry: Option<&str>, e: zip::result::ZipError) -> ArchiveError {
    match e {
        zip::result::ZipError::Io(io) => ArchiveError::Io(io),
        other => ArchiveError::Damaged {
            entry: entry.map(str::to_string),
            message: other.to_string(),
        },
    }
}

/// What `data` is: a zip, a BPMN document, or something else.
pub(crate) fn sniff(data: &[u8]) -> EntryKind {
    if raw::looks_like_zip(data) {
        EntryKind::Zip
    } else if crate::is_bpmn(data) {
        EntryKind::Bpmn
    } else {
        EntryKind::Other
    }
}
