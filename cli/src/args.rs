//! The command line, as clap reads it. Each subcommand offers only the
//! options it uses, grouped the same way everywhere: input, output, recipe,
//! report.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (check: nothing left to change)
  1  check: an edit is still needed
  2  usage error: bad arguments, or an output path that cannot be used
  3  bad input: not a zip or BPMN file, damaged, encrypted, signed, malformed XML, bad recipe
  4  a recipe target is not found (a typo in a process or task name), or is ambiguous
  5  I/O failure, the output did not verify, or an internal error (nothing was written)";

pub const VERIFY_EXIT_CODES: &str = "\
Exit codes:
  0  every archive is signed, and its signatures and entries hold
  1  an archive is unsigned, or its signature is broken (the report says which entries and why)
  2  usage error
  3  an archive cannot be read: not a zip archive, or damaged
  5  I/O failure: a file cannot be opened or read";

pub const EXAMPLES: &str = "\
Examples:
  # Shared credentials start-up: set the twelve values of the built-in recipe
  procpatch apply ProcessImport.zip -o ProcessImport-patched.zip

  # See what would change, with the XML diff, without writing anything
  procpatch apply ProcessImport.zip --dry-run --diff

  # Pipelines: fail while an edit is still needed
  procpatch check exports/

  # Another recipe, every archive under a folder, outputs mirrored elsewhere
  procpatch apply exports/ --out-dir patched/ --recipe my-recipe.toml

  # A signed configuration export: edit, sign again with the installation's key
  # (the keystore password is asked for, or read from PROCPATCH_KEYSTORE_PASS)
  procpatch apply Config.zip -o Config-patched.zip --sign-with signer.p12
  procpatch verify Config-patched.zip --trust ca.pem

  # Replace the export in place, keeping a numbered backup
  procpatch apply ProcessImport.zip --in-place --backup

  # What an export holds: processes, tasks and their attributes
  procpatch inspect ProcessImport.zip

  # The whole manual, offline
  procpatch man apply | man -l -";

/// Sets task attributes in Identity Manager process-import archives (zips of
/// BPMN 2.0 XML) and bare BPMN files, changing nothing but the values asked.
///
/// procpatch opens an exported process-import archive of Nexus Smart ID
/// Identity Manager, sets task attributes such as the "data pool" and
/// "sub-process" of a batch-order task directly in the process XML, and
/// writes a new archive to upload by hand in Identity Manager Admin. Without
/// --recipe it makes the twelve settings of the Shared credentials start-up
/// guide (procpatch recipe show prints them).
///
/// Every byte outside the edited values stays as it was: untouched zip
/// entries are copied raw, and the XML keeps its encoding, formatting,
/// comments and quotes. The input is never modified; the output is written
/// to a temporary file, re-read and verified, then renamed into place.
/// Running procpatch on its own output changes nothing.
#[derive(Debug, Parser)]
#[command(name = "procpatch", version,
    after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the processes, tasks and attributes found in archives or BPMN files.
    ///
    /// Every entry of each archive is listed with what it is (BPMN, nested
    /// zip, other, directory, encrypted, or unreadable) and its size; each
    /// BPMN document with its encoding, processes, tasks, the tasks' XML
    /// attributes and engine fields. Fields are named by their label where
    /// one maps them, as the apply report does: data pool [value] = "".
    /// Nothing is written.
    #[command(after_help = EXIT_CODES, disable_help_flag = true)]
    Inspect(InspectArgs),
    /// Apply a recipe and write new archives.
    ///
    /// Each input (an archive, nested archives included, or a bare BPMN
    /// file) is read, the recipe is matched against its processes and tasks,
    /// and the output is written with -o, under --out-dir, or over the input
    /// with --in-place. The report lists each entry, process and task with
    /// attribute: old -> new and a status (changed, inserted, already set),
    /// the processes not in the input, and the SHA-256 of input and output.
    ///
    /// A recipe name that matches nothing, or matches twice, is an error
    /// (exit 4) and nothing is written. So is a process absent from the input
    /// while a process with nearly the same name is there (a typo).
    #[command(after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"), disable_help_flag = true)]
    Apply(ApplyArgs),
    /// Exit 1 when an edit is still needed (for pipelines); writes nothing.
    ///
    /// Reads each input as apply does and reports what apply would change,
    /// ending with a verdict per file: "needs N edits in M processes" or
    /// "nothing to change". A signed archive is read and reported too;
    /// reading needs no signature.
    #[command(after_help = EXIT_CODES, disable_help_flag = true)]
    Check(CheckArgs),
    /// Check the JAR signature of archives, as `jarsigner -verify -strict` does.
    ///
    /// Each signature block is checked over its signature file, the signature
    /// file over the manifest, and the manifest over every entry: each entry
    /// is signed and intact, changed after signing, not covered (added after
    /// signing), or listed but missing. The report names the signer (subject,
    /// issuer, serial, validity, key, digests); with --trust, its certificate
    /// chain is checked too. Exit 0 when every archive is signed and valid, 1
    /// when one is unsigned or broken, 3 when one cannot be read.
    #[command(after_help = VERIFY_EXIT_CODES, disable_help_flag = true)]
    Verify(VerifyArgs),
    /// Work with recipes (`procpatch man recipe` describes the format).
    Recipe {
        #[command(subcommand)]
        command: RecipeCommand,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): the whole tool, or one command; `recipe`
    /// also describes the recipe format. Read it with `man -l -`.
    Man {
        /// The page: a command, or none for procpatch itself.
        #[arg(value_enum, value_name = "COMMAND")]
        page: Option<ManPage>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecipeCommand {
    /// Print the built-in recipe (TOML), to copy and adapt.
    Show,
}

/// The manual pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManPage {
    Inspect,
    Apply,
    Check,
    Verify,
    Recipe,
    Completions,
    Man,
}

