//! `procpatch`: sets task attributes in Identity Manager process-import
//! archives. A thin shell over the `procpatch` library: `main` maps the
//! outcome of `run` to a documented exit code.

mod args;
mod exit;
mod invocation;
mod render;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use procpatch::archive::{self, FileReport, OutputReport, WriteOptions};
use rayon::prelude::*;

use args::{ApplyArgs, Cli, ColorWhen, Command, RecipeCommand};
use exit::{Code, Failure};
use invocation::{Job, Target};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { Code::Usage } else { Code::Success }.into();
        }
    };
    match run(cli) {
        Ok(code) => code.into(),
        Err(f) => {
            let _ = writeln!(anstream::stderr(), "procpatch: {}", f.message);
            f.code.into()
        }
    }
}

fn run(cli: Cli) -> Result<Code, Failure> {
    match cli.global.color {
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        ColorWhen::Auto => {}
    }
    let g = &cli.global;
    match &cli.command {
        Command::Inspect { paths, json } => inspect(paths, *json, g),
        Command::Apply(args) => apply(args, g),
        Command::Check { paths, recipe, json } => check(paths, recipe, *json, g),
        Command::Recipe {
            command: RecipeCommand::Show,
        } => {
            print(procpatch::BUILTIN_TOML.as_bytes())?;
            Ok(Code::Success)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "procpatch", &mut out);
            print(&out)?;
            Ok(Code::Success)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Failure::io(Path::new("-"), &e))?;
            print(&out)?;
            Ok(Code::Success)
        }
    }
}

