//! The report: one Markdown table of measurements and targets, the
//! linearity tables, and notes (missing tools, peers' outputs checked).

use std::fmt::Write as _;
use std::fs;

use crate::measure::{Measured, Outcome};

/// Whether a target is met.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Yes,
    No,
    /// Cannot be judged, and why (a peer is missing, a command failed).
    NotAvailable(String),
    /// A ratio reported without a target.
    Reported,
}

impl Verdict {
    pub fn from_bool(met: bool) -> Self {
        if met {
            Verdict::Yes
        } else {
            Verdict::No
        }
    }

    fn cell(&self) -> String {
        match self {
            Verdict::Yes => "yes".into(),
            Verdict::No => "**no**".into(),
            Verdict::NotAvailable(why) => format!("n/a: {why}"),
            Verdict::Reported => "–".into(),
        }
    }
}

/// One target of one command: the ratio measured, the target, the verdict.
#[derive(Debug, Clone)]
pub struct Check {
    pub ratio: String,
    pub target: String,
    pub met: Verdict,
}

/// A command as measured on a workload, with its targets (none for peers).
#[derive(Debug, Clone)]
pub struct Row {
    pub workload: String,
    pub command: String,
    pub outcome: Outcome,
    pub checks: Vec<Check>,
}

/// One command measured at several sizes.
#[derive(Debug, Clone)]
pub struct Series {
    pub command: String,
    /// (size in the table's unit, outcome)
    pub points: Vec<(f64, Outcome)>,
    /// The command's fixed cost: the same command on the smallest input,
    /// subtracted from every point; without it, `procpatch --version`'s.
    pub base: Option<Outcome>,
}

/// Cost per unit at each size, against the median of the sizes.
#[derive(Debug, Clone)]
pub struct Linearity {
    pub title: String,
    /// "MiB", "1,000 entries"
    pub unit: String,
    /// Whether RSS per unit is a target too (time always is).
    pub rss: bool,
    /// What is subtracted as the fixed cost, for the text above the table.
    pub base: String,
    pub series: Vec<Series>,
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub linearity: Vec<Linearity>,
    pub notes: Vec<String>,
    /// `procpatch --version`: the fixed cost subtracted for the linearity
    /// check.
    pub startup: Option<Measured>,
}

/// Allowed spread around the median, per unit.
pub const LINEAR_TOLERANCE: f64 = 0.30;

pub fn secs(s: f64) -> String {
    if s < 0.1 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.3} s")
    }
}

fn cpu(m: &Measured) -> String {
    m.cpu.map_or_else(|| "–".to_string(), |c| secs(c.as_secs_f64()))
}

fn rss(m: &Measured) -> String {
    m.rss_mib().map_or_else(|| "–".to_string(), |r| format!("{r:.1} MiB"))
}

/// A size in KiB below 1 MiB, else in MiB.
pub fn size(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

/// A table cell: no line breaks or pipes.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The middle value (mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => v.get(mid).copied(),
        _ => Some((v.get(mid - 1)? + v.get(mid)?) / 2.0),
    }
}

/// `value` against `median`, as a signed fraction.
fn spread(value: f64, median: f64) -> f64 {
    if median > 0.0 {
        value / median - 1.0
    } else {
        0.0
    }
}

fn pct(f: f64) -> String {
    format!("{:+.0}%", f * 100.0)
}

/// Per-unit costs of one point: raw and net of the startup cost.
#[derive(Debug, Clone, Copy)]
struct PerUnit {
    time: f64,
    time_net: f64,
    rss: Option<f64>,
    rss_net: Option<f64>,
}

impl Report {
    fn per_unit(&self, size: f64, m: &Measured, series: &Series) -> PerUnit {
        let base = match &series.base {
            Some(Ok(base)) => Some(*base),
            _ => self.startup,
        };
        let base_time = base.map_or(0.0, |s| s.secs());
        let base_rss = base.and_then(|s| s.rss_mib()).unwrap_or(0.0);
        PerUnit {
            time: m.secs() / size,
            time_net: (m.secs() - base_time).max(0.0) / size,
            rss: m.rss_mib().map(|r| r / size),
            rss_net: m.rss_mib().map(|r| (r - base_rss).max(0.0) / size),
        }
    }

