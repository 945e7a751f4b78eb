//! `procpatch`: sets task attributes in Identity Manager process-import
//! archives. A thin shell over the `procpatch` library: `main` maps the
//! outcome of `run` to a documented exit code.

mod args;
mod commit;
mod exit;
mod html;
mod invocation;
mod manual;
mod render;
mod stdout;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use procpatch::archive::{self, FileReport, OutputReport, WriteOptions};
use procpatch::Summary;
use rayon::prelude::*;

use args::{ApplyArgs, CheckArgs, Cli, ColorWhen, Command, InspectArgs, RecipeCommand, ReportArgs, VerifyArgs};
use exit::{Code, Failure};
use invocation::{Job, Target};
use render::{Json, JsonError, Totals};
use stdout::Stdout;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return Code::Success.into();
            }
            // `--json` promises one JSON document, even for bad arguments.
            if std::env::args_os().any(|a| a == "--json") {
                let rendered = e.render().to_string();
                let first = rendered.lines().next().unwrap_or_default();
                let failure = Failure::usage(first.trim_start_matches("error: ").to_string());
                let _ = Stdout::new().json(&json_of_failure(failure));
            }
            return Code::Usage.into();
        }
    };
    let json = cli.report().is_some_and(|r| r.json);
    match run(&cli) {
        Ok(code) => code.into(),
        Err(f) => {
            let _ = writeln!(anstream::stderr(), "procpatch: {f}");
            let code = f.code;
            if json {
                let _ = Stdout::new().json(&json_of_failure(f));
            }
            code.into()
        }
    }
}

/// The JSON document for a run that failed before any file was read.
fn json_of_failure(f: Failure) -> Json<()> {
    Json {
        files: Vec::new(),
        errors: vec![json_error(f)],
        totals: Totals::default(),
    }
}

fn json_error(f: Failure) -> JsonError {
    JsonError {
        path: f.path.map(|p| p.display().to_string()),
        error: f.message,
        exit_code: f.code as u8,
    }
}

fn run(cli: &Cli) -> Result<Code, Failure> {
    if let Some(jobs) = cli.input().and_then(|i| i.jobs) {
        // Only fails if a pool was built before, which this is the only place to do.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build_global();
    }
    if let Some(r) = cli.report() {
        match r.color {
            ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
            ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
            ColorWhen::Auto => {}
        }
    }
    match &cli.command {
        Command::Inspect(args) => inspect(args),
        Command::Apply(args) => apply(args),
        Command::Check(args) => check(args),
        Command::Verify(args) => verify(args),
        Command::Recipe {
            command: RecipeCommand::Show,
        } => {
            Stdout::new().bytes(procpatch::BUILTIN_TOML.as_bytes())?;
            Ok(Code::Success)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "procpatch", &mut out);
            Stdout::new().bytes(&out)?;
            Ok(Code::Success)
        }
        Command::Man { page } => {
            let out = manual::page(*page).map_err(|e| Failure::io(Path::new("-"), &e))?;
            Stdout::new().bytes(&out)?;
            Ok(Code::Success)
        }
    }
}

/// A progress bar for batches, on a terminal only.
fn progress(n: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (n > 3 && !quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        bar
    })
}

