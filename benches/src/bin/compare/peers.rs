//! The peers procpatch is compared with: the tools found on this machine,
//! and the two scripts the harness writes into its work folder, which make
//! the built-in recipe's twelve edits with other tools.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

/// One task's two values in the built-in recipe
/// (`lib/recipes/shared-credentials.toml`), in the vendor's field names:
/// "data pool" is `value`, "sub-process" is `param1`.
#[derive(Debug, Clone, Copy)]
pub struct Edit {
    pub process: &'static str,
    pub process_id: Option<&'static str>,
    pub task: &'static str,
    pub value: &'static str,
    pub param1: &'static str,
}

/// The twelve values of the built-in recipe. The unit test
/// `peers_match_the_builtin_recipe` keeps this copy honest.
pub const EDITS: [Edit; 6] = [
    edit(
        "Deactivate user",
        Some("UsersProcDeactivate"),
        "Deactivate related credentials",
        BATCH,
    ),
    edit(
        "Deactivate user",
        Some("UsersProcDeactivate"),
        "Load related credentials",
        LOAD,
    ),
    edit(
        "Reactivate user",
        Some("UsersProcReactivate"),
        "Reactivate related credentials",
        BATCH,
    ),
    edit(
        "Reactivate user",
        Some("UsersProcReactivate"),
        "Load related credentials",
        LOAD,
    ),
    edit("Lock user", None, "Lock related credentials", BATCH),
    edit("Lock user", None, "Load related credentials", LOAD),
];

const BATCH: (&str, &str) = ("Batch order", "set credential status");
const LOAD: (&str, &str) = ("Credentials", "load credential(s)");

const fn edit(
    process: &'static str,
    process_id: Option<&'static str>,
    task: &'static str,
    (value, param1): (&'static str, &'static str),
) -> Edit {
    Edit {
        process,
        process_id,
        task,
        value,
        param1,
    }
}

/// What this machine offers. A missing peer is a reason, shown in the report.
#[derive(Debug)]
pub struct Tools {
    /// GNU time, which reports the child's peak RSS (`wait4`'s `ru_maxrss`).
    pub time: Result<PathBuf, String>,
    /// A Python 3 that imports lxml, and its version line.
    pub python: Result<(PathBuf, String), String>,
    pub xmlstarlet: Result<String, String>,
    pub unzip: Result<String, String>,
    pub zip: Result<String, String>,
}

/// The first line `program args` prints (on stdout or stderr), when it runs
/// and exits 0.
fn first_line(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().trim_end_matches('.').to_string())
}