fn print(bytes: &[u8]) -> Result<(), Failure> {
    std::io::stdout()
        .write_all(bytes)
        .map_err(|e| Failure::io(Path::new("-"), &e))
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

/// Runs `work` on each job in parallel, keeping input order.
fn each<T: Send>(
    jobs: &[Job],
    quiet: bool,
    work: impl Fn(&Job) -> Result<T, Failure> + Sync,
) -> Vec<(PathBuf, Result<T, Failure>)> {
    let bar = progress(jobs.len(), quiet);
    let out = jobs
        .par_iter()
        .map(|job| {
            let r = work(job);
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

/// Prints the results and returns the exit code: the most severe failure,
/// else `ok`.
fn finish<T: serde::Serialize>(
    results: Vec<(PathBuf, Result<T, Failure>)>,
    json: bool,
    ok: Code,
    human: impl Fn(&mut dyn Write, &T) -> std::io::Result<()>,
) -> Result<Code, Failure> {
    let mut code = ok;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    for (path, result) in results {
        match result {
            Ok(value) => {
                if !json {
                    if let Err(e) = human(&mut stdout, &value) {
                        // A closed pipe (`| head`) ends the output quietly.
                        if e.kind() == std::io::ErrorKind::BrokenPipe {
                            return Ok(code);
                        }
                        return Err(Failure::io(Path::new("-"), &e));
                    }
                }
                files.push(value);
            }
            Err(f) => {
                code = code.max(f.code);
                let _ = writeln!(stderr, "procpatch: {}", f.message);
                errors.push(render::JsonError {
                    path: path.display().to_string(),
                    error: f.message,
                    exit_code: f.code as u8,
                });
            }
        }
    }
    if json {
        let doc = render::Json { files, errors };
        let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::bad_input(e.to_string()))?;
        writeln!(stdout, "{text}").map_err(|e| Failure::io(Path::new("-"), &e))?;
    }
    Ok(code)
}

fn jobs_of(paths: &[PathBuf], verbose: bool) -> Result<Vec<Job>, Failure> {
    let invocation::Found { files, skipped } = invocation::expand(paths)?;
    if verbose {
        for s in skipped {
            let _ = writeln!(
                anstream::stderr(),
                "procpatch: skipped {} (not a zip or BPMN file)",
                s.display()
            );
        }
    }
    if files.is_empty() {
        return Err(Failure::usage(
            "no archive or BPMN file found in the paths given".into(),
        ));
    }
    Ok(files
        .into_iter()
        .map(|(input, _)| Job { input, output: None })
        .collect())
}

fn inspect(paths: &[PathBuf], json: bool, g: &args::Global) -> Result<Code, Failure> {
    let jobs = jobs_of(paths, g.verbose)?;
    let options = invocation::options(g.max_entry_size, false);
    let results = each(&jobs, g.quiet, |job| {
        archive::inspect_file(&job.input, &options).map_err(|e| Failure::archive(&job.input, &e))
    });
    let quiet = g.quiet;
    finish(results, json, Code::Success, |out, i| {
        if quiet {
            Ok(())
        } else {
            render::inspection(out, i)
        }
    })
}

fn check(paths: &[PathBuf], recipe: &args::RecipeArgs, json: bool, g: &args::Global) -> Result<Code, Failure> {
    let r = invocation::recipe(recipe.recipe.as_deref(), recipe.require_all)?;
    let jobs = jobs_of(paths, g.verbose)?;
    let options = invocation::options(g.max_entry_size, recipe.strip_signature);
    let results = each(&jobs, g.quiet, |job| {
        archive::plan_file(&job.input, &r, &options)
            .map(|p| p.report().clone())
            .map_err(|e| Failure::archive(&job.input, &e))
    });
    let pending = results
        .iter()
        .any(|(_, r)| r.as_ref().is_ok_and(FileReport::needs_edit));
    let quiet = g.quiet;
    let code = finish(results, json, Code::Success, |out, r| {
        if quiet {
            Ok(())
        } else {
            render::report(out, r)
        }
    })?;
    Ok(if code == Code::Success && pending {
        Code::Pending
    } else {
        code
    })
}

/// An applied file: its report and, with `--diff`, its diffs.
#[derive(serde::Serialize)]
struct Applied {
    #[serde(flatten)]
    report: FileReport,
    #[serde(skip)]
    diffs: Vec<u8>,
}

fn apply(args: &ApplyArgs, g: &args::Global) -> Result<Code, Failure> {
    let recipe = invocation::recipe(args.recipe.recipe.as_deref(), args.recipe.require_all)?;
    let (jobs, target) = invocation::apply_jobs(args)?;
    let options = invocation::options(g.max_entry_size, args.recipe.strip_signature);
    let results = each(&jobs, g.quiet, |job| {
        let fail = |e: archive::ArchiveError| Failure::archive(&job.input, &e);
        let plan = archive::plan_file(&job.input, &recipe, &options).map_err(fail)?;
        let mut diffs = Vec::new();
        if args.diff {
            for change in plan.changes() {
                render::diff(&mut diffs, &job.input.display().to_string(), &change)
                    .map_err(|e| Failure::io(&job.input, &e))?;
            }
        }
        let report = match (&job.output, args.dry_run) {
            (Some(out), false) => {
                if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| Failure {
                        code: Code::Io,
                        message: format!("cannot create the output directory {}: {e}", dir.display()),
                    })?;
                }
                let backup = match target {
                    Target::InPlace { backup: true } => {
                        let mut name = job.input.clone().into_os_string();
                        name.push(".bak");
                        Some(PathBuf::from(name))
                    }
                    _ => None,
                };
                let write = WriteOptions {
                    in_place: matches!(target, Target::InPlace { .. }),
                    backup,
                };
                plan.write(out, &write).map_err(fail)?
            }
            (out, _) => {
                let mut r = plan.report().clone();
                r.output = out.as_ref().map(|o| OutputReport {
                    path: o.display().to_string(),
                    sha256: None,
                    written: false,
                });
                r
            }
        };
        Ok(Applied { report, diffs })
    });
    let quiet = g.quiet;
    finish(results, args.json, Code::Success, |out, a| {
        if !a.diffs.is_empty() && !quiet {
            let mut stdout = anstream::stdout();
            stdout.write_all(&a.diffs)?;
        }
        if quiet {
            Ok(())
        } else {
            render::report(out, &a.report)
        }
    })
}
