//! Walking an archive (nested archives included) and building its edited
//! copy; `archive::verify` checks the copy written.

use std::io::{Cursor, Read, Seek, Write};

use super::ahead::{self, Ahead};
use super::content::Content;
use super::entries::{sniff, step, Entries, EntryKind, Opened, Step};
use super::error::ArchiveError;
use super::notes::{self, Note, NoteKind};
use super::prepare::{Prepare, Prepared};
use super::raw::RawArchive;
use super::rewrite::{self, Input, Replacement, Written};
use super::signature::Added;
use crate::splice::Splice;

use super::signature;
use super::Options;

/// What a walk does with each entry. `'p` is how long its preparer lives.
pub(crate) trait Visitor<'p> {
    /// What prepares this visitor's documents away from the walk (parsing
    /// and planning, `prepare`), if anything does.
    fn preparer(&self) -> Option<&'p dyn Prepare> {
        None
    }
    /// A BPMN document, with its prepared result when it was prepared
    /// ahead (else the visitor prepares it here): returns the splices that
    /// edit it, if it changes.
    fn document(
        &mut self,
        entry: &str,
        data: &[u8],
        prepared: Option<Prepared>,
    ) -> Result<Option<Vec<Splice>>, ArchiveError>;
    /// Any entry, with what it is and its uncompressed size.
    fn entry(&mut self, entry: &str, kind: EntryKind, size: u64);
    /// A signed archive's signature files, and whether they are removed.
    fn signature(&mut self, files: Vec<String>, removed: bool);
    /// A note on an archive's structure: bytes kept, a Java reader that
    /// cannot read it, a nested archive that cannot be read.
    fn note(&mut self, note: Note) {
        let _ = note;
    }
}

/// New content for an entry.
#[derive(Debug)]
pub(crate) enum ChildData {
    /// An edited BPMN document: its bytes and the splices that edit them
    /// (the new bytes are made when they are written).
    Xml { old: Vec<u8>, splices: Vec<Splice> },
    /// A nested archive with edits inside.
    Zip { old: Vec<u8>, node: Box<ZipNode> },
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
        out.extend(self.nested_broken_signatures());
        out
    }

    /// Those of [`ZipNode::broken_signatures`] in nested archives.
    pub fn nested_broken_signatures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.children {
            if let ChildData::Zip { node, .. } = &c.data {
                out.extend(node.broken_signatures());
            }
        }
        out
    }
}

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

/// Walks the archive in `r`, the file itself (`archive` empty) or the
/// archive nested at the entry path `archive`; its entries are read ahead
/// on a second thread with `ahead`, a second reader of the same archive,
/// when it is given.
pub(crate) fn walk<'p, R: Read + Seek, A: Read + Seek + Send>(
    r: R,
    ahead: Option<A>,
    archive: &str,
    depth: usize,
    options: &Options,
    visitor: &mut dyn Visitor<'p>,
) -> Result<ZipNode, ArchiveError> {
    walk_opened(Opened::open(r)?, ahead, archive, depth, options, visitor)
}

/// [`walk`] on archive bytes in memory: its entries are read ahead on a
/// second thread while its documents are parsed.
pub(crate) fn walk_bytes<'p>(
    bytes: &[u8],
    archive: &str,
    depth: usize,
    options: &Options,
    visitor: &mut dyn Visitor<'p>,
) -> Result<ZipNode, ArchiveError> {
    walk_opened(
        Opened::open(Cursor::new(bytes))?,
        Some(Cursor::new(bytes)),
        archive,
        depth,
        options,
        visitor,
    )
}

/// Opens a nested archive and reads every entry to its end, as the walk
/// will: a fault here leaves the nested archive unread (and copied as it
/// is) before any of its documents is planned.
fn open_nested<'d>(data: &'d [u8], options: &Options) -> Result<Opened<Cursor<&'d [u8]>>, ArchiveError> {
    let mut opened = Opened::open(Cursor::new(data))?;
    for i in 0..opened.raw.entries.len() {
        if opened.readable(i) && opened.checkable(i, options) {
            opened.check(i, options)?;
        }
    }
    Ok(opened)
}

