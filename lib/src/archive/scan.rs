//! Walking an archive (nested archives included), building its edited copy,
//! and verifying a written copy against the plan.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use super::entries::{sniff, EntryKind, Opened};
use super::error::ArchiveError;
use super::raw::{self, RawArchive};
use super::rewrite::{self, Replacement, Written};

use super::signature;
use super::Options;

/// What a walk does with each entry.
pub(crate) trait Visitor {
    /// A BPMN document: returns its new content if it changes.
    fn document(&mut self, entry: &str, data: &[u8]) -> Result<Option<Vec<u8>>, ArchiveError>;
    /// Any entry, with what it is and its uncompressed size.
    fn entry(&mut self, entry: &str, kind: EntryKind, size: u64);
    /// A signed archive's signature files, and whether they are removed.
    fn signature(&mut self, files: Vec<String>, removed: bool);
}

/// New content for an entry.
#[derive(Debug)]
pub(crate) enum ChildData {
    /// An edited BPMN document.
    Xml { old: Vec<u8>, new: Vec<u8> },
    /// A nested archive with edits inside.
    Zip { old: Vec<u8>, node: ZipNode },
    /// `MANIFEST.MF` without its per-entry digests.
    Manifest { new: Vec<u8> },
}

/// An edited entry.
#[derive(Debug)]
pub(crate) struct Child {
    pub index: usize,
    pub path: String,
    pub data: ChildData,
}

/// An archive and what changes in it.
#[derive(Debug)]
pub(crate) struct ZipNode {
    pub raw: RawArchive,
    pub children: Vec<Child>,
    /// Entries removed (signature files).
    pub remove: Vec<usize>,
    /// The signature files of a signed archive whose content changes while
    /// its signature is kept: writing would break the signature.
    pub broken_signature: Vec<String>,
}

impl ZipNode {
    pub fn changes(&self) -> bool {
        !self.children.is_empty() || !self.remove.is_empty()
    }

    /// The signature files that writing this archive (or a nested one)
    /// would break.
    pub fn broken_signatures(&self) -> Vec<String> {
        let mut out = self.broken_signature.clone();
        for c in &self.children {
            if let ChildData::Zip { node, .. } = &c.data {
                out.extend(node.broken_signatures());
            }
        }
        out
    }
}

/// How many bytes of an entry tell what it is, before reading it whole.
const HEAD: u64 = 512;

/// Whether the start of an entry may be XML: optional byte-order mark and
/// whitespace, then `<` (in UTF-8, or UTF-16 either way).
pub(crate) fn may_be_xml(head: &[u8]) -> bool {
    let head = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .or_else(|| head.strip_prefix(b"\xFF\xFE"))
        .or_else(|| head.strip_prefix(b"\xFE\xFF"))
        .unwrap_or(head);
    let first = head.iter().find(|&&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0));
    first == Some(&b'<')
}

/// Walks the archive in `r`, whose entries are named `prefix` + name.
pub(crate) fn walk<R: Read + Seek>(
    r: R,
    prefix: &str,
    depth: usize,
    options: &Options,
    visitor: &mut dyn Visitor,
) -> Result<ZipNode, ArchiveError> {
    let mut opened = Opened::open(r)?;
    let mut children = Vec::new();
    for i in 0..opened.raw.entries.len() {
        let Some(e) = opened.raw.entries.get(i) else {
            continue;
        };
        let (name, size) = (e.display_name(), e.size);
        let path = format!("{prefix}{name}");
        if name.ends_with('/') && size == 0 {
            visitor.entry(&path, EntryKind::Directory, 0);
            continue;
        }
        if opened.raw.entries.get(i).is_some_and(|e| e.encrypted()) {
            visitor.entry(&path, EntryKind::Encrypted, size);
            continue;
        }
        if !opened.readable(i) {
            visitor.entry(&path, EntryKind::Unreadable, size);
            continue;
        }
        let head = opened.read_head(i, HEAD)?;
        if !raw::looks_like_zip(&head) && !may_be_xml(&head) {
            visitor.entry(&path, EntryKind::Other, size);
            continue;
        }
        let data = opened.read(i, options)?;
        match sniff(&data) {
            EntryKind::Zip => {
                if depth + 1 > options.max_depth {
                    return Err(ArchiveError::TooDeep {
                        entry: path,
                        limit: options.max_depth,
                    });
                }
                visitor.entry(&path, EntryKind::Zip, data.len() as u64);
                let node = walk(Cursor::new(&data), &format!("{path}!/"), depth + 1, options, visitor)?;
                if node.changes() {
                    children.push(Child {
                        index: i,
                        path,
                        data: ChildData::Zip { old: data, node },
                    });
                }
            }
            EntryKind::Bpmn => {
                visitor.entry(&path, EntryKind::Bpmn, data.len() as u64);
                if let Some(new) = visitor.document(&path, &data)? {
                    children.push(Child {
                        index: i,
                        path,
                        data: ChildData::Xml { old: data, new },
                    });
                }
            }
            kind => visitor.entry(&path, kind, data.len() as u64),
        }
    }
    let mut remove = Vec::new();
    let mut broken_signature = Vec::new();
    if let Some(sig) = signature::detect(&opened.raw) {
        let files: Vec<String> = sig
            .files
            .iter()
            .filter_map(|&i| opened.raw.entries.get(i))
            .map(|e| format!("{prefix}{}", e.display_name()))
            .collect();
        let strip = !children.is_empty() && options.strip_signature;
        if !strip {
            if !children.is_empty() {
                broken_signature = files.clone();
            }
            visitor.signature(files, false);
        } else {
            visitor.signature(files, true);
            remove = sig.files.clone();
            if let Some(m) = sig.manifest {
                let old = opened.read(m, options)?;
                let new = signature::strip_manifest(&old);
                if new != old {
                    let path = format!(
                        "{prefix}{}",
                        opened.raw.entries.get(m).map(|e| e.display_name()).unwrap_or_default()
                    );
                    children.push(Child {
                        index: m,
                        path,
                        data: ChildData::Manifest { new },
                    });
                }
            }
        }
    }
    Ok(ZipNode {
        raw: opened.into_raw(),
        children,
        remove,
        broken_signature,
    })
}

