//! Where the blocks of a deflate stream begin: each block's first bit and
//! the offset in the decoded data where its output starts, and the bit
//! where the stream ends.
//!
//! Our own code: zlib-rs, miniz_oxide and the other inflaters read blocks
//! internally and tell a caller none of this (zlib's `Z_BLOCK` flush would,
//! but only through its C interface, which needs `unsafe`). Nothing is
//! written out, so this is a walk over the codes, not an inflater: lengths
//! are counted, and distances are checked against what came before.
//! Anything that is not a well-formed stream of exactly the expected size
//! gives `None`, never a panic, in time linear in the data (every code read
//! takes at least one bit).
#![deny(clippy::arithmetic_side_effects)]

/// Where a block begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    /// The bit where its header begins (bits count from the least
    /// significant bit of the first byte, as deflate packs them).
    pub bit: u64,
    /// The offset in the decoded data where its output begins.
    pub at: usize,
}

/// Walks the blocks of the raw deflate stream `data`, handing each
/// block's start to `each` in order, and returns the bit just after the
/// last block; `None` if `data` is not a deflate stream that decodes to
/// exactly `size` bytes. Nothing is kept per block, so a stream of many
/// tiny blocks costs time in proportion to its length, never memory.
pub(crate) fn blocks(data: &[u8], size: usize, mut each: impl FnMut(Start)) -> Option<u64> {
    let mut bits = Bits::new(data);
    let mut out = 0usize;
    let fixed = Codes::fixed()?;
    loop {
        each(Start {
            bit: bits.position(),
            at: out,
        });
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => out = stored(&mut bits, out, size)?,
            1 => out = codes(&mut bits, &fixed, out, size)?,
            2 => {
                let dynamic = Codes::read(&mut bits)?;
                out = codes(&mut bits, &dynamic, out, size)?;
            }
            _ => return None,
        }
        if last {
            return (out == size).then(|| bits.position());
        }
    }
}

/// A stored block, after its header: returns the output's length after it.
fn stored(bits: &mut Bits<'_>, out: usize, size: usize) -> Option<usize> {
    bits.align();
    let len = bits.take(16)?;
    let nlen = bits.take(16)?;
    if len ^ 0xFFFF != nlen {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    bits.skip_bytes(len)?;
    out.checked_add(len).filter(|&o| o <= size)
}

/// Base length and extra bits of the length codes 257-285.
const LENGTHS: [(u16, u8); 29] = [
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 0),
    (7, 0),
    (8, 0),
    (9, 0),
    (10, 0),
    (11, 1),
    (13, 1),
    (15, 1),
    (17, 1),
    (19, 2),
    (23, 2),
    (27, 2),
    (31, 2),
    (35, 3),
    (43, 3),
    (51, 3),
    (59, 3),
    (67, 4),
    (83, 4),
    (99, 4),
    (115, 4),
    (131, 5),
    (163, 5),
    (195, 5),
    (227, 5),
    (258, 0),
];

/// Base distance and extra bits of the distance codes 0-29.
const DISTANCES: [(u16, u8); 30] = [
    (1, 0),
    (2, 0),
    (3, 0),
    (4, 0),
    (5, 1),
    (7, 1),
    (9, 2),
    (13, 2),
    (17, 3),
    (25, 3),
    (33, 4),
    (49, 4),
    (65, 5),
    (97, 5),
    (129, 6),
    (193, 6),
    (257, 7),
    (385, 7),
    (513, 8),
    (769, 8),
    (1025, 9),
    (1537, 9),
    (2049, 10),
    (3073, 10),
    (4097, 11),
    (6145, 11),
    (8193, 12),
    (12289, 12),
    (16385, 13),
    (24577, 13),
];

/// A Huffman-coded block's codes, after its header: returns the output's
/// length after it.
fn codes(bits: &mut Bits<'_>, c: &Codes, mut out: usize, size: usize) -> Option<usize> {
    loop {
        bits.refill();
        let sym = c.lit.decode(bits)?;
        match sym {
            0..=255 => out = out.checked_add(1)?,
            256 => return Some(out),
            _ => {
                let (base, extra) = *LENGTHS.get(usize::from(sym).checked_sub(257)?)?;
                let len = u64::from(base).checked_add(bits.take(u32::from(extra))?)?;
                bits.refill();
                let d = c.dist.decode(bits)?;
                let (base, extra) = *DISTANCES.get(usize::from(d))?;
                let dist = u64::from(base).checked_add(bits.take(u32::from(extra))?)?;
                // Nothing before the stream: a zip entry has no preset
                // dictionary.
                if dist > u64::try_from(out).ok()? {
                    return None;
                }
                out = out.checked_add(usize::try_from(len).ok()?)?;
            }
        }
        if out > size {
            return None;
        }
    }
}

