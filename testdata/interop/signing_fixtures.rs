//! Signing fixtures, made at test time by the real Java tools: keys and
//! keystores (`keytool`), signed sample exports (`jarsigner`), tampered
//! copies and what `jarsigner -verify` says about each, plus readers that
//! tests of signed output need (`JarCheck.java`, raw local records, manifest
//! comparison). No key is committed: everything is made once per test binary
//! in a directory under `CARGO_TARGET_TMPDIR`.
//!
//! Both test crates include this file (`#[path]`), so it only uses what both
//! have: the standard library, `zip`, `similar` and `p12-keystore`. Every fixture is shared by all the tests of a binary:
//! a test that wants to change one copies it first.
#![allow(dead_code)]

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The password of every keystore made here (store and key).
pub const PASSWORD: &str = "changeit";

/// JVM options that halve the start-up of a short-lived tool.
const QUICK_JVM: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/// The workspace root.
pub fn workspace() -> PathBuf {
    let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
    krate.parent().unwrap_or(krate).to_path_buf()
}

/// A file of `testdata/interop/`.
pub fn interop(name: &str) -> PathBuf {
    workspace().join("testdata/interop").join(name)
}

/// This test binary's fixture directory: `signing/<crate>-<pid>` under the
/// target's temporary directory. Directories left by runs more than an hour
/// old are removed on the way.
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signing");
        if let Ok(old) = std::fs::read_dir(&parent) {
            let hour = std::time::Duration::from_secs(3600);
            for e in old.flatten() {
                let stale = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
                if stale {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = parent.join(format!("{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        dir
    })
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Standard output and standard error, in that order.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs a command to its end; a command that cannot start fails the test
/// with its name.
pub fn run(cmd: &mut Command) -> Ran {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "{:?}: {e} (the signing tests need a JDK 17+ and python3 on the PATH)",
            cmd.get_program()
        )
    });
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command that must succeed; fails the test with its output if not.
pub fn run_ok(cmd: &mut Command) -> Ran {
    let ran = run(cmd);
    assert!(ran.code == 0, "{cmd:?} exited {}:\n{}", ran.code, ran.text());
    ran
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
}

// ---------------------------------------------------------------- keys --

/// One private key entry of a PKCS#12 keystore.
#[derive(Debug, Clone)]
pub struct Key {
    /// The keystore file.
    pub path: PathBuf,
    /// The alias of the key entry.
    pub alias: &'static str,
}

/// Every keystore, all PKCS#12 with the password [`PASSWORD`]. Signers
/// "issued by the CA" hold the chain [signer, CA] and, unless said
/// otherwise, a critical key usage of digitalSignature only.
#[derive(Debug)]
pub struct Keys {
    /// Where the files are.
    pub dir: PathBuf,
    /// The password of every keystore and key.
    pub password: &'static str,
    /// The CA: RSA 2048, self-signed, basicConstraints CA (critical), key
    /// usage keyCertSign and cRLSign (critical).
    pub ca: Key,
    /// The CA's certificate, PEM (`keytool -exportcert -rfc`).
    pub ca_pem: PathBuf,
    /// A truststore holding the CA's certificate only (alias `ca`).
    pub trust: PathBuf,
    /// RSA 2048, issued by the CA.
    pub rsa: Key,
    /// EC P-256, issued by the CA.
    pub ec: Key,
    /// EC P-384, issued by the CA.
    pub ec384: Key,
    /// RSA 2048, issued by the CA, valid from 10 days ago for 2 days.
    pub expired: Key,
    /// RSA 2048, issued by the CA, valid from 10 days from now.
    pub future: Key,
    /// RSA 2048, self-signed (not by the CA), no extensions.
    pub selfsigned: Key,
    /// RSA 1024, issued by the CA.
    pub small: Key,
    /// RSA 2048, issued by the CA, key usage keyCertSign only (critical).
    pub nodigsig: Key,
    /// `rsa`'s key and certificate without the CA in its chain (chain of
    /// one), written with `p12-keystore`.
    pub nochain: Key,
    /// Two self-signed key entries: `first` (RSA 2048) and `second` (EC
    /// P-256).
    pub two_keys: PathBuf,
    /// `selfsigned`'s private key with `rsa`'s chain: the key does not
    /// match its certificate. Written with `p12-keystore`.
    pub mismatch: Key,
}

impl Keys {
    /// The keys that a signer may be refused for, by name.
    pub fn refused(&self) -> [(&'static str, &Key); 5] {
        [
            ("mismatch", &self.mismatch),
            ("expired", &self.expired),
            ("future", &self.future),
            ("small", &self.small),
            ("nodigsig", &self.nodigsig),
        ]
    }
}

/// The keys, made on first use (one JVM for all the keytool commands).
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| make_keys(&work_dir().join("keys")))
}

