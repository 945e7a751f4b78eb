//! The comparisons, one function per workload: which commands run, which
//! peer each procpatch command is held against, and the issue's targets.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::measure::{Cmd, Outcome, Runner};
use crate::peers::{Scripts, Tools};
use crate::report::{Check, Linearity, Report, Row, Series, Verdict};
use crate::workloads::{Archive, Batch, Doc, MIB};

/// What to check of a command's output once it has run (untimed).
#[derive(Debug, Clone, Copy)]
enum Verify {
    Nothing,
    /// `procpatch check OUT` finds nothing left to change: the command made
    /// the recipe's edits (procpatch itself, and the peers).
    Edited,
    /// A folder of outputs, each run's: edited, and as many files as the
    /// input folder.
    EditedFolder {
        files: usize,
    },
    /// Edited, and the output holds as many entries as the input, `name`
    /// whole (`size` bytes).
    Copied {
        entries: u64,
        name: &'static str,
        size: u64,
    },
}

/// The state of a run: the tools, where outputs go, the report so far.
#[derive(Debug)]
pub struct Bench<'a> {
    pub runner: &'a Runner,
    pub tools: &'a Tools,
    pub scripts: &'a Scripts,
    pub procpatch: PathBuf,
    /// Outputs of the commands (removed after each command).
    pub out: PathBuf,
    /// Whether `procpatch apply` has `-j`.
    pub jobs: bool,
    pub report: Report,
    /// Outputs checked, counted per command.
    verified: BTreeMap<String, usize>,
}

fn ratio_of(a: &Outcome, b: &Outcome, who: &str) -> Result<f64, Verdict> {
    let a = a
        .as_ref()
        .map_err(|_| Verdict::NotAvailable("procpatch failed".into()))?;
    let b = b
        .as_ref()
        .map_err(|why| Verdict::NotAvailable(format!("{who} {}", short(why))))?;
    Ok(a.secs() / b.secs().max(1e-9))
}

/// "skipped" or "failed", for a verdict cell; the whole reason is a note.
fn short(why: &str) -> &'static str {
    if why.starts_with("skipped") {
        "skipped"
    } else {
        "failed"
    }
}

/// "2.50× faster than X", or "1.60× slower than X" below 1.
fn speed(r: f64, who: &str) -> String {
    if r >= 1.0 {
        format!("{r:.2}× faster than {who}")
    } else {
        format!("{:.2}× slower than {who}", 1.0 / r.max(1e-9))
    }
}

/// procpatch at least `times` faster than the peer.
fn faster(ours: &Outcome, peer: &Outcome, who: &str, times: f64) -> Check {
    let target = format!("≥ {times}× faster than {who}");
    match ratio_of(peer, ours, who) {
        Ok(r) => Check {
            ratio: speed(r, who),
            target,
            met: Verdict::from_bool(r >= times),
        },
        Err(v) => Check {
            ratio: String::new(),
            target,
            met: v,
        },
    }
}

/// procpatch at most `times` the peer's time.
fn at_most(ours: &Outcome, peer: &Outcome, who: &str, times: f64) -> Check {
    let target = format!("≤ {times}× {who}");
    match ratio_of(ours, peer, who) {
        Ok(r) => Check {
            ratio: format!("{r:.2}× {who}"),
            target,
            met: Verdict::from_bool(r <= times),
        },
        Err(v) => Check {
            ratio: String::new(),
            target,
            met: v,
        },
    }
}

/// The ratio to a peer, reported without a target.
fn reported(ours: &Outcome, peer: &Outcome, who: &str) -> Check {
    let ratio = ratio_of(ours, peer, who).map_or_else(|_| "–".into(), |r| format!("{r:.2}× {who}"));
    Check {
        ratio,
        target: "(reported)".into(),
        met: Verdict::Reported,
    }
}

/// Peak RSS within `64 MiB + 2 × document`.
fn rss_within(ours: &Outcome, doc_bytes: u64) -> Check {
    let doc = doc_bytes as f64 / MIB as f64;
    let limit = 64.0 + 2.0 * doc;
    let target = format!("RSS ≤ 64 MiB + 2 × {doc:.1} MiB = {limit:.0} MiB");
    match ours.as_ref().ok().and_then(|m| m.rss_mib()) {
        Some(r) => Check {
            ratio: format!("RSS {:.0}% of limit", 100.0 * r / limit),
            target,
            met: Verdict::from_bool(r <= limit),
        },
        None => Check {
            ratio: String::new(),
            target,
            met: Verdict::NotAvailable("no RSS".into()),
        },
    }
}

