//! Deflating an edited entry's content.
//!
//! The content is deflated in pieces on all threads, as pigz does: each
//! piece primed with the [`WINDOW`] before it and ended by a sync flush
//! (the last by the end of the stream), so that the pieces joined are one
//! deflate stream. Writing a large edited document then takes a fraction of
//! its time on one core.
//!
//! An edit changes a few values, so most of the entry's old stream still
//! says what the new content says. Where that stream is at hand, the blocks
//! before the first edit and the blocks from a [`WINDOW`] past the last
//! one are kept bit for bit (the old stream's own compression, not
//! procpatch's), and only the stretch between is deflated again: less to
//! compress, and fewer of the entry's stored bytes changed. A block past
//! the last edit by a whole window can only refer to bytes after the edit,
//! which the new content holds unchanged, so it decodes there as it did.
//! Deflate packs bits, not bytes, so the kept blocks are joined where they
//! begin and end within a byte ([`Join`]). The written entry is inflated
//! again and compared with its content, as every edited entry is.
#![deny(clippy::arithmetic_side_effects)]

mod blocks;

use std::ops::Range;

use super::content::Content;
use super::error::ArchiveError;

/// Why deflating content failed.
#[derive(Debug)]
pub(super) enum Fault {
    /// The content could not be read.
    Content(ArchiveError),
    /// The compressor failed.
    Deflate(String),
}

/// Data deflated in pieces of this size, side by side.
const PIECE: usize = 256 << 10;

/// How much of the data before a piece primes its compressor: deflate's
/// whole window, so that a piece compresses as well as it would in one
/// stream; also how far past the last edit a kept block must begin.
const WINDOW: usize = 32 << 10;

/// Deflates `data` at `level` (raw deflate, as zip stores it).
pub(super) fn deflate(data: &[u8], level: u32) -> Result<Vec<u8>, String> {
    let content = Content::Spliced {
        old: data,
        splices: &[],
    };
    deflate_range(&content, 0..data.len(), level, true).map_err(|why| match why {
        Fault::Deflate(why) => why,
        Fault::Content(e) => e.to_string(),
    })
}

/// Deflates an entry's new content `data` at `level`. `stored`
/// is the entry's old stream, when it is at hand and `data` is its content
/// with splices: the blocks it shares with the new content are kept.
pub(super) fn deflate_entry(data: &Content<'_>, level: u32, stored: Option<&[u8]>) -> Result<Vec<u8>, Fault> {
    if let (Content::Spliced { old, splices }, Some(stream)) = (data, stored) {
        if let Some(out) = keeping(data, old, splices, stream, level)? {
            return Ok(out);
        }
    }
    let len = data.len().map_err(Fault::Content)?;
    deflate_range(data, 0..len, level, true)
}

/// The new stream with the old one's blocks before the first splice and
/// from a window past the last kept; `None` when there are none to keep
/// (the edits are near both ends, or `stream` is not the deflate stream of
/// `old`).
fn keeping(
    data: &Content<'_>,
    old: &[u8],
    splices: &[crate::Splice],
    stream: &[u8],
    level: u32,
) -> Result<Option<Vec<u8>>, Fault> {
    let first = splices.iter().map(|s| s.range.start).min();
    let last = splices.iter().map(|s| s.range.end).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(None);
    };
    // The last block to begin by the first splice, and the first to begin
    // a window past the last (before the end).
    let after = last.saturating_add(WINDOW);
    let mut head = blocks::Start { bit: 0, at: 0 };
    let mut tail = None;
    let found = blocks::blocks(stream, old.len(), |s| {
        if s.at <= first {
            head = s;
        }
        if tail.is_none() && s.at >= after && s.at < old.len() {
            tail = Some(s);
        }
    });
    let Some(stream_end) = found else {
        return Ok(None);
    };
    if head.at == 0 && tail.is_none() {
        return Ok(None);
    }
    let len = data.len().map_err(Fault::Content)?;
    // The content after a kept tail is the old content's, moved.
    let end = match tail {
        Some(t) => len.checked_sub(old.len().saturating_sub(t.at)),
        None => Some(len),
    };
    let Some(end) = end.filter(|&e| e >= head.at) else {
        return Ok(None);
    };
    let middle = deflate_range(data, head.at..end, level, tail.is_none())?;
    let kept_tail = tail.map_or(0, |t| stream_end.saturating_sub(t.bit) / 8);
    let mut join = Join::with_capacity(
        usize::try_from(head.bit / 8)
            .unwrap_or(0)
            .saturating_add(middle.len())
            .saturating_add(usize::try_from(kept_tail).unwrap_or(0))
            .saturating_add(2),
    );
    join.push(stream, 0, head.bit);
    join.empty_blocks_to(0);
    join.push(&middle, 0, (middle.len() as u64).saturating_mul(8));
    if let Some(t) = tail {
        join.empty_blocks_to(u32::try_from(t.bit % 8).unwrap_or(0));
        join.push(stream, t.bit, stream_end);
    }
    Ok(Some(join.finish()))
}