/// Runs `work` on each job (and its index) in parallel, keeping input
/// order.
fn each<T: Send>(
    jobs: &[Job],
    quiet: bool,
    work: impl Fn(usize, &Job) -> Result<T, Failure> + Sync,
) -> Vec<(PathBuf, Result<T, Failure>)> {
    let bar = progress(jobs.len(), quiet);
    let out = jobs
        .par_iter()
        .enumerate()
        .map(|(i, job)| {
            let r = work(i, job);
            if let Some(b) = &bar {
                b.inc(1);
            }
            (job.input.clone(), r)
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// Prints the results (each file's text, or one JSON document), then the
/// grand total after several files, and returns the exit code: the most
/// severe failure, else `ok`.
fn finish<T: serde::Serialize>(
    results: Vec<(PathBuf, Result<T, Failure>)>,
    report: &ReportArgs,
    verb: &str,
    ok: Code,
    total: impl Fn(&mut Totals, &T),
    human: impl Fn(&mut Stdout, &T) -> Result<(), Failure>,
) -> Result<Code, Failure> {
    let mut code = ok;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut totals = Totals::default();
    let mut stdout = Stdout::new();
    let several = results.len() > 1;
    for (_, result) in results {
        totals.files += 1;
        match result {
            Ok(value) => {
                total(&mut totals, &value);
                if !report.json && !report.quiet {
                    human(&mut stdout, &value)?;
                }
                files.push(value);
            }
            Err(f) => {
                totals.failed += 1;
                code = code.max(f.code);
                let _ = writeln!(anstream::stderr(), "procpatch: {f}");
                errors.push(json_error(f));
            }
        }
    }
    if report.json {
        stdout.json(&Json { files, errors, totals })?;
    } else if several && !report.quiet {
        stdout.with(|out| writeln!(out, "{}", totals.line(verb)))?;
    }
    Ok(code)
}

/// The input files, listing skipped ones with `-v`.
fn jobs_of(paths: &[PathBuf], verbose: bool) -> Result<Vec<(PathBuf, Option<PathBuf>)>, Failure> {
    let invocation::Found { files, skipped } = invocation::inputs(paths)?;
    if verbose {
        for s in skipped {
            let _ = writeln!(
                anstream::stderr(),
                "procpatch: skipped {} (not a zip or BPMN file)",
                s.display()
            );
        }
    }
    Ok(files)
}

fn plain_jobs(files: Vec<(PathBuf, Option<PathBuf>)>) -> Vec<Job> {
    files
        .into_iter()
        .map(|(input, _)| Job { input, output: None })
        .collect()
}

fn inspect(args: &InspectArgs) -> Result<Code, Failure> {
    let labels = invocation::recipe(args.recipe.as_deref(), false)?.labels();
    let jobs = plain_jobs(jobs_of(&args.input.paths, args.report.verbose)?);
    if let Some(path) = &args.html {
        html::check_target(path, &jobs)?;
    }
    let options = invocation::options(args.input.max_entry_size, false);
    if !args.report.json && args.html.is_none() {
        // Text alone: each file is listed as it is read, keeping the text
        // and not the processes (a large document holds a million).
        let results = each(&jobs, args.report.quiet, |_, job| {
            let mut listing = archive::Listing::new(&labels);
            let inspection = archive::inspect_file_with(&job.input, &options, &mut |found| listing.add(found))
                .map_err(|e| Failure::archive(&job.input, &e))?;
            let processes = listing.processes();
            let pieces = listing
                .finish(&inspection)
                .map_err(|e| Failure::io(&job.input, &std::io::Error::other(e)))?;
            Ok(Listed { pieces, processes })
        });
        return finish(
            results,
            &args.report,
            "inspect",
            Code::Success,
            |t, l| *t.processes.get_or_insert(0) += l.processes,
            |out, l| out.with_raw(|styled, raw| render::listing_pieces(styled, raw, &l.pieces)),
        );
    }
    let results = each(&jobs, args.report.quiet, |_, job| {
        archive::inspect_file(&job.input, &options).map_err(|e| Failure::archive(&job.input, &e))
    });
    let page = args.html.as_ref().map(|path| {
        let meta = html::meta("inspect", false, args.recipe.as_deref());
        (path, html::inspect_page(meta, &results, &options, &labels))
    });
    let code = finish(
        results,
        &args.report,
        "inspect",
        Code::Success,
        |t, i| *t.processes.get_or_insert(0) += i.entries.iter().map(|e| e.processes.len()).sum::<usize>(),
        |stdout, i| stdout.with(|out| render::inspection(out, i, &labels)),
    )?;
    Ok(match page {
        Some((path, page)) => html::finish(html::write(path, &page), code),
        None => code,
    })
}

/// A file listed as it was read, by `inspect` without `--json`: the text,
/// in the pieces it was made in, and how many processes it lists. It is
/// never written as JSON.
#[derive(serde::Serialize)]
struct Listed {
    #[serde(skip)]
    pieces: Vec<String>,
    #[serde(skip)]
    processes: usize,
}

/// A checked file: its report and the verdict.
#[derive(serde::Serialize)]
struct Checked {
    #[serde(flatten)]
    report: FileReport,
    needs_edit: bool,
    verdict: String,
}

fn add_values(t: &mut Totals, r: &FileReport) {
    t.values.get_or_insert_with(Summary::default).add(&r.summary);
    *t.needs_edit.get_or_insert(0) += usize::from(r.needs_edit());
}

fn check(args: &CheckArgs) -> Result<Code, Failure> {
    let r = invocation::recipe(args.recipe.recipe.as_deref(), args.recipe.require_all)?;
    let jobs = plain_jobs(jobs_of(&args.input.paths, args.report.verbose)?);
    let options = invocation::options(args.input.max_entry_size, false);
    let results = each(&jobs, args.report.quiet, |_, job| {
        let plan = archive::plan_file(&job.input, &r, &options).map_err(|e| Failure::archive(&job.input, &e))?;
        let report = plan.report().clone();
        Ok(Checked {
            needs_edit: report.needs_edit(),
            verdict: render::verdict(&report),
            report,
        })
    });
    let pending = results.iter().any(|(_, r)| r.as_ref().is_ok_and(|c| c.needs_edit));
    let code = finish(
        results,
        &args.report,
        "check",
        Code::Success,
        |t, c| add_values(t, &c.report),
        |stdout, c| {
            stdout.with(|out| {
                render::report(out, &c.report)?;
                writeln!(out, "  {}", c.verdict)
            })
        },
    )?;
    Ok(if code == Code::Success && pending {
        Code::Pending
    } else {
        code
    })
}

fn verify(args: &VerifyArgs) -> Result<Code, Failure> {
    let trust = invocation::trust(args.trust.as_deref())?;
    let jobs = plain_jobs(jobs_of(&args.input.paths, args.report.verbose)?);
    let options = invocation::options(args.input.max_entry_size, false);
    let results = each(&jobs, args.report.quiet, |_, job| {
        archive::verify_file(&job.input, &options, trust.as_ref()).map_err(|e| Failure::archive(&job.input, &e))
    });
    let failing = results
        .iter()
        .any(|(_, r)| r.as_ref().is_ok_and(|v| v.status != archive::VerifyStatus::Valid));
    let code = finish(
        results,
        &args.report,
        "verify",
        Code::Success,
        |t, v| *t.needs_edit.get_or_insert(0) += usize::from(v.status != archive::VerifyStatus::Valid),
        |stdout, v| {
            stdout.with(|out| {
                writeln!(out, "{v}")?;
                // The library names no flags; the command line does. Once
                // the signature holds, the chain is what is left to check.
                let unchecked = v.signers.iter().any(|s| s.chain == archive::ChainStatus::NotChecked);
                if v.status == archive::VerifyStatus::Valid && unchecked {
                    writeln!(out, "  (give --trust FILE to check the certificate chain)")?;
                }
                Ok(())
            })
        },
    )?;
    Ok(if code == Code::Success && failing {
        Code::Pending
    } else {
        code
    })
}

/// An edited document's diff.
#[derive(serde::Serialize)]
struct Diff {
    /// The entry path (empty for a bare XML file).
    entry: String,
    /// A unified diff of the document's text.
    diff: String,
}

/// An applied file: its report and, with `--diff`, its diffs.
#[derive(serde::Serialize)]
struct Applied {
    #[serde(flatten)]
    report: FileReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    diffs: Option<Vec<Diff>>,
    /// With `--html`, the drawings of its processes.
    #[serde(skip)]
    drawings: Option<procpatch::render::FileDrawings>,
    /// Staged, and its report waiting for the commit (a batch).
    #[serde(skip)]
    pending: bool,
}

/// An output staged in a batch that was never put in place (the commit
/// threads stopped).
fn unplaced(out: &Path) -> Failure {
    Failure {
        code: Code::Io,
        path: Some(out.to_path_buf()),
        message: "the output was written and verified but not put in place: \
                  the threads putting outputs in place stopped"
            .into(),
        named: false,
    }
}

/// `apply`'s work on each job: plan, draw, diff, and write (a batch's
/// outputs staged and sent to the commit threads, the others committed
/// here).
fn apply_each(
    args: &ApplyArgs,
    jobs: &[Job],
    target: &Target,
    recipe: &procpatch::Recipe,
    options: &archive::Options,
    signer: Option<&archive::Signer>,
    tx: Option<commit::Sender>,
) -> Vec<(PathBuf, Result<Applied, Failure>)> {
    each(jobs, args.report.quiet, |i, job| {
        let fail = |e: archive::ArchiveError| Failure::archive(&job.input, &e);
        let plan = archive::plan_file(&job.input, recipe, options).map_err(fail)?;
        let drawings = match &args.html {
            Some(_) => Some(html::drawings(&job.input, plan.report(), options)?),
            None => None,
        };
        let diffs = args.diff.then(|| {
            let path = job.input.display().to_string();
            plan.changes()
                .iter()
                .map(|change| Diff {
                    entry: change.entry.to_string(),
                    diff: render::diff_text(&path, change),
                })
                .collect()
        });
        let mut pending = false;
        let report = match (&job.output, args.output.dry_run) {
            (Some(out), false) => {
                if let (Target::Dir(_), Some(dir)) = (&target, out.parent()) {
                    std::fs::create_dir_all(dir).map_err(|e| Failure {
                        code: Code::Io,
                        path: Some(dir.to_path_buf()),
                        message: format!("cannot create the output folder: {e}"),
                        named: false,
                    })?;
                }
                let mut write = WriteOptions::new();
                if let Target::InPlace { backup } = target {
                    write = write.in_place(*backup);
                }
                if let Some(s) = signer {
                    write = write.signed_by(s.clone());
                }
                if tx.is_some() {
                    // Each folder is synced once, after the last file.
                    write = write.deferring_folder_sync();
                }
                let staged = plan.stage(out, &write).map_err(fail)?;
                match &tx {
                    Some(tx) => {
                        let report = staged.report().clone();
                        tx.send((i, staged)).map_err(|_| unplaced(out))?;
                        pending = true;
                        report
                    }
                    None => staged.commit().map_err(fail)?,
                }
            }
            (out, _) => {
                // A dry run meets the refusals a real run would.
                plan.writable_with(signer.is_some()).map_err(fail)?;
                let mut r = plan.report().clone();
                r.output = out.as_ref().map(|o| OutputReport::not_written(o.display().to_string()));
                r
            }
        };
        Ok(Applied {
            report,
            diffs,
            drawings,
            pending,
        })
    })
}

fn apply(args: &ApplyArgs) -> Result<Code, Failure> {
    let recipe = invocation::recipe(args.recipe.recipe.as_deref(), args.recipe.require_all)?;
    let files = jobs_of(&args.input.paths, args.report.verbose)?;
    let (jobs, target) = invocation::apply_jobs(files, &args.output)?;
    if let Some(path) = &args.html {
        html::check_target(path, &jobs)?;
    }
    // Last of the checks: it may ask for the keystore password.
    let signer = invocation::signer(&args.sign)?;
    let options = invocation::options(args.input.max_entry_size, args.output.strip_signature);
    let batch = jobs.len() > 1 && !args.output.dry_run;
    // A batch's outputs are put in place by threads of their own (as many
    // as the workers): waiting for the disk to flush one file overlaps the
    // work on the next ones. Each file is still flushed before its rename,
    // and the report waits for every commit.
    let commit_threads = if batch { rayon::current_num_threads() } else { 0 };
    let (mut results, committed) = commit::with_commits(commit_threads, |tx| {
        apply_each(args, &jobs, &target, &recipe, &options, signer.as_ref(), tx)
    });
    for (i, commit) in committed {
        if let Some((input, result)) = results.get_mut(i) {
            match (commit, result.as_mut()) {
                (Ok(report), Ok(applied)) => {
                    applied.report = report;
                    applied.pending = false;
                }
                (Err(e), _) => *result = Err(Failure::archive(input, &e)),
                (Ok(_), Err(_)) => {}
            }
        }
    }
    for (_, result) in &mut results {
        if let Ok(Applied {
            pending: true, report, ..
        }) = result
        {
            let out = report
                .output
                .as_ref()
                .map_or_else(PathBuf::new, |o| PathBuf::from(&o.path));
            *result = Err(unplaced(&out));
        }
    }
    if batch {
        // What the writes left to this: the renames made durable, before
        // anything is reported written. A folder that cannot be synced is
        // not an error, as for a single file.
        let folders: std::collections::BTreeSet<&Path> = jobs
            .iter()
            .filter_map(|job| job.output.as_deref()?.parent())
            .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p })
            .collect();
        for folder in folders {
            let _ = archive::sync_folder(folder);
        }
    }
    let page = args.html.as_ref().map(|path| {
        let meta = html::meta("apply", args.output.dry_run, args.recipe.recipe.as_deref());
        let files = results.iter().map(|(input, r)| {
            let r = r.as_ref().map(|a| (&a.report, a.drawings.as_ref()));
            (input.as_path(), r)
        });
        (path, html::apply_page(meta, files))
    });
    let code = finish(
        results,
        &args.report,
        "apply",
        Code::Success,
        |t, a| add_values(t, &a.report),
        |stdout, a| {
            stdout.with(|out| {
                for d in a.diffs.iter().flatten() {
                    render::diff(out, &d.diff)?;
                }
                render::report(out, &a.report)
            })
        },
    )?;
    Ok(match page {
        Some((path, page)) => html::finish(html::write(path, &page), code),
        None => code,
    })
}
