//! A bare document's output: written from its pieces (its old bytes and
//! splices), the unchanged stretches copied in the kernel, hashed while
//! it is written, and read back piece by piece.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::error::ArchiveError;

/// Writes a document, its `pieces` (`old` with its splices applied), and
/// returns the SHA-256 of those bytes, taken meanwhile (on a second thread
/// from [`HASH_BESIDE`] bytes). The file read back is compared with the
/// same pieces ([`verify_document`]), so the hash is the file's once that
/// check passes.
pub(super) fn write_document(out: &mut File, input: &Path, old: &[u8], pieces: &[&[u8]]) -> Result<String, Written> {
    let hash = || {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for piece in pieces {
            h.update(piece);
        }
        super::source::hex(&h.finalize())
    };
    let len: usize = pieces.iter().map(|p| p.len()).sum();
    if len < HASH_BESIDE {
        write_pieces(out, input, old, pieces)?;
        return Ok(hash());
    }
    std::thread::scope(|s| {
        // No thread to be had: hashed here, after the write.
        let Ok(hashing) = std::thread::Builder::new().spawn_scoped(s, hash) else {
            write_pieces(out, input, old, pieces)?;
            return Ok(hash());
        };
        let written = write_pieces(out, input, old, pieces);
        let sha = hashing.join();
        // A failed write is the error, whatever became of the hash.
        written?;
        sha.map_err(|_| Written::Read(ArchiveError::Internal("the hashing thread stopped".into())))
    })
}

/// Documents of this many bytes or more are hashed on a second thread while
/// they are written.
const HASH_BESIDE: usize = 1 << 18;

/// Writes `pieces`, the document `old` with its splices applied. The
/// stretches of the old bytes are copied from the input file at `input`
/// where it still has `old`'s length (in the kernel: `std::io::copy`
/// between files uses `copy_file_range` on Linux, which costs a fraction of
/// writing them from memory), else written from memory. The copy is
/// checked against `old` and the splices when it is read back
/// ([`verify_document`]), so an input changed meanwhile is caught there.
fn write_pieces(out: &mut File, input: &Path, old: &[u8], pieces: &[&[u8]]) -> Result<(), Written> {
    use std::io::{Read, Seek, SeekFrom};
    /// Stretches shorter than this are written from memory.
    const COPY_FROM: usize = 1 << 16;
    let mut from = File::open(input)
        .ok()
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file() && m.len() == old.len() as u64));
    let base = old.as_ptr() as usize;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    for &piece in pieces {
        // A stretch of the old bytes lies inside `old`; a splice's bytes do not.
        let at = (piece.as_ptr() as usize).wrapping_sub(base);
        let inside = at <= old.len()
            && old
                .get(at..at + piece.len())
                .is_some_and(|s| s.as_ptr() == piece.as_ptr());
        match from.as_mut() {
            Some(f) if inside && piece.len() >= COPY_FROM => {
                w.flush().map_err(Written::Write)?;
                f.seek(SeekFrom::Start(at as u64))
                    .map_err(|e| Written::Read(ArchiveError::io_at(input, e)))?;
                let to: &mut File = w.get_mut();
                let n = std::io::copy(&mut Read::take(&*f, piece.len() as u64), to).map_err(Written::Write)?;
                if n != piece.len() as u64 {
                    return Err(Written::Read(ArchiveError::Verify(
                        "the input changed while it was copied".into(),
                    )));
                }
            }
            _ => w.write_all(piece).map_err(Written::Write)?,
        }
    }
    w.flush().map_err(Written::Write)
}

/// Why writing a document failed.
pub(super) enum Written {
    /// Reading the input, or the plan.
    Read(ArchiveError),
    /// Writing the output.
    Write(std::io::Error),
}