/// A keytool command line, arguments as given.
type Keytool = Vec<String>;

/// `keytool OP... -keystore FILE -storetype PKCS12 -storepass changeit REST...`
fn keytool(op: &[&str], file: &str, rest: &[&str]) -> Keytool {
    let store = ["-keystore", file, "-storetype", "PKCS12", "-storepass", PASSWORD];
    op.iter().chain(&store).chain(rest).map(|a| a.to_string()).collect()
}

/// Runs keytool commands through `KeytoolBatch.java` (keytool's own entry
/// point, one JVM for all of them), in `dir`.
pub fn keytool_batch(dir: &Path, commands: &[Keytool]) -> Ran {
    let file = dir.join(format!("keytool-{}.txt", BATCHES.fetch_add(1, Ordering::Relaxed)));
    let text: String = commands.iter().map(|c| c.join("\t") + "\n").collect();
    std::fs::write(&file, text).unwrap();
    run(Command::new("java")
        .arg("-XX:+UseSerialGC")
        .args(["--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED"])
        .arg(interop("KeytoolBatch.java"))
        .arg(&file)
        .current_dir(dir))
}

static BATCHES: AtomicUsize = AtomicUsize::new(0);

const RSA_2048: &[&str] = &["-keyalg", "RSA", "-keysize", "2048"];

/// A signer issued by the CA.
struct Issued {
    /// File stem and alias.
    name: &'static str,
    /// `-genkeypair`'s key options.
    key: &'static [&'static str],
    /// What `-gencert` adds: validity and extensions.
    gencert: &'static [&'static str],
}

const ISSUED: &[Issued] = &[
    Issued {
        name: "rsa",
        key: RSA_2048,
        gencert: &["-validity", "3650", "-ext", "KeyUsage:critical=digitalSignature"],
    },
    Issued {
        name: "ec",
        key: &["-keyalg", "EC", "-groupname", "secp256r1"],
        gencert: &["-validity", "3650", "-ext", "KeyUsage:critical=digitalSignature"],
    },
    Issued {
        name: "ec384",
        key: &["-keyalg", "EC", "-groupname", "secp384r1"],
        gencert: &["-validity", "3650", "-ext", "KeyUsage:critical=digitalSignature"],
    },
    Issued {
        name: "expired",
        key: RSA_2048,
        gencert: &[
            "-startdate",
            "-10d",
            "-validity",
            "2",
            "-ext",
            "KeyUsage:critical=digitalSignature",
        ],
    },
    Issued {
        name: "future",
        key: RSA_2048,
        gencert: &[
            "-startdate",
            "+10d",
            "-validity",
            "3650",
            "-ext",
            "KeyUsage:critical=digitalSignature",
        ],
    },
    Issued {
        name: "small",
        key: &["-keyalg", "RSA", "-keysize", "1024"],
        gencert: &["-validity", "3650", "-ext", "KeyUsage:critical=digitalSignature"],
    },
    Issued {
        name: "nodigsig",
        key: RSA_2048,
        gencert: &["-validity", "3650", "-ext", "KeyUsage:critical=keyCertSign"],
    },
];

