//! The workloads, written into the work folder: the same parameters always
//! give the same bytes. A workload already there is reused (its parameters
//! are in its name, and it is renamed into place only once complete).

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::xml::{self, Rng, VendorParts, FOOTER, VENDOR};

/// The big entry of the zeros workload.
pub const ZEROS_ENTRY: &str = "data/zeros.bin";

/// Sizes are in MiB throughout.
pub const MIB: u64 = 1 << 20;

/// Where the workloads go, and whether existing ones are made again.
#[derive(Debug)]
pub struct Generator {
    dir: PathBuf,
    regenerate: bool,
    vendor: [VendorParts; 3],
}

/// A large document, bare and zipped.
#[derive(Debug, Clone)]
pub struct Doc {
    pub mib: u64,
    /// The document's size in bytes (what is parsed).
    pub bytes: u64,
    pub bare: PathBuf,
    pub zipped: PathBuf,
}

/// An archive and what it holds.
#[derive(Debug, Clone)]
pub struct Archive {
    pub path: PathBuf,
    pub entries: u64,
    /// The sum of the entries' uncompressed sizes.
    pub content_bytes: u64,
    /// The size of the archive file.
    pub file_bytes: u64,
}

/// A folder of small archives.
#[derive(Debug, Clone)]
pub struct Batch {
    pub dir: PathBuf,
    pub archives: u64,
}

/// The fixed time of every entry, so that archives are reproducible.
fn options(method: CompressionMethod) -> SimpleFileOptions {
    let time = DateTime::from_date_and_time(2024, 5, 17, 9, 30, 0).unwrap_or_default();
    SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(time)
        .unix_permissions(0o644)
}

/// Writes an archive through `fill`, counting entries and content.
#[derive(Debug)]
struct ArchiveWriter {
    zip: ZipWriter<BufWriter<File>>,
    dirs: BTreeSet<String>,
    entries: u64,
    content_bytes: u64,
}

impl ArchiveWriter {
    fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ArchiveWriter {
            zip: ZipWriter::new(BufWriter::with_capacity(1 << 20, file)),
            dirs: BTreeSet::new(),
            entries: 0,
            content_bytes: 0,
        })
    }

    /// Adds the directory entries of `name`'s folders not added yet, as
    /// Info-ZIP and Identity Manager exports have them.
    fn dirs_of(&mut self, name: &str) -> Result<()> {
        let mut end = 0;
        while let Some(slash) = name.get(end..).and_then(|rest| rest.find('/')) {
            end += slash + 1;
            let dir = name.get(..end).unwrap_or(name).to_string();
            if self.dirs.insert(dir.clone()) {
                self.zip
                    .add_directory(dir, options(CompressionMethod::Stored).unix_permissions(0o755))?;
                self.entries += 1;
            }
        }
        Ok(())
    }

    fn file(&mut self, name: &str, method: CompressionMethod, data: &[u8]) -> Result<()> {
        self.zip.start_file(name, options(method))?;
        self.zip.write_all(data)?;
        self.entries += 1;
        self.content_bytes += data.len() as u64;
        Ok(())
    }

    /// An entry written in pieces, never held whole in memory.
    fn streamed(&mut self, name: &str, method: CompressionMethod, mut from: impl io::Read) -> Result<()> {
        self.zip.start_file(name, options(method))?;
        self.content_bytes += io::copy(&mut from, &mut self.zip)?;
        self.entries += 1;
        Ok(())
    }

    fn finish(self, comment: &str) -> Result<(u64, u64)> {
        let mut zip = self.zip;
        zip.set_comment(comment)?;
        let mut file = zip.finish()?;
        file.flush()?;
        Ok((self.entries, self.content_bytes))
    }
}