/// The new content of each edited entry, by central-directory index.
pub(crate) type Contents = Vec<(usize, Vec<u8>)>;

/// Writes the edited copy of `node` (read from `src`) to `out`. Returns
/// where entries went and the new content of each edited entry.
pub(crate) fn build<R: Read + Seek, W: Write>(
    src: &mut R,
    node: &ZipNode,
    out: W,
) -> Result<(Written, Contents), ArchiveError> {
    let mut built: Vec<(usize, Vec<u8>)> = Vec::new();
    for child in &node.children {
        if let ChildData::Zip { old, node: inner } = &child.data {
            let mut bytes = Vec::new();
            build(&mut Cursor::new(old), inner, &mut bytes)?;
            built.push((child.index, bytes));
        }
    }
    let replacements: Vec<Replacement<'_>> = node
        .children
        .iter()
        .filter_map(|c| {
            let data: &[u8] = match &c.data {
                ChildData::Xml { new, .. } | ChildData::Manifest { new } => new,
                ChildData::Zip { .. } => built.iter().find(|(i, _)| *i == c.index).map(|(_, b)| b.as_slice())?,
            };
            Some(Replacement { index: c.index, data })
        })
        .collect();
    let written = rewrite::write(src, &node.raw, &replacements, &node.remove, out)?;
    let contents = replacements.iter().map(|r| (r.index, r.data.to_vec())).collect();
    Ok((written, contents))
}

/// Checks a written copy: it opens, every entry's CRC holds, every
/// untouched record is byte-identical to the input's, and every edited
/// entry holds exactly the planned content (nested archives checked the
/// same way).
pub(crate) fn verify<R1: Read + Seek, R2: Read + Seek>(
    input: &mut R1,
    output: &mut R2,
    node: &ZipNode,
    written: &Written,
    contents: &[(usize, Vec<u8>)],
    options: &Options,
) -> Result<(), ArchiveError> {
    let fail = |m: String| ArchiveError::Verify(m);
    let layout = raw::read(output).map_err(|e| fail(format!("the written archive does not open: {e}")))?;
    let expected = node.raw.entries.len() - node.remove.len();
    if layout.entries.len() != expected {
        return Err(fail(format!(
            "{} entries written, {expected} planned",
            layout.entries.len()
        )));
    }
    if layout.comment() != node.raw.comment() {
        return Err(fail("the archive comment changed".into()));
    }
    // Untouched records: the same bytes at their new offsets.
    let mut pairs = Vec::new();
    let (mut abuf, mut bbuf) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    for (i, e) in node.raw.entries.iter().enumerate() {
        let Some(Some(at)) = written.offsets.get(i) else {
            continue;
        };
        let Some(j) = layout.entries.iter().position(|o| o.local_offset == *at) else {
            return Err(fail(format!("entry \"{}\" is missing", e.display_name())));
        };
        pairs.push((i, j));
        if contents.iter().any(|(k, _)| *k == i) {
            continue;
        }
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
    }
    // Every CRC, and the edited content.
    let mut opened = Opened::open(&mut *output).map_err(|e| fail(format!("the written archive does not open: {e}")))?;
    for (i, j) in pairs {
        let name = node.raw.entries.get(i).map(|e| e.display_name()).unwrap_or_default();
        match contents.iter().find(|(k, _)| *k == i) {
            // Entries in a method procpatch cannot decompress were compared
            // byte for byte above; the others have their CRC checked.
            None if !opened.readable(j) => {}
            // The record is the input's own bytes (compared above), so a
            // CRC error here is damage in the input, reported as such.
            None => {
                opened.check(j, options)?;
            }
            Some((_, data)) => {
                let got = opened.read(j, options).map_err(|err| fail(format!("{name}: {err}")))?;
                if &got != data {
                    return Err(fail(format!("entry \"{name}\" does not hold the edited content")));
                }
                if let Some(ChildData::Zip { old, node: inner }) =
                    node.children.iter().find(|c| c.index == i).map(|c| &c.data)
                {
                    let (w, c) = build(&mut Cursor::new(old), inner, std::io::sink())?;
                    verify(&mut Cursor::new(old), &mut Cursor::new(&got), inner, &w, &c, options)?;
                }
            }
        }
    }
    Ok(())
}

/// Compares `len` bytes at `a_at` in `a` with those at `b_at` in `b`.
fn compare_ranges<A: Read + Seek, B: Read + Seek>(
    a: &mut A,
    a_at: u64,
    b: &mut B,
    b_at: u64,
    len: u64,
    abuf: &mut [u8],
    bbuf: &mut [u8],
) -> Result<(), String> {
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