    /// Whether every point of a series is within the tolerance (net of
    /// startup), or why that cannot be said.
    pub fn linear(&self, lin: &Linearity, series: &Series) -> Verdict {
        let points: Vec<PerUnit> = series
            .points
            .iter()
            .filter_map(|(size, o)| o.as_ref().ok().map(|m| self.per_unit(*size, m, series)))
            .collect();
        if points.len() < series.points.len() {
            return Verdict::NotAvailable("a size failed".into());
        }
        if series.base.as_ref().is_some_and(|b| b.is_err()) {
            return Verdict::NotAvailable("the smallest input failed".into());
        }
        if points.len() < 2 {
            return Verdict::NotAvailable("one size only".into());
        }
        let times: Vec<f64> = points.iter().map(|p| p.time_net).collect();
        let rsses: Vec<f64> = points.iter().filter_map(|p| p.rss_net).collect();
        let within = |values: &[f64]| {
            median(values).is_some_and(|m| values.iter().all(|v| spread(*v, m).abs() <= LINEAR_TOLERANCE))
        };
        let rss_ok = !lin.rss || rsses.len() < points.len() || within(&rsses);
        Verdict::from_bool(within(&times) && rss_ok)
    }

    /// The whole report, in Markdown.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for line in &self.header {
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(
            s,
            "\n| workload | command | min time | CPU | peak RSS | ratio | target | met |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---|---|---|");
        let mut last_workload = "";
        for row in &self.rows {
            let workload = if row.workload == last_workload {
                ""
            } else {
                row.workload.as_str()
            };
            last_workload = &row.workload;
            let (time, used, peak) = match &row.outcome {
                Ok(m) => (secs(m.secs()), cpu(m), rss(m)),
                Err(why) if why.starts_with("skipped") => ("skipped (see the notes)".into(), "–".into(), "–".into()),
                Err(why) => (format!("failed ({})", cell(why)), "–".into(), "–".into()),
            };
            let mut checks = row.checks.iter();
            let first = checks.next();
            let (ratio, target, met) = first.map_or((String::new(), String::new(), String::new()), |c| {
                (cell(&c.ratio), cell(&c.target), c.met.cell())
            });
            let _ = writeln!(
                s,
                "| {} | {} | {time} | {used} | {peak} | {ratio} | {target} | {met} |",
                cell(workload),
                cell(&row.command)
            );
            for c in checks {
                let _ = writeln!(
                    s,
                    "| | | | | | {} | {} | {} |",
                    cell(&c.ratio),
                    cell(&c.target),
                    c.met.cell()
                );
            }
        }
        for lin in &self.linearity {
            self.render_linearity(&mut s, lin);
        }
        if !self.notes.is_empty() {
            let _ = writeln!(s, "\nNotes:\n");
            for note in &self.notes {
                let _ = writeln!(s, "- {note}");
            }
        }
        s
    }

    fn render_linearity(&self, s: &mut String, lin: &Linearity) {
        let u = &lin.unit;
        let _ = writeln!(s, "\n### {}\n", lin.title);
        let _ = writeln!(
            s,
            "Per {u}, raw and net of {} (the command's fixed cost); Δ is the net value against the median of the \
             sizes, and a size is within the target at ±{:.0}%{}.\n",
            lin.base,
            LINEAR_TOLERANCE * 100.0,
            if lin.rss { " in both time and RSS" } else { " in time" }
        );
        let _ = writeln!(
            s,
            "| command | size ({u}) | time/{u} | net | Δ | RSS/{u} | net | Δ | within |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for series in &lin.series {
            let points: Vec<(f64, Result<PerUnit, &String>)> = series
                .points
                .iter()
                .map(|(size, o)| (*size, o.as_ref().map(|m| self.per_unit(*size, m, series))))
                .collect();
            let ok: Vec<PerUnit> = points.iter().filter_map(|(_, p)| p.as_ref().ok().copied()).collect();
            let time_median = median(&ok.iter().map(|p| p.time_net).collect::<Vec<_>>()).unwrap_or(0.0);
            let rss_median = median(&ok.iter().filter_map(|p| p.rss_net).collect::<Vec<_>>()).unwrap_or(0.0);
            for (size, point) in &points {
                let size = if size.fract() == 0.0 {
                    format!("{size:.0}")
                } else {
                    format!("{size:.2}")
                };
                match point {
                    Ok(p) => {
                        let dt = spread(p.time_net, time_median);
                        let dr = p.rss_net.map(|r| spread(r, rss_median));
                        let within = dt.abs() <= LINEAR_TOLERANCE
                            && (!lin.rss || dr.is_none_or(|d| d.abs() <= LINEAR_TOLERANCE));
                        let mib = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{v:.2} MiB"));
                        let _ = writeln!(
                            s,
                            "| {} | {size} | {} | {} | {} | {} | {} | {} | {} |",
                            cell(&series.command),
                            secs(p.time),
                            secs(p.time_net),
                            pct(dt),
                            mib(p.rss),
                            mib(p.rss_net),
                            dr.map_or_else(|| "–".into(), pct),
                            Verdict::from_bool(within).cell()
                        );
                    }
                    Err(why) => {
                        let _ = writeln!(
                            s,
                            "| {} | {size} | failed ({}) | | | | | | |",
                            cell(&series.command),
                            cell(why)
                        );
                    }
                }
            }
            let _ = writeln!(
                s,
                "| {} | all | | | | | | | {} |",
                cell(&series.command),
                self.linear(lin, series).cell()
            );
        }
    }

    /// Writes the report to `path` as well.
    pub fn write(&self, path: &std::path::Path) -> std::io::Result<()> {
        fs::write(path, self.render())
    }
}