/// [`walk`] on an archive already opened, read ahead with `ahead` (a
/// second reader of it) when it is given. Every readable entry is read to
/// its end (size and CRC-32 checked) by every command, whatever it is.
fn walk_opened<'p, R: Read + Seek, A: Read + Seek + Send>(
    opened: Opened<R>,
    ahead: Option<A>,
    archive: &str,
    depth: usize,
    options: &Options,
    visitor: &mut dyn Visitor<'p>,
) -> Result<ZipNode, ArchiveError> {
    let prefix = if archive.is_empty() {
        String::new()
    } else {
        format!("{archive}!/")
    };
    for note in notes::of(&opened.raw, archive) {
        visitor.note(note);
    }
    let (raw, mut r) = opened.into_parts();
    let prepare = visitor.preparer();
    let mut children = ahead::with_ahead(&raw, ahead, options, prepare, |ahead| {
        let mut entries = Entries::new(&raw, &mut r);
        walk_entries(&raw, &mut entries, ahead, &prefix, archive, depth, options, visitor)
    })?;
    let mut opened = Opened::from_parts(raw, r);
    // Faults of this archive's own entries name it.
    let here = |e: ArchiveError| if archive.is_empty() { e } else { e.within(archive) };
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
                let old = opened.read(m, options).map_err(here)?;
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

/// The entries of a walk, in order: each one read (by the walk, or the
/// reader `ahead`) and handed to the visitor; nested archives walked.
/// Returns the edited entries.
#[allow(clippy::too_many_arguments)]
fn walk_entries<'p, R: Read + Seek>(
    raw: &RawArchive,
    entries: &mut Entries<'_, R>,
    ahead: Option<&Ahead<'_>>,
    prefix: &str,
    archive: &str,
    depth: usize,
    options: &Options,
    visitor: &mut dyn Visitor<'p>,
) -> Result<Vec<Child>, ArchiveError> {
    // Faults of this archive's own entries name it.
    let here = |e: ArchiveError| if archive.is_empty() { e } else { e.within(archive) };
    let mut children = Vec::new();
    for (i, e) in raw.entries.iter().enumerate() {
        let (name, size) = (e.display_name(), e.size);
        let path = format!("{prefix}{name}");
        match step(raw, i, options) {
            Step::Directory => {
                visitor.entry(&path, EntryKind::Directory, 0);
                continue;
            }
            Step::Encrypted => {
                visitor.entry(&path, EntryKind::Encrypted, size);
                continue;
            }
            Step::Unreadable => {
                visitor.entry(&path, EntryKind::Unreadable, size);
                continue;
            }
            Step::Read => {}
            Step::Unchecked => {
                visitor.entry(&path, EntryKind::Other, size);
                visitor.note(Note {
                    archive: archive.to_string(),
                    kind: NoteKind::Unchecked,
                    message: format!(
                        "entry \"{name}\" is copied without being read: its header declares {size} bytes, more than \
                         the check limit of {} bytes, so its CRC-32 is not checked",
                        options.max_check_size
                    ),
                });
                continue;
            }
        }
        let (got, prepared) = Ahead::take(ahead, entries, raw, i, options);
        let (n, data) = got.map_err(here)?;
        let Some(data) = data else {
            visitor.entry(&path, EntryKind::Other, n);
            continue;
        };
        match sniff(&name, &data) {
            EntryKind::Zip => {
                if depth + 1 > options.max_depth {
                    return Err(ArchiveError::TooDeep {
                        entry: path,
                        limit: options.max_depth,
                    });
                }
                visitor.entry(&path, EntryKind::Zip, data.len() as u64);
                let inner = match open_nested(&data, options) {
                    Ok(inner) => inner,
                    Err(e) if e.is_damage() => {
                        visitor.note(Note {
                            archive: path,
                            kind: NoteKind::Unread,
                            message: e.to_string(),
                        });
                        continue;
                    }
                    Err(e) => return Err(e.within(&path)),
                };
                let node = walk_opened(inner, Some(Cursor::new(&data[..])), &path, depth + 1, options, visitor)?;
                if node.changes() {
                    children.push(Child {
                        index: i,
                        path,
                        data: ChildData::Zip {
                            old: data,
                            node: Box::new(node),
                        },
                    });
                }
            }
            EntryKind::Bpmn => {
                visitor.entry(&path, EntryKind::Bpmn, data.len() as u64);
                if let Some(splices) = visitor.document(&path, &data, prepared)? {
                    children.push(Child {
                        index: i,
                        path,
                        data: ChildData::Xml { old: data, splices },
                    });
                }
            }
            kind => visitor.entry(&path, kind, data.len() as u64),
        }
    }
    Ok(children)
}

