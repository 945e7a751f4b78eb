//! Running a command several times: the minimum wall time, and the CPU time
//! and peak RSS from GNU time.
//!
//! Wall time is taken here, around the child (`Instant` before spawning,
//! after `wait`): GNU time's own `%e` has a resolution of 10 ms. Peak RSS is
//! GNU time's `%M`, the `ru_maxrss` that `wait4` reports for the child: the
//! kernel's exact high-water mark of the largest process in the command's
//! tree (for a script, its biggest tool, not the sum), with no sampling that
//! could miss a short peak; the harness itself needs no `unsafe` for it (the
//! workspace forbids it). CPU time is the run's wall time times GNU time's
//! `%P`, the user and system time of the command (all its threads, and the
//! children it waited for) as a whole percentage of its elapsed time, which
//! GNU time works out to the millisecond: its `%U` and `%S` are cut to
//! steps of 10 ms, more than a short command takes. Beside the wall time it
//! shows how much of the machine a command used. The GNU time process adds
//! about 0.6 ms to every command alike.

use std::ffi::OsString;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

/// A command to time.
#[derive(Debug, Clone)]
pub struct Cmd {
    /// What the report calls it: `procpatch apply`, `unzip -tq`, …
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The exit codes that mean success (`procpatch check` exits 1 while an
    /// edit is needed).
    pub expect: Vec<i32>,
    /// Outputs removed before each run (files or folders), untimed.
    pub outputs: Vec<PathBuf>,
    /// An output folder new for every run: the argument at this index is
    /// replaced by `base/run-N`, the first such name not there yet, and
    /// nothing is removed between runs (see [`Cmd::fresh_output`]).
    pub fresh: Option<(usize, PathBuf)>,
    /// The fresh output folders this harness made for the command's runs
    /// (not those an earlier harness left), for the checks.
    pub made: Arc<Mutex<Vec<PathBuf>>>,
}

impl Cmd {
    pub fn new(label: impl Into<String>, program: impl Into<PathBuf>) -> Self {
        Cmd {
            label: label.into(),
            program: program.into(),
            args: Vec::new(),
            expect: vec![0],
            outputs: Vec::new(),
            fresh: None,
            made: Arc::default(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An output path, also passed as the next argument.
    pub fn output(mut self, path: &Path) -> Self {
        self.outputs.push(path.to_path_buf());
        self.arg(path)
    }

    /// An output folder, also passed as the next argument, that each run
    /// writes anew under `base` and that is removed only by
    /// [`Runner::clean`]. On ext4 without a journal (this machine's disk)
    /// creating files shortly after deleting others costs the kernel a
    /// walk past each recently deleted inode (`recently_deleted`), under
    /// the folder's lock: removing 1,000 outputs before every run made the
    /// next run pay for the harness's own deletions.
    pub fn fresh_output(mut self, base: &Path) -> Self {
        self.fresh = Some((self.args.len(), base.to_path_buf()));
        self.arg(base)
    }

    /// Where the outputs are, to check them: the folders of this
    /// harness's runs for a fresh output, or the first output.
    pub fn output_paths(&self) -> Vec<PathBuf> {
        match &self.fresh {
            Some(_) => self.made.lock().map(|m| m.clone()).unwrap_or_default(),
            None => self.outputs.first().cloned().into_iter().collect(),
        }
    }

    pub fn expect(mut self, codes: &[i32]) -> Self {
        self.expect = codes.to_vec();
        self
    }
}

/// What several runs of a command gave.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// The fastest run.
    pub min: Duration,
    /// The largest peak RSS of all runs, in KiB; `None` without GNU time.
    pub rss_kib: Option<u64>,
    /// The CPU time (user + system) of the fastest run; `None` without GNU
    /// time, or when it could not tell.
    pub cpu: Option<Duration>,
}

impl Measured {
    pub fn secs(&self) -> f64 {
        self.min.as_secs_f64()
    }

    pub fn rss_mib(&self) -> Option<f64> {
        self.rss_kib.map(|k| k as f64 / 1024.0)
    }

    /// Two measurements of one command as one: the faster run's time and
    /// CPU time, the larger peak RSS.
    fn with(self, other: Measured) -> Measured {
        let faster = if other.min < self.min { other } else { self };
        Measured {
            rss_kib: self.rss_kib.max(other.rss_kib),
            ..faster
        }
    }
}

/// What GNU time printed with `-f "%M %P"`: the peak RSS in KiB, and the
/// CPU time as a percentage of the elapsed time (`None` when GNU time
/// could not tell: "?%" for an elapsed time of zero). It writes "Command
/// exited with non-zero status N" first when the command fails, so the
/// figures are on the last line.
fn parse_time(text: &str) -> Result<(u64, Option<u32>), String> {
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let bad = || format!("GNU time printed {last:?}");
    let fields: Vec<&str> = last.split_whitespace().collect();
    let [rss, percent] = fields[..] else {
        return Err(bad());
    };
    let rss = rss.parse::<u64>().map_err(|_| bad())?;
    let percent = match percent.strip_suffix('%').ok_or_else(bad)? {
        "?" => None,
        p => Some(p.parse::<u32>().map_err(|_| bad())?),
    };
    Ok((rss, percent))
}

/// A measurement, or why there is none (the command failed, or a tool is
/// missing).
pub type Outcome = Result<Measured, String>;

/// A command whose fastest run takes less than this is run more often.
pub const SHORT: Duration = Duration::from_millis(100);

/// The time a short command's runs may add up to.
const SHORT_BUDGET: Duration = Duration::from_secs(1);

/// A short command runs at most this many times `runs`.
pub const SHORT_FACTOR: usize = 4;

/// Runs commands: `runs` times each (more for a short one), under GNU time
/// when there is one.
#[derive(Debug)]
pub struct Runner {
    pub runs: usize,
    /// A command faster than this takes more runs ([`SHORT`]).
    pub short: Duration,
    /// What a short command's runs may add up to ([`SHORT_BUDGET`]).
    pub budget: Duration,
    time: Option<PathBuf>,
    logs: PathBuf,
    /// Extra environment for the children (`TMPDIR` in the work folder).
    env: Vec<(String, PathBuf)>,
}

fn remove(path: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(_) => Ok(()),
    }
}

impl Runner {
    pub fn new(runs: usize, time: Option<PathBuf>, logs: &Path, tmp: &Path) -> Result<Self> {
        fs::create_dir_all(logs)?;
        fs::create_dir_all(tmp)?;
        Ok(Runner {
            runs: runs.max(1),
            short: SHORT,
            budget: SHORT_BUDGET,
            time,
            logs: logs.to_path_buf(),
            env: vec![("TMPDIR".into(), tmp.to_path_buf())],
        })
    }