/// Deflates the content's bytes in `range`, the first piece primed with
/// the window before it; the stream ends with the last piece if `finish`,
/// else with a sync flush, for more to follow.
fn deflate_range(data: &Content<'_>, range: Range<usize>, level: u32, finish: bool) -> Result<Vec<u8>, Fault> {
    use rayon::prelude::*;
    let len = range.end.saturating_sub(range.start);
    let count = if len <= 2 * PIECE { 1 } else { len.div_ceil(PIECE) };
    let piece = |k: usize| {
        let start = range.start.saturating_add(k.saturating_mul(PIECE));
        let end = if k.saturating_add(1) == count {
            range.end
        } else {
            start.saturating_add(PIECE).min(range.end)
        };
        let from = start.saturating_sub(WINDOW);
        let bytes = data.slice(from..end).map_err(Fault::Content)?;
        let (before, piece) = bytes.split_at(start.saturating_sub(from).min(bytes.len()));
        deflate_piece(piece, before, level, finish && end == range.end).map_err(Fault::Deflate)
    };
    if count == 1 {
        return piece(0);
    }
    let pieces: Vec<Result<Vec<u8>, Fault>> = (0..count).into_par_iter().map(piece).collect();
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum());
    for piece in pieces {
        out.extend_from_slice(&piece?);
    }
    Ok(out)
}

/// Deflates one piece, primed with `before` (none for the first), ended by
/// a sync flush, or by the end of the stream when it is the `last`.
fn deflate_piece(data: &[u8], before: &[u8], level: u32, last: bool) -> Result<Vec<u8>, String> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut c = Compress::new(Compression::new(level), false);
    if !before.is_empty() {
        c.set_dictionary(before).map_err(|e| e.to_string())?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity((data.len() / 3).saturating_add(1024));
    loop {
        if out.capacity().saturating_sub(out.len()) < 1024 {
            out.reserve(out.capacity().max(1 << 16));
        }
        let read = usize::try_from(c.total_in()).unwrap_or(usize::MAX);
        let status = c
            .compress_vec(data.get(read..).unwrap_or_default(), &mut out, flush)
            .map_err(|e| e.to_string())?;
        let all_read = usize::try_from(c.total_in()).ok() == Some(data.len());
        match status {
            Status::StreamEnd => return Ok(out),
            // A flush is complete when it leaves output space unused.
            _ if !last && all_read && out.len() < out.capacity() => return Ok(out),
            _ => {}
        }
    }
}

/// Bit strings joined into bytes, as deflate packs bits: from the least
/// significant bit of each byte. The last byte is padded with zeros.
///
/// A stored block's length is read from the next byte boundary (a sync
/// flush ends with an empty one), so a stretch of a stream must be placed
/// where its first bit falls at the same place within a byte as it did:
/// empty blocks, which decode to nothing, fill the bits between
/// ([`Join::empty_blocks_to`]).
#[derive(Debug, Default)]
pub(super) struct Join {
    out: Vec<u8>,
    /// Bits not yet a whole byte (fewer than eight), from bit 0.
    acc: u16,
    /// How many.
    n: u32,
}

impl Join {
    fn with_capacity(n: usize) -> Self {
        Join {
            out: Vec::with_capacity(n),
            acc: 0,
            n: 0,
        }
    }

    /// Appends bits `from..to` of `src` (those past its end are not there).
    pub(super) fn push(&mut self, src: &[u8], from: u64, to: u64) {
        let to = to.min((src.len() as u64).saturating_mul(8));
        let mut at = from;
        while at < to && !at.is_multiple_of(8) {
            self.bit(src, at);
            at = at.saturating_add(1);
        }
        let first = usize::try_from(at / 8).unwrap_or(usize::MAX);
        let whole = usize::try_from(to.saturating_sub(at) / 8).unwrap_or(0);
        let bytes = src.get(first..first.saturating_add(whole)).unwrap_or_default();
        if self.n == 0 {
            self.out.extend_from_slice(bytes);
        } else {
            // Eight bytes at a time, each shifted up past the bits held.
            let mut words = bytes.chunks_exact(8);
            for w in &mut words {
                let v = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
                let joined = u64::from(self.acc) | v.wrapping_shl(self.n);
                self.out.extend_from_slice(&joined.to_le_bytes());
                self.acc = u16::try_from(v.wrapping_shr(64u32.saturating_sub(self.n))).unwrap_or(0);
            }
            for &b in words.remainder() {
                let joined = self.acc | u16::from(b).wrapping_shl(self.n);
                self.out.push(joined.to_le_bytes()[0]);
                self.acc = joined.wrapping_shr(8);
            }
        }
        at = at.saturating_add((whole as u64).saturating_mul(8));
        while at < to {
            self.bit(src, at);
            at = at.saturating_add(1);
        }
    }