/// Today's date (UTC), from the system clock: `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`), so that no date crate is needed for one line.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The machine, in one line: CPU, cores, memory, kernel, distribution.
pub fn machine() -> String {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, v)| v.trim())
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = read("/proc/meminfo");
    let mem_gib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or_else(
            || "? GiB".to_string(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
    let os_release = read("/etc/os-release");
    let os = os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or("unknown OS", |v| v.trim_matches('"'))
        .to_string();
    format!("{cpu}, {cores} cores available, {mem_gib} RAM, Linux {kernel}, {os}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_860), (2024, 5, 17));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    fn m(secs: f64, rss_mib: u64) -> Outcome {
        Ok(Measured {
            min: Duration::from_secs_f64(secs),
            rss_kib: Some(rss_mib * 1024),
            cpu: Some(Duration::from_secs_f64(secs * 1.5)),
        })
    }

    #[test]
    fn linearity_is_judged_net_of_startup() {
        let report = Report {
            startup: m(0.001, 4).ok(),
            ..Report::default()
        };
        let lin = |points: Vec<(f64, Outcome)>| Linearity {
            title: String::new(),
            unit: "MiB".into(),
            rss: true,
            base: String::new(),
            series: vec![Series {
                command: "apply".into(),
                points,
                base: None,
            }],
        };
        // 10 ms and 3 MiB per MiB plus the fixed cost: linear.
        let good = lin(vec![(1.0, m(0.011, 7)), (10.0, m(0.101, 34)), (100.0, m(1.001, 304))]);
        assert_eq!(report.linear(&good, &good.series[0]), Verdict::Yes);
        // Quadratic time: not.
        let bad = lin(vec![(1.0, m(0.011, 7)), (10.0, m(1.001, 34)), (100.0, m(100.0, 304))]);
        assert_eq!(report.linear(&bad, &bad.series[0]), Verdict::No);
        let failed = lin(vec![(1.0, m(0.011, 7)), (10.0, Err("exit 3".into()))]);
        assert!(matches!(
            report.linear(&failed, &failed.series[0]),
            Verdict::NotAvailable(_)
        ));
        assert!(report.render().contains("| workload |"));
    }

    /// With the same command's run on the smallest input, that is the fixed
    /// cost subtracted, not `--version`'s.
    #[test]
    fn linearity_is_judged_net_of_the_commands_own_fixed_cost() {
        let report = Report {
            startup: m(0.001, 4).ok(),
            ..Report::default()
        };
        let lin = |base: Option<Outcome>| Linearity {
            title: String::new(),
            unit: "MiB".into(),
            rss: true,
            base: String::new(),
            series: vec![Series {
                command: "apply".into(),
                // 10 ms and 3 MiB per MiB on top of 5 ms and 9 MiB.
                points: vec![(1.0, m(0.015, 12)), (10.0, m(0.105, 39)), (100.0, m(1.005, 309))],
                base,
            }],
        };
        let own = lin(Some(m(0.005, 9)));
        assert_eq!(report.linear(&own, &own.series[0]), Verdict::Yes);
        // Net of --version alone, the 1 MiB point is 8 MiB per MiB.
        let startup = lin(None);
        assert_eq!(report.linear(&startup, &startup.series[0]), Verdict::No);
        let failed = lin(Some(Err("exit 3".into())));
        assert!(matches!(
            report.linear(&failed, &failed.series[0]),
            Verdict::NotAvailable(_)
        ));
    }
}
