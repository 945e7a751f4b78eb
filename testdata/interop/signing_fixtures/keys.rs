//! Keys and keystores, made by `keytool` (one JVM for all its commands) and
//! two by `p12-keystore`.

use super::*;

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
