//! Copying and inflating stored and deflated entries' data with one
//! inflater and one pair of buffers for every entry a reader reads.
//!
//! The `zip` crate's stream reader makes a new inflater (about 10 KiB of
//! state, zeroed), a new buffered reader and its buffer for each entry,
//! which is most of the cost of reading a small one, and an export holds
//! thousands. Its API takes no inflater to reuse, so these two methods are
//! inflated here with flate2 (the inflater the `zip` crate uses), reset
//! between entries, and refused in the words flate2's reader gives. The
//! other methods still go through the `zip` crate ([`super::entries`]).

use std::io::Read;

/// What reading stored and deflated entries reuses from one entry to the
/// next (see the module's notes for why).
#[derive(Default)]
pub(super) struct Kit {
    /// Raw deflate, no zlib header; made on first use.
    inflater: Option<flate2::Decompress>,
    /// Compressed data read and not yet inflated.
    input: Vec<u8>,
    /// Data decompressed, on its way to the output.
    output: Vec<u8>,
}

/// Bytes read, or decompressed, at a time.
pub(super) const CHUNK: usize = 1 << 16;

/// A deflate stream the inflater refuses or that ends too soon, in the
/// words of flate2's reader.
#[derive(Debug)]
pub(super) struct Corrupt(pub &'static str);

impl Kit {
    /// Copies a stored entry's data from `src` to `sink` until `src` ends
    /// or `sink` says it has had more than it may.
    pub(super) fn copy<E: From<std::io::Error>>(
        &mut self,
        src: &mut impl Read,
        sink: &mut dyn FnMut(&[u8]) -> Result<bool, E>,
    ) -> Result<(), E> {
        let input = sized(&mut self.input);
        loop {
            let k = read_some(src, input)?;
            let Some(chunk) = input.get(..k).filter(|c| !c.is_empty()) else {
                return Ok(());
            };
            if !sink(chunk)? {
                return Ok(());
            }
        }
    }

    /// Inflates a deflated entry's data from `src` into `sink` until the
    /// stream ends or `sink` says it has had more than it may. Data after
    /// the stream's end is not read; a stream cut short, or one the
    /// inflater refuses, is a fault with the words the `zip` crate's
    /// reader (flate2's) gives.
    pub(super) fn inflate<E: From<std::io::Error> + From<Corrupt>>(
        &mut self,
        src: &mut impl Read,
        sink: &mut dyn FnMut(&[u8]) -> Result<bool, E>,
    ) -> Result<(), E> {
        let inflater = match &mut self.inflater {
            Some(d) => {
                d.reset(false);
                d
            }
            none => none.insert(flate2::Decompress::new(false)),
        };
        let input = sized(&mut self.input);
        let output = sized(&mut self.output);
        let (mut start, mut end, mut eof) = (0usize, 0usize, false);
        loop {
            if start >= end && !eof {
                end = read_some(src, input)?;
                start = 0;
                eof = end == 0;
            }
            let flush = if eof {
                flate2::FlushDecompress::Finish
            } else {
                flate2::FlushDecompress::None
            };
            let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
            let status = inflater
                .decompress(input.get(start..end).unwrap_or_default(), output, flush)
                .map_err(|_| Corrupt("corrupt deflate stream"))?;
            let consumed = usize::try_from(inflater.total_in().saturating_sub(before_in)).unwrap_or(usize::MAX);
            let made = usize::try_from(inflater.total_out().saturating_sub(before_out)).unwrap_or(usize::MAX);
            start = start.saturating_add(consumed);
            if let Some(chunk) = output.get(..made).filter(|c| !c.is_empty()) {
                if !sink(chunk)? {
                    return Ok(());
                }
            }
            match status {
                flate2::Status::StreamEnd => return Ok(()),
                _ if made == 0 && consumed == 0 && eof => {
                    return Err(Corrupt("incomplete deflate stream").into());
                }
                // Input there, room for output, and no progress: the
                // inflater never does this, and it must not loop here if
                // it did.
                _ if made == 0 && consumed == 0 && start < end => {
                    return Err(Corrupt("corrupt deflate stream").into());
                }
                _ => {}
            }
        }
    }
}

/// `buf` at [`CHUNK`] bytes (zeroed once, when first made).
fn sized(buf: &mut Vec<u8>) -> &mut [u8] {
    if buf.len() != CHUNK {
        buf.resize(CHUNK, 0);
    }
    buf
}

/// Reads what `src` has into `buf`, retrying an interrupted read: how many
/// bytes, 0 at its end.
fn read_some(src: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match src.read(buf) {
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// Why a test's inflating stopped.
    #[derive(Debug)]
    enum Stop {
        Corrupt(Corrupt),
        Io(std::io::Error),
    }

    impl From<Corrupt> for Stop {
        fn from(c: Corrupt) -> Stop {
            Stop::Corrupt(c)
        }
    }

    impl From<std::io::Error> for Stop {
        fn from(e: std::io::Error) -> Stop {
            Stop::Io(e)
        }
    }

    /// A deflate stream the inflater refuses, or one that ends before its
    /// last block, is a fault of the data in the words flate2's reader
    /// (the `zip` crate's) gives; the next stream inflates as if nothing
    /// had gone before.
    #[test]
    fn a_corrupt_or_cut_deflate_stream_is_refused_as_flate2_refuses_it() {
        let data: Vec<u8> = (0..3 * CHUNK)
            .map(|i| b"<task name=\"Lock\"/>\n"[(i * i + i / 7) % 20])
            .collect();
        let mut deflated = Vec::new();
        let mut d = flate2::write::DeflateEncoder::new(&mut deflated, flate2::Compression::default());
        d.write_all(&data).unwrap();
        d.finish().unwrap();
        let mut corrupt = deflated.clone();
        // The first block's type: 3, which no stream may use.
        corrupt[0] |= 0b110;
        let cut = deflated[..deflated.len() / 2].to_vec();
        let flate2_says = |stream: &[u8]| {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(stream)
                .read_to_end(&mut out)
                .unwrap_err()
                .to_string()
        };
        let mut kit = Kit::default();
        let mut run = |stream: &[u8]| {
            let mut out = Vec::new();
            let got = kit.inflate(&mut &stream[..], &mut |c: &[u8]| -> Result<bool, Stop> {
                out.extend_from_slice(c);
                Ok(true)
            });
            (got, out)
        };
        for (bad, words) in [
            (&corrupt, "corrupt deflate stream"),
            (&cut, "incomplete deflate stream"),
        ] {
            assert_eq!(flate2_says(bad), words);
            let why = run(bad).0.err().map(|fault| match fault {
                Stop::Corrupt(Corrupt(why)) => why.to_string(),
                Stop::Io(e) => e.to_string(),
            });
            assert_eq!(why.as_deref(), Some(words));
            let (good, out) = run(&deflated);
            assert!(good.is_ok());
            assert_eq!(out, data);
        }
        // Data after the stream's end is left unread.
        let mut longer = deflated.clone();
        longer.extend_from_slice(b"trailing");
        let (good, out) = run(&longer);
        assert!(good.is_ok());
        assert_eq!(out, data);
    }
}
