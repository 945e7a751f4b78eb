//! Sample exports signed by `jarsigner`, made on first use, a few JVMs at
//! a time.

use super::*;

/// A sample export signed by `jarsigner`.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Short name: `sha256`, `sha384`, `config`, `ec`.
    pub name: &'static str,
    /// The signed archive.
    pub path: PathBuf,
    /// The unsigned original, relative to the workspace root.
    pub source: &'static str,
    /// The signer's alias (in [`Keys`]).
    pub alias: &'static str,
    /// The base name of the signature files (`-sigfile`, or the alias
    /// upper-cased, at most 8 characters).
    pub sigfile: &'static str,
    /// The block's extension: `RSA` or `EC`.
    pub block_ext: &'static str,
    /// `-digestalg`.
    pub digest: &'static str,
    /// `-sigalg`.
    pub sigalg: &'static str,
}

impl Sample {
    /// `META-INF/<sigfile>.SF`
    pub fn sf(&self) -> String {
        format!("META-INF/{}.SF", self.sigfile)
    }

    /// `META-INF/<sigfile>.<RSA|EC>`
    pub fn block(&self) -> String {
        format!("META-INF/{}.{}", self.sigfile, self.block_ext)
    }
}

/// The signed samples, and the unsigned one they come from.
#[derive(Debug)]
pub struct Samples {
    /// `ProcessImport.zip` signed by `rsa`, SHA-256 / SHA256withRSA.
    pub sha256: Sample,
    /// `ProcessImport.zip` signed by `rsa`, SHA-384 / SHA384withRSA.
    pub sha384: Sample,
    /// `ConfigurationExport.zip` signed by `rsa` with `-sigfile CONFIG`.
    pub config: Sample,
    /// `ProcessImport.zip` signed by `ec`, SHA-256 / SHA256withECDSA.
    pub ec: Sample,
    /// `ConfigurationExport.zip` signed by `selfsigned` with `-sigfile RSA`:
    /// the source of a block from another signer (case `other-signer`).
    pub other_signer: Sample,
    /// `testdata/archives/ProcessImport.zip`, unsigned.
    pub unsigned: PathBuf,
}

impl Samples {
    /// The four signed samples the re-signing tests start from.
    pub fn signed(&self) -> [&Sample; 4] {
        [&self.sha256, &self.sha384, &self.config, &self.ec]
    }
}

const PROCESS_IMPORT: &str = "testdata/archives/ProcessImport.zip";
const CONFIGURATION_EXPORT: &str = "testdata/archives/ConfigurationExport.zip";

/// The signed samples, made on first use.
pub fn samples() -> &'static Samples {
    static SAMPLES: OnceLock<Samples> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let keys = keys();
        let dir = work_dir().join("samples");
        std::fs::create_dir_all(&dir).unwrap();
        let sample = |name, source, alias, sigfile, block_ext, digest, sigalg| Sample {
            name,
            path: dir.join(format!("{name}.zip")),
            source,
            alias,
            sigfile,
            block_ext,
            digest,
            sigalg,
        };
        let samples = Samples {
            sha256: sample(
                "sha256",
                PROCESS_IMPORT,
                "rsa",
                "RSA",
                "RSA",
                "SHA-256",
                "SHA256withRSA",
            ),
            sha384: sample(
                "sha384",
                PROCESS_IMPORT,
                "rsa",
                "RSA",
                "RSA",
                "SHA-384",
                "SHA384withRSA",
            ),
            config: sample(
                "config",
                CONFIGURATION_EXPORT,
                "rsa",
                "CONFIG",
                "RSA",
                "SHA-256",
                "SHA256withRSA",
            ),
            ec: sample("ec", PROCESS_IMPORT, "ec", "EC", "EC", "SHA-256", "SHA256withECDSA"),
            other_signer: sample(
                "other-signer",
                CONFIGURATION_EXPORT,
                "selfsigned",
                "RSA",
                "RSA",
                "SHA-256",
                "SHA256withRSA",
            ),
            unsigned: workspace().join(PROCESS_IMPORT),
        };
        let all = [
            &samples.sha256,
            &samples.sha384,
            &samples.config,
            &samples.ec,
            &samples.other_signer,
        ];
        parallel(&all, |s| {
            let key = match s.alias {
                "rsa" => &keys.rsa,
                "ec" => &keys.ec,
                _ => &keys.selfsigned,
            };
            jarsigner_sign(&workspace().join(s.source), &s.path, key, s)
        });
        samples
    })
}

/// Signs `input` into `output` with `jarsigner`, with the sample's digest,
/// signature algorithm and signature file name.
fn jarsigner_sign(input: &Path, output: &Path, key: &Key, how: &Sample) {
    let mut cmd = Command::new("jarsigner");
    cmd.args(QUICK_JVM.map(|o| format!("-J{o}")))
        .args([
            "-keystore",
            s(&key.path),
            "-storetype",
            "PKCS12",
            "-storepass",
            PASSWORD,
        ])
        .args(["-digestalg", how.digest, "-sigalg", how.sigalg]);
    // jarsigner's own name for the signature files: the alias upper-cased,
    // cut to 8 characters. `-sigfile` only where the sample wants another.
    let default: String = how.alias.to_uppercase().chars().take(8).collect();
    if how.sigfile != default {
        cmd.args(["-sigfile", how.sigfile]);
    }
    cmd.arg("-signedjar").arg(output).arg(input).arg(key.alias);
    let ran = run_ok(&mut cmd);
    assert!(ran.stdout.contains("jar signed."), "{cmd:?}:\n{}", ran.text());
}

/// Runs `f` on every item, four at a time (for work that starts a JVM);
/// the results in the items' order.
pub fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..4.min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results.into_inner().unwrap().into_iter().map(|r| r.unwrap()).collect()
}