/// The keytool commands that make every keystore but the two written with
/// `p12-keystore`.
pub fn keytool_commands() -> Vec<Keytool> {
    let genkeypair = |file: &str, alias: &str, key: &[&str], dname: &str| {
        let rest = [&["-alias", alias], key, &["-dname", dname, "-validity", "3650"]].concat();
        keytool(&["-genkeypair"], file, &rest)
    };
    // The CA, its certificate as PEM, and a truststore holding it.
    let mut c = vec![
        [
            genkeypair("ca.p12", "ca", RSA_2048, "CN=procpatch test CA,O=procpatch"),
            ["-ext", "bc:c", "-ext", "KeyUsage:critical=keyCertSign,cRLSign"]
                .map(String::from)
                .to_vec(),
        ]
        .concat(),
        keytool(&["-exportcert", "-rfc"], "ca.p12", &["-alias", "ca", "-file", "ca.pem"]),
        keytool(
            &["-importcert", "-noprompt", "-trustcacerts"],
            "trust.p12",
            &["-alias", "ca", "-file", "ca.pem"],
        ),
    ];
    // Each signer: a key pair, a request, a certificate from the CA, the
    // chain installed (the CA as a trusted entry first, so that keytool can
    // build [signer, CA] from the reply; then that entry is deleted again,
    // leaving the one key entry).
    for Issued { name, key, gencert } in ISSUED {
        let file = &format!("{name}.p12");
        let (csr, pem) = (&format!("{name}.csr"), &format!("{name}.pem"));
        c.push(genkeypair(
            file,
            name,
            key,
            &format!("CN=procpatch {name} signer,O=procpatch"),
        ));
        c.push(keytool(&["-certreq"], file, &["-alias", name, "-file", csr]));
        let issue = [&["-alias", "ca", "-infile", csr, "-outfile", pem, "-rfc"], *gencert].concat();
        c.push(keytool(&["-gencert"], "ca.p12", &issue));
        c.push(keytool(
            &["-importcert", "-noprompt"],
            file,
            &["-alias", "ca", "-file", "ca.pem"],
        ));
        c.push(keytool(&["-importcert"], file, &["-alias", name, "-file", pem]));
        c.push(keytool(&["-delete"], file, &["-alias", "ca"]));
    }
    c.push(genkeypair(
        "selfsigned.p12",
        "selfsigned",
        RSA_2048,
        "CN=procpatch self-signed,O=procpatch",
    ));
    c.push(genkeypair(
        "two-keys.p12",
        "first",
        RSA_2048,
        "CN=procpatch first,O=procpatch",
    ));
    c.push(genkeypair(
        "two-keys.p12",
        "second",
        &["-keyalg", "EC", "-groupname", "secp256r1"],
        "CN=procpatch second,O=procpatch",
    ));
    c
}

fn make_keys(dir: &Path) -> Keys {
    std::fs::create_dir_all(dir).unwrap();
    let ran = keytool_batch(dir, &keytool_commands());
    assert!(
        ran.code == 0,
        "making the signing keys with keytool failed:\n{}",
        ran.text()
    );
    let key = |name: &'static str| Key {
        path: dir.join(format!("{name}.p12")),
        alias: name,
    };
    let keys = Keys {
        dir: dir.to_path_buf(),
        password: PASSWORD,
        ca: key("ca"),
        ca_pem: dir.join("ca.pem"),
        trust: dir.join("trust.p12"),
        rsa: key("rsa"),
        ec: key("ec"),
        ec384: key("ec384"),
        expired: key("expired"),
        future: key("future"),
        selfsigned: key("selfsigned"),
        small: key("small"),
        nodigsig: key("nodigsig"),
        nochain: key("nochain"),
        two_keys: dir.join("two-keys.p12"),
        mismatch: key("mismatch"),
    };
    // What keytool cannot make: a key with a certificate that is not its
    // own, and a key entry without its CA.
    let rsa = key_chain(&keys.rsa);
    let other = key_chain(&keys.selfsigned);
    write_keystore(
        &keys.mismatch,
        p12_keystore::PrivateKeyChain::new("mismatch", other.key().clone(), rsa.certs().to_vec()),
    );
    write_keystore(
        &keys.nochain,
        p12_keystore::PrivateKeyChain::new("nochain", rsa.key().clone(), rsa.certs()[..1].to_vec()),
    );
    keys
}

/// Reads a keystore with `p12-keystore`.
pub fn read_keystore(path: &Path) -> p12_keystore::KeyStore {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    p12_keystore::KeyStore::from_pkcs12(&bytes, PASSWORD, p12_keystore::Pkcs12ImportPolicy::Strict)
        .unwrap_or_else(|e| panic!("p12-keystore reads {}: {e}", path.display()))
}

/// The key entry `key.alias` of `key.path`, read with `p12-keystore`.
pub fn key_chain(key: &Key) -> p12_keystore::PrivateKeyChain {
    match read_keystore(&key.path).entry(key.alias) {
        Some(p12_keystore::KeyStoreEntry::PrivateKeyChain(chain)) => chain.clone(),
        other => panic!("{}: no key entry {} ({other:?})", key.path.display(), key.alias),
    }
}