/// Reads the document written at `path` back, in pieces, and checks it is
/// byte for byte what was planned (`old` with `splices` applied), as an
/// edited entry of an archive is checked: the splices are what the tests
/// and the fuzz targets prove well-formed, and a large document is neither
/// made whole nor parsed a second time. One buffer is read into again and
/// again, so checking costs no memory of the document's size.
pub(super) fn verify_document(path: &Path, pieces: &[&[u8]]) -> Result<(), ArchiveError> {
    use std::io::{ErrorKind, Read};
    /// Read back this much at a time.
    const CHUNK: usize = 1 << 18;
    let differs = || ArchiveError::Verify("the written document differs from the plan".into());
    let failed = |e: std::io::Error| match e.kind() {
        // Shorter than planned.
        ErrorKind::UnexpectedEof => differs(),
        _ => ArchiveError::io_at(path, e),
    };
    let mut file = File::open(path).map_err(|e| ArchiveError::io_at(path, e))?;
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let mut buf = vec![0u8; CHUNK.min(total)];
    // The expected bytes, piece after piece, against each chunk read.
    let mut expected = pieces.iter().flat_map(|p| p.chunks(CHUNK));
    let mut want: &[u8] = &[];
    let mut done = 0usize;
    while done < total {
        let chunk = buf.get_mut(..CHUNK.min(total - done)).ok_or_else(differs)?;
        file.read_exact(chunk).map_err(failed)?;
        let mut got: &[u8] = chunk;
        while !got.is_empty() {
            if want.is_empty() {
                want = expected.next().ok_or_else(differs)?;
            }
            let k = want.len().min(got.len());
            let (w, w_rest) = want.split_at(k);
            let (g, g_rest) = got.split_at(k);
            if w != g {
                return Err(differs());
            }
            (want, got) = (w_rest, g_rest);
        }
        done += chunk.len();
    }
    // Every expected byte compared, and nothing after them.
    if !want.is_empty() || expected.next().is_some() {
        return Err(differs());
    }
    let mut more = [0u8; 1];
    if file.read(&mut more).map_err(failed)? != 0 {
        return Err(differs());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Splice;

    /// Letters that do not repeat, so that a misplaced piece shows.
    fn text(n: usize) -> Vec<u8> {
        let bytes = crate::archive::source::tests::content(n);
        bytes.into_iter().map(|b| b'a' + b % 26).collect()
    }

    /// Around the copy threshold, the hashing thread's and the read-back
    /// buffer's sizes: the hash is the file's, and a file one byte longer,
    /// shorter or different is refused.
    #[test]
    fn a_document_hashed_as_written_is_the_file_read_back() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            0,
            1,
            (1 << 16) - 1,
            1 << 16,
            (1 << 18) - 1,
            1 << 18,
            (1 << 18) + 1,
            3 << 18,
        ] {
            let old = text(n);
            let input = dir.path().join("in.xml");
            std::fs::write(&input, &old).unwrap();
            let mut splices = vec![Splice {
                range: 0..n.min(3),
                bytes: b"<!-- -->".to_vec(),
            }];
            if n > 10 {
                splices.push(Splice {
                    range: n - 2..n,
                    bytes: text(1 << 18),
                });
            }
            let pieces = crate::splice::pieces(&old, &splices).unwrap();
            let expected: Vec<u8> = pieces.concat();
            let path = dir.path().join("out.xml");
            let mut out = File::create(&path).unwrap();
            let sha = write_document(&mut out, &input, &old, &pieces).ok().unwrap();
            drop(out);
            assert_eq!(std::fs::read(&path).unwrap(), expected, "{n}");
            assert_eq!(sha, crate::archive::sha256_file(&path).unwrap(), "{n}");
            verify_document(&path, &pieces).unwrap();
            let mut longer = expected.clone();
            longer.push(b'\n');
            let mut changed = expected.clone();
            let last = changed.len() - 1;
            changed[last] ^= 1;
            for bad in [longer, expected[..expected.len() - 1].to_vec(), changed] {
                std::fs::write(&path, &bad).unwrap();
                let err = verify_document(&path, &pieces).unwrap_err();
                assert!(matches!(err, ArchiveError::Verify(_)), "{n}: {err}");
            }
        }
    }
}
