//! Standard output that ends quietly when its reader goes away: after a
//! closed pipe (`procpatch inspect … | head -1`) nothing more is written and
//! no error is reported, as with ripgrep.

use std::io::Write;
use std::path::Path;

use crate::exit::Failure;

/// Standard output (colour stripped off a terminal or with `NO_COLOR`).
pub struct Stdout {
    out: anstream::AutoStream<std::io::Stdout>,
    closed: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            out: anstream::stdout(),
            closed: false,
        }
    }

    /// Runs `write` on standard output. Off a terminal, what colour
    /// handling leaves is buffered here: standard output itself writes to
    /// the system at every line end, and colour handling splits the text
    /// at every style (a batch's report would be tens of thousands of
    /// writes). What `write` flushes goes out at once. A closed pipe stops
    /// all further output without an error; any other write error is an
    /// I/O failure.
    pub fn with(&mut self, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
        if self.closed {
            return Ok(());
        }
        let out = &mut self.out;
        let written = if out.current_choice() == anstream::ColorChoice::Never {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            let mut stripped = anstream::StripStream::new(&mut buffered as &mut dyn Write);
            write(&mut stripped).and_then(|()| stripped.flush())
        } else {
            write(&mut *out)
        };
        match written.and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Failure::io(Path::new("standard output"), &e)),
            Ok(()) => Ok(()),
        }
    }

    /// Runs `write` with standard output twice over: as [`Stdout::with`]
    /// gives it (colour stripped where it must be), and the stream itself,
    /// for text with nothing to strip. Both end in the one buffer of
    /// standard output; `write` flushes the first before it writes to the
    /// second, so that what they write stays in order.
    pub fn with_raw(
        &mut self,
        write: impl FnOnce(&mut dyn Write, &mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Failure> {
        let mut raw = std::io::stdout();
        self.with(|styled| write(styled, &mut raw).and_then(|()| raw.flush()))
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.with(|out| out.write_all(bytes))
    }

    /// One JSON document, pretty-printed, with a final newline.
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<(), Failure> {
        self.with(|out| {
            // Buffered here too: on a terminal `with` is not, and serde
            // writes a token at a time.
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
            serde_json::to_writer_pretty(&mut buffered, value).map_err(std::io::Error::from)?;
            writeln!(buffered)?;
            buffered.flush()
        })
    }
}
