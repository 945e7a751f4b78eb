//! Exit codes and the failures that lead to them.

use std::path::Path;
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
            ErrorKind::BadInput => Code::BadInput,
            ErrorKind::Target => Code::Target,
            ErrorKind::Io => Code::Io,
            ErrorKind::Usage => Code::Usage,
        }
    }
}

/// A failure with its exit code and message.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
}

impl Failure {
    pub fn usage(message: String) -> Failure {
        Failure {
            code: Code::Usage,
            message,
        }
    }

    pub fn bad_input(message: String) -> Failure {
        Failure {
            code: Code::BadInput,
            message,
        }
    }

    pub fn io(path: &Path, e: &std::io::Error) -> Failure {
        Failure {
            code: Code::Io,
            message: format!("{}: {e}", path.display()),
        }
    }

    /// A library error about the file at `path`: the path, then the error
    /// (which names the entry, then the line).
    pub fn archive(path: &Path, e: &ArchiveError) -> Failure {
        Failure {
            code: e.kind().into(),
            message: format!("{}: {e}", path.display()),
        }
    }
}
