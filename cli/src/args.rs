//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (check: nothing left to change)
  1  check: an edit is still needed
  2  usage error (bad arguments)
  3  bad input: not a zip or BPMN file, damaged, encrypted, signed, malformed XML, bad recipe
  4  a recipe target is not found, or is ambiguous
  5  I/O failure, or the output did not verify (nothing was written)";

const EXAMPLES: &str = "\
Examples:
  # Shared credentials start-up: set the twelve values of the built-in recipe
  procpatch apply ProcessImport.zip -o ProcessImport-patched.zip

  # See what would change, with the XML diff, without writing anything
  procpatch apply ProcessImport.zip -o out.zip --dry-run --diff

  # Pipelines: fail while an edit is still needed
  procpatch check exports/

  # Another recipe, every archive under a folder, outputs mirrored elsewhere
  procpatch apply exports/ --out-dir patched/ --recipe my-recipe.toml

  # What an export holds: processes, tasks and their attributes
  procpatch inspect ProcessImport.zip";

/// Sets task attributes in Identity Manager process-import archives (zips of
/// BPMN 2.0 XML) and bare BPMN files, changing nothing but the values asked.
#[derive(Debug, Parser)]
#[command(name = "procpatch", version, about, long_about = None,
    after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

/// Options for every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Print only errors (and the JSON with --json).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: also the files skipped while walking directories.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colour (auto: on a terminal, and never with NO_COLOR).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Largest entry or XML file read, in MiB (counted while reading).
    #[arg(long, global = true, value_name = "MIB", default_value_t = 256)]
    pub max_entry_size: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the processes, tasks and attributes found in archives or BPMN files.
    Inspect {
        /// Archives, BPMN files, or directories to walk.
        #[arg(required = true, value_name = "ARCHIVE")]
        paths: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply a recipe and write new archives.
    #[command(after_help = EXAMPLES)]
    Apply(ApplyArgs),
    /// Exit 1 when an edit is still needed (for pipelines); writes nothing.
    Check {
        /// Archives, BPMN files, or directories to walk.
        #[arg(required = true, value_name = "ARCHIVE")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        recipe: RecipeArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Work with recipes.
    Recipe {
        #[command(subcommand)]
        command: RecipeCommand,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum RecipeCommand {
    /// Print the built-in recipe (TOML), to copy and adapt.
    Show,
}

#[derive(Debug, Args)]
pub struct RecipeArgs {
    /// A recipe file (TOML) instead of the built-in Shared credentials recipe.
    #[arg(long, value_name = "FILE")]
    pub recipe: Option<PathBuf>,
    /// Fail unless every process of the recipe is found.
    #[arg(long)]
    pub require_all: bool,
    /// Remove the signature of signed archives that must change.
    #[arg(long)]
    pub strip_signature: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Archives, BPMN files, or directories to walk.
    #[arg(required = true, value_name = "ARCHIVE")]
    pub paths: Vec<PathBuf>,
    /// The output file (one input file only).
    #[arg(short, long, value_name = "OUT", group = "target")]
    pub output: Option<PathBuf>,
    /// Write outputs under DIR, mirroring the input tree.
    #[arg(long, value_name = "DIR", group = "target")]
    pub out_dir: Option<PathBuf>,
    /// Replace each input (atomically, after verifying the new file).
    #[arg(long, group = "target")]
    pub in_place: bool,
    /// With --in-place, keep the original as FILE.bak.
    #[arg(long, requires = "in_place")]
    pub backup: bool,
    #[command(flatten)]
    pub recipe: RecipeArgs,
    /// Report what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print a unified diff of each edited XML document.
    #[arg(long)]
    pub diff: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