    /// Appends the lowest `n` bits of `v`.
    fn bits(&mut self, v: u64, n: u32) {
        for i in 0..n {
            let b = u16::from(v.checked_shr(i).unwrap_or(0) & 1 == 1);
            self.put(b);
        }
    }

    /// Appends empty blocks (none are last) until the next bit falls at
    /// `place` within its byte (0-7): a fixed-code block of its end code
    /// alone takes 10 bits, and a dynamic one with an 18- or 19-entry
    /// header 92 or 95, so that at most three of them reach any place.
    pub(super) fn empty_blocks_to(&mut self, place: u32) {
        let need = place.wrapping_sub(self.n) % 8;
        // Blocks of 95, 92 and 10 bits: 7, 4 and 2 places on.
        let (dyn19, dyn18, fixed) = match need {
            0 => (0, 0, 0),
            1 => (1, 0, 1),
            2 => (0, 0, 1),
            3 => (1, 1, 0),
            4 => (0, 1, 0),
            5 => (1, 1, 1),
            6 => (0, 1, 1),
            _ => (1, 0, 0),
        };
        for _ in 0..dyn19 {
            self.empty_dynamic(19);
        }
        for _ in 0..dyn18 {
            self.empty_dynamic(18);
        }
        for _ in 0..fixed {
            // Not last, fixed codes, the end code (seven zeros).
            self.bits(0, 1);
            self.bits(1, 2);
            self.bits(0, 7);
        }
    }

    /// An empty block with dynamic codes whose header gives `hclen` (18 or
    /// 19) code-length codes: complete codes only (two literal/length
    /// codes, 0 and the end, and two distance codes, all one bit long),
    /// which every inflater accepts, Info-ZIP's among them.
    fn empty_dynamic(&mut self, hclen: u32) {
        self.bits(0, 1);
        self.bits(2, 2);
        // 257 literal/length codes, 2 distance codes, `hclen` code-length codes.
        self.bits(0, 5);
        self.bits(1, 5);
        self.bits(u64::from(hclen.saturating_sub(4)), 4);
        // Code-length codes in their order (16, 17, 18, 0, 8, 7, 9, 6, 10,
        // 5, 11, 4, 12, 3, 13, 2, 14, 1, 15): one bit for 18 (a run of
        // zeros) and for 1 (a length of one), none for the others. Their
        // codes: 1 is "0", 18 is "1".
        for k in 0..hclen {
            self.bits(u64::from(k == 2 || k == 17), 3);
        }
        // Literal 0: length 1; literals 1-255: 138 + 117 zeros (18 with 7
        // extra bits each); the end code: 1; both distance codes: 1.
        self.bits(0, 1);
        self.bits(1, 1);
        self.bits(127, 7);
        self.bits(1, 1);
        self.bits(106, 7);
        self.bits(0, 3);
        // The block's only symbol: the end code, "1" (literal 0 is "0").
        self.bits(1, 1);
    }

    /// Appends one bit (0 or 1).
    fn put(&mut self, b: u16) {
        self.acc |= b.wrapping_shl(self.n);
        self.n = self.n.saturating_add(1);
        if self.n == 8 {
            self.out.push(self.acc.to_le_bytes()[0]);
            self.acc = 0;
            self.n = 0;
        }
    }

    /// Appends bit `at` of `src`.
    fn bit(&mut self, src: &[u8], at: u64) {
        let byte = usize::try_from(at / 8)
            .ok()
            .and_then(|i| src.get(i))
            .copied()
            .unwrap_or(0);
        self.put(u16::from(byte.wrapping_shr(u32::try_from(at % 8).unwrap_or(0)) & 1));
    }