/// The new content of each edited entry, by central-directory index.
pub(crate) type Contents<'n> = Vec<(usize, Content<'n>)>;

/// Changes on top of a node's plan (a signing), for the top archive.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    /// New content for entries.
    pub replace: Vec<(usize, Vec<u8>)>,
    /// Entries removed.
    pub remove: Vec<usize>,
    /// Entries added.
    pub add: Vec<Added>,
    /// The DOS date and time of added entries.
    pub time: (u16, u16),
}

/// What was written: where entries went, the new content of each edited
/// entry, what was removed and added; what verification needs.
#[derive(Debug)]
pub(crate) struct Built<'n> {
    pub written: Written,
    pub contents: Contents<'n>,
    pub remove: Vec<usize>,
    pub added: Vec<Added>,
}

/// The new content of each edited entry of `node`, nested archives built.
pub(crate) fn contents(node: &ZipNode) -> Result<Contents<'_>, ArchiveError> {
    let mut out = Vec::with_capacity(node.children.len());
    for c in &node.children {
        let data = match &c.data {
            ChildData::Xml { old, splices } => Content::Spliced { old, splices },
            ChildData::Manifest { new } => Content::Bytes(new.clone()),
            ChildData::Zip { old, node: inner } => {
                let mut bytes = Vec::new();
                build(&mut Cursor::new(old.as_slice()), inner, Extra::default(), &mut bytes)?;
                Content::Bytes(bytes)
            }
        };
        out.push((c.index, data));
    }
    Ok(out)
}

/// Writes the edited copy of `node` (read from `src`) to `out`, with the
/// `extra` changes of a signing.
pub(crate) fn build<'n, R: Input, W: Write>(
    src: &mut R,
    node: &'n ZipNode,
    extra: Extra,
    out: W,
) -> Result<Built<'n>, ArchiveError> {
    let mut contents = contents(node)?;
    build_with(src, node, &mut contents, extra, out)
}