/// The two codes of a Huffman-coded block.
struct Codes {
    lit: Table,
    dist: Table,
}

/// The order in which a dynamic header gives the code lengths' own code.
const ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

impl Codes {
    /// The fixed codes (block type 1).
    fn fixed() -> Option<Codes> {
        let mut lit = [8u8; 288];
        for (sym, len) in lit.iter_mut().enumerate() {
            *len = match sym {
                0..=143 => 8,
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
        }
        Some(Codes {
            lit: Table::new(&lit)?,
            dist: Table::new(&[5u8; 30])?,
        })
    }

    /// A dynamic block's codes, read from its header.
    fn read(bits: &mut Bits<'_>) -> Option<Codes> {
        let hlit = usize::try_from(bits.take(5)?).ok()?.checked_add(257)?;
        let hdist = usize::try_from(bits.take(5)?).ok()?.checked_add(1)?;
        let hclen = usize::try_from(bits.take(4)?).ok()?.checked_add(4)?;
        if hlit > 286 || hdist > 30 {
            return None;
        }
        let mut cl = [0u8; 19];
        for &k in ORDER.get(..hclen)? {
            *cl.get_mut(k)? = u8::try_from(bits.take(3)?).ok()?;
        }
        let cl = Table::new(&cl)?;
        let total = hlit.checked_add(hdist)?;
        let mut lengths = [0u8; 286 + 30];
        let mut n = 0usize;
        while n < total {
            bits.refill();
            let (len, times) = match cl.decode(bits)? {
                sym @ 0..=15 => (u8::try_from(sym).ok()?, 1),
                16 => (*lengths.get(n.checked_sub(1)?)?, 3u64.checked_add(bits.take(2)?)?),
                17 => (0, 3u64.checked_add(bits.take(3)?)?),
                _ => (0, 11u64.checked_add(bits.take(7)?)?),
            };
            for _ in 0..times {
                if n >= total {
                    return None;
                }
                *lengths.get_mut(n)? = len;
                n = n.checked_add(1)?;
            }
        }
        let (lit, dist) = lengths.get(..total)?.split_at(hlit);
        // A block must be able to end.
        if lit.get(256).copied().unwrap_or(0) == 0 {
            return None;
        }
        Some(Codes {
            lit: Table::new(lit)?,
            dist: Table::new(dist)?,
        })
    }
}

/// Longest code deflate allows.
const MAX_BITS: usize = 15;

/// A canonical Huffman code as a table indexed by the next `width` bits of
/// the stream: each entry is the symbol shifted left by four, or'ed with
/// its code's length; 0 where no code begins with those bits (a code left
/// incomplete).
struct Table {
    entries: Vec<u16>,
    mask: u64,
}

impl Table {
    /// The table of the code with these lengths (0: the symbol is unused);
    /// `None` if the lengths over-subscribe the code space.
    fn new(lengths: &[u8]) -> Option<Table> {
        let mut count = [0u16; MAX_BITS + 1];
        for &len in lengths {
            let slot = count.get_mut(usize::from(len))?;
            *slot = slot.checked_add(1)?;
        }
        let width = (1..=MAX_BITS)
            .rev()
            .find(|&l| count.get(l).is_some_and(|&c| c > 0))
            .unwrap_or(1);
        // Canonical first codes per length (RFC 1951, 3.2.2); the code
        // space left must never go below zero.
        let mut next = [0u32; MAX_BITS + 1];
        let (mut code, mut left) = (0u32, 1i32);
        for len in 1..=MAX_BITS {
            let c = *count.get(len)?;
            left = left.checked_mul(2)?.checked_sub(i32::from(c))?;
            if left < 0 {
                return None;
            }
            let before = if len == 1 {
                0
            } else {
                u32::from(*count.get(len.checked_sub(1)?)?)
            };
            code = code.checked_add(before)?.checked_shl(1)?;
            *next.get_mut(len)? = code;
        }
        let size = 1usize.checked_shl(u32::try_from(width).ok()?)?;
        let mut entries = vec![0u16; size];
        for (sym, &len) in lengths.iter().enumerate() {
            if len == 0 {
                continue;
            }
            let slot = next.get_mut(usize::from(len))?;
            let code = *slot;
            *slot = code.checked_add(1)?;
            let len32 = u32::from(len);
            // Deflate sends a code's bits from its most significant one, so
            // the table is indexed by the code reversed.
            let rev = usize::try_from(code.reverse_bits().checked_shr(32u32.checked_sub(len32)?)?).ok()?;
            let entry = u16::try_from(sym).ok()?.checked_shl(4)? | u16::from(len);
            let step = 1usize.checked_shl(len32)?;
            for e in entries.iter_mut().skip(rev).step_by(step) {
                *e = entry;
            }
        }
        Some(Table {
            entries,
            mask: u64::try_from(size).ok()?.checked_sub(1)?,
        })
    }

