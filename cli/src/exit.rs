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
            ErrorKind::BadInput => Code::BadInput,
            ErrorKind::Target => Code::Target,
            ErrorKind::Io => Code::Io,
            ErrorKind::Usage => Code::Usage,
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
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {}", p.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Failure {
    pub fn usage(message: String) -> Failure {
        Failure {
            code: Code::Usage,
            path: None,
            message,
        }
    }

    /// A usage error about one path.
    pub fn usage_at(path: &Path, message: String) -> Failure {
        Failure {
            code: Code::Usage,
            path: Some(path.to_path_buf()),
            message,
        }
    }

    pub fn bad_input(path: &Path, message: String) -> Failure {
        Failure {
            code: Code::BadInput,
            path: Some(path.to_path_buf()),
            message,
        }
    }

    pub fn io(path: &Path, e: &std::io::Error) -> Failure {
        Failure {
            code: Code::Io,
            path: Some(path.to_path_buf()),
            message: e.to_string(),
        }
    }

    /// A library error about the file at `input`: the path, then the error
    /// (which names the entry, then the line). An error about the output
    /// names the output itself, so it is not put under the input's path.
    pub fn archive(input: &Path, e: &ArchiveError) -> Failure {
        let path = match e {
            ArchiveError::Output { .. } => None,
            _ => Some(input.to_path_buf()),
        };
        let message = match e {
            // The library names no flags; the command line does.
            ArchiveError::SameFile => format!("{e}; use --in-place to replace it"),
            ArchiveError::Signed { .. } => format!(
                "{e}; run again with --strip-signature to remove the signature (and sign again if your \
                 installation requires it)"
            ),
            _ => e.to_string(),
        };
        Failure {
            code: e.kind().into(),
            path,
            message,
        }
    }
}
