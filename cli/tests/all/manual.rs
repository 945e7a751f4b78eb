//! Help and manual pages: a page for each command, the recipe format, the
//! examples kept line by line, and options offered only where they work,
//! grouped the same way everywhere.

use crate::procpatch;

const PAGES: [&str; 6] = ["inspect", "apply", "check", "recipe", "completions", "man"];

/// Renders roff as a terminal would show it, when nroff is installed
/// (`.ci/run` installs it).
fn nroff(roff: &str) -> Option<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("nroff")
        .args(["-man", "-Tutf8", "-rLL=100n"])
        .env("MANWIDTH", "100")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(roff.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "nroff: {}", String::from_utf8_lossy(&out.stderr));
    // Drop overstrike bold and underline, which some nroff builds emit.
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut clean = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\u{8}' {
            clean.pop();
        } else {
            clean.push(c);
        }
    }
    Some(clean)
}

#[test]
fn every_command_has_a_manual_page() {
    let tmp = tempfile::tempdir().unwrap();
    for page in PAGES {
        let run = procpatch(&["man", page], tmp.path());
        assert_eq!(run.code, 0, "{page}: {}", run.stderr);
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!(".TH procpatch-{page} 1 "))),
            "{page}: {}",
            run.stdout
        );
        assert!(run.stdout.contains(".SH \"SEE ALSO\""), "{page}");
    }
    let main = procpatch(&["man"], tmp.path());
    assert!(
        main.stdout.lines().any(|l| l.starts_with(".TH procpatch 1 ")),
        "{}",
        main.stdout
    );
    for page in PAGES {
        assert!(
            main.stdout.contains(&format!("procpatch\\-{page}(1)")),
            "main page lists {page}"
        );
    }
    let run = procpatch(&["man", "nope"], tmp.path());
    assert_eq!(run.code, 2);
}

#[test]
fn the_apply_page_documents_its_options_in_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let roff = procpatch(&["man", "apply"], tmp.path()).stdout;
    insta::assert_snapshot!(roff);
    let text = match nroff(&roff) {
        Some(t) => t,
        None => {
            eprintln!("nroff is not installed; the rendered page is not checked");
            return;
        }
    };
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in\n{text}"));
    // Each after the one before, from the first group on (the synopsis names
    // them all once before).
    // The groups, in order, each with its options.
    let order = [
        "INPUT",
        "--max-entry-size",
        "OUTPUT",
        "-o, --output",
        "--out-dir",
        "--in-place",
        "--backup",
        "--dry-run",
        "--strip-signature",
        "RECIPE",
        "--recipe",
        "--require-all",
        "REPORT",
        "--diff",
        "--json",
        "-q, --quiet",
        "-v, --verbose",
        "--color",
        "EXAMPLES",
        "EXIT STATUS",
    ];
    let mut from = at("\nINPUT");
    for needle in order {
        from += text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not after byte {from} in\n{text}"));
    }
    // The examples keep their lines: the same as `--help` shows.
    let examples = &text[at("EXAMPLES")..at("EXIT STATUS")];
    let lines: Vec<&str> = examples
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let help = procpatch(&["apply", "--help"], tmp.path()).stdout;
    let start = help.find("Examples:\n").unwrap() + "Examples:\n".len();
    let end = help.find("Exit codes:").unwrap();
    let expected: Vec<&str> = help[start..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(expected.len() >= 10, "{expected:?}");
    assert_eq!(lines, expected);
}

#[test]
fn the_recipe_page_documents_the_recipe_format() {
    let tmp = tempfile::tempdir().unwrap();
    let roff = procpatch(&["man", "recipe"], tmp.path()).stdout;
    for section in ["RECIPE FORMAT", "PROCESSES AND TASKS", "KEYS", "LABELS"] {
        assert!(
            roff.contains(&format!(".SH \"{section}\"")) || roff.contains(&format!(".SH {section}")),
            "{section}"
        );
    }
    insta::assert_snapshot!(roff);
    // Its example is a recipe that procpatch reads.
    if let Some(text) = nroff(&roff) {
        let start = text.find("description = ").unwrap();
        let end = text[start..].find("\nPROCESSES AND TASKS").unwrap() + start;
        let example: String = text[start..end].lines().map(|l| format!("{}\n", l.trim())).collect();
        let recipe = procpatch::Recipe::from_toml(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(recipe.processes[0].tasks[0].set["data pool"], "Batch order");
    }
}

#[test]
fn options_are_offered_only_where_they_work() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = "testdata/archives/ProcessImport.zip";
    let cases: [&[&str]; 8] = [
        &["check", "--strip-signature", sample],
        &["check", "--diff", sample],
        &["check", "-o", "x.zip", sample],
        &["inspect", "--require-all", sample],
        &["man", "--max-entry-size", "1"],
        &["completions", "bash", "--json"],
        &["recipe", "show", "-q"],
        &["--max-entry-size", "1", "inspect", sample],
    ];
    let mut out = String::new();
    for args in cases {
        let run = procpatch(args, tmp.path());
        assert_eq!(run.code, 2, "{args:?}");
        out.push_str(&format!(
            "{}: {}\n",
            args.join(" "),
            run.stderr.lines().next().unwrap_or_default()
        ));
    }
    insta::assert_snapshot!(out);
    assert!(!tmp.path().join("x.zip").exists());
}

#[test]
fn help_groups_options_as_input_output_recipe_report() {
    let tmp = tempfile::tempdir().unwrap();
    let mut out = String::new();
    for cmd in ["apply", "check", "inspect"] {
        let run = procpatch(&[cmd, "-h"], tmp.path());
        assert_eq!(run.code, 0);
        let headings: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.ends_with(':') && !l.starts_with(' '))
            .collect();
        out.push_str(&format!("{cmd}: {}\n", headings.join(" ")));
    }
    insta::assert_snapshot!(out);
    insta::assert_snapshot!("apply-help", procpatch(&["apply", "--help"], tmp.path()).stdout);
}

/// Every exit code a command can end with is in its help: `verify` on a
/// file it cannot open ends with 5, and says so.
#[test]
fn verify_documents_the_exit_codes_it_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.zip");
    let run = procpatch(&["verify", &missing.display().to_string()], tmp.path());
    assert_eq!(run.code, 5, "{}", run.stderr);
    let help = procpatch(&["verify", "--help"], tmp.path()).stdout;
    let codes = &help[help.find("Exit codes:").unwrap()..];
    for code in [0, 1, 2, 3, 5] {
        assert!(
            codes.contains(&format!("\n  {code}  ")),
            "exit {code} is not in\n{codes}"
        );
    }
}
