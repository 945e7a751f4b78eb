//! A tool that links procpatch: open an Identity Manager export, apply a
//! recipe built in code, write the result safely, print the report as JSON.
//!
//! ```sh
//! cargo run -p procpatch --example patch_export -- testdata/archives/ProcessImport.zip target/patched.zip
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use procpatch::archive::{self, Options, WriteOptions};
use procpatch::{ProcessRecipe, Recipe, TaskRecipe};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        eprintln!("usage: patch_export INPUT.zip OUTPUT.zip");
        return ExitCode::from(2);
    };
    // The Lock user part of the Shared credentials start-up, in code.
    let recipe = Recipe::new().with_process(
        ProcessRecipe::named("Lock user")
            .with_task(
                TaskRecipe::named("Lock related credentials")
                    .setting("data pool", "Batch order")
                    .setting("sub-process", "set credential status"),
            )
            .with_task(
                TaskRecipe::named("Load related credentials")
                    .setting("data pool", "Credentials")
                    .setting("sub-process", "load credential(s)"),
            ),
    );
    let result = archive::plan_file(&input, &recipe, &Options::default())
        .and_then(|plan| plan.write(&output, &WriteOptions::new()));
    match result {
        Ok(report) => match serde_json::to_string_pretty(&report) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            // The error names the file's entry and line where it can.
            eprintln!("{}: {e}", input.display());
            ExitCode::FAILURE
        }
    }
}
