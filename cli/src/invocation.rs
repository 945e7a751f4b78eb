//! Raw arguments turned into a checked plan of work, before any work starts:
//! the input files (directories walked), where each output goes, and the
//! recipe.

use std::path::{Path, PathBuf};

use procpatch::archive::{self, Options};
use procpatch::Recipe;
use rayon::prelude::*;

use crate::args::{OutputArgs, SignArgs};
use crate::exit::Failure;

/// One input file and where its output goes.
#[derive(Debug, Clone)]
pub struct Job {
    pub input: PathBuf,
    pub output: Option<PathBuf>,
}

/// Where outputs go.
#[derive(Debug, Clone)]
pub enum Target {
    /// Nothing is written (check, dry run).
    None,
    /// One file.
    File(PathBuf),
    /// A directory mirroring the inputs.
    Dir(PathBuf),
    /// Each input replaced.
    InPlace { backup: bool },
}

/// The files found: each with the directory it was found under (for
/// mirroring), and the files skipped as neither zip nor BPMN.
pub struct Found {
    pub files: Vec<(PathBuf, Option<PathBuf>)>,
    pub skipped: Vec<PathBuf>,
}

/// Expands the paths: files as given, directories walked (sorted), keeping
/// only files that are zip archives or BPMN documents. The files found in
/// folders are told apart on the pool's threads (`-j`): each is opened and
/// its head read, which a batch of many small files would otherwise wait
/// for on one thread before its work could start on two.
pub fn expand(paths: &[PathBuf]) -> Result<Found, Failure> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Failure::io(p, &e))?;
        if !meta.is_dir() {
            files.push((p.clone(), None));
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
            let entry = entry.map_err(|e| Failure::usage_at(p, e.to_string()))?;
            if entry.file_type().is_file() {
                found.push(entry.into_path());
            }
        }
        // By content, as the library tells files apart (a file that
        // cannot be read is skipped); in the walk's order.
        let kinds: Vec<bool> = found
            .par_iter()
            .map(|path| matches!(archive::file_kind_of(path), Ok(Some(_))))
            .collect();
        for (path, input) in found.into_iter().zip(kinds) {
            if input {
                files.push((path, Some(p.clone())));
            } else {
                skipped.push(path);
            }
        }
    }
    Ok(Found { files, skipped })
}

/// Reads the recipe: the file given, or the built-in one.
pub fn recipe(path: Option<&Path>, require_all: bool) -> Result<Recipe, Failure> {
    let mut recipe = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Failure::io(p, &e))?;
            Recipe::from_toml(&text).map_err(|e| Failure::bad_input(p, e.to_string()))?
        }
        None => Recipe::builtin(),
    };
    recipe.require_all |= require_all;
    Ok(recipe)
}

/// The input files to work on, or a usage error when the paths hold none.
pub fn inputs(paths: &[PathBuf]) -> Result<Found, Failure> {
    let found = expand(paths)?;
    if found.files.is_empty() {
        return Err(Failure::usage(
            "no archive or BPMN file found in the paths given".into(),
        ));
    }
    Ok(found)
}

/// Checks a `-o` path before any work: it names a file (not a folder) in a
/// folder that exists. An existing file there is replaced.
fn check_output_file(out: &Path) -> Result<(), Failure> {
    let text = out.as_os_str().to_string_lossy();
    if text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(Failure::usage_at(
            out,
            "-o names a folder; give a file name, or use --out-dir to write into a folder".into(),
        ));
    }
    if out.is_dir() {
        return Err(Failure::usage_at(
            out,
            "the output is a folder; give a file name, or use --out-dir to write into it".into(),
        ));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => return Ok(()),
    };
    match std::fs::metadata(parent) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Failure::usage_at(
            out,
            format!("cannot write here: {} is not a folder", parent.display()),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::usage_at(
            out,
            format!(
                "cannot write here: the folder {} does not exist (create it first, or use --out-dir, which creates its folders)",
                parent.display()
            ),
        )),
        Err(e) => Err(Failure::io(parent, &e)),
    }
}

