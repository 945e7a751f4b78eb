//! Manual pages in roff, so that an air-gapped machine has the whole manual
//! offline: `procpatch man` for the tool, `procpatch man COMMAND` for each
//! command, and `procpatch man recipe` for the recipe format as well.
//!
//! The standard sections come from clap_mangen; examples, exit codes and
//! the recipe format are added here as preformatted text, since
//! clap_mangen would reflow them into one paragraph.

use clap::CommandFactory;
use roff::{bold, roman, Roff};

use crate::args::{Cli, ManPage, EXAMPLES, EXIT_CODES, VERIFY_EXIT_CODES};

/// The recipe format, for `procpatch man recipe`: (heading, paragraphs);
/// a paragraph starting with two spaces is preformatted.
const RECIPE_FORMAT: &[(&str, &[&str])] = &[
    (
        "RECIPE FORMAT",
        &[
            "A recipe is a TOML file: which processes and tasks to edit, and which values to set on each task. \
             The built-in recipe (print it with `procpatch recipe show`) makes the twelve settings of the \
             Shared credentials start-up guide; copy and adapt it for other processes, tasks or attributes, \
             and pass it with --recipe FILE.",
            "  description = \"What the recipe is for\"   # optional\n  \
             require_all = false                      # optional: fail unless every process is found\n  \
             engine = \"activiti\"                      # optional: activiti, flowable or camunda\n\n  \
             [labels]                                 # optional: label -> field names\n  \
             \"data pool\" = [\"value\", \"dataPool\", \"dataPoolName\"]\n\n  \
             [[process]]\n  \
             name = \"Lock user\"                       # name and/or id; both must match if given\n  \
             id = \"UsersProcLock\"\n  \
             # all = true                             # edit every process that matches\n\n  \
             [[process.task]]\n  \
             name = \"Lock related credentials\"        # name and/or id\n  \
             set = { \"data pool\" = \"Batch order\", \"param2\" = \"hideProgressPopup\", \
             \"@calledElement\" = \"${processToCall}\" }",
        ],
    ),
    (
        "PROCESSES AND TASKS",
        &[
            "Each [[process]] names a process by its name (what Identity Manager Admin lists), its id (the \
             symbolic name), or both; with both, both must match. Each [[process.task]] names a task of that \
             process the same way: a call activity, service, user, script, send, receive, business rule or \
             manual task, a plain task or a sub-process, nested sub-processes included.",
            "A name that matches nothing is an error that names the closest names found (\"did you mean\"). \
             A name that matches more than one process or task is an error listing each, unless the process \
             or task says all = true. A process that is not in the input is reported as absent, since an \
             export may hold only some processes; but when the input holds a process whose name or id differs \
             from the recipe's only by a typo, that is an error with \"did you mean\". The run fails when no \
             process of the recipe is found at all, and with require_all (or --require-all) when any is \
             missing.",
        ],
    ),
    (
        "KEYS",
        &[
            "Each key of set says what to edit on the task:",
            "  a label       \"data pool\": the first of the label's field names present on the task\n  \
             \x20              is edited; when none is present, the first name is inserted\n  \
             a field name  \"param2\": the engine field of that name (activiti:field,\n  \
             \x20              flowable:field or camunda:field), inserted if missing\n  \
             @attribute    \"@calledElement\": a plain XML attribute of the task element\n  \
             @engine:attr  \"@activiti:async\": an attribute in an engine namespace\n  \
             \x20              (activiti, flowable or camunda, matched by namespace URI)",
            "Labels are matched ignoring case and spacing; field names and attribute names exactly. A value \
             is written in the form the old one had (CDATA stays CDATA, an attribute keeps its quote \
             character), escaped, in the document's own encoding.",
        ],
    ),
    (
        "LABELS",
        &[
            "Identity Manager Admin shows labels, not field names. A recipe maps each label to the field \
             names that may carry it. When a recipe has no [labels] table, the built-in labels apply:",
            "  \"data pool\"   = [\"value\", \"dataPool\", \"dataPoolName\"]\n  \
             \"sub-process\" = [\"param1\", \"subProcess\"]",
            "A recipe's own [labels] are added to these, and replace a built-in label of the same name.",
        ],
    ),
];

