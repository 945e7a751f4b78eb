//! Verifying a written copy of an archive against its plan: the layout
//! kept, every untouched record byte-identical to the input's, every
//! edited entry holding exactly its planned content.

use std::io::{Cursor, SeekFrom};

use super::content::Content;
use super::entries::Opened;
use super::error::ArchiveError;
use super::rewrite::Input;
use super::scan::{build, Built, ChildData, Extra, ZipNode};
use super::Options;

/// Checks a written copy: it opens; it keeps the input's layout (the
/// bytes before the first entry and after the end record, the convention
/// its offsets follow, the comment); every untouched record is
/// byte-identical to the input's; and every edited entry holds exactly the
/// planned content, CRC-32 and size checked (nested archives checked the
/// same way). Untouched entries were read to their end, CRC-32 checked,
/// when the input was read; their bytes are compared here.
pub(crate) fn verify<R1: Input, R2: Input>(
    input: &mut R1,
    output: &mut R2,
    node: &ZipNode,
    built: &Built<'_>,
    options: &Options,
) -> Result<(), ArchiveError> {
    let (written, contents) = (&built.written, &built.contents);
    let fail = |m: String| ArchiveError::Verify(m);
    // Opened once: its layout is checked here, its edited entries read
    // below (each opening reads every local header again).
    let mut opened = Opened::open(&mut *output).map_err(|e| fail(format!("the written archive does not open: {e}")))?;
    let (layout, output) = opened.parts();
    let expected = node.raw.entries.len() - built.remove.len() + built.added.len();
    if layout.entries.len() != expected {
        return Err(fail(format!(
            "{} entries written, {expected} planned",
            layout.entries.len()
        )));
    }
    if layout.comment() != node.raw.comment() {
        return Err(fail("the archive comment changed".into()));
    }
    if layout.shift != node.raw.shift || layout.tail.locator_shift != node.raw.tail.locator_shift {
        return Err(fail("its offsets no longer count from where the input's did".into()));
    }
    let (mut abuf, mut bbuf) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let (before, after) = (node.raw.first_record(), layout.first_record());
    if before != after {
        return Err(fail(format!(
            "{after} bytes before the first entry, where the input has {before}"
        )));
    }
    compare_ranges(input, 0, output, 0, before, &mut abuf, &mut bbuf)
        .map_err(|m| fail(format!("the bytes before the first entry: {m}")))?;
    let (old_t, new_t) = (&node.raw.tail.trailing, &layout.tail.trailing);
    if old_t.end - old_t.start != new_t.end - new_t.start {
        return Err(fail("the bytes after the end record changed length".into()));
    }
    compare_ranges(
        input,
        old_t.start,
        output,
        new_t.start,
        old_t.end - old_t.start,
        &mut abuf,
        &mut bbuf,
    )
    .map_err(|m| fail(format!("the bytes after the end record: {m}")))?;
    let by_offset: std::collections::HashMap<u64, usize> = layout
        .entries
        .iter()
        .enumerate()
        .map(|(j, o)| (o.local_offset, j))
        .collect();
    let edited: std::collections::HashMap<usize, &Content<'_>> = contents.iter().map(|(k, d)| (*k, d)).collect();
    // Untouched records: the same bytes at their new offsets.
    let mut pairs = Vec::new();
    for (i, e) in node.raw.entries.iter().enumerate() {
        let Some(Some(at)) = written.offsets.get(i) else {
            continue;
        };
        let Some(&j) = by_offset.get(at) else {
            return Err(fail(format!("entry \"{}\" is missing", e.display_name())));
        };
        let Some(data) = edited.get(&i) else {
            let (old, new) = (e.record(), layout.entries.get(j).map(|o| o.record()).unwrap_or(0..0));
            if old.end - old.start != new.end - new.start {
                return Err(fail(format!("entry \"{}\" changed length", e.display_name())));
            }
            compare_ranges(
                input,
                old.start,
                output,
                new.start,
                old.end - old.start,
                &mut abuf,
                &mut bbuf,
            )
            .map_err(|m| fail(format!("entry \"{}\": {m}", e.display_name())))?;
            continue;
        };
        pairs.push((i, j, *data));
    }
    // The edited content, CRC-32 and size checked.
    for (i, j, data) in pairs {
        let name = node.raw.entries.get(i).map(|e| e.display_name()).unwrap_or_default();
        let nested = node.children.iter().find(|c| c.index == i).map(|c| &c.data);
        let Some(ChildData::Zip { old, node: inner }) = nested else {
            // A document is compared as it inflates, never held twice.
            let holds = opened
                .entries()
                .holds(j, options, &data.pieces()?)
                .map_err(|err| fail(format!("{name}: {err}")))?;
            if !holds {
                return Err(fail(format!("entry \"{name}\" does not hold the edited content")));
            }
            continue;
        };
        let got = opened.read(j, options).map_err(|err| fail(format!("{name}: {err}")))?;
        if !data.is(&got)? {
            return Err(fail(format!("entry \"{name}\" does not hold the edited content")));
        }
        let b = build(
            &mut Cursor::new(old.as_slice()),
            inner,
            Extra::default(),
            std::io::sink(),
        )?;
        verify(
            &mut Cursor::new(old.as_slice()),
            &mut Cursor::new(got.as_slice()),
            inner,
            &b,
            options,
        )?;
    }
    // Added entries hold what was planned, under their names.
    for (a, at) in built.added.iter().zip(&written.added) {
        let Some(&j) = by_offset.get(at) else {
            return Err(fail(format!("the new entry \"{}\" is missing", a.name)));
        };
        if opened.raw.entries.get(j).map(|e| e.name.as_slice()) != Some(a.name.as_bytes()) {
            return Err(fail(format!("the new entry \"{}\" has another name", a.name)));
        }
        let got = opened
            .read(j, options)
            .map_err(|err| fail(format!("{}: {err}", a.name)))?;
        if got != a.data {
            return Err(fail(format!("the new entry \"{}\" does not hold its content", a.name)));
        }
    }
    Ok(())
}