fn write_keystore(key: &Key, chain: p12_keystore::PrivateKeyChain) {
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(key.alias, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    let bytes = store
        .writer(PASSWORD)
        .write()
        .unwrap_or_else(|e| panic!("p12-keystore writes {}: {e}", key.path.display()));
    std::fs::write(&key.path, bytes).unwrap();
}

// ------------------------------------------------------------- samples --

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

// ----------------------------------------------------- verify cases --

/// What `jarsigner -verify` said: its exit code and its meaningful lines
/// (trimmed, blank lines and the remarks every run prints — no timestamp,
/// POSIX attributes ignored, "Re-run with…", the expiry date — left out,
/// dates redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jarsigner {
    pub code: i32,
    pub lines: Vec<String>,
}

impl Jarsigner {
    /// The verdict: the first line ("jar verified.", "jar is unsigned.",
    /// "jarsigner: java.lang.SecurityException: …", …).
    pub fn summary(&self) -> &str {
        self.lines.first().map_or("", String::as_str)
    }

    /// Whether jarsigner found the archive signed and intact: "jar
    /// verified." with no entry unsigned and no signed entry missing. Trust
    /// (the chain) is not part of it.
    pub fn intact(&self) -> bool {
        self.summary() == "jar verified."
            && !self
                .lines
                .iter()
                .any(|l| l.contains("unsigned entries") || l.contains("signed entries for files that do not exist"))
    }
}

/// Runs `jarsigner -verify FILE`, or with `trust`,
/// `jarsigner -verify -strict -keystore TRUST -storepass changeit FILE`.
pub fn jarsigner_verify(path: &Path, trust: Option<&Path>) -> Jarsigner {
    let mut cmd = Command::new("jarsigner");
    cmd.args(QUICK_JVM.map(|o| format!("-J{o}"))).arg("-verify");
    if let Some(trust) = trust {
        cmd.arg("-strict")
            .args(["-keystore", s(trust), "-storetype", "PKCS12", "-storepass", PASSWORD]);
    }
    let ran = run(cmd.arg(path));
    let noise = [
        "Re-run with the -verbose",
        "do not include a timestamp",
        "POSIX file permission",
        "The signer certificate will expire on",
    ];
    let kept: Vec<String> = ran
        .text()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !noise.iter().any(|n| l.contains(n)))
        .map(|l| redact_dates(&l.replace(s(path), "[FILE]")))
        .collect();
    // A "Warning:" or "Error:" heading whose lines were all left out goes.
    let heading = |l: Option<&String>| l.is_none_or(|l| l == "Warning:" || l == "Error:");
    let lines = kept
        .iter()
        .enumerate()
        .filter(|&(i, l)| !(heading(Some(l)) && heading(kept.get(i + 1))))
        .map(|(_, l)| l.clone())
        .collect();
    Jarsigner { code: ran.code, lines }
}

/// One `verify` agreement case: a file made from a signed sample, what
/// procpatch should say, and what jarsigner says.
#[derive(Debug, Clone)]
pub struct Case {
    /// Short name, also the file's stem.
    pub name: &'static str,
    /// How the file was made.
    pub what: &'static str,
    pub path: PathBuf,
    /// What `procpatch verify` must say: signed and intact (exit 0), or
    /// not (exit 1). Only the `valid` case is.
    pub valid: bool,
    /// `jarsigner -verify FILE`
    pub jarsigner: Jarsigner,
    /// `jarsigner -verify -strict -keystore trust.p12 -storepass changeit FILE`
    pub strict: Jarsigner,
}

/// How each case is made from `samples().sha256`: `jartamper.py` action and
/// arguments (`{other}` is the other signer's sample).
const CASES: &[(&str, &str, &[&str])] = &[
    ("valid", "the sample signed by rsa, SHA-256, as jarsigner wrote it", &[]),
    (
        "entry-changed",
        "UsersProcLock.bpmn20.xml edited after signing: a data pool set",
        &["change", "UsersProcLock.bpmn20.xml"],
    ),
    (
        "entry-added",
        "extra.bpmn20.xml added after signing",
        &["add", "extra.bpmn20.xml"],
    ),
    (
        "entry-removed",
        "UsersProcLock.bpmn20.xml removed after signing",
        &["remove", "UsersProcLock.bpmn20.xml"],
    ),
    (
        "manifest-edited",
        "one character of the first entry digest in MANIFEST.MF changed",
        &["manifest"],
    ),
    (
        "sf-edited",
        "one character of the first entry digest in RSA.SF changed",
        &["sf"],
    ),
    (
        "other-signer",
        "RSA.RSA replaced by the block that selfsigned made over another .SF",
        &["swap-block", "{other}"],
    ),
    ("unsigned", "testdata/archives/ProcessImport.zip as it is", &[]),
    ("block-truncated", "RSA.RSA cut to half its length", &["truncate-block"]),
];

