//! Reading a written archive back to verify it, with a failure to read it
//! told apart from a difference in it.
//!
//! The verification (`verify::verify`) turns what it meets into
//! [`ArchiveError::Verify`] with the place it was found ("entry "x":
//! bytes differ at offset n"), which is right for a difference and wrong
//! for a disk that cannot be read: the system's own error ("Input/output
//! error") would be lost in a message about the archive not opening. The
//! written file's reader is watched instead, and an error it met is
//! reported as an I/O error on that file, with its source kept.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::ArchiveError;
use super::rewrite::Input;
use super::scan::{Built, ZipNode};
use super::Options;

/// A reader that keeps (a copy of) the first error its reads returned.
/// Running out (`UnexpectedEof`, a file shorter than planned) is a
/// difference, not a failure to read, and an interrupted call is retried
/// by whoever made it: neither is kept.
pub(crate) struct Watched<R> {
    inner: R,
    failed: Option<io::Error>,
}

impl<R> Watched<R> {
    /// Watches `inner`.
    pub(crate) fn new(inner: R) -> Watched<R> {
        Watched { inner, failed: None }
    }

    /// The first error kept, if any.
    pub(crate) fn failed(self) -> Option<io::Error> {
        self.failed
    }

    fn keep<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            if self.failed.is_none() && !matches!(e.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::Interrupted) {
                // `io::Error` is not `Clone`: the copy keeps its kind and
                // its text, which hold the operating system's message.
                self.failed = Some(io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        self.keep(r)
    }
}

/// A seek is not watched: over a file it reads nothing, and a seek
/// refused (before the start) is the verification's to report.
impl<R: Seek> Seek for Watched<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl<R: Input> Input for Watched<R> {
    fn held(&self) -> Option<&[u8]> {
        self.inner.held()
    }
}

/// [`verify::verify`](super::verify::verify) of the archive written at `path`, read back by
/// `output`: an error in reading it is an I/O error on `path`, any other
/// failure what the verification found.
pub(crate) fn verify<R1: Input, R2: Input>(
    input: &mut R1,
    output: R2,
    path: &Path,
    node: &ZipNode,
    built: &Built<'_>,
    options: &Options,
) -> Result<(), ArchiveError> {
    let mut output = Watched::new(output);
    let checked = super::verify::verify(input, &mut output, node, built, options);
    match (checked, output.failed()) {
        (Err(_), Some(e)) => Err(ArchiveError::io_at(path, e)),
        (checked, _) => checked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A reader over `bytes` whose reads fail from `fail_at` on.
    struct Failing<'a> {
        bytes: Cursor<&'a [u8]>,
        fail_at: u64,
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let left = self.fail_at.saturating_sub(self.bytes.position());
            if left == 0 {
                return Err(io::Error::other("the disk is on fire"));
            }
            let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            self.bytes.read(&mut buf[..n])
        }
    }

    impl Seek for Failing<'_> {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.bytes.seek(pos)
        }
    }

    impl Input for Failing<'_> {
        fn held(&self) -> Option<&[u8]> {
            None
        }
    }

    #[test]
    fn a_watched_reader_keeps_the_first_failure_and_not_running_out() {
        let bytes = b"0123456789";
        let mut w = Watched::new(Failing {
            bytes: Cursor::new(&bytes[..]),
            fail_at: 4,
        });
        let mut buf = [0u8; 8];
        assert_eq!(w.read(&mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"0123");
        assert_eq!(w.read(&mut buf).unwrap_err().to_string(), "the disk is on fire");
        assert_eq!(
            w.failed().map(|e| e.to_string()).as_deref(),
            Some("the disk is on fire")
        );
        // Reading past the end is not a failure to read.
        let mut w = Watched::new(Cursor::new(&bytes[..]));
        let mut big = [0u8; 20];
        assert_eq!(w.read_exact(&mut big).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(w.seek(SeekFrom::Start(3)).unwrap(), 3);
        assert!(w.seek(SeekFrom::Current(-10)).is_err());
        // Nor is a seek refused.
        let kept = w.failed();
        assert!(kept.is_none(), "{kept:?}");
    }

    #[test]
    fn a_written_archive_that_cannot_be_read_back_is_an_io_error_on_it() {
        let dir = tempfile::tempdir().unwrap();
        let (input, recipe) = crate::archive::scan::tests::one_edit(dir.path());
        let plan = crate::archive::plan_file(&input, &recipe, &Options::default()).unwrap();
        let crate::archive::Root::Zip { node, source } = &plan.root else {
            return assert!(
                matches!(plan.root, crate::archive::Root::Zip { .. }),
                "read as a document"
            );
        };
        let mut out = Vec::new();
        let built =
            crate::archive::scan::build(&mut source.reader().unwrap(), node, Default::default(), &mut out).unwrap();
        let options = Options::default();
        let path = dir.path().join("out.zip");
        let check = |fail_at: u64| {
            let back = Failing {
                bytes: Cursor::new(&out[..]),
                fail_at,
            };
            verify(&mut source.reader().unwrap(), back, &path, node, &built, &options)
        };
        assert_eq!(check(u64::MAX).map_err(|e| e.to_string()), Ok(()));
        let len = out.len() as u64;
        // Failing in the end record, in an untouched record, and in the
        // edited one: each is the disk's error on the file, every time.
        for fail_at in [len - 10, len / 2, 40] {
            let err = check(fail_at).unwrap_err();
            let ArchiveError::Io { path: Some(p), source } = &err else {
                return assert!(matches!(err, ArchiveError::Io { .. }), "at {fail_at}: {err:?}");
            };
            assert_eq!(
                (p, source.to_string().as_str()),
                (&path, "the disk is on fire"),
                "at {fail_at}"
            );
        }
        // A file cut short is still a difference, not a failure to read.
        let short = &out[..out.len() - 1];
        let err = verify(
            &mut source.reader().unwrap(),
            Cursor::new(short),
            &path,
            node,
            &built,
            &options,
        )
        .unwrap_err();
        assert!(matches!(err, ArchiveError::Verify(_)), "{err:?}");
    }
}
