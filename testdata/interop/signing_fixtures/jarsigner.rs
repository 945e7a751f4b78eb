//! What `jarsigner -verify` says about a file, in a form tests compare, and
//! the verification cases: signed samples and tampered copies with what it
//! says about each.

use super::*;

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