/// The nine `verify` agreement cases, made (and checked with jarsigner) on
/// first use.
pub fn cases() -> &'static [Case] {
    static CASES_MADE: OnceLock<Vec<Case>> = OnceLock::new();
    CASES_MADE.get_or_init(|| {
        let (keys, samples) = (keys(), samples());
        let dir = work_dir().join("cases");
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<(&'static str, &'static str, PathBuf)> = CASES
            .iter()
            .map(|(name, what, action)| {
                let path = dir.join(format!("{name}.zip"));
                match *name {
                    "valid" => std::fs::copy(&samples.sha256.path, &path).map(drop).unwrap(),
                    "unsigned" => std::fs::copy(&samples.unsigned, &path).map(drop).unwrap(),
                    _ => {
                        let other = s(&samples.other_signer.path);
                        let args: Vec<&str> = action.iter().map(|a| if *a == "{other}" { other } else { a }).collect();
                        tamper(&samples.sha256.path, &path, &args);
                    }
                }
                (*name, *what, path)
            })
            .collect();
        // Both verifications of each case, a few JVMs at a time.
        let runs: Vec<(usize, bool)> = (0..files.len()).flat_map(|i| [(i, false), (i, true)]).collect();
        let results = parallel(&runs, |&(i, strict)| {
            jarsigner_verify(&files[i].2, strict.then_some(keys.trust.as_path()))
        });
        files
            .into_iter()
            .enumerate()
            .map(|(i, (name, what, path))| Case {
                name,
                what,
                path,
                valid: name == "valid",
                jarsigner: results[2 * i].clone(),
                strict: results[2 * i + 1].clone(),
            })
            .collect()
    })
}

/// Makes a tampered copy of a signed archive with `jartamper.py`.
pub fn tamper(input: &Path, output: &Path, action: &[&str]) {
    run_ok(
        Command::new("python3")
            .arg(interop("jartamper.py"))
            .arg(input)
            .arg(output)
            .args(action),
    );
}

/// The agreement cases as a table, one case per block: what `jarsigner
/// -verify` and `jarsigner -verify -strict` (with the truststore) said.
pub fn cases_table(cases: &[Case]) -> String {
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!(
            "{} ({}): procpatch verify must exit {}\n",
            c.name,
            c.what,
            if c.valid { 0 } else { 1 }
        ));
        for (how, j) in [
            ("-verify", &c.jarsigner),
            ("-verify -strict -keystore trust.p12", &c.strict),
        ] {
            out.push_str(&format!("  jarsigner {how}: exit {}\n", j.code));
            for l in &j.lines {
                out.push_str(&format!("    {l}\n"));
            }
        }
    }
    out
}

// -------------------------------------------------------- JarCheck --

/// Runs `JarCheck` (compiled once) on the files: `JarFile(file, true)`, or
/// with `stream`, `JarInputStream`. Exit 0 when every file passes.
pub fn jar_check(paths: &[&Path], stream: bool) -> Ran {
    static CLASSES: OnceLock<PathBuf> = OnceLock::new();
    let classes = CLASSES.get_or_init(|| {
        let dir = work_dir().join("jarcheck");
        run_ok(Command::new("javac").arg("-d").arg(&dir).arg(interop("JarCheck.java")));
        dir
    });
    let mut cmd = Command::new("java");
    cmd.args(QUICK_JVM).arg("-cp").arg(classes).arg("JarCheck");
    if stream {
        cmd.arg("--stream");
    }
    run(cmd.args(paths))
}

// ----------------------------------------------- archives, manifests --