    /// Runs commands in turns, `runs` rounds of one run of each, so that
    /// whatever drifts on the machine meanwhile (the disk's writeback, other
    /// work) falls on all of them alike; keeps each one's fastest run. A
    /// command whose fastest run is short (`short`) takes more rounds
    /// ([`Runner::runs_for`]). A command's first failure ends its runs, not
    /// the others'.
    pub fn measure_interleaved(&self, cmds: &[(&str, &Cmd)]) -> Vec<Outcome> {
        let mut best: Vec<Option<Outcome>> = vec![None; cmds.len()];
        let mut done = vec![0usize; cmds.len()];
        for run in 1.. {
            // ABBA: each command goes first as often as last, so what one
            // run leaves to the disk's writeback falls on both alike.
            let mut order: Vec<_> = cmds.iter().zip(best.iter_mut()).zip(done.iter_mut()).collect();
            if run % 2 == 0 {
                order.reverse();
            }
            let mut ran = false;
            for (((slug, cmd), best), done) in order {
                let wanted = self.runs_for(best.as_ref());
                if matches!(best, Some(Err(_))) || *done >= wanted {
                    continue;
                }
                eprintln!("    {} ({run}/{wanted})", cmd.label);
                let one = self.once(slug, cmd);
                *done += 1;
                ran = true;
                *best = Some(match (best.take(), one) {
                    (_, Err(why)) => Err(why),
                    (Some(Ok(b)), Ok(one)) => Ok(b.with(one)),
                    (_, Ok(one)) => Ok(one),
                });
            }
            if !ran {
                break;
            }
        }
        best.into_iter()
            .map(|b| b.unwrap_or_else(|| Err("no run".to_string())))
            .collect()
    }

