//! `compare`: procpatch against the tools an administrator would otherwise
//! use, on generated workloads (issue 9). See `benches/README.md`.
//!
//! It generates the workloads deterministically into a work folder, writes
//! the peer scripts there, times each command several times (minimum wall
//! time; CPU time and peak RSS from GNU time), and prints a Markdown report of the
//! ratios against the targets, also written to a file. It measures whatever
//! procpatch binary it is given; it asserts nothing, and CI only builds it.
//!
//! ```sh
//! cargo build --release --locked -p procpatch-cli -p procpatch-benches --bin procpatch --bin compare
//! target/release/compare --quick     # a minute or two
//! target/release/compare             # the issue's sizes: tens of minutes, about 1 GB of disk
//! ```

mod measure;
mod peers;
mod report;
mod sections;
mod workloads;
mod xml;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};

use measure::Runner;
use peers::Tools;
use sections::Bench;
use workloads::Generator;

/// The workloads, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// Large documents (zipped and bare) at each size of --doc-mib.
    Doc,
    /// A large export: thousands of entries, blobs, nested folders.
    Export,
    /// Many small entries in one archive, at a quarter, half and all of --many.
    Many,
    /// A folder of small archives.
    Batch,
    /// An export with an untouched entry of zeros.
    Zeros,
}

/// procpatch against cp, unzip, a Python zipfile+lxml script and an
/// unzip+xmlstarlet+zip script, on generated workloads.
///
/// Sizes default to the issue's (a full run takes tens of minutes and 1 GB
/// of disk); --quick picks small ones; each size option overrides either.
#[derive(Debug, Parser)]
#[command(name = "compare", version)]
struct Args {
    /// The procpatch binary to measure [default: target/release/procpatch of this workspace]
    #[arg(long, value_name = "PATH")]
    procpatch: Option<PathBuf>,

    /// The work folder: workloads, peer scripts, outputs, logs [default: target/compare of this workspace]
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,

    /// Runs of each command; the minimum time is reported
    #[arg(long, default_value_t = 3, value_name = "N")]
    runs: usize,

    /// Small sizes: documents of 1 and 10 MiB, 500 export entries, 5,000
    /// small entries, 100 archives, 30 MiB of zeros
    #[arg(long)]
    quick: bool,

    /// Sizes of the large document, in MiB [default: 1,10,50,100,200]
    #[arg(long, value_name = "MIB,...", value_delimiter = ',')]
    doc_mib: Option<Vec<u64>>,

    /// Entries in the large export [default: 5000]
    #[arg(long, value_name = "N")]
    export_entries: Option<u64>,

    /// Small entries in one archive (also measured at a quarter and half) [default: 50000]
    #[arg(long, value_name = "N")]
    many: Option<u64>,

    /// Small archives in the batch folder [default: 1000]
    #[arg(long, value_name = "N")]
    batch: Option<u64>,

    /// MiB of zeros in the untouched entry [default: 300]
    #[arg(long, value_name = "MIB")]
    zero_mib: Option<u64>,

    /// Only these workloads [default: all]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WORKLOAD,...")]
    only: Vec<Workload>,

    /// The Python interpreter for the lxml peer [default: the first of python3, /usr/bin/python3 that imports lxml]
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,

    /// Where the Markdown report goes too [default: WORK/report.md]
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,

    /// Generate the workloads again even when they exist
    #[arg(long)]
    regenerate: bool,
}

/// The sizes of one run.
#[derive(Debug)]
struct Sizes {
    doc_mib: Vec<u64>,
    export_entries: u64,
    many: u64,
    batch: u64,
    zero_mib: u64,
}

impl Args {
    fn sizes(&self) -> Sizes {
        let (doc, export, many, batch, zero) = if self.quick {
            (vec![1, 10], 500, 5_000, 100, 30)
        } else {
            (vec![1, 10, 50, 100, 200], 5_000, 50_000, 1_000, 300)
        };
        Sizes {
            doc_mib: self.doc_mib.clone().unwrap_or(doc),
            export_entries: self.export_entries.unwrap_or(export),
            many: self.many.unwrap_or(many),
            batch: self.batch.unwrap_or(batch),
            zero_mib: self.zero_mib.unwrap_or(zero),
        }
    }

    fn wants(&self, w: Workload) -> bool {
        self.only.is_empty() || self.only.contains(&w)
    }
}

