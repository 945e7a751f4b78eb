//! The `procpatch` command.
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("procpatch: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some("apply"), Some(input), Some("-o"), Some(output)) = (
        args.first().map(String::as_str),
        args.get(1),
        args.get(2).map(String::as_str),
        args.get(3),
    ) else {
        anyhow::bail!("usage: procpatch apply FILE -o OUT");
    };
    let bytes = std::fs::read(input)?;
    let (out, report) = procpatch::patch(&bytes, &procpatch::Recipe::builtin())?;
    std::fs::write(output, out)?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