/// The raw local records of a zip, in central-directory order: each
/// entry's name and the bytes from its local header up to the next record
/// (header, name, extra field, data and any data descriptor). Read here,
/// independently of procpatch; zip64 offsets included.
pub fn local_records(path: &Path) -> Vec<(String, Vec<u8>)> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(data[i..i + 4].try_into().unwrap()));
    let u64_at = |i: usize| u64::from_le_bytes(data[i..i + 8].try_into().unwrap());
    let eocd = (0..=data.len().saturating_sub(22))
        .rev()
        .take(65_557)
        .find(|&i| data[i..].starts_with(b"PK\x05\x06"))
        .unwrap_or_else(|| panic!("{}: no end of central directory", path.display()));
    let (mut count, mut cd) = (u16_at(eocd + 10) as u64, u32_at(eocd + 16));
    if eocd >= 20 && data[eocd - 20..].starts_with(b"PK\x06\x07") {
        let rec = usize::try_from(u64_at(eocd - 12)).unwrap();
        (count, cd) = (u64_at(rec + 32), u64_at(rec + 48));
    }
    let cd = usize::try_from(cd).unwrap();
    let mut at = cd;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert!(
            data[at..].starts_with(b"PK\x01\x02"),
            "{}: central record at {at}",
            path.display()
        );
        let (n, m, k) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        let name = String::from_utf8_lossy(&data[at + 46..at + 46 + n]).into_owned();
        let (usize32, csize32, mut offset) = (u32_at(at + 24), u32_at(at + 20), u32_at(at + 42));
        if offset == 0xFFFF_FFFF {
            // The zip64 extra field holds, in order, the values whose
            // 32-bit fields are full.
            let extra = &data[at + 46 + n..at + 46 + n + m];
            let mut i = 0;
            while i + 4 <= extra.len() {
                let (id, size) = (
                    u16::from_le_bytes([extra[i], extra[i + 1]]),
                    u16::from_le_bytes([extra[i + 2], extra[i + 3]]) as usize,
                );
                if id == 1 {
                    let skip = 8 * (usize::from(usize32 == 0xFFFF_FFFF) + usize::from(csize32 == 0xFFFF_FFFF));
                    offset = u64::from_le_bytes(extra[i + 4 + skip..i + 12 + skip].try_into().unwrap());
                }
                i += 4 + size;
            }
        }
        entries.push((name, usize::try_from(offset).unwrap()));
        at += 46 + n + m + k;
    }
    let mut starts: Vec<usize> = entries.iter().map(|e| e.1).collect();
    starts.push(cd);
    starts.sort_unstable();
    entries
        .into_iter()
        .map(|(name, start)| {
            let end = starts[starts.partition_point(|&s| s <= start)];
            (name, data[start..end].to_vec())
        })
        .collect()
}

/// The entry names of a zip, in central-directory order.
pub fn entry_names(path: &Path) -> Vec<String> {
    local_records(path).into_iter().map(|(n, _)| n).collect()
}

/// The content of an entry (decompressed).
pub fn entry(path: &Path, name: &str) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut entry = zip
        .by_name(name)
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut out).unwrap();
    out
}

/// The byte ranges where `a` and `b` differ, as (range in `a`, range in
/// `b`). Byte strings of one length are compared position by position (the
/// two ranges are then the same); others by a diff of the bytes.
pub fn differing_ranges(a: &[u8], b: &[u8]) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    if a.len() == b.len() {
        for i in (0..a.len()).filter(|&i| a[i] != b[i]) {
            match out.last_mut() {
                Some((x, y)) if x.end == i => {
                    x.end = i + 1;
                    y.end = i + 1;
                }
                _ => out.push((i..i + 1, i..i + 1)),
            }
        }
        return out;
    }
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, a, b) {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let (x, y) = (op.old_range(), op.new_range());
        match out.last_mut() {
            Some((px, py)) if px.end == x.start && py.end == y.start => {
                px.end = x.end;
                py.end = y.end;
            }
            _ => out.push((x, y)),
        }
    }
    out
}

/// One attribute of a manifest or signature file: its section (`None` for
/// the main section, else the section's `Name`), its name, its value
/// (continuation lines joined) and the bytes of the value as written
/// (across continuation lines, line breaks included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub section: Option<String>,
    pub name: String,
    pub value: String,
    pub span: Range<usize>,
}