/// The jobs of `apply`: each input with its output path, checked before
/// any work starts.
pub fn apply_jobs(files: Vec<(PathBuf, Option<PathBuf>)>, args: &OutputArgs) -> Result<(Vec<Job>, Target), Failure> {
    // clap counts a flag's default as present, so `requires` cannot say this.
    if args.backup && !args.in_place {
        return Err(Failure::usage(
            "--backup works with --in-place only: it keeps the original of a file replaced in place".into(),
        ));
    }
    let target = match (&args.output, &args.out_dir, args.in_place) {
        (Some(o), None, false) => Target::File(o.clone()),
        (None, Some(d), false) => Target::Dir(d.clone()),
        (None, None, true) => Target::InPlace { backup: args.backup },
        (None, None, false) if args.dry_run => Target::None,
        _ => {
            return Err(Failure::usage(
                "apply needs one of -o OUT, --out-dir DIR or --in-place (or --dry-run)".into(),
            ))
        }
    };
    if let Target::Dir(dir) = &target {
        if dir.exists() && !dir.is_dir() {
            return Err(Failure::usage_at(
                dir,
                "--out-dir must name a folder, not a file".into(),
            ));
        }
    }
    let jobs: Vec<Job> = match &target {
        Target::None => files
            .into_iter()
            .map(|(input, _)| Job { input, output: None })
            .collect(),
        Target::File(out) => {
            if let Some((input, _)) = files.first().filter(|(i, _)| archive::same_file(i, out)) {
                return Err(Failure::usage_at(
                    input,
                    "the output is the input file; use --in-place to replace it".into(),
                ));
            }
            if files.len() != 1 {
                return Err(Failure::usage(format!(
                    "-o takes one input file, but {} were given or found; use --out-dir",
                    files.len()
                )));
            }
            if !args.dry_run {
                check_output_file(out)?;
            }
            files
                .into_iter()
                .map(|(input, _)| Job {
                    input,
                    output: Some(out.clone()),
                })
                .collect()
        }
        Target::Dir(dir) => files
            .into_iter()
            .map(|(input, root)| {
                let rel = match &root {
                    Some(r) => input
                        .strip_prefix(r)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| input.clone()),
                    None => input.file_name().map(PathBuf::from).unwrap_or_else(|| input.clone()),
                };
                Job {
                    output: Some(dir.join(rel)),
                    input,
                }
            })
            .collect(),
        Target::InPlace { .. } => files
            .into_iter()
            .map(|(input, _)| Job {
                output: Some(input.clone()),
                input,
            })
            .collect(),
    };
    // Two jobs writing one file would race (or, in place, edit one file
    // twice): refused before any work.
    // Paths are compared resolved, so that two spellings of one file
    // (`a/x.zip`, `./a/x.zip`, a link) are one output.
    let mut seen: std::collections::HashMap<PathBuf, &Path> = std::collections::HashMap::new();
    for job in &jobs {
        if let Some(out) = &job.output {
            if let Some(first) = seen.insert(resolved(out), job.input.as_path()) {
                let message = if resolved(first) == resolved(&job.input) {
                    "the file is given twice".to_string()
                } else {
                    format!(
                        "two inputs would be written here: {} and {}",
                        first.display(),
                        job.input.display()
                    )
                };
                return Err(Failure::usage_at(out, message));
            }
        }
    }
    Ok((jobs, target))
}

/// Where `path` leads: the file resolved when it exists, else its folder
/// resolved and its name, else the path as given.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => path.to_path_buf(),
    }
}

/// The signing key of `--sign-with`, read and checked before any work.
pub fn signer(args: &SignArgs) -> Result<Option<procpatch::archive::Signer>, Failure> {
    use procpatch::archive::{Signer, SignerError};
    let Some(path) = &args.sign_with else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).map_err(|e| Failure::io(path, &e))?;
    let password = keystore_password(args, path)?;
    Signer::from_pkcs12(&bytes, &password, args.key_alias.as_deref())
        .map(Some)
        .map_err(|e| {
            // What to do, in the command line's terms.
            let hint = match &e {
                SignerError::WrongPassword => "; check PROCPATCH_KEYSTORE_PASS or --keystore-pass-file",
                SignerError::AliasNotFound { .. } | SignerError::SeveralKeys { .. } => {
                    "; name the key with --key-alias"
                }
                SignerError::Mismatch { .. } => "; export the key together with its own certificate",
                SignerError::Expired { .. } | SignerError::NotYetValid { .. } => {
                    "; sign with a certificate valid today (renew it with your CA)"
                }
                SignerError::KeyUsage { .. } => "; use a certificate whose key usage allows digitalSignature",
                SignerError::WeakKey { .. } => "; use an RSA key of 2048, 3072 or 4096 bits",
                _ => "",
            };
            Failure::bad_input(path, format!("{e}{hint}"))
        })
}

/// The keystore password: `PROCPATCH_KEYSTORE_PASS`, else the first line of
/// `--keystore-pass-file`, else a prompt without echo on the terminal.
/// Never a command-line argument; zeroed when dropped.
fn keystore_password(args: &SignArgs, keystore: &Path) -> Result<zeroize::Zeroizing<String>, Failure> {
    use std::io::IsTerminal;
    use zeroize::Zeroizing;
    if let Some(p) = std::env::var_os("PROCPATCH_KEYSTORE_PASS") {
        return Ok(Zeroizing::new(p.to_string_lossy().into_owned()));
    }
    if let Some(file) = &args.keystore_pass_file {
        let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| Failure::io(file, &e))?);
        let line = text.lines().next().unwrap_or_default();
        return Ok(Zeroizing::new(line.to_string()));
    }
    if std::io::stderr().is_terminal() {
        let prompt = format!("Password for {}: ", keystore.display());
        return rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| Failure::io(Path::new("the terminal"), &e));
    }
    Err(Failure::usage_at(
        keystore,
        "no keystore password: set PROCPATCH_KEYSTORE_PASS or give --keystore-pass-file FILE (a prompt needs a terminal)"
            .into(),
    ))
}

/// The trust store of `verify --trust`: PEM certificates or a PKCS#12
/// truststore (password `PROCPATCH_TRUSTSTORE_PASS`, else "changeit").
pub fn trust(path: Option<&Path>) -> Result<Option<procpatch::archive::TrustStore>, Failure> {
    let Some(path) = path else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).map_err(|e| Failure::io(path, &e))?;
    let password =
        zeroize::Zeroizing::new(std::env::var("PROCPATCH_TRUSTSTORE_PASS").unwrap_or_else(|_| "changeit".to_string()));
    let store =
        procpatch::archive::TrustStore::from_bytes(&bytes, &password).map_err(|e| Failure::bad_input(path, e))?;
    if store.is_empty() {
        return Err(Failure::bad_input(path, "the trust store holds no certificate".into()));
    }
    Ok(Some(store))
}

/// Library options from the command line.
pub fn options(max_entry_mib: u64, strip_signature: bool) -> Options {
    Options::default()
        .with_max_entry_size(max_entry_mib.saturating_mul(1 << 20))
        .stripping_signature(strip_signature)
}