/// [`build`] with the node's contents already made.
pub(crate) fn build_with<'n, R: Input, W: Write>(
    src: &mut R,
    node: &ZipNode,
    contents: &mut Contents<'n>,
    extra: Extra,
    out: W,
) -> Result<Built<'n>, ArchiveError> {
    for (i, data) in extra.replace {
        let data = Content::Bytes(data);
        match contents.iter_mut().find(|(k, _)| *k == i) {
            Some(slot) => slot.1 = data,
            None => contents.push((i, data)),
        }
    }
    let mut remove = node.remove.clone();
    remove.extend(extra.remove);
    remove.sort_unstable();
    remove.dedup();
    contents.retain(|(i, _)| !remove.contains(i));
    let replacements: Vec<Replacement<'_>> = contents
        .iter()
        .map(|(index, data)| Replacement { index: *index, data })
        .collect();
    let written = rewrite::write(src, &node.raw, &replacements, &remove, &extra.add, extra.time, out)?;
    Ok(Built {
        written,
        contents: std::mem::take(contents),
        remove,
        added: extra.add,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::archive::source::tests::content;
    use crate::archive::source::Source;

    /// An archive in `dir` of an untouched entry between two documents,
    /// and a recipe that edits one of them: its path and the recipe.
    pub(crate) fn one_edit(dir: &std::path::Path) -> (std::path::PathBuf, crate::Recipe) {
        use std::io::Write;
        let input = dir.join("in.zip");
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default();
        let doc = |name: &str| {
            format!(
                r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"><process id="p" name="{name}"><serviceTask id="t" name="T"><extensionElements><activiti:field name="value" stringValue="x"/></extensionElements></serviceTask></process></definitions>"#
            )
        };
        zip.start_file("a.bpmn20.xml", deflate).unwrap();
        zip.write_all(doc("Lock user").as_bytes()).unwrap();
        zip.start_file("data.bin", deflate).unwrap();
        zip.write_all(&content(100_000)).unwrap();
        zip.start_file("b.bpmn20.xml", deflate).unwrap();
        zip.write_all(doc("Other").as_bytes()).unwrap();
        std::fs::write(&input, zip.finish().unwrap().into_inner()).unwrap();
        let recipe = crate::Recipe::from_toml(
            r#"[[process]]
            name = "Lock user"
            [[process.task]]
            name = "T"
            set = { value = "y" }"#,
        )
        .unwrap();
        (input, recipe)
    }

    /// What a walk meets, in order.
    #[derive(Default)]
    struct Record(Vec<String>);

    impl Visitor<'_> for Record {
        fn document(
            &mut self,
            entry: &str,
            data: &[u8],
            _: Option<Prepared>,
        ) -> Result<Option<Vec<Splice>>, ArchiveError> {
            self.0.push(format!("document {entry}: {} bytes", data.len()));
            Ok(None)
        }

        fn entry(&mut self, entry: &str, kind: EntryKind, size: u64) {
            self.0.push(format!("entry {entry}: {kind:?}, {size} bytes"));
        }

        fn signature(&mut self, files: Vec<String>, removed: bool) {
            self.0.push(format!("signature {files:?} {removed}"));
        }
    }

    /// A reader that counts the bytes it reads.
    struct Counted<'c, R>(R, &'c std::sync::atomic::AtomicU64);

    impl<R: Read> Read for Counted<'_, R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(n)
        }
    }

    impl<R: Seek> Seek for Counted<'_, R> {
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            self.0.seek(to)
        }
    }

    /// An archive of 40 documents and 40 notes, past the entries a reader
    /// ahead needs; with `fault`, one byte of note 25's stored data is
    /// changed, so that its CRC-32 fails.
    fn documents_and_notes(fault: bool) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default();
        for i in 0..40 {
            zip.start_file(format!("p{i}.bpmn20.xml"), deflate).unwrap();
            let doc = format!(
                r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p{i}"/></definitions>"#
            );
            zip.write_all(doc.as_bytes()).unwrap();
            zip.start_file(format!("n{i}.txt"), deflate).unwrap();
            zip.write_all(&content(1000 + 300 * i)).unwrap();
        }
        let mut bytes = zip.finish().unwrap().into_inner();
        if fault {
            let mut z = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
            let e = z.by_name("n25.txt").unwrap();
            let at = e.data_start().unwrap() + e.compressed_size() / 2;
            bytes[usize::try_from(at).unwrap()] ^= 0x55;
        }
        bytes
    }

    /// A file read from the disk is read ahead on a second thread, as an
    /// archive in memory is: the walk meets the same entries, documents
    /// and first fault, in the same order, as one reading alone.
    #[test]
    fn a_file_walked_with_a_reader_ahead_meets_what_a_walk_alone_meets() {
        let dir = tempfile::tempdir().unwrap();
        let options = crate::archive::Options::default();
        for fault in [false, true] {
            let path = dir.path().join(format!("in-{fault}.zip"));
            std::fs::write(&path, documents_and_notes(fault)).unwrap();
            let source = Source::File(path);
            let read_ahead = std::sync::atomic::AtomicU64::new(0);
            let walked = |ahead: bool| {
                let mut seen = Record::default();
                let second = ahead.then(|| Counted(source.reader().unwrap(), &read_ahead));
                let result = walk(source.reader().unwrap(), second, "", 0, &options, &mut seen);
                (
                    result.map(|node| node.raw.entries.len()).map_err(|e| e.to_string()),
                    seen.0,
                )
            };
            let (alone, ahead) = (walked(false), walked(true));
            assert_eq!(alone, ahead, "fault {fault}");
            // The entries were read by the second reader.
            assert!(read_ahead.into_inner() > 20_000, "fault {fault}");
            match fault {
                false => assert_eq!((alone.0, alone.1.len()), (Ok(80), 120)),
                true => assert!(
                    alone
                        .0
                        .as_ref()
                        .is_err_and(|e| e.contains("n25.txt") && e.contains("CRC-32")),
                    "{alone:?}"
                ),
            }
        }
    }
}