/// The attributes of a `MANIFEST.MF` or `.SF`, in order. Lines end in CRLF,
/// LF or CR; a line starting with a space continues the one before.
pub fn manifest_attributes(bytes: &[u8]) -> Vec<Attribute> {
    // Physical lines: (start, end without the line break).
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' | b'\n' => {
                lines.push((start, i));
                i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    let mut out: Vec<Attribute> = Vec::new();
    let mut section: Option<String> = None;
    let mut new_section = false;
    for (a, b) in lines {
        let line = &bytes[a..b];
        if line.is_empty() {
            new_section = true;
            continue;
        }
        if line[0] == b' ' {
            let last = out.last_mut().expect("a continuation line after an attribute");
            last.value.push_str(&String::from_utf8_lossy(&line[1..]));
            last.span.end = b;
            continue;
        }
        let colon = line
            .windows(2)
            .position(|w| w == b": ")
            .unwrap_or_else(|| panic!("not a manifest line: {}", String::from_utf8_lossy(line)));
        let name = String::from_utf8_lossy(&line[..colon]).into_owned();
        let value = String::from_utf8_lossy(&line[colon + 2..]).into_owned();
        if new_section {
            section = Some(value.clone());
            new_section = false;
        }
        out.push(Attribute {
            section: section.clone(),
            name,
            value,
            span: a + colon + 2..b,
        });
    }
    // A section's Name is only complete once its continuation lines are.
    let mut current = None;
    for attr in &mut out {
        if attr.section.is_some() && attr.name == "Name" {
            current = Some(attr.value.clone());
        }
        if attr.section.is_some() {
            attr.section.clone_from(&current);
        }
    }
    out
}

/// The attributes whose value differs between two manifests, as
/// "SECTION: NAME" (SECTION is "main" for the main section), with
/// attributes only in one of them as "+SECTION: NAME" or "-SECTION: NAME".
pub fn manifest_changes(a: &[u8], b: &[u8]) -> Vec<String> {
    let key = |x: &Attribute| format!("{}: {}", x.section.as_deref().unwrap_or("main"), x.name);
    let (a, b) = (manifest_attributes(a), manifest_attributes(b));
    let mut out = Vec::new();
    for x in &a {
        match b.iter().find(|y| key(y) == key(x)) {
            Some(y) if y.value != x.value => out.push(key(x)),
            Some(_) => {}
            None => out.push(format!("-{}", key(x))),
        }
    }
    for y in &b {
        if !a.iter().any(|x| key(x) == key(y)) {
            out.push(format!("+{}", key(y)));
        }
    }
    out
}

/// Checks that manifest `b` is manifest `a` with only the `*-Digest` values
/// of the sections named `edited` rewritten, byte for byte (same length,
/// same order, same line breaks), and that each of those values did change.
pub fn check_only_digests_differ(a: &[u8], b: &[u8], edited: &[&str]) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!(
            "the manifests differ in length ({} and {} bytes)",
            a.len(),
            b.len()
        ));
    }
    let digests: Vec<Attribute> = manifest_attributes(a)
        .into_iter()
        .filter(|x| x.name.ends_with("-Digest") && x.section.as_deref().is_some_and(|s| edited.contains(&s)))
        .collect();
    for (x, _) in differing_ranges(a, b) {
        if !digests.iter().any(|d| d.span.start <= x.start && x.end <= d.span.end) {
            return Err(format!(
                "bytes {x:?} differ outside an edited entry's digest: {:?} became {:?}",
                String::from_utf8_lossy(&a[x.clone()]),
                String::from_utf8_lossy(&b[x.clone()])
            ));
        }
    }
    let changed = manifest_changes(a, b);
    for name in edited {
        if !changed
            .iter()
            .any(|c| c.starts_with(&format!("{name}: ")) && c.ends_with("-Digest"))
        {
            return Err(format!("the digest of {name} did not change (changes: {changed:?})"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------- redaction --

/// Replaces every date written YYYY-MM-DD by `[DATE]`.
pub fn redact_dates(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let is_date = b.len() - i >= 10
            && b[i..i + 10].iter().enumerate().all(|(j, c)| {
                if j == 4 || j == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if is_date {
            out.push_str("[DATE]");
            i += 10;
            // A time of day after it goes too (`T14:22:25Z`).
            let time = b
                .get(i..i + 10)
                .filter(|t| t[0] == b'T' && t[3] == b':' && t[6] == b':' && t[9] == b'Z');
            if time.is_some() {
                i += 10;
            }
        } else if b[i..].starts_with(b"serial ") {
            // Serial numbers are random for keys made at test time.
            out.push_str("serial [SERIAL]");
            i += 7;
            while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b':') {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// `text` with the key directory shown as `[KEYS]` and dates as `[DATE]`.
pub fn redact(text: &str) -> String {
    redact_dates(&text.replace(s(&keys().dir), "[KEYS]"))
}