    /// How many runs a command takes, given its fastest so far: `runs`, or
    /// for a short command as many as fit in `budget`, between
    /// `runs` and [`SHORT_FACTOR`] × `runs`. A run of 10 ms moves by a
    /// millisecond or two from a page fault or a thread's wake-up, which is
    /// nothing to a run of seconds; more runs let its minimum settle.
    fn runs_for(&self, best: Option<&Outcome>) -> usize {
        match best {
            Some(Ok(m)) if m.min < self.short => {
                let fit = self.budget.as_nanos() / m.min.as_nanos().max(1);
                usize::try_from(fit)
                    .unwrap_or(usize::MAX)
                    .clamp(self.runs, self.runs.saturating_mul(SHORT_FACTOR))
            }
            _ => self.runs,
        }
    }

    /// The arguments of one run: a fresh output folder's argument becomes
    /// the first `base/run-N` not there yet (earlier runs' and an earlier
    /// harness's outputs stay until [`Runner::clean`]).
    fn args_of_run(cmd: &Cmd) -> Result<Vec<OsString>, String> {
        let mut args = cmd.args.clone();
        if let Some((at, base)) = &cmd.fresh {
            fs::create_dir_all(base).map_err(|e| format!("{}: {e}", base.display()))?;
            let dir = (1..)
                .map(|n| base.join(format!("run-{n}")))
                .find(|d| fs::symlink_metadata(d).is_err())
                .ok_or("no free run folder")?;
            if let Ok(mut made) = cmd.made.lock() {
                made.push(dir.clone());
            }
            if let Some(arg) = args.get_mut(*at) {
                *arg = dir.into_os_string();
            }
        }
        Ok(args)
    }

    /// Runs `cmd` once, untimed, and returns its exit code (for checks of a
    /// peer's output).
    pub fn status(&self, cmd: &Cmd) -> Result<i32, String> {
        Command::new(&cmd.program)
            .args(&cmd.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.code().unwrap_or(-1))
            .map_err(|e| format!("{}: {e}", cmd.program.display()))
    }

    fn once(&self, slug: &str, cmd: &Cmd) -> Outcome {
        for out in &cmd.outputs {
            remove(out).map_err(|e| format!("removing {}: {e}", out.display()))?;
        }
        let args = Self::args_of_run(cmd)?;
        let err_path = self.logs.join(format!("{slug}.stderr"));
        let rss_path = self.logs.join(format!("{slug}.rss"));
        let stderr = File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
        let mut command = match &self.time {
            Some(time) => {
                let mut c = Command::new(time);
                c.args(["-f", "%M %P", "-o"]).arg(&rss_path).arg(&cmd.program);
                c
            }
            None => Command::new(&cmd.program),
        };
        command
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let start = Instant::now();
        let status = command
            .status()
            .map_err(|e| format!("{}: {e}", cmd.program.display()))?;
        let elapsed = start.elapsed();
        let code = status.code().unwrap_or(-1);
        if !cmd.expect.contains(&code) {
            let log = fs::read_to_string(&err_path).unwrap_or_default();
            let why = log.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            return Err(format!("exit {code}: {}", why.trim()));
        }
        let (rss_kib, cpu) = match &self.time {
            Some(_) => {
                let text = fs::read_to_string(&rss_path).map_err(|e| format!("{}: {e}", rss_path.display()))?;
                let (rss, percent) = parse_time(&text)?;
                (Some(rss), percent.map(|p| elapsed.mul_f64(f64::from(p) / 100.0)))
            }
            None => (None, None),
        };
        Ok(Measured {
            min: elapsed,
            rss_kib,
            cpu,
        })
    }