/// The workspace root, for the default paths.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The first line of `procpatch ARGS`' standard output.
fn procpatch_says(procpatch: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(procpatch)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", procpatch.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let root = workspace();
    let procpatch = args
        .procpatch
        .clone()
        .unwrap_or_else(|| root.join("target/release/procpatch"));
    if !procpatch.is_file() {
        bail!(
            "no procpatch binary at {} (build it: cargo build --release --locked -p procpatch-cli, or pass --procpatch)",
            procpatch.display()
        );
    }
    let procpatch = procpatch.canonicalize()?;
    let work = args.work.clone().unwrap_or_else(|| root.join("target/compare"));
    std::fs::create_dir_all(&work)?;
    let work = work.canonicalize()?;
    let sizes = args.sizes();
    let version = procpatch_says(&procpatch, &["--version"])?.trim().to_string();
    let jobs = {
        let help = procpatch_says(&procpatch, &["apply", "--help"])?;
        help.contains("--jobs") || help.contains("-j,") || help.contains("-j <")
    };

    eprintln!(
        "compare: {version} ({}), work folder {}",
        procpatch.display(),
        work.display()
    );
    let tools = Tools::detect(args.python.as_deref());
    let scripts = peers::write_scripts(&work.join("peers"))?;

    eprintln!("workloads:");
    let gen = Generator::new(&work.join("workloads"), args.regenerate)?;
    let docs = if args.wants(Workload::Doc) {
        sizes.doc_mib.iter().map(|&m| gen.doc(m)).collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    // The three user processes alone: each command's fixed cost.
    let smallest = args.wants(Workload::Doc).then(|| gen.doc(0)).transpose()?;
    let export = args
        .wants(Workload::Export)
        .then(|| gen.export(sizes.export_entries))
        .transpose()?;
    let many = if args.wants(Workload::Many) {
        let mut counts = vec![sizes.many / 4, sizes.many / 2, sizes.many];
        counts.retain(|&n| n > 0);
        counts.dedup();
        counts.iter().map(|&n| gen.many(n)).collect::<Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    let batch = args
        .wants(Workload::Batch)
        .then(|| gen.batch(sizes.batch))
        .transpose()?;
    let zeros = args
        .wants(Workload::Zeros)
        .then(|| gen.zeros(sizes.zero_mib))
        .transpose()?;

    // Other work on the machine inflates wall times: the report says how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    eprintln!("measuring ({} runs each):", args.runs);
    let runner = Runner::new(
        args.runs,
        tools.time.clone().ok(),
        &work.join("logs"),
        &work.join("tmp"),
    )?;
    let out = work.join("out");
    std::fs::create_dir_all(&out)?;
    let mut bench = Bench::new(&runner, &tools, &scripts, procpatch.clone(), out, jobs);
    bench.startup();
    // The batch first: the sections after it delete thousands of files (the
    // xmlstarlet script's temporary folders), and on ext4 without a journal
    // creating files within minutes of that costs the kernel a walk past
    // each deleted inode under the folder's lock (`Cmd::fresh_output`).
    if let Some(batch) = &batch {
        bench.batch(batch);
    }
    if let (false, Some(smallest)) = (docs.is_empty(), &smallest) {
        bench.docs(&docs, smallest);
    }
    if let Some(export) = &export {
        bench.export(export);
    }
    if !many.is_empty() {
        bench.many(&many);
    }
    if let Some(zeros) = &zeros {
        bench.zeros(zeros, sizes.zero_mib);
    }
    let mut report = bench.finish();
    if let Err(why) = &tools.time {
        report.notes.insert(0, format!("No CPU time or peak RSS: {why}."));
    }

    let peer = |r: &Result<String, String>| r.clone().unwrap_or_else(|e| e.clone());
    let python = tools
        .python
        .as_ref()
        .map(|(p, v)| format!("{v} ({})", p.display()))
        .map_err(Clone::clone);
    let workloads = describe_workloads(
        &docs,
        export.as_ref(),
        &many,
        batch.as_ref(),
        zeros.as_ref(),
        sizes.zero_mib,
    );
    report.header = vec![
        "## procpatch comparison (`compare`)".into(),
        String::new(),
        format!(
            "- Date: {} (UTC). Machine: {}; load average {load} at the start.",
            report::today(),
            report::machine()
        ),
        format!("- {version} at `{}`.", procpatch.display()),
        format!(
            "- Minimum wall time of {} runs (a command under {} ms: up to {} runs, about a second of them); CPU is the user + system time of that run, every thread and child counted, and peak RSS the largest `ru_maxrss` of the runs ({}).",
            args.runs,
            measure::SHORT.as_millis(),
            args.runs.max(1).saturating_mul(measure::SHORT_FACTOR),
            if tools.time.is_ok() {
                "GNU time: `%P` of the wall time, and `%M`"
            } else {
                "not measured: GNU time missing"
            }
        ),
        format!(
            "- Peers: {}; {}; {}.",
            peer(&python),
            peer(&tools.xmlstarlet),
            peer(&tools.unzip)
        ),
        format!("- Workloads: {workloads}."),
    ];
    let text = report.render();
    println!("{text}");
    let path = args.report.clone().unwrap_or_else(|| work.join("report.md"));
    report
        .write(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("report written to {}", path.display());
    Ok(())
}

fn describe_workloads(
    docs: &[workloads::Doc],
    export: Option<&workloads::Archive>,
    many: &[workloads::Archive],
    batch: Option<&workloads::Batch>,
    zeros: Option<&workloads::Archive>,
    zero_mib: u64,
) -> String {
    let mib = report::size;
    let mut parts = Vec::new();
    if !docs.is_empty() {
        let sizes: Vec<String> = docs.iter().map(|d| mib(d.bytes)).collect();
        parts.push(format!(
            "large documents of {} (bare, and zipped with deflate)",
            sizes.join(", ")
        ));
    }
    if let Some(a) = export {
        parts.push(format!(
            "an export of {} entries, {} in {} (BPMN, random blobs, properties, nested folders)",
            a.entries,
            mib(a.content_bytes),
            mib(a.file_bytes)
        ));
    }
    if let Some(a) = many.last() {
        parts.push(format!("{} small entries ({} zipped)", a.entries, mib(a.file_bytes)));
    }
    if let Some(b) = batch {
        parts.push(format!("{} small archives in a folder", b.archives));
    }
    if let Some(a) = zeros {
        parts.push(format!(
            "an export with {zero_mib} MiB of zeros in one entry ({} zipped)",
            mib(a.file_bytes)
        ));
    }
    parts.join("; ")
}