/// `final_path` + `.tmp`: where a workload is written before it is renamed
/// into place.
fn tmp_path(final_path: &Path) -> PathBuf {
    let mut name = final_path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

impl Generator {
    pub fn new(dir: &Path, regenerate: bool) -> Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Generator {
            dir: dir.to_path_buf(),
            regenerate,
            vendor: xml::vendor_all()?,
        })
    }

    /// The XML declaration and root start tag of the vendor files.
    fn header(&self) -> &'static str {
        let [first, ..] = self.vendor;
        first.header
    }

    /// Whether `path` must be (re)made; says what happens.
    fn must_make(&self, path: &Path) -> Result<bool> {
        if path.exists() && !self.regenerate {
            eprintln!("  reusing {}", path.display());
            return Ok(false);
        }
        if path.is_dir() {
            fs::remove_dir_all(path)?;
        } else if path.exists() {
            fs::remove_file(path)?;
        }
        eprintln!("  generating {}", path.display());
        Ok(true)
    }

    fn archive_info(path: &Path) -> Result<Archive> {
        let file_bytes = fs::metadata(path)?.len();
        let mut zip = zip::ZipArchive::new(File::open(path)?)?;
        let mut content_bytes = 0;
        for i in 0..zip.len() {
            content_bytes += zip.by_index_raw(i)?.size();
        }
        Ok(Archive {
            path: path.to_path_buf(),
            entries: zip.len() as u64,
            content_bytes,
            file_bytes,
        })
    }

    /// A large document of `mib` MiB or a little more: the Deactivate user
    /// process first, Reactivate user in the middle and Lock user last,
    /// among filler processes; then every diagram. Written bare, and zipped
    /// (deflate) as the only entry of an archive.
    pub fn doc(&self, mib: u64) -> Result<Doc> {
        let bare = self.dir.join(format!("doc-{mib}mib.bpmn20.xml"));
        let zipped = self.dir.join(format!("doc-{mib}mib.zip"));
        if self.must_make(&bare)? {
            self.write_doc(&bare, mib * MIB, 0xD0C + mib)?;
        }
        if self.must_make(&zipped)? {
            let tmp = tmp_path(&zipped);
            let mut zip = ArchiveWriter::create(&tmp)?;
            zip.streamed("processes.bpmn20.xml", CompressionMethod::Deflated, File::open(&bare)?)?;
            zip.finish("")?;
            fs::rename(&tmp, &zipped)?;
        }
        Ok(Doc {
            mib,
            bytes: fs::metadata(&bare)?.len(),
            bare,
            zipped,
        })
    }

    fn write_doc(&self, path: &Path, target: u64, seed: u64) -> Result<()> {
        let [deactivate, reactivate, lock] = self.vendor;
        let tmp = tmp_path(path);
        let side_path = self.dir.join("diagrams.tmp");
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        // Diagrams follow all processes in a BPMN document: they wait in a
        // side file, so that the generator never holds the document.
        let mut side = BufWriter::with_capacity(1 << 20, File::create(&side_path)?);
        let mut rng = Rng::new(seed);
        let mut written = (deactivate.header.len() + FOOTER.len()) as u64;
        out.write_all(deactivate.header.as_bytes())?;
        let mut put = |process: &str, diagram: &str, written: &mut u64| -> io::Result<()> {
            out.write_all(process.as_bytes())?;
            side.write_all(diagram.as_bytes())?;
            *written += (process.len() + diagram.len()) as u64;
            Ok(())
        };
        put(deactivate.process, deactivate.diagram, &mut written)?;
        let last = (lock.process.len() + lock.diagram.len()) as u64;
        let mut n = 0;
        let mut reactivated = false;
        while written + last < target || !reactivated {
            if !reactivated && written >= target / 2 {
                put(reactivate.process, reactivate.diagram, &mut written)?;
                reactivated = true;
                continue;
            }
            let (process, diagram) = xml::filler(n, &mut rng, true);
            put(&process, &diagram, &mut written)?;
            n += 1;
        }
        put(lock.process, lock.diagram, &mut written)?;
        side.flush()?;
        drop(side);
        io::copy(&mut File::open(&side_path)?, &mut out)?;
        out.write_all(FOOTER.as_bytes())?;
        out.flush()?;
        drop(out);
        fs::remove_file(&side_path)?;
        fs::rename(&tmp, path)?;
        Ok(())
    }

    /// A large export of about `entries` entries: small BPMN documents (40%),
    /// incompressible blobs of 1–32 KiB, stored or deflated (40%), and small
    /// properties files (20%), in nested folders with their directory
    /// entries; the three user processes sit at a quarter, half and three
    /// quarters of the way.
    pub fn export(&self, entries: u64) -> Result<Archive> {
        let path = self.dir.join(format!("export-{entries}.zip"));
        if self.must_make(&path)? {
            let tmp = tmp_path(&path);
            let mut zip = ArchiveWriter::create(&tmp)?;
            let mut rng = Rng::new(0xE0 + entries);
            let header = self.header();
            let mut blob = vec![0u8; 32 << 10];
            let mut placed = 0u64;
            let mut i = 0u64;
            while zip.entries < entries {
                // User process k goes in once (k + 1) quarters of the entries are written.
                let next_user = usize::try_from(placed).ok().and_then(|k| VENDOR.get(k));
                if let Some((name, text)) = next_user.filter(|_| zip.entries * 4 >= entries * (placed + 1)) {
                    let at = format!("processes/users/{name}");
                    zip.dirs_of(&at)?;
                    zip.file(&at, CompressionMethod::Deflated, text.as_bytes())?;
                    placed += 1;
                    continue;
                }
                let area = rng.pick(&["accounts", "cards", "devices", "requests", "roles", "tokens"]);
                let sub = rng.below(8);
                match rng.below(10) {
                    0..=3 => {
                        let name = format!("processes/{area}/g{sub:02}/Process{i:05}.bpmn20.xml");
                        let text = xml::filler_document(header, i, &mut rng, true);
                        zip.dirs_of(&name)?;
                        zip.file(&name, CompressionMethod::Deflated, text.as_bytes())?;
                    }
                    4..=7 => {
                        let name = format!("resources/{area}/r{sub:02}/d{}/blob{i:05}.bin", rng.below(2));
                        let len = usize::try_from(rng.range(1 << 10, 32 << 10)).unwrap_or(1 << 10);
                        let data = blob.get_mut(..len).unwrap_or_default();
                        rng.fill(data);
                        let method = if rng.below(2) == 0 {
                            CompressionMethod::Stored
                        } else {
                            CompressionMethod::Deflated
                        };
                        zip.dirs_of(&name)?;
                        zip.file(&name, method, data)?;
                    }
                    _ => {
                        let name = format!("config/{area}/c{sub:02}/settings{i:05}.properties");
                        zip.dirs_of(&name)?;
                        zip.file(
                            &name,
                            CompressionMethod::Deflated,
                            xml::properties(i, &mut rng).as_bytes(),
                        )?;
                    }
                }
                i += 1;
            }
            zip.finish("Identity Manager configuration export (generated)")?;
            fs::rename(&tmp, &path)?;
        }
        Self::archive_info(&path)
    }

    /// `entries` small entries, no directory entries: one in two a one-
    /// process BPMN document of about 1 KiB without diagram, the others
    /// properties files of about 150 bytes; the three user processes among
    /// them.
    pub fn many(&self, entries: u64) -> Result<Archive> {
        let path = self.dir.join(format!("many-{entries}.zip"));
        if self.must_make(&path)? {
            let tmp = tmp_path(&path);
            let mut zip = ArchiveWriter::create(&tmp)?;
            let mut rng = Rng::new(0x3A4 + entries);
            let header = self.header();
            let step = (entries / 4).max(1);
            for i in 0..entries {
                let folder = i / 1000;
                if i % step == step / 2 {
                    if let Some((name, text)) = VENDOR.get(usize::try_from(i / step).unwrap_or(0)) {
                        zip.file(
                            &format!("p{folder:02}/{name}"),
                            CompressionMethod::Deflated,
                            text.as_bytes(),
                        )?;
                        continue;
                    }
                }
                if i % 2 == 0 {
                    let text = xml::filler_document(header, i, &mut rng, false);
                    zip.file(
                        &format!("p{folder:02}/e{i:06}.bpmn20.xml"),
                        CompressionMethod::Deflated,
                        text.as_bytes(),
                    )?;
                } else {
                    let text = xml::properties(i, &mut rng);
                    zip.file(
                        &format!("p{folder:02}/e{i:06}.properties"),
                        CompressionMethod::Deflated,
                        text.as_bytes(),
                    )?;
                }
            }
            zip.finish("")?;
            fs::rename(&tmp, &path)?;
        }
        Self::archive_info(&path)
    }

    /// A folder of `archives` small process-import archives: the three user
    /// processes, `export.properties` and zero to three filler documents
    /// each.
    pub fn batch(&self, archives: u64) -> Result<Batch> {
        let dir = self.dir.join(format!("batch-{archives}"));
        if self.must_make(&dir)? {
            let tmp = tmp_path(&dir);
            if tmp.exists() {
                fs::remove_dir_all(&tmp)?;
            }
            fs::create_dir_all(&tmp)?;
            let mut rng = Rng::new(0xBA7 + archives);
            let header = self.header();
            for a in 0..archives {
                let mut zip = ArchiveWriter::create(&tmp.join(format!("export-{a:05}.zip")))?;
                for (name, text) in VENDOR {
                    zip.file(name, CompressionMethod::Deflated, text.as_bytes())?;
                }
                for f in 0..rng.below(4) {
                    let text = xml::filler_document(header, a * 10 + f, &mut rng, true);
                    zip.file(
                        &format!("Filler{a:05}-{f}.bpmn20.xml"),
                        CompressionMethod::Deflated,
                        text.as_bytes(),
                    )?;
                }
                zip.file(
                    "export.properties",
                    CompressionMethod::Stored,
                    format!("export.id={a}\n").as_bytes(),
                )?;
                zip.finish("Identity Manager process import")?;
            }
            fs::rename(&tmp, &dir)?;
        }
        Ok(Batch { dir, archives })
    }

    /// An export holding an untouched entry of `mib` MiB of zeros (deflate
    /// makes it about 1000:1), written in 1 MiB pieces, next to the three
    /// user processes.
    pub fn zeros(&self, mib: u64) -> Result<Archive> {
        let path = self.dir.join(format!("zeros-{mib}mib.zip"));
        if self.must_make(&path)? {
            let tmp = tmp_path(&path);
            let mut zip = ArchiveWriter::create(&tmp)?;
            for (name, text) in VENDOR {
                zip.file(
                    &format!("processes/{name}"),
                    CompressionMethod::Deflated,
                    text.as_bytes(),
                )?;
            }
            zip.streamed(
                ZEROS_ENTRY,
                CompressionMethod::Deflated,
                io::Read::take(io::repeat(0), mib * MIB),
            )?;
            zip.finish("")?;
            fs::rename(&tmp, &path)?;
        }
        Self::archive_info(&path)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use procpatch::archive::{patch_archive, Options};
    use procpatch::Recipe;

    fn changed_in_archive(path: &Path) -> usize {
        let bytes = fs::read(path).unwrap();
        patch_archive(&bytes, &Recipe::builtin(), &Options::default())
            .unwrap()
            .1
            .summary
            .changed
    }

    #[test]
    fn every_workload_holds_the_twelve_values() {
        let dir = tempfile::tempdir().unwrap();
        let gen = Generator::new(dir.path(), false).unwrap();
        let doc = gen.doc(1).unwrap();
        assert!(doc.bytes >= MIB && doc.bytes < MIB + (64 << 10), "{} bytes", doc.bytes);
        let bare = fs::read(&doc.bare).unwrap();
        assert_eq!(
            procpatch::patch(&bare, &Recipe::builtin()).unwrap().1.summary.changed,
            12
        );
        assert_eq!(changed_in_archive(&doc.zipped), 12);
        let ratio = doc.bytes / fs::metadata(&doc.zipped).unwrap().len();
        assert!((4..50).contains(&ratio), "compresses {ratio}:1");

        let export = gen.export(120).unwrap();
        assert!((120..130).contains(&export.entries), "{} entries", export.entries);
        assert_eq!(changed_in_archive(&export.path), 12);

        let many = gen.many(100).unwrap();
        assert_eq!(many.entries, 100);
        assert_eq!(changed_in_archive(&many.path), 12);

        let batch = gen.batch(3).unwrap();
        for entry in fs::read_dir(&batch.dir).unwrap() {
            assert_eq!(changed_in_archive(&entry.unwrap().path()), 12);
        }

        let zeros = gen.zeros(2).unwrap();
        assert_eq!(
            zeros.content_bytes,
            2 * MIB + VENDOR.iter().map(|(_, t)| t.len() as u64).sum::<u64>()
        );
    }

    #[test]
    fn workloads_are_reproducible() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (ga, gb) = (
            Generator::new(a.path(), false).unwrap(),
            Generator::new(b.path(), false).unwrap(),
        );
        let (ea, eb) = (ga.export(60).unwrap(), gb.export(60).unwrap());
        assert_eq!(fs::read(ea.path).unwrap(), fs::read(eb.path).unwrap());
        let (da, db) = (ga.doc(1).unwrap(), gb.doc(1).unwrap());
        assert_eq!(fs::read(da.zipped).unwrap(), fs::read(db.zipped).unwrap());
    }
}