/// Compares `len` bytes at `a_at` in `a` with those at `b_at` in `b`.
fn compare_ranges<A: Input, B: Input>(
    a: &mut A,
    a_at: u64,
    b: &mut B,
    b_at: u64,
    len: u64,
    abuf: &mut [u8],
    bbuf: &mut [u8],
) -> Result<(), String> {
    const PAST: &str = "a range past the end of the archive";
    if let (Some(x), Some(y)) = (a.held(), b.held()) {
        let (Some(x), Some(y)) = (part(x, a_at, len), part(y, b_at, len)) else {
            return Err(PAST.into());
        };
        return if x == y { Ok(()) } else { Err(differ(x, y, a_at)) };
    }
    if let Some(x) = a.held() {
        // The output read back from its file against the input held.
        let x = part(x, a_at, len).ok_or(PAST)?;
        b.seek(SeekFrom::Start(b_at)).map_err(|e| e.to_string())?;
        let mut done = 0usize;
        for want in x.chunks(bbuf.len().max(1)) {
            let y = bbuf.get_mut(..want.len()).ok_or("buffer")?;
            b.read_exact(y).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => PAST.into(),
                _ => e.to_string(),
            })?;
            if want != y {
                return Err(differ(want, y, a_at.saturating_add(done as u64)));
            }
            done = done.saturating_add(want.len());
        }
        return Ok(());
    }
    let mut done = 0u64;
    while done < len {
        let n = usize::try_from((len - done).min(abuf.len() as u64)).unwrap_or(abuf.len());
        let (Some(x), Some(y)) = (abuf.get_mut(..n), bbuf.get_mut(..n)) else {
            return Err("buffer".into());
        };
        a.seek(SeekFrom::Start(a_at + done)).map_err(|e| e.to_string())?;
        a.read_exact(x).map_err(|e| e.to_string())?;
        b.seek(SeekFrom::Start(b_at + done)).map_err(|e| e.to_string())?;
        b.read_exact(y).map_err(|e| e.to_string())?;
        if x != y {
            return Err(format!("bytes differ near offset {}", a_at + done));
        }
        done += n as u64;
    }
    Ok(())
}

/// The `len` bytes at `at` of `bytes`, when it holds them.
fn part(bytes: &[u8], at: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(at).ok()?;
    bytes.get(start..start.checked_add(usize::try_from(len).ok()?)?)
}

