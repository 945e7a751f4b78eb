//! Faults while writing: the target path never holds a partial or corrupt
//! file, and the input is never changed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use crate::{procpatch, root};

/// A tmpfs mounted for one test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs with `options` at `dir`, if this process may.
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.0).status();
    }
}

/// An archive with a large, incompressible untouched entry and the Lock
/// user process, so that writing takes a while and needs room.
fn big_archive(path: &Path, megabytes: usize) {
    let script = format!(
        "import zipfile, random\nr = random.Random(1)\nwith zipfile.ZipFile({path:?}, 'w') as z:\n    z.writestr('UsersProcLock.bpmn20.xml', open({bpmn:?}, 'rb').read(), zipfile.ZIP_DEFLATED)\n    z.writestr('payload.bin', r.randbytes({size}), zipfile.ZIP_STORED)\n",
        path = path.display().to_string(),
        bpmn = root().join("testdata/bpmn/vendor/UsersProcLock.bpmn20.xml").display().to_string(),
        size = megabytes << 20,
    );
    let status = StdCommand::new("python3").arg("-c").arg(script).status().unwrap();
    assert!(status.success());
}

fn apply(input: &Path, output: &Path, tmp: &Path) -> crate::Run {
    procpatch(
        &[
            "apply",
            "-q",
            &input.display().to_string(),
            "-o",
            &output.display().to_string(),
        ],
        tmp,
    )
}

#[test]
fn a_read_only_output_directory_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = root().join("testdata/archives/ProcessImport.zip");
    let before = std::fs::read(&input).unwrap_or_else(|e| panic!("fixture {}: {e}", input.display()));
    let ro = tmp.path().join("ro");
    // Root ignores directory permissions, so a read-only mount where one can
    // be made; otherwise a directory without write permission.
    let _mount = Mount::tmpfs(&ro, "ro,size=64k");
    if _mount.is_none() {
        std::fs::create_dir_all(&ro).unwrap();
        let mut perms = std::fs::metadata(&ro).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&ro, perms).unwrap();
    }
    let out = ro.join("out.zip");
    let run = apply(&input, &out, tmp.path());
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("Read-only file system") || run.stderr.contains("Permission denied"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn a_full_disk_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("big.zip");
    big_archive(&input, 1);
    let before = std::fs::read(&input).unwrap();
    let small = tmp.path().join("small");
    match Mount::tmpfs(&small, "size=256k") {
        Some(_mount) => {
            let out = small.join("out.zip");
            let run = apply(&input, &out, tmp.path());
            assert_eq!(run.code, 5, "{}", run.stderr);
            assert!(run.stderr.contains("No space left on device"), "{}", run.stderr);
            assert!(!out.exists());
            assert_eq!(
                std::fs::read_dir(&small).unwrap().count(),
                0,
                "a temporary file was left"
            );
        }
        None => {
            // No mount allowed: a writer that fails part-way stands in for
            // the full disk, through the library.
            struct Full(usize);
            impl Write for Full {
                fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                    if self.0 < buf.len() {
                        return Err(std::io::Error::other("No space left on device"));
                    }
                    self.0 -= buf.len();
                    Ok(buf.len())
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let plan =
                procpatch::archive::plan_file(&input, &procpatch::Recipe::builtin(), &Default::default()).unwrap();
            assert!(plan.write_to(&mut Full(100_000)).is_err());
        }
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn a_kill_mid_write_leaves_no_partial_output() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("big.zip");
    big_archive(&input, 48);
    let before_len = std::fs::metadata(&input).unwrap().len();
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("big-patched.zip");
    let bin = assert_cmd::cargo::cargo_bin("procpatch");
    let mut child = StdCommand::new(bin)
        .args(["apply", "-q"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .spawn()
        .unwrap();
    // Kill shortly after the temporary file appears, mid-write (or after
    // 60 s at most).
    let start = std::time::Instant::now();
    while start.elapsed().as_secs() < 60 {
        let writing = std::fs::read_dir(&out_dir)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
        if writing {
            std::thread::sleep(std::time::Duration::from_millis(20));
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Either nothing at the target, or a complete file that verifies. (The
    // killed process may leave its `.procpatch-*.tmp` beside the target; it
    // is never at the target path.)
    for e in std::fs::read_dir(&out_dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "big-patched.zip" || (name.starts_with(".procpatch-") && name.ends_with(".tmp")),
            "{name}"
        );
    }
    if out.exists() {
        let run = procpatch(&["check", "-q", &out.display().to_string()], tmp.path());
        assert_eq!(run.code, 0, "a killed run left a damaged output: {}", run.stderr);
    }
    assert_eq!(std::fs::metadata(&input).unwrap().len(), before_len);
    let run = procpatch(&["check", "-q", &input.display().to_string()], tmp.path());
    assert_eq!(run.code, 1, "the input must still need its edit: {}", run.stderr);
}
