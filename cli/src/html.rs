//! `--html FILE`: the change record (apply) or the inspection page
//! (inspect). The library draws and builds the page; this module checks
//! the path before any work, hands the library each file's documents, and
//! writes the page atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use procpatch::archive::{self, FileReport, Inspection, Options};
use procpatch::render::{ChangeRecord, FileDrawings, Limits, Meta};

use crate::exit::{Code, Failure};
use crate::invocation::Job;

/// Checks an `--html` path before any work, as `-o` is checked: a file
/// name (not a folder) in a folder that exists, and neither an input nor
/// an output of the run.
pub fn check_target(html: &Path, jobs: &[Job]) -> Result<(), Failure> {
    let text = html.as_os_str().to_string_lossy();
    if text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) || html.is_dir() {
        return Err(Failure::usage_at(
            html,
            "--html names a folder; give a file name for the page".into(),
        ));
    }
    if let Some(parent) = html.parent().filter(|p| !p.as_os_str().is_empty()) {
        match std::fs::metadata(parent) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Failure::usage_at(
                    html,
                    format!("cannot write the page here: {} is not a folder", parent.display()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Failure::usage_at(
                    html,
                    format!(
                        "cannot write the page here: the folder {} does not exist",
                        parent.display()
                    ),
                ))
            }
            Err(e) => return Err(Failure::io(parent, &e)),
        }
    }
    for job in jobs {
        let clash = [Some(&job.input), job.output.as_ref()]
            .into_iter()
            .flatten()
            .find(|p| same_place(p, html));
        if let Some(p) = clash {
            return Err(Failure::usage_at(
                html,
                format!("--html would overwrite {}; give the page another name", p.display()),
            ));
        }
    }
    Ok(())
}

/// Whether two paths name the same place, whether or not a file is there.
fn same_place(a: &Path, b: &Path) -> bool {
    let place = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    matches!((place(a), place(b)), (Some(x), Some(y)) if x == y)
}

/// The page's header: the command, now (or `SOURCE_DATE_EPOCH`), and the
/// recipe.
pub fn meta(command: &str, dry_run: bool, recipe: Option<&Path>) -> Meta {
    let mut meta = Meta::new(command, &procpatch::render::utc_timestamp(now()));
    meta.dry_run = dry_run;
    if let Some(path) = recipe {
        meta.recipe = path.display().to_string();
        meta.recipe_sha256 = archive::sha256_file(path).ok();
    }
    meta
}

/// Seconds since 1970 in UTC: `SOURCE_DATE_EPOCH` when set (reproducible
/// pages, as reproducible builds use it), else the clock.
fn now() -> i64 {
    if let Some(s) = std::env::var_os("SOURCE_DATE_EPOCH").and_then(|v| v.to_str()?.trim().parse().ok()) {
        return s;
    }
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The drawings of the processes a plan touched, from the input's
/// documents. Made before the output is written, since with `--in-place`
/// the output replaces the input.
pub fn drawings(input: &Path, report: &FileReport, options: &Options) -> Result<FileDrawings, Failure> {
    let limits = Limits::default();
    let mut drawings = FileDrawings::for_report(report, limits, limits.page_shapes);
    archive::for_each_document(input, options, &mut |entry, bytes| drawings.document(entry, bytes))
        .map_err(|e| Failure::archive(input, &e))?;
    Ok(drawings)
}

/// The change record of an `apply` run: each file's final report with its
/// drawings, and each failure.
pub fn apply_page<'a>(
    meta: Meta,
    files: impl Iterator<
        Item = (
            &'a Path,
            Result<(&'a FileReport, Option<&'a FileDrawings>), &'a Failure>,
        ),
    >,
) -> String {
    let limits = Limits::default();
    let mut page = ChangeRecord::new(meta, limits);
    let none = FileDrawings::for_inspection(limits, 0);
    for (path, result) in files {
        match result {
            Ok((report, drawings)) => page.applied(report, drawings.unwrap_or(&none)),
            Err(f) => page.error(&path.display().to_string(), &f.message),
        }
    }
    page.finish()
}

/// The page of an `inspect` run: files in order, each drawn while the page
/// has room (so the page is the same however the files were read).
pub fn inspect_page(
    meta: Meta,
    results: &[(PathBuf, Result<Inspection, Failure>)],
    options: &Options,
    labels: &[(String, Vec<String>)],
) -> String {
    let limits = Limits::default();
    let mut page = ChangeRecord::new(meta, limits);
    for (path, result) in results {
        match result {
            Ok(inspection) => {
                let mut drawings = FileDrawings::for_inspection(limits, page.budget());
                if drawings.wants_more() {
                    // The file was read a moment ago; if it cannot be read
                    // again, its processes are listed without pictures.
                    let _ = archive::for_each_document(path, options, &mut |entry, bytes| {
                        if drawings.wants_more() {
                            drawings.document(entry, bytes);
                        }
                    });
                }
                page.inspected(inspection, &drawings, labels);
            }
            Err(f) => page.error(&path.display().to_string(), &f.message),
        }
    }
    page.finish()
}

/// Writes the page atomically: a temporary file beside it, then a rename.
pub fn write(path: &Path, page: &str) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure {
        code: Code::Io,
        path: Some(path.to_path_buf()),
        message: format!("cannot write the page: {e}"),
        named: false,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".procpatch-")
        .suffix(".html.tmp")
        .tempfile_in(&dir)
        .map_err(fail)?;
    tmp.write_all(page.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A page to share: readable by others, as a new file usually is.
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Reports a page that could not be written (after the run's own report)
/// and returns the run's exit code, raised to an I/O failure if so.
pub fn finish(written: Result<(), Failure>, code: Code) -> Code {
    match written {
        Ok(()) => code,
        Err(f) => {
            let _ = writeln!(anstream::stderr(), "procpatch: {f}");
            code.max(f.code)
        }
    }
}