    /// Removes a command's outputs once it is measured and checked (disk
    /// space), fresh output folders included.
    pub fn clean(&self, cmd: &Cmd) {
        for out in cmd.outputs.iter().chain(cmd.fresh.as_ref().map(|(_, base)| base)) {
            let _ = remove(out);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_command_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner::new(2, None, &dir.path().join("logs"), &dir.path().join("tmp")).unwrap();
        let measure = |cmd: &Cmd| runner.measure_interleaved(&[("cmd", cmd)]).pop().unwrap();
        let ok = measure(&Cmd::new("true", "true")).unwrap();
        assert!(ok.rss_kib.is_none() && ok.cpu.is_none());
        let cmd = Cmd::new("sh", "sh").args(["-c", "echo broken >&2; exit 3"]);
        assert_eq!(measure(&cmd).unwrap_err(), "exit 3: broken");
        assert!(measure(&cmd.expect(&[3])).is_ok());
    }

    /// A command faster than `short` runs until its runs add up to about a
    /// second, at most four times `runs`; a slower one runs `runs` times.
    #[test]
    fn a_short_command_takes_more_runs_than_a_long_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut runner = Runner::new(3, None, &dir.path().join("logs"), &dir.path().join("tmp")).unwrap();
        let counted = |who: &str| {
            let log = dir.path().join(who);
            Cmd::new(who, "sh").args(["-c", &format!("echo >> {}", log.display())])
        };
        let runs = |who: &str| fs::read_to_string(dir.path().join(who)).unwrap().lines().count();
        // Well under a minute, this `sh` is short, and an hour's budget
        // holds more runs than the most: 3 × SHORT_FACTOR runs.
        runner.short = Duration::from_secs(60);
        runner.budget = Duration::from_secs(3600);
        let (a, b) = (counted("a"), counted("b"));
        let all = runner.measure_interleaved(&[("a", &a), ("b", &b)]);
        assert!(all.iter().all(Result::is_ok), "{all:?}");
        assert_eq!((runs("a"), runs("b")), (3 * SHORT_FACTOR, 3 * SHORT_FACTOR));
        // Nothing is short: 3 runs.
        runner.short = Duration::ZERO;
        let c = counted("c");
        runner.measure_interleaved(&[("c", &c)]);
        assert_eq!(runs("c"), 3);
        // A short command that fails stops at its first run.
        runner.short = Duration::from_secs(60);
        let fails = Cmd::new("fails", "sh").args([
            "-c",
            "echo >> \"$0\"; exit 3",
            &dir.path().join("f").display().to_string(),
        ]);
        assert!(runner.measure_interleaved(&[("f", &fails)])[0].is_err());
        assert_eq!(runs("f"), 1);
    }