    /// Reads one symbol (the bits must have been refilled).
    fn decode(&self, bits: &mut Bits<'_>) -> Option<u16> {
        let entry = *self.entries.get(usize::try_from(bits.buf & self.mask).ok()?)?;
        let len = u32::from(entry & 15);
        if len == 0 {
            return None;
        }
        bits.consume(len)?;
        Some(entry >> 4)
    }
}

/// The stream's bits, least significant first.
struct Bits<'a> {
    data: &'a [u8],
    /// The next byte not yet in `buf`.
    next: usize,
    buf: u64,
    /// How many bits `buf` holds.
    held: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bits {
            data,
            next: 0,
            buf: 0,
            held: 0,
        }
    }

    /// The position of the next bit.
    fn position(&self) -> u64 {
        (self.next as u64)
            .saturating_mul(8)
            .saturating_sub(u64::from(self.held))
    }

    /// Fills `buf` with at least 56 bits, or all there are.
    fn refill(&mut self) {
        if self.held > 56 {
            return;
        }
        let end = self.next.saturating_add(8);
        if let Some(word) = self.data.get(self.next..end).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            // Whole bytes only: as many as fit above the bits held.
            let bytes = 63u32.saturating_sub(self.held) / 8;
            self.buf |= u64::from_le_bytes(word).wrapping_shl(self.held);
            self.next = self.next.saturating_add(bytes as usize);
            self.held = self.held.saturating_add(bytes.saturating_mul(8));
            // The bits above `held` came from bytes not counted yet.
            self.buf &= mask(self.held);
        } else {
            while self.held <= 56 {
                let Some(&b) = self.data.get(self.next) else {
                    return;
                };
                self.buf |= u64::from(b).wrapping_shl(self.held);
                self.next = self.next.saturating_add(1);
                self.held = self.held.saturating_add(8);
            }
        }
    }

    /// Drops `n` bits (at most those held).
    fn consume(&mut self, n: u32) -> Option<()> {
        if n > self.held {
            return None;
        }
        self.buf = self.buf.checked_shr(n).unwrap_or(0);
        self.held = self.held.saturating_sub(n);
        Some(())
    }

    /// The next `n` bits (at most 32) as a number.
    fn take(&mut self, n: u32) -> Option<u64> {
        if n > self.held {
            self.refill();
        }
        let v = self.buf & mask(n);
        self.consume(n)?;
        Some(v)
    }

    /// Skips to the next byte boundary.
    fn align(&mut self) {
        let n = self.held % 8;
        self.buf = self.buf.checked_shr(n).unwrap_or(0);
        self.held = self.held.saturating_sub(n);
    }

    /// Skips `n` whole bytes (aligned).
    fn skip_bytes(&mut self, n: usize) -> Option<()> {
        let at = usize::try_from(self.position() / 8).ok()?.checked_add(n)?;
        if at > self.data.len() {
            return None;
        }
        self.next = at;
        self.buf = 0;
        self.held = 0;
        Some(())
    }
}