impl Tools {
    /// Looks for each tool; `python` is the interpreter asked for, if any.
    pub fn detect(python: Option<&Path>) -> Tools {
        let time = ["/usr/bin/time", "time"]
            .iter()
            .map(PathBuf::from)
            .find(|t| {
                // GNU time only: BSD or busybox time have no -f/-o.
                Command::new(t)
                    .args(["-f", "%M", "-o", "/dev/null", "true"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .ok_or_else(|| "GNU time not found (Debian: apt-get install time); no CPU time or peak RSS".to_string());
        let candidates: Vec<PathBuf> = match python {
            Some(p) => vec![p.to_path_buf()],
            None => vec!["python3".into(), "/usr/bin/python3".into()],
        };
        let probe =
            "import sys, lxml.etree as e; print('Python %d.%d.%d' % sys.version_info[:3], '+ lxml', e.__version__)";
        let python = candidates
            .iter()
            .find_map(|p| first_line(p, &["-c", probe]).map(|v| (p.clone(), v)))
            .ok_or_else(|| {
                format!(
                    "no Python 3 with lxml ({} tried; `pip install lxml`, or Debian `apt-get install python3-lxml` for /usr/bin/python3)",
                    candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                )
            });
        let missing = |name: &str, package: &str| format!("{name} not found (Debian: apt-get install {package})");
        Tools {
            time,
            python,
            xmlstarlet: first_line("xmlstarlet", &["--version"])
                .map(|v| format!("xmlstarlet {v}"))
                .ok_or_else(|| missing("xmlstarlet", "xmlstarlet")),
            unzip: first_line("unzip", &["-v"]).ok_or_else(|| missing("unzip", "unzip")),
            zip: first_line("zip", &["-v"])
                .map(|_| "Info-ZIP zip".to_string())
                .ok_or_else(|| missing("zip", "zip")),
        }
    }

    /// Why the shell peer cannot run, if it cannot: it needs unzip, zip and
    /// xmlstarlet.
    pub fn shell_peer(&self) -> Result<(), String> {
        self.xmlstarlet.as_ref().map(|_| ())?;
        self.unzip.as_ref().map(|_| ())?;
        self.zip.as_ref().map(|_| ()).map_err(Clone::clone)
    }
}

/// Paths of the two peer scripts.
#[derive(Debug, Clone)]
pub struct Scripts {
    pub python: PathBuf,
    pub shell: PathBuf,
}

/// Writes both peer scripts into `dir` (every run, so they always match
/// this harness).
pub fn write_scripts(dir: &Path) -> Result<Scripts> {
    fs::create_dir_all(dir)?;
    let scripts = Scripts {
        python: dir.join("peer_lxml.py"),
        shell: dir.join("peer_xmlstarlet.sh"),
    };
    fs::write(&scripts.python, python_script()).with_context(|| format!("writing {}", scripts.python.display()))?;
    fs::write(&scripts.shell, shell_script()).with_context(|| format!("writing {}", scripts.shell.display()))?;
    Ok(scripts)
}

fn py_str(s: &str) -> String {
    format!("{s:?}")
}

/// The Python peer: zipfile + lxml, the script an administrator would
/// write. Every BPMN entry (by name) is parsed, the fields set, the tree
/// serialised; every entry is read and written again (zipfile has no raw
/// copy), with its own compression method.
pub fn python_script() -> String {
    let mut edits = String::new();
    for e in EDITS {
        let id = e.process_id.map_or_else(|| "None".to_string(), py_str);
        let _ = writeln!(
            edits,
            "    ({}, {id}, {}, {{\"value\": {}, \"param1\": {}}}),",
            py_str(e.process),
            py_str(e.task),
            py_str(e.value),
            py_str(e.param1)
        );
    }
    PYTHON.replace("@EDITS@\n", &edits)
}

const PYTHON: &str = r#"#!/usr/bin/env python3
"""procpatch comparison harness, Python peer: the twelve edits of the
built-in Shared credentials recipe, made with zipfile and lxml.

Written by `compare` into its work folder on every run; edit the harness,
not this file. Usage: peer_lxml.py IN OUT (IN: a zip archive or a bare
BPMN file).
"""
import sys
import zipfile

from lxml import etree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ACTIVITI = "{http://activiti.org/bpmn}"
# (process name, process id or None, task name, {field name: value})
EDITS = [
@EDITS@
]
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def edit(root):
    """Sets the fields in the tree; returns how many values it set."""
    count = 0
    for process in root.iterchildren(BPMN + "process"):
        for name, pid, task_name, fields in EDITS:
            if process.get("name") != name or (pid is not None and process.get("id") != pid):
                continue
            for task in process.iterchildren(tag=etree.Element):
                if task.get("name") != task_name:
                    continue
                for field in task.iterfind(BPMN + "extensionElements/" + ACTIVITI + "field"):
                    value = fields.get(field.get("name"))
                    if value is not None:
                        field.set("expression", value)
                        count += 1
    return count


def main(src, dst):
    count = 0
    if zipfile.is_zipfile(src):
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
            zout.comment = zin.comment
            for info in zin.infolist():
                data = zin.read(info)
                if not info.is_dir() and info.filename.endswith((".bpmn", ".bpmn20.xml")):
                    root = etree.fromstring(data, PARSER)
                    found = edit(root)
                    if found:
                        count += found
                        data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
                zout.writestr(info, data)
    else:
        tree = etree.parse(src, PARSER)
        count = edit(tree.getroot())
        tree.write(dst, xml_declaration=True, encoding="UTF-8")
    if count != 12:
        print(f"{src}: set {count} values, expected 12", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
"#;

/// The shell peer: unzip, xmlstarlet and zip. Only the files that name one
/// of the three processes (grep) are parsed; the folder is zipped again.
pub fn shell_script() -> String {
    let mut updates = String::new();
    for e in EDITS {
        let process = match e.process_id {
            Some(id) => format!("@id='{id}' and @name='{}'", e.process),
            None => format!("@name='{}'", e.process),
        };
        for (field, value) in [("value", e.value), ("param1", e.param1)] {
            let _ = writeln!(
                updates,
                "        -u \"/b:definitions/b:process[{process}]/*[@name='{}']/b:extensionElements/a:field[@name='{field}']/@expression\" -v '{value}' \\",
                e.task
            );
        }
    }
    SHELL.replace("@UPDATES@\n", &updates)
}

const SHELL: &str = r#"#!/bin/sh
# procpatch comparison harness, shell peer: the twelve edits of the
# built-in Shared credentials recipe, made with unzip, xmlstarlet and zip.
#
# Written by `compare` into its work folder on every run; edit the harness,
# not this file. Usage: peer_xmlstarlet.sh IN OUT (IN: a .zip archive or a
# bare BPMN file).
set -eu
in=$1
out=$2

edit() {
    xmlstarlet ed -P \
        -N b=http://www.omg.org/spec/BPMN/20100524/MODEL -N a=http://activiti.org/bpmn \
@UPDATES@
        "$1"
}

case $in in
*.zip)
    case $out in /*) ;; *) out=$PWD/$out ;; esac
    rm -f "$out"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/peer.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    unzip -q "$in" -d "$tmp/x"
    # Only the files that name one of the processes are parsed and rewritten.
    grep -rlE --include='*.bpmn' --include='*.bpmn20.xml' \
        'UsersProcDeactivate|UsersProcReactivate|name="Lock user"' "$tmp/x" |
        while IFS= read -r f; do
            edit "$f" >"$f.new"
            mv "$f.new" "$f"
        done
    (cd "$tmp/x" && zip -q -r -X "$out" .)
    ;;
*)
    edit "$in" >"$out"
    ;;
esac
"#;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn peers_match_the_builtin_recipe() {
        // The built-in recipe applied to the vendor files sets exactly the
        // values of EDITS, in the fields the peers write.
        let mut seen = Vec::new();
        for (_, text) in crate::xml::VENDOR {
            let (_, report) = procpatch::patch(text.as_bytes(), &procpatch::Recipe::builtin()).unwrap();
            // Each file holds one process; the other two are reported absent.
            for (process, task, change) in report.changes().filter(|(_, _, c)| c.target.is_some()) {
                seen.push((
                    process.target.name.clone().unwrap_or_default(),
                    process.target.id.clone(),
                    task.target.name.clone().unwrap_or_default(),
                    change.target.clone().unwrap_or_default(),
                    change.new.clone(),
                ));
            }
        }
        let mut expected = Vec::new();
        for e in EDITS {
            for (field, value) in [("value", e.value), ("param1", e.param1)] {
                let id = e.process_id.map(str::to_string);
                expected.push((e.process.into(), id, e.task.into(), field.into(), value.into()));
            }
        }
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected);
    }

    #[test]
    fn scripts_name_every_value() {
        let (py, sh) = (python_script(), shell_script());
        for e in EDITS {
            for v in [e.value, e.param1, e.task] {
                assert!(py.contains(v) && sh.contains(v), "{v}");
            }
        }
        assert!(!py.contains("@EDITS@") && !sh.contains("@UPDATES@"));
    }
}