    #[test]
    fn fresh_outputs_are_new_for_every_run_in_turns_and_kept_until_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let mut runner = Runner::new(3, None, &dir.path().join("logs"), &dir.path().join("tmp")).unwrap();
        // Every command counts as long: three runs each.
        runner.short = Duration::ZERO;
        let base = dir.path().join("out");
        // Left by an earlier harness: kept, and the runs go around it.
        fs::create_dir_all(base.join("run-2")).unwrap();
        let writes = |who: &str| {
            Cmd::new(who, "sh")
                .args(["-c", &format!("mkdir \"$0\" && echo {who} > \"$0\"/who")])
                .fresh_output(&base)
        };
        let (a, b) = (writes("a"), writes("b"));
        let fails = Cmd::new("fails", "sh").args(["-c", "exit 3"]);
        let all = runner.measure_interleaved(&[("a", &a), ("fails", &fails), ("b", &b)]);
        assert!(all[0].is_ok() && all[2].is_ok(), "{all:?}");
        assert_eq!(all[1].as_ref().unwrap_err(), "exit 3: no message");
        let who = |n: usize| fs::read_to_string(base.join(format!("run-{n}")).join("who")).ok();
        let order: Vec<Option<String>> = (1..=8).map(who).collect();
        // Rounds in turns, the second reversed: a (run-2 is taken), fails,
        // b; b, a (fails has stopped); a, b.
        let expected = ["a", "", "b", "b", "a", "a", "b", ""];
        let expected: Vec<Option<String>> = expected
            .iter()
            .map(|w| (!w.is_empty()).then(|| format!("{w}\n")))
            .collect();
        assert_eq!(order, expected);
        assert!(base.join("run-2").is_dir() && !base.join("run-8").exists());
        let made = |c: &Cmd| {
            c.output_paths()
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(made(&a), ["run-1", "run-5", "run-6"]);
        assert_eq!(made(&b), ["run-3", "run-4", "run-7"]);
        runner.clean(&a);
        assert!(!base.exists());
    }

    #[test]
    fn gnu_time_gives_the_peak_rss() {
        let Ok(tools) = crate::peers::Tools::detect(None).time else {
            return; // GNU time not installed: nothing to check
        };
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner::new(1, Some(tools), &dir.path().join("logs"), &dir.path().join("tmp")).unwrap();
        // dd reads into one 40 MiB buffer: its peak RSS is at least that.
        let cmd = Cmd::new("dd", "dd").args(["if=/dev/zero", "of=/dev/null", "bs=41943040", "count=1"]);
        let m = runner.measure_interleaved(&[("dd", &cmd)]).pop().unwrap().unwrap();
        let rss = m.rss_kib.unwrap();
        assert!(rss >= 40 * 1024, "{rss} KiB");
        // One thread: no more CPU time than wall time, and some.
        let cpu = m.cpu.unwrap();
        assert!(cpu > Duration::ZERO && cpu <= m.min, "{cpu:?} in {:?}", m.min);
    }

    /// Runs merged: the fastest run's time and CPU time, whichever came
    /// first, and the largest peak RSS of any.
    #[test]
    fn runs_merge_into_the_fastest_and_the_largest_peak() {
        let ms = Duration::from_millis;
        let run = |min: u64, rss_kib: Option<u64>, cpu: Option<u64>| Measured {
            min: ms(min),
            rss_kib,
            cpu: cpu.map(ms),
        };
        let merged = run(30, Some(900), Some(50)).with(run(20, Some(700), Some(60)));
        assert_eq!(
            (merged.min, merged.rss_kib, merged.cpu),
            (ms(20), Some(900), Some(ms(60)))
        );
        let merged = run(20, Some(700), None).with(run(30, Some(900), Some(10)));
        assert_eq!((merged.min, merged.rss_kib, merged.cpu), (ms(20), Some(900), None));
        let merged = run(20, None, None).with(run(20, Some(5), Some(10)));
        assert_eq!((merged.min, merged.rss_kib, merged.cpu), (ms(20), Some(5), None));
    }

    #[test]
    fn gnu_times_figures_are_read_from_its_last_line() {
        assert_eq!(parse_time("5120 185%\n"), Ok((5120, Some(185))));
        assert_eq!(
            parse_time("Command exited with non-zero status 1\n3968 99%\n"),
            Ok((3968, Some(99)))
        );
        assert_eq!(parse_time("2100 ?%"), Ok((2100, None)));
        for bad in ["", "5120", "5120 185", "5120 x%", "5120 185% 9", "-1 10%", "1 -5%"] {
            assert_eq!(parse_time(bad), Err(format!("GNU time printed {bad:?}")), "{bad}");
        }
    }
}