/// The lowest `n` bits set (`n` ≤ 64).
fn mask(n: u32) -> u64 {
    1u64.checked_shl(n).map_or(u64::MAX, |b| b.wrapping_sub(1))
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
pub(super) mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};

    /// `data` deflated in one stream, with a full flush (an empty stored
    /// block) after every `flush_every` bytes.
    pub(in crate::archive::deflate) fn deflate(data: &[u8], level: u32, flush_every: Option<usize>) -> Vec<u8> {
        let mut c = Compress::new(Compression::new(level), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        let chunks: Vec<&[u8]> = match flush_every {
            Some(n) => data.chunks(n).collect(),
            None => vec![data],
        };
        for (i, chunk) in chunks.iter().enumerate() {
            let flush = if i + 1 == chunks.len() {
                FlushCompress::Finish
            } else {
                FlushCompress::Full
            };
            let start = c.total_in();
            loop {
                out.reserve(chunk.len() + 1024);
                let read = usize::try_from(c.total_in() - start).unwrap();
                let status = c.compress_vec(&chunk[read..], &mut out, flush).unwrap();
                if status == flate2::Status::StreamEnd
                    || (flush != FlushCompress::Finish
                        && usize::try_from(c.total_in() - start).unwrap() == chunk.len()
                        && out.len() < out.capacity())
                {
                    break;
                }
            }
        }
        out
    }

    fn inflate_prefix(raw: &[u8], bits: u64) -> usize {
        // Decoding the blocks before a start gives exactly its offset: the
        // stream cut there and closed with an empty final stored block.
        let mut cut = raw[..usize::try_from(bits.div_ceil(8)).unwrap()].to_vec();
        let used = bits % 8;
        if let Some(last) = cut.last_mut() {
            if used != 0 {
                *last &= (1u8 << used) - 1;
            }
        }
        let mut join = Join::default();
        join.push(&cut, 0, bits);
        // BFINAL, stored; then zeros to the byte; then LEN 0 and NLEN.
        join.push(&[0x01], 0, 3);
        join.push(&[0], 0, (8 - (bits + 3) % 8) % 8);
        join.push(&[0x00, 0x00, 0xFF, 0xFF], 0, 32);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(&join.finish()[..]), &mut out).unwrap();
        out.len()
    }

    use super::super::Join;

    fn text(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            match (x >> 60) % 4 {
                0 => out.extend_from_slice(format!("<task id=\"t{}\"/>\n", (x >> 20) % 5000).as_bytes()),
                1 => out.push((x >> 33) as u8),
                _ => out.extend_from_slice(b"  <activiti:field name=\"dataPool\"></activiti:field>\n"),
            }
        }
        out.truncate(n);
        out
    }

    /// Every block's start, and the stream's end.
    fn all(data: &[u8], size: usize) -> Option<(Vec<Start>, u64)> {
        let mut starts = Vec::new();
        let end = blocks(data, size, |s| starts.push(s))?;
        Some((starts, end))
    }

    #[test]
    fn every_block_start_found_is_where_its_output_begins() {
        for (len, level, flush) in [
            (0, 6, None),
            (1, 0, None),
            (70_000, 0, None),
            (5_000, 1, None),
            (300_000, 6, None),
            (300_000, 9, Some(40_000)),
            (200_000, 1, Some(7)),
            (1_000_000, 6, None),
        ] {
            let data = text(len, len as u64 + u64::from(level));
            let raw = deflate(&data, level, flush);
            let b = all(&raw, data.len());
            assert!(b.is_some(), "{len} bytes at level {level}: no blocks");
            let (starts, end) = b.unwrap();
            assert_eq!(end.div_ceil(8), raw.len() as u64, "{len} at {level}");
            assert_eq!(starts[0], Start { bit: 0, at: 0 });
            assert!(starts.windows(2).all(|w| w[0].bit < w[1].bit && w[0].at <= w[1].at));
            for s in starts.iter().step_by(starts.len().div_ceil(12).max(1)) {
                assert_eq!(inflate_prefix(&raw, s.bit), s.at, "{len} at {level}: {s:?}");
            }
            // Any other size is refused.
            assert_eq!(all(&raw, data.len() + 1), None);
            if !data.is_empty() {
                assert_eq!(all(&raw, data.len() - 1), None);
            }
        }
    }

    #[test]
    fn damaged_streams_are_refused_without_panicking() {
        let data = text(100_000, 7);
        let raw = deflate(&data, 6, Some(30_000));
        for cut in [0, 1, 2, raw.len() / 3, raw.len() - 1] {
            assert_eq!(all(&raw[..cut], data.len()), None, "cut at {cut}");
        }
        let mut x = 1u64;
        for _ in 0..2000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let mut bad = raw.clone();
            let at = usize::try_from(x >> 40).unwrap() % bad.len();
            bad[at] ^= 1 << ((x >> 20) % 8);
            // Whatever it finds, it neither panics nor claims another size.
            if let Some((_, end)) = all(&bad, data.len()) {
                assert!(end <= bad.len() as u64 * 8);
            }
        }
        // An unknown block type.
        assert_eq!(all(&[0b0000_0111], 0), None);
    }

    /// Bits packed as deflate packs them: (value, count, whether the value
    /// is a Huffman code, sent from its most significant bit).
    fn pack(fields: &[(u32, u32, bool)]) -> Vec<u8> {
        let mut bits = Vec::new();
        for &(v, n, code) in fields {
            for i in 0..n {
                let k = if code { n - 1 - i } else { i };
                bits.push((v >> k) & 1 == 1);
            }
        }
        bits.chunks(8)
            .map(|c| c.iter().enumerate().map(|(i, &b)| u8::from(b) << i).sum())
            .collect()
    }

    #[test]
    fn a_distance_must_reach_only_what_was_decoded() {
        // Fixed codes: "a" (0x30 + 0x61, 8 bits), a length of 3 (code
        // 257, 7 bits), a distance (5 bits), the end (7 bits).
        let stream = |dist: u32| {
            pack(&[
                (1, 1, false),
                (1, 2, false),
                (0x91, 8, true),
                (1, 7, true),
                (dist, 5, true),
                (0, 7, true),
            ])
        };
        let ok = stream(0);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(&ok[..]), &mut out).unwrap();
        assert_eq!(out, b"aaaa");
        assert_eq!(all(&ok, 4).map(|b| b.0), Some(vec![Start { bit: 0, at: 0 }]));
        // A distance of 2 after one byte.
        assert_eq!(all(&stream(1), 4), None);
    }
}