/// Where `x`, the input's bytes from offset `at`, first differs from `y`.
fn differ(x: &[u8], y: &[u8], at: u64) -> String {
    let i = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
    format!("bytes differ near offset {}", at.saturating_add(i as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::scan::tests::one_edit;
    use crate::archive::source::tests::content;
    use crate::archive::source::Source;

    /// A range of the input held in memory against the same range of an
    /// output read from its file, as the written archive is checked: equal
    /// ranges pass, at any offset and across buffers; a changed byte is
    /// found where it is; a range past the end of either is refused.
    #[test]
    fn ranges_held_and_read_from_a_file_are_compared_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let input = content(300_000);
        let mut output = vec![7u8; 1000];
        output.extend_from_slice(&input);
        let path = dir.path().join("out");
        std::fs::write(&path, &output).unwrap();
        let held = Source::Memory(input.clone());
        let file = Source::File(path.clone());
        let (mut abuf, mut bbuf) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
        let mut compare = |a_at: u64, b_at: u64, len: u64| {
            let (mut a, mut b) = (held.reader().unwrap(), file.reader().unwrap());
            assert!(a.held().is_some() && b.held().is_none());
            compare_ranges(&mut a, a_at, &mut b, b_at, len, &mut abuf, &mut bbuf)
        };
        for (at, len) in [
            (0, 0),
            (0, 1),
            (5, 70_000),
            (65_535, 65_537),
            (0, 300_000),
            (299_999, 1),
        ] {
            assert_eq!(compare(at, at + 1000, len), Ok(()), "{at} {len}");
        }
        assert_eq!(
            compare(10, 1010 + 1, 100),
            Err(format!(
                "bytes differ near offset {}",
                10 + (0..100).find(|&i| input[10 + i] != input[11 + i]).unwrap()
            ))
        );
        let mut changed = output.clone();
        changed[1000 + 200_000] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        assert_eq!(compare(0, 1000, 300_000), Err("bytes differ near offset 200000".into()));
        assert_eq!(
            compare(150_000, 151_000, 150_000),
            Err("bytes differ near offset 200000".into())
        );
        assert_eq!(compare(0, 1000, 100_000), Ok(()));
        // Past the input's end, or the output's.
        let past = Err(String::from("a range past the end of the archive"));
        assert_eq!(compare(299_999, 1000, 2), past);
        std::fs::write(&path, &output[..1000 + 200_000]).unwrap();
        assert_eq!(compare(0, 1000, 300_000), past);
    }

    /// The check of a written archive read back from its file, as one of
    /// 1 MiB or more is: the archive as built passes; one byte changed in
    /// an untouched record, or the file cut short, fails it.
    #[test]
    fn an_archive_read_back_from_its_file_is_checked_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let (input, recipe) = one_edit(dir.path());
        let options = crate::archive::Options::default();
        let plan = crate::archive::plan_file(&input, &recipe, &options).unwrap();
        assert_eq!(plan.report().summary.changed, 1);
        let crate::archive::Root::Zip { node, source } = &plan.root else {
            return assert!(
                matches!(plan.root, crate::archive::Root::Zip { .. }),
                "read as a document"
            );
        };
        let build = || {
            let mut out = Vec::new();
            let built = build(&mut source.reader().unwrap(), node, Extra::default(), &mut out).unwrap();
            (out, built)
        };
        let check = |bytes: &[u8]| {
            let path = dir.path().join("out.zip");
            std::fs::write(&path, bytes).unwrap();
            let (_, built) = build();
            let back = Source::File(path);
            verify(&mut source.reader()?, &mut back.reader()?, node, &built, &options)
        };
        let (out, built) = build();
        assert_eq!(check(&out).map_err(|e| e.to_string()), Ok(()));
        // An untouched entry's record, at its new place.
        let edited: Vec<usize> = built.contents.iter().map(|(i, _)| *i).collect();
        let (i, e) = node
            .raw
            .entries
            .iter()
            .enumerate()
            .find(|(i, _)| !edited.contains(i))
            .unwrap();
        let at = built.written.offsets[i].unwrap() + (e.record().end - e.record().start) - 1;
        let mut changed = out.clone();
        changed[usize::try_from(at).unwrap()] ^= 1;
        let err = check(&changed).unwrap_err().to_string();
        assert!(err.contains(&e.display_name()) && err.contains("bytes differ"), "{err}");
        let err = check(&out[..out.len() - 1]).unwrap_err();
        assert!(matches!(err, ArchiveError::Verify(_)), "{err}");
    }
}