    /// The bytes, the last padded.
    pub(super) fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc.to_le_bytes()[0]);
        }
        self.out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::Splice;

    fn inflate(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(raw), &mut out).unwrap();
        out
    }

    #[test]
    fn deflating_in_pieces_makes_one_stream_that_inflates_to_the_data() {
        // Text that repeats across piece boundaries (so that priming
        // matters), of lengths around the boundaries.
        let text: Vec<u8> = (0..5 * PIECE / 40)
            .flat_map(|i| format!("<task id=\"t{}\" name=\"n{}\"/>\n", i % 977, i % 13).into_bytes())
            .collect();
        for len in [0, 1, 2 * PIECE, 2 * PIECE + 1, 3 * PIECE + PIECE / 2, text.len()] {
            let data = &text[..len.min(text.len())];
            for level in [1, 2, 3, 4, 6, 9] {
                let raw = deflate(data, level).unwrap();
                assert_eq!(inflate(&raw), data, "{len} bytes at level {level}");
            }
        }
        // Primed pieces compress about as well as one stream.
        let whole = deflate_piece(&text, &[], 6, true).unwrap();
        let pieces = deflate(&text, 6).unwrap();
        assert!(
            pieces.len() * 100 < whole.len() * 102,
            "{} against {}",
            pieces.len(),
            whole.len()
        );
    }

    #[test]
    fn spliced_content_deflates_to_the_bytes_of_its_whole() {
        let text: Vec<u8> = (0..3 * PIECE / 30)
            .flat_map(|i| format!("<field name=\"f{}\"/>\n", i % 311).into_bytes())
            .collect();
        // Splices that grow, shrink, and straddle piece and window edges.
        let at = |n: usize| n.min(text.len());
        let splices = vec![
            Splice {
                range: at(10)..at(20),
                bytes: b"grown by a good many bytes".to_vec(),
            },
            Splice {
                range: at(PIECE - 5)..at(PIECE + 5),
                bytes: vec![],
            },
            Splice {
                range: at(2 * PIECE - WINDOW / 2)..at(2 * PIECE - WINDOW / 2),
                bytes: vec![b'x'; 3 * WINDOW],
            },
        ];
        let whole = crate::splice::apply(&text, &splices).unwrap();
        assert!(whole.len() > 2 * PIECE);
        let content = Content::Spliced {
            old: &text,
            splices: &splices,
        };
        let spliced = deflate_entry(&content, 6, None).unwrap();
        assert_eq!(spliced, deflate(&whole, 6).unwrap());
        assert_eq!(inflate(&spliced), whole);
    }

    #[test]
    fn bits_join_wherever_they_begin_and_end() {
        let a = [
            0b1011_0110u8,
            0xFF,
            0x00,
            0x5A,
            0xC3,
            0x81,
            0x7E,
            0x11,
            0x22,
            0x33,
            0x44,
        ];
        let b: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) ^ 0x5C).collect();
        let bits = |s: &[u8], from: u64, to: u64| -> Vec<bool> {
            (from..to).map(|i| s[(i / 8) as usize] >> (i % 8) & 1 == 1).collect()
        };
        for (af, at) in [(0, 0), (0, 3), (3, 8), (1, 70), (5, 88), (0, 88)] {
            for (bf, bt) in [(0, 320), (7, 320), (13, 300), (0, 5), (9, 9)] {
                let mut j = Join::default();
                j.push(&a, af, at);
                j.push(&b, bf, bt);
                let out = j.finish();
                let mut want = bits(&a, af, at);
                want.extend(bits(&b, bf, bt));
                assert_eq!(out.len(), want.len().div_ceil(8), "{af}..{at} then {bf}..{bt}");
                assert_eq!(bits(&out, 0, want.len() as u64), want, "{af}..{at} then {bf}..{bt}");
                // Padding is zeros.
                assert_eq!(
                    bits(&out, want.len() as u64, out.len() as u64 * 8),
                    vec![false; out.len() * 8 - want.len()]
                );
            }
        }
    }

    #[test]
    fn empty_blocks_reach_any_place_in_a_byte_and_decode_to_nothing() {
        for start in 0..8u64 {
            for place in 0..8u32 {
                let mut j = Join::default();
                // Empty blocks to any starting place, then to `place`.
                j.empty_blocks_to(u32::try_from(start).unwrap());
                j.empty_blocks_to(place);
                assert_eq!(j.n, place);
                // Then a last stored block of "abc".
                j.bits(1, 1);
                j.bits(0, 2);
                let pad = (8 - j.n) % 8;
                j.bits(0, pad);
                j.push(&[3, 0, 0xFC, 0xFF, b'a', b'b', b'c'], 0, 56);
                let raw = j.finish();
                assert_eq!(inflate(&raw), b"abc", "from {start} to {place}");
                assert!(blocks::blocks(&raw, 3, |_| ()).is_some(), "from {start} to {place}");
            }
        }
    }

    /// Text like a large export: processes, then their diagrams.
    pub(super) fn document(processes: usize) -> Vec<u8> {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions>\n".to_vec();
        for i in 0..processes {
            doc.extend_from_slice(
                format!(
                    "  <process id=\"p{i}\" name=\"Process {i}\">\n    <serviceTask id=\"t{i}\" name=\"Task {}\">\n      <extensionElements><activiti:field name=\"dataPool\"><activiti:string>{}</activiti:string></activiti:field></extensionElements>\n    </serviceTask>\n  </process>\n",
                    i % 7,
                    i * 7919 % 1000
                )
                .as_bytes(),
            );
        }
        for i in 0..processes {
            doc.extend_from_slice(
                format!(
                    "  <bpmndi:BPMNShape bpmnElement=\"t{i}\" id=\"s{i}\">\n    <omgdc:Bounds height=\"{}\" width=\"{}\" x=\"{}\" y=\"{}\"/>\n  </bpmndi:BPMNShape>\n",
                    i % 5 * 10 + 40,
                    i % 3 * 20 + 100,
                    i * 31 % 977,
                    i * 17 % 613
                )
                .as_bytes(),
            );
        }
        doc.extend_from_slice(b"</definitions>\n");
        doc
    }

    fn value_splice(doc: &[u8], process: usize, value: &[u8]) -> Splice {
        let key = format!("<process id=\"p{process}\"");
        let at = doc.windows(key.len()).position(|w| w == key.as_bytes()).unwrap();
        let open = b"<activiti:string>";
        let start = at + doc[at..].windows(open.len()).position(|w| w == open).unwrap() + open.len();
        let end = start + doc[start..].iter().position(|&c| c == b'<').unwrap();
        Splice {
            range: start..end,
            bytes: value.to_vec(),
        }
    }

    #[test]
    fn the_old_streams_blocks_around_the_edits_are_kept_bit_for_bit() {
        let doc = document(5_000);
        assert!(doc.len() > 4 * PIECE);
        for (level, flush) in [(6, None), (9, None), (2, None), (6, Some(50_000))] {
            // A stream of several blocks; with flushes, stored blocks begin
            // anywhere within a byte.
            let stored = blocks::tests::deflate(&doc, level, flush);
            for (edits, keeps_head, keeps_tail) in [
                (vec![2_600], true, true),
                (vec![0, 4_999], false, true),
                (vec![2_600, 2_601, 4_000], true, true),
                (vec![10], false, true),
            ] {
                let splices: Vec<Splice> = edits
                    .iter()
                    .enumerate()
                    .map(|(k, &p)| {
                        value_splice(
                            &doc,
                            p,
                            ["Batch order", "", "a much longer value than before"][k % 3].as_bytes(),
                        )
                    })
                    .collect();
                let content = Content::Spliced {
                    old: &doc,
                    splices: &splices,
                };
                let whole = crate::splice::apply(&doc, &splices).unwrap();
                let out = deflate_entry(&content, level, Some(&stored)).unwrap();
                assert_eq!(inflate(&out), whole, "edits {edits:?} at level {level}");
                let same_head = out.iter().zip(&stored).take_while(|(a, b)| a == b).count();
                let same_tail = out
                    .iter()
                    .rev()
                    .zip(stored.iter().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
                // A block holds several hundred KiB of this text.
                assert_eq!(
                    same_head > stored.len() / 10,
                    keeps_head,
                    "head {edits:?} at {level}: {same_head}"
                );
                // The diagrams, after the processes, are half the text.
                assert_eq!(
                    same_tail > stored.len() / 4,
                    keeps_tail,
                    "tail {edits:?} at {level}: {same_tail}"
                );
                // Less to compress than the whole.
                assert_ne!(out, deflate(&whole, level).unwrap());
            }
        }
    }

    #[test]
    fn streams_not_of_the_old_content_are_deflated_whole() {
        let doc = document(3_000);
        let splices = vec![value_splice(&doc, 1_500, b"Batch order")];
        let content = Content::Spliced {
            old: &doc,
            splices: &splices,
        };
        let whole = crate::splice::apply(&doc, &splices).unwrap();
        let plain = deflate(&whole, 6).unwrap();
        let mut other = doc.clone();
        other.push(b'\n');
        // One block (zlib-rs's level 1) has nothing to keep.
        let one = deflate_piece(&doc, &[], 1, true).unwrap();
        for stored in [
            one,
            vec![],
            b"not deflate".to_vec(),
            deflate_piece(&other, &[], 6, true).unwrap(),
            deflate_piece(&doc, &[], 6, true).unwrap()[..100].to_vec(),
        ] {
            assert_eq!(deflate_entry(&content, 6, Some(&stored)).unwrap(), plain);
        }
    }
}