/// What each page adds after the options: (heading, text) shown as is.
fn extras(page: Option<ManPage>) -> Vec<(&'static str, String)> {
    let strip = |s: &str| s.split_once('\n').map(|(_, rest)| rest.to_string()).unwrap_or_default();
    let mut out = Vec::new();
    if matches!(page, None | Some(ManPage::Apply)) {
        out.push(("EXAMPLES", strip(EXAMPLES)));
    }
    if matches!(page, None | Some(ManPage::Apply | ManPage::Check | ManPage::Inspect)) {
        out.push(("EXIT STATUS", strip(EXIT_CODES)));
    }
    if page == Some(ManPage::Verify) {
        out.push(("EXIT STATUS", strip(VERIFY_EXIT_CODES)));
    }
    out
}

/// The page for `page` (None: procpatch itself), in roff.
pub fn page(page: Option<ManPage>) -> std::io::Result<Vec<u8>> {
    // The man pages list the real commands; `procpatch help` is for the terminal.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let cmd = match page {
        None => root.clone(),
        Some(p) => root
            .find_subcommand(p.name())
            .cloned()
            .ok_or_else(|| std::io::Error::other(format!("no command {}", p.name())))?,
    };
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().next().is_some();
    let man = clap_mangen::Man::new(cmd)
        .source(format!("procpatch {}", env!("CARGO_PKG_VERSION")))
        .manual("procpatch manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_args {
        man.render_options_section(&mut out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    for (heading, text) in extras(page) {
        roff.control("SH", [heading]);
        preformatted(&mut roff, &text);
    }
    if page == Some(ManPage::Recipe) {
        for (heading, paragraphs) in RECIPE_FORMAT {
            roff.control("SH", [*heading]);
            for p in *paragraphs {
                if p.starts_with("  ") {
                    preformatted(&mut roff, p);
                } else {
                    roff.control("PP", []);
                    roff.text([roman(*p)]);
                }
            }
        }
    }
    see_also(&mut roff, page);
    roff.to_writer(&mut out)?;
    if page.is_none() {
        man.render_version_section(&mut out)?;
    }
    Ok(once_preamble(&out))
}

/// Each clap_mangen section starts with the same two-line preamble (the
/// definition of the `Aq` string); the page needs it once.
fn once_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut seen = Vec::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if preamble && seen.contains(&line) {
            continue;
        }
        if preamble {
            seen.push(line);
        }
        out.push_str(line);
    }
    out.into_bytes()
}

/// Text whose lines are kept as they are.
fn preformatted(roff: &mut Roff, text: &str) {
    roff.control("PP", []);
    roff.control("nf", []);
    for line in text.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
}

fn see_also(roff: &mut Roff, page: Option<ManPage>) {
    const PAGES: [ManPage; 7] = [
        ManPage::Inspect,
        ManPage::Apply,
        ManPage::Check,
        ManPage::Verify,
        ManPage::Recipe,
        ManPage::Completions,
        ManPage::Man,
    ];
    let mut refs = Vec::new();
    if page.is_some() {
        refs.push(bold("procpatch"));
        refs.push(roman("(1)"));
    }
    for p in PAGES.into_iter().filter(|p| Some(*p) != page) {
        if !refs.is_empty() {
            refs.push(roman(", "));
        }
        refs.push(bold(format!("procpatch-{}", p.name())));
        refs.push(roman("(1)"));
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text(refs);
    roff.control("PP", []);
    roff.text([roman(
        "Each page is printed by procpatch man [COMMAND]; read one with: procpatch man apply | man -l -",
    )]);
}
