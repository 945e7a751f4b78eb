//! Exit codes and the failures that lead to them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use procpatch::archive::{ArchiveError, ErrorKind};

/// The documented exit codes (see `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Success = 0,
    Pending = 1,
    Usage = 2,
    BadInput = 3,
    Target = 4,
    Io = 5,
}

impl From<Code> for ExitCode {
    fn from(c: Code) -> ExitCode {
        ExitCode::from(c as u8)
    }
}

impl From<ErrorKind> for Code {
    fn from(k: ErrorKind) -> Code {
        match k {
            ErrorKind::Target => Code::Target,
            ErrorKind::Io | ErrorKind::Verify | ErrorKind::Internal => Code::Io,
            ErrorKind::Usage => Code::Usage,
            // Damaged, malformed, unsupported, and any kind to come: the
            // input cannot be used.
            _ => Code::BadInput,
        }
    }
}

/// A failure: its exit code, the file it is about (if any), and what went
/// wrong.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub path: Option<PathBuf>,
    pub message: String,
    /// The message names the file itself, so it is not put before it.
    pub named: bool,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) if !self.named => write!(f, "{}: {}", p.display(), self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl Failure {
    pub fn usage(message: String) -> Failure {
        Failure {
            code: Code::Usage,
            path: None,
            message,
            named: false,
        }
    }

    /// A usage error about one path.
    pub fn usage_at(path: &Path, message: String) -> Failure {
        Failure {
            code: Code::Usage,
            path: Some(path.to_path_buf()),
            message,
            named: false,
        }
    }

    pub fn bad_input(path: &Path, message: String) -> Failure {
        Failure {
            code: Code::BadInput,
            path: Some(path.to_path_buf()),
            message,
            named: false,
        }
    }

    pub fn io(path: &Path, e: &std::io::Error) -> Failure {
        Failure {
            code: Code::Io,
            path: Some(path.to_path_buf()),
            message: e.to_string(),
            named: false,
        }
    }

    /// A library error about the file at `input`: the path, then each level
    /// of the error's chain once (the entry, then the line). An error that
    /// names its own file (the input it could not read, the output it
    /// could not write) is not put under the input's path again.
    pub fn archive(input: &Path, e: &ArchiveError) -> Failure {
        let path = match e {
            ArchiveError::Output { .. } => None,
            _ => Some(input.to_path_buf()),
        };
        let mut message = chain(e);
        // The library names no flags; the command line does.
        match e {
            ArchiveError::SameFile => message.push_str("; use --in-place to replace it"),
            ArchiveError::Signed { .. } => message.push_str(
                "; run again with --strip-signature to remove the signature (and sign again if your \
                 installation requires it)",
            ),
            _ => {}
        }
        Failure {
            code: e.kind().into(),
            path,
            message,
            named: e.path().is_some(),
        }
    }
}

/// An error and its sources, joined with ": ". A document error about the
/// whole input says "the input", which the path before the message already
/// names, so that level is left out.
fn chain(e: &ArchiveError) -> String {
    let mut levels: Vec<String> = Vec::new();
    if !matches!(e, ArchiveError::Document(d) if d.entry().is_none()) {
        levels.push(e.to_string());
    }
    let mut next = std::error::Error::source(e);
    while let Some(level) = next {
        levels.push(level.to_string());
        next = level.source();
    }
    levels.join(": ")
}