fn row(workload: &str, command: &str, outcome: &Outcome, checks: Vec<Check>) -> Row {
    Row {
        workload: workload.into(),
        command: command.into(),
        outcome: outcome.clone(),
        checks,
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

impl<'a> Bench<'a> {
    pub fn new(
        runner: &'a Runner,
        tools: &'a Tools,
        scripts: &'a Scripts,
        procpatch: PathBuf,
        out: PathBuf,
        jobs: bool,
    ) -> Self {
        Bench {
            runner,
            tools,
            scripts,
            procpatch,
            out,
            jobs,
            report: Report::default(),
            verified: BTreeMap::new(),
        }
    }

    fn pp(&self, command: &str) -> Cmd {
        Cmd::new(format!("procpatch {command}"), &self.procpatch).arg(command)
    }

    fn apply(&self, input: &Path, out: &Path) -> Cmd {
        self.pp("apply").arg(input).arg("-o").output(out)
    }

    fn check(&self, input: &Path) -> Cmd {
        // Exit 1: "an edit is still needed", as it is on every workload.
        self.pp("check").arg(input).expect(&[1])
    }

    fn inspect(&self, input: &Path) -> Cmd {
        self.pp("inspect").arg(input)
    }

    fn python(&self, input: &Path, out: &Path) -> Result<Cmd, String> {
        let (python, _) = self.tools.python.as_ref().map_err(Clone::clone)?;
        Ok(Cmd::new("Python zipfile+lxml", python)
            .arg(&self.scripts.python)
            .arg(input)
            .output(out))
    }

    fn shell(&self, input: &Path, out: &Path) -> Result<Cmd, String> {
        self.tools.shell_peer()?;
        Ok(Cmd::new("unzip+xmlstarlet+zip", "sh")
            .arg(&self.scripts.shell)
            .arg(input)
            .output(out))
    }

    fn unzip(&self, flag: &str, input: &Path) -> Result<Cmd, String> {
        self.tools.unzip.as_ref().map_err(Clone::clone)?;
        Ok(Cmd::new(format!("unzip {flag}"), "unzip").arg(flag).arg(input))
    }

    fn cp(input: &Path, out: &Path) -> Cmd {
        let cmd = Cmd::new("cp", "cp");
        let cmd = if input.is_dir() { cmd.arg("-r") } else { cmd };
        cmd.arg(input).output(out)
    }

    /// Measures `cmd` (or notes why it cannot run), checks its output, and
    /// removes the output.
    fn run(&mut self, workload: &str, cmd: Result<Cmd, String>, verify: Verify) -> Outcome {
        self.run_in_turns(workload, vec![(cmd, verify)])
            .pop()
            .unwrap_or_else(|| Err("no run".into()))
    }

    /// Measures commands in turns, one run of each per round (those that
    /// cannot run are noted), then checks each one's output and removes the
    /// outputs: a comparison of two commands sees the same machine, and
    /// neither runs after the other's outputs were deleted.
    fn run_in_turns(&mut self, workload: &str, cmds: Vec<(Result<Cmd, String>, Verify)>) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; cmds.len()];
        let mut ready = Vec::new();
        for (i, (cmd, verify)) in cmds.into_iter().enumerate() {
            match cmd {
                Ok(cmd) => {
                    eprintln!("  {workload}: {}", cmd.label);
                    let slug: String = format!("{workload}-{}", cmd.label)
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                        .collect();
                    ready.push((i, cmd, verify, slug));
                }
                Err(why) => {
                    let note = format!("Skipped: {why}.");
                    if !self.report.notes.contains(&note) {
                        self.report.notes.push(note);
                    }
                    if let Some(slot) = outcomes.get_mut(i) {
                        *slot = Some(Err(format!("skipped: {why}")));
                    }
                }
            }
        }
        let turns: Vec<(&str, &Cmd)> = ready.iter().map(|(_, cmd, _, slug)| (slug.as_str(), cmd)).collect();
        let measured = self.runner.measure_interleaved(&turns);
        for ((i, cmd, verify, _), outcome) in ready.iter().zip(measured) {
            // Messages name the workload by its file name, not its whole path.
            let mut outcome = outcome.map_err(|why| {
                cmd.args
                    .iter()
                    .map(Path::new)
                    .filter(|a| a.is_absolute())
                    .fold(why, |why, path| {
                        let name = path.file_name().unwrap_or(path.as_os_str()).to_string_lossy();
                        why.replace(&*path.to_string_lossy(), &name)
                    })
            });
            if outcome.is_ok() {
                if let Err(why) = self.verify(cmd, *verify) {
                    self.report
                        .notes
                        .push(format!("{} on {workload}: the output {why}.", cmd.label));
                    outcome = Err(format!("output {why}"));
                } else if !matches!(verify, Verify::Nothing) {
                    *self.verified.entry(cmd.label.clone()).or_default() += 1;
                }
            } else if let Err(why) = &outcome {
                self.report
                    .notes
                    .push(format!("{} on {workload} failed: {why}.", cmd.label));
            }
            if let Some(slot) = outcomes.get_mut(*i) {
                *slot = Some(outcome);
            }
        }
        for (_, cmd, _, _) in &ready {
            self.runner.clean(cmd);
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err("no run".into())))
            .collect()
    }

    fn verify(&self, cmd: &Cmd, verify: Verify) -> Result<(), String> {
        let outs = cmd.output_paths();
        if let Verify::EditedFolder { files } = verify {
            if outs.is_empty() {
                return Err("is missing (no run folder)".into());
            }
            for out in &outs {
                // The batch folder is flat, and so are its outputs.
                let found = std::fs::read_dir(out)
                    .map_err(|e| format!("cannot be read: {e}"))?
                    .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
                    .count();
                if found != files {
                    return Err(format!("holds {found} files in {} (input: {files})", out.display()));
                }
                self.check_edited(out)?;
            }
            return Ok(());
        }
        let Some(out) = outs.first() else { return Ok(()) };
        match verify {
            Verify::EditedFolder { .. } => Ok(()),
            Verify::Nothing => Ok(()),
            Verify::Edited => self.check_edited(out),
            Verify::Copied { entries, name, size } => {
                self.verify(cmd, Verify::Edited)?;
                let found = File::open(out).map_err(|e| e.to_string()).and_then(|f| {
                    let mut zip = zip::ZipArchive::new(f).map_err(|e| e.to_string())?;
                    let big = zip
                        .by_name(name)
                        .map(|e| e.size())
                        .map_err(|e| format!("{name}: {e}"))?;
                    Ok((zip.len() as u64, big))
                })?;
                if found == (entries, size) {
                    Ok(())
                } else {
                    Err(format!(
                        "holds {} entries and {name} of {} bytes (input: {entries}, {size})",
                        found.0, found.1
                    ))
                }
            }
        }
    }

    /// `procpatch check OUT` finds nothing left to change.
    fn check_edited(&self, out: &Path) -> Result<(), String> {
        match self.runner.status(&self.pp("check").arg(out)) {
            Ok(0) => Ok(()),
            Ok(code) => Err(format!("still needs edits (procpatch check exits {code})")),
            Err(e) => Err(e),
        }
    }

    /// The process's fixed cost, subtracted in the linearity checks.
    pub fn startup(&mut self) {
        let cmd = Cmd::new("procpatch --version", &self.procpatch).arg("--version");
        let outcome = self.run("startup", Ok(cmd), Verify::Nothing);
        self.report.startup = outcome.as_ref().ok().copied();
        self.report
            .rows
            .push(row("startup", "procpatch --version", &outcome, Vec::new()));
    }

    /// Large documents, zipped and bare: apply, check and inspect against
    /// the Python peer (≥ 4× faster), against inflating the document
    /// (`unzip -p` of its zipped form, for the bare one too: ≤ 4×; `cat`
    /// reported beside a bare one), and peak RSS ≤ 64 MiB + 2× the
    /// document; then cost per MiB across the sizes, net of each command's
    /// fixed cost: the same command on `smallest`, a document of the three
    /// user processes alone.
    pub fn docs(&mut self, docs: &[Doc], smallest: &Doc) {
        let mut series: Vec<Series> = Vec::new();
        for (form, input) in [("zip", &smallest.zipped), ("bare", &smallest.bare)] {
            let w = format!("doc {}, {form}", crate::report::size(smallest.bytes));
            let ext = if form == "zip" { "zip" } else { "bpmn20.xml" };
            let o_pp = self.out.join(format!("doc-smallest-procpatch.{ext}"));
            let outcomes = [
                ("apply", self.run(&w, Ok(self.apply(input, &o_pp)), Verify::Edited)),
                ("check", self.run(&w, Ok(self.check(input)), Verify::Nothing)),
                ("inspect", self.run(&w, Ok(self.inspect(input)), Verify::Nothing)),
            ];
            for (command, outcome) in outcomes {
                self.report
                    .rows
                    .push(row(&w, &format!("procpatch {command}"), &outcome, Vec::new()));
                series.push(Series {
                    command: format!("procpatch {command} ({form})"),
                    points: Vec::new(),
                    base: Some(outcome),
                });
            }
        }
        for doc in docs {
            for (form, input) in [("zip", &doc.zipped), ("bare", &doc.bare)] {
                let w = format!("doc {} MiB, {form}", doc.mib);
                let ext = if form == "zip" { "zip" } else { "bpmn20.xml" };
                let out = |who: &str| self.out.join(format!("doc-{}-{who}.{ext}", doc.mib));
                let (o_pp, o_py, o_sh, o_cp) = (out("procpatch"), out("python"), out("shell"), out("cp"));
                let apply = self.run(&w, Ok(self.apply(input, &o_pp)), Verify::Edited);
                let check = self.run(&w, Ok(self.check(input)), Verify::Nothing);
                let inspect = self.run(&w, Ok(self.inspect(input)), Verify::Nothing);
                let python = self.run(&w, self.python(input, &o_py), Verify::Edited);
                let shell = self.run(&w, self.shell(input, &o_sh), Verify::Edited);
                // The issue's peer is `unzip -p` of the same archive, for the
                // bare document too: the same document's zipped form. `cat`
                // is reported beside it.
                let reader = "unzip -p";
                let read = self.run(&w, self.unzip("-p", &doc.zipped), Verify::Nothing);
                let cat =
                    (form == "bare").then(|| self.run(&w, Ok(Cmd::new("cat", "cat").arg(input)), Verify::Nothing));
                let cp = self.run(&w, Ok(Self::cp(input, &o_cp)), Verify::Nothing);
                for (command, outcome) in [("apply", &apply), ("check", &check), ("inspect", &inspect)] {
                    let checks = vec![
                        faster(outcome, &python, "Python", 4.0),
                        at_most(outcome, &read, reader, 4.0),
                        rss_within(outcome, doc.bytes),
                    ];
                    self.report
                        .rows
                        .push(row(&w, &format!("procpatch {command}"), outcome, checks));
                    let label = format!("procpatch {command} ({form})");
                    let point = (mib(doc.bytes), outcome.clone());
                    match series.iter_mut().find(|s| s.command == label) {
                        Some(s) => s.points.push(point),
                        None => series.push(Series {
                            command: label,
                            points: vec![point],
                            base: None,
                        }),
                    }
                }
                for (command, outcome) in [
                    ("Python zipfile+lxml", &python),
                    ("unzip+xmlstarlet+zip", &shell),
                    (reader, &read),
                    ("cp", &cp),
                ] {
                    self.report.rows.push(row(&w, command, outcome, Vec::new()));
                }
                if let Some(cat) = &cat {
                    self.report.rows.push(row(&w, "cat", cat, Vec::new()));
                }
            }
        }
        self.report.linearity.push(Linearity {
            title: "Large document: cost per MiB across sizes".into(),
            unit: "MiB".into(),
            rss: true,
            base: format!(
                "the same command on a document of the three user processes alone ({}, the first rows of the \
                 table above)",
                crate::report::size(smallest.bytes)
            ),
            series,
        });
    }

    /// The large export: apply ≥ 2× faster than `unzip -tq`, the ratio to
    /// `cp` reported.
    pub fn export(&mut self, a: &Archive) {
        let w = format!("export, {} entries, {}", a.entries, crate::report::size(a.file_bytes));
        let input = &a.path;
        let out = |who: &str| self.out.join(format!("export-{who}.zip"));
        let (o_pp, o_py, o_sh, o_cp) = (out("procpatch"), out("python"), out("shell"), out("cp"));
        let apply = self.run(&w, Ok(self.apply(input, &o_pp)), Verify::Edited);
        let check = self.run(&w, Ok(self.check(input)), Verify::Nothing);
        let inspect = self.run(&w, Ok(self.inspect(input)), Verify::Nothing);
        let test = self.run(&w, self.unzip("-tq", input), Verify::Nothing);
        let cp = self.run(&w, Ok(Self::cp(input, &o_cp)), Verify::Nothing);
        let python = self.run(&w, self.python(input, &o_py), Verify::Edited);
        let shell = self.run(&w, self.shell(input, &o_sh), Verify::Edited);
        let rows = [
            row(
                &w,
                "procpatch apply",
                &apply,
                vec![faster(&apply, &test, "unzip -tq", 2.0), reported(&apply, &cp, "cp")],
            ),
            row(
                &w,
                "procpatch check",
                &check,
                vec![reported(&check, &test, "unzip -tq")],
            ),
            row(
                &w,
                "procpatch inspect",
                &inspect,
                vec![reported(&inspect, &test, "unzip -tq")],
            ),
            row(&w, "unzip -tq", &test, Vec::new()),
            row(&w, "cp", &cp, Vec::new()),
            row(&w, "Python zipfile+lxml", &python, vec![]),
            row(&w, "unzip+xmlstarlet+zip", &shell, vec![]),
        ];
        self.report.rows.extend(rows);
    }

    /// Many small entries at several counts: time per 1,000 entries must
    /// stay within the tolerance; the peers run on the largest count.
    pub fn many(&mut self, archives: &[Archive]) {
        let mut series: Vec<Series> = ["apply", "check", "inspect"]
            .iter()
            .map(|c| Series {
                command: format!("procpatch {c}"),
                points: Vec::new(),
                base: None,
            })
            .collect();
        let mut last = None;
        for a in archives {
            let w = format!("many, {} entries", a.entries);
            let o_pp = self.out.join("many-procpatch.zip");
            let outcomes = [
                self.run(&w, Ok(self.apply(&a.path, &o_pp)), Verify::Edited),
                self.run(&w, Ok(self.check(&a.path)), Verify::Nothing),
                self.run(&w, Ok(self.inspect(&a.path)), Verify::Nothing),
            ];
            for (s, outcome) in series.iter_mut().zip(&outcomes) {
                s.points.push((a.entries as f64 / 1000.0, outcome.clone()));
            }
            last = Some((a, w, outcomes));
        }
        let Some((a, w, outcomes)) = last else { return };
        let lin = Linearity {
            title: "Many entries: time per 1,000 entries across counts".into(),
            unit: "1,000 entries".into(),
            rss: false,
            base: "`procpatch --version`".into(),
            series,
        };
        let out = |who: &str| self.out.join(format!("many-{who}.zip"));
        let (o_py, o_sh, o_cp) = (out("python"), out("shell"), out("cp"));
        let test = self.run(&w, self.unzip("-tq", &a.path), Verify::Nothing);
        let cp = self.run(&w, Ok(Self::cp(&a.path, &o_cp)), Verify::Nothing);
        let python = self.run(&w, self.python(&a.path, &o_py), Verify::Edited);
        let shell = self.run(&w, self.shell(&a.path, &o_sh), Verify::Edited);
        let counts: Vec<String> = archives.iter().map(|a| a.entries.to_string()).collect();
        for (s, outcome) in lin.series.iter().zip(&outcomes) {
            let linear = Check {
                ratio: "see the table below".into(),
                target: format!("linear time ({} entries)", counts.join(", ")),
                met: self.report.linear(&lin, s),
            };
            let checks = vec![linear, reported(outcome, &test, "unzip -tq")];
            self.report.rows.push(row(&w, &s.command, outcome, checks));
        }
        for (command, outcome) in [
            ("unzip -tq", &test),
            ("cp", &cp),
            ("Python zipfile+lxml", &python),
            ("unzip+xmlstarlet+zip", &shell),
        ] {
            self.report.rows.push(row(&w, command, outcome, Vec::new()));
        }
        self.report.linearity.push(lin);
    }

    /// A folder of small archives: `-j 2` at least 1.8× faster than `-j 1`,
    /// once `apply` has `-j`. Each run writes into a folder of its own
    /// (`Cmd::fresh_output`), as an administrator's first run does, and the
    /// two thread counts take turns; the outputs are removed after both.
    pub fn batch(&mut self, b: &Batch) {
        let w = format!("batch, {} archives", b.archives);
        let folder = Verify::EditedFolder {
            files: usize::try_from(b.archives).unwrap_or(usize::MAX),
        };
        let apply = |jobs: Option<&str>| {
            let out = self.out.join(format!("batch-procpatch-{}", jobs.unwrap_or("default")));
            let cmd = self.pp("apply").arg(&b.dir).arg("--out-dir").fresh_output(&out);
            match jobs {
                Some(j) => Cmd {
                    label: format!("procpatch apply -j {j}"),
                    ..cmd.args(["-j", j])
                },
                None => cmd,
            }
        };
        if self.jobs {
            let (one, two) = (apply(Some("1")), apply(Some("2")));
            let mut both = self
                .run_in_turns(&w, vec![(Ok(one), folder), (Ok(two), folder)])
                .into_iter();
            let one = both.next().unwrap_or_else(|| Err("no run".into()));
            let two = both.next().unwrap_or_else(|| Err("no run".into()));
            let speedup = match (&one, &two) {
                (Ok(a), Ok(b)) => {
                    let r = a.secs() / b.secs().max(1e-9);
                    Check {
                        ratio: speed(r, "-j 1"),
                        target: "≥ 1.8× faster than -j 1".into(),
                        met: Verdict::from_bool(r >= 1.8),
                    }
                }
                _ => Check {
                    ratio: String::new(),
                    target: "≥ 1.8× faster than -j 1".into(),
                    met: Verdict::NotAvailable("a run failed".into()),
                },
            };
            self.report.rows.push(row(&w, "procpatch apply -j 1", &one, Vec::new()));
            self.report
                .rows
                .push(row(&w, "procpatch apply -j 2", &two, vec![speedup]));
        } else {
            let default = self.run(&w, Ok(apply(None)), folder);
            let na = Check {
                ratio: String::new(),
                target: "-j 2 ≥ 1.8× faster than -j 1".into(),
                met: Verdict::NotAvailable("`apply` has no -j yet".into()),
            };
            self.report
                .rows
                .push(row(&w, "procpatch apply (default threads)", &default, vec![na]));
            self.report.notes.push(
                "`procpatch apply --help` shows no -j/--jobs: the batch -j 1 vs -j 2 comparison is not available."
                    .into(),
            );
        }
        let check = self.run(&w, Ok(self.check(&b.dir)), Verify::Nothing);
        let cp = Cmd::new("cp", "cp")
            .arg("-r")
            .arg(&b.dir)
            .fresh_output(&self.out.join("batch-cp"));
        let cp = self.run(&w, Ok(cp), Verify::Nothing);
        self.report.rows.push(row(&w, "procpatch check", &check, Vec::new()));
        self.report.rows.push(row(&w, "cp -r", &cp, Vec::new()));
        if std::thread::available_parallelism().map_or(0, |n| n.get()) < 2 {
            self.report
                .notes
                .push("Fewer than 2 cores: the batch speed-up cannot show.".into());
        }
    }

    /// An untouched entry of zeros (about 1000:1) is copied, not refused.
    pub fn zeros(&mut self, a: &Archive, zero_mib: u64) {
        let w = format!("export with {zero_mib} MiB of zeros");
        let copied = Verify::Copied {
            entries: a.entries,
            name: crate::workloads::ZEROS_ENTRY,
            size: zero_mib * MIB,
        };
        let apply = self.run(
            &w,
            Ok(self.apply(&a.path, &self.out.join("zeros-procpatch.zip"))),
            copied,
        );
        let check = self.run(&w, Ok(self.check(&a.path)), Verify::Nothing);
        let test = self.run(&w, self.unzip("-tq", &a.path), Verify::Nothing);
        let cp = self.run(
            &w,
            Ok(Self::cp(&a.path, &self.out.join("zeros-cp.zip"))),
            Verify::Nothing,
        );
        let done = Check {
            ratio: if apply.is_ok() {
                "edited, every entry copied"
            } else {
                "failed (see the notes)"
            }
            .into(),
            target: "edited and copied, never refused".into(),
            met: Verdict::from_bool(apply.is_ok()),
        };
        self.report.rows.push(row(
            &w,
            "procpatch apply",
            &apply,
            vec![done, reported(&apply, &cp, "cp")],
        ));
        self.report.rows.push(row(&w, "procpatch check", &check, Vec::new()));
        self.report.rows.push(row(&w, "unzip -tq", &test, Vec::new()));
        self.report.rows.push(row(&w, "cp", &cp, Vec::new()));
    }

    /// The report, with a note on the outputs checked.
    pub fn finish(mut self) -> Report {
        if !self.verified.is_empty() {
            let counts: Vec<String> = self.verified.iter().map(|(label, n)| format!("{label} ×{n}")).collect();
            self.report.notes.push(format!(
                "Outputs checked after the runs (untimed) with `procpatch check`: nothing left to change \
                 (and for the zeros, every entry there, the zeros whole): {}.",
                counts.join(", ")
            ));
        }
        self.report
    }
}