impl ManPage {
    pub fn name(self) -> &'static str {
        match self {
            ManPage::Inspect => "inspect",
            ManPage::Apply => "apply",
            ManPage::Check => "check",
            ManPage::Verify => "verify",
            ManPage::Recipe => "recipe",
            ManPage::Completions => "completions",
            ManPage::Man => "man",
        }
    }
}

/// What to read.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Archives, BPMN files, or directories to walk (files are recognised
    /// by content).
    #[arg(required = true, value_name = "PATH", display_order = 0)]
    pub paths: Vec<PathBuf>,
    /// Largest entry or XML file read, in MiB (counted while reading).
    #[arg(long, value_name = "MIB", default_value_t = 256, display_order = 1)]
    pub max_entry_size: u64,
    /// Threads to work on: files worked on at once, and the threads a
    /// large document is parsed and compressed on (default: one per CPU).
    #[arg(short = 'j', long = "jobs", value_name = "N", display_order = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// Where the output goes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// The output file (one input file only; its folder must exist). An
    /// existing file is replaced.
    #[arg(short, long, value_name = "OUT", group = "target")]
    pub output: Option<PathBuf>,
    /// Write outputs under DIR (created if needed), mirroring the input tree.
    #[arg(long, value_name = "DIR", group = "target")]
    pub out_dir: Option<PathBuf>,
    /// Replace each input (atomically, after verifying the new file).
    #[arg(long, group = "target")]
    pub in_place: bool,
    /// With --in-place, first keep the original as FILE.bak (or FILE.bak.1,
    /// FILE.bak.2, … if taken), with its modification time.
    #[arg(long)]
    pub backup: bool,
    /// Report what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove the signature of signed archives that must change.
    #[arg(long, conflicts_with = "sign_with")]
    pub strip_signature: bool,
}

/// Signing the written archives.
#[derive(Debug, Args)]
#[command(next_help_heading = "Signature")]
pub struct SignArgs {
    /// Sign each written archive with the key in this PKCS#12 keystore: a
    /// signed input again under its own signature file name, an unsigned
    /// one fresh. The password comes from PROCPATCH_KEYSTORE_PASS, else
    /// --keystore-pass-file, else a prompt on the terminal.
    #[arg(long, value_name = "KEYSTORE.p12")]
    pub sign_with: Option<PathBuf>,
    /// The key's alias in the keystore (needed when it holds several keys).
    #[arg(long, value_name = "ALIAS", requires = "sign_with")]
    pub key_alias: Option<String>,
    /// A file whose first line is the keystore password.
    #[arg(long, value_name = "FILE", requires = "sign_with")]
    pub keystore_pass_file: Option<PathBuf>,
}

/// Which recipe.
#[derive(Debug, Args)]
#[command(next_help_heading = "Recipe")]
pub struct RecipeArgs {
    /// A recipe file (TOML) instead of the built-in Shared credentials
    /// recipe; see `procpatch man recipe`.
    #[arg(long, value_name = "FILE")]
    pub recipe: Option<PathBuf>,
    /// Fail unless every process of the recipe is found.
    #[arg(long)]
    pub require_all: bool,
}

/// How results are shown.
#[derive(Debug, Args)]
#[command(next_help_heading = "Report")]
pub struct ReportArgs {
    /// Print one JSON document on standard output (errors included).
    #[arg(long)]
    pub json: bool,
    /// Print only errors (and the JSON with --json).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: also the files skipped while walking directories.
    #[arg(short, long)]
    pub verbose: bool,
    /// When to use colour (auto: on a terminal, and never with NO_COLOR).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Print help (--help: more).
    #[arg(short, long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Name fields by the labels of this recipe (default: the built-in one).
    #[arg(long, value_name = "FILE", help_heading = "Recipe")]
    pub recipe: Option<PathBuf>,
    /// Also write an HTML page (self-contained, printable) with each process
    /// drawn from its diagram and its tasks listed; very large pages draw
    /// the first diagrams only, and say so.
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub sign: SignArgs,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Print a unified diff of each edited XML document (in the JSON too).
    #[arg(long, help_heading = "Report")]
    pub diff: bool,
    /// Also write a change record: one self-contained HTML page (no script,
    /// nothing loaded from elsewhere, printable) with the date, the recipe,
    /// each file's paths and SHA-256, and each edited process drawn from its
    /// diagram with the edited tasks marked and their values listed. Written
    /// with --dry-run too. The date is now, or SOURCE_DATE_EPOCH if set.
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Check the signer's certificate chain against these trusted
    /// certificates: PEM, or a PKCS#12 truststore (its password from
    /// PROCPATCH_TRUSTSTORE_PASS, else "changeit").
    #[arg(long, value_name = "FILE", help_heading = "Signature")]
    pub trust: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

impl Cli {
    /// The input options, for commands that read archives.
    pub fn input(&self) -> Option<&InputArgs> {
        match &self.command {
            Command::Inspect(a) => Some(&a.input),
            Command::Apply(a) => Some(&a.input),
            Command::Check(a) => Some(&a.input),
            Command::Verify(a) => Some(&a.input),
            _ => None,
        }
    }

    /// The report options, for commands that have them.
    pub fn report(&self) -> Option<&ReportArgs> {
        match &self.command {
            Command::Inspect(a) => Some(&a.report),
            Command::Apply(a) => Some(&a.report),
            Command::Check(a) => Some(&a.report),
            Command::Verify(a) => Some(&a.report),
            _ => None,
        }
    }
}
