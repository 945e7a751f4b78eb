//! [`Options`]: the limits and choices of reading and writing files.

/// Limits and choices for reading and writing files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The largest entry (uncompressed) or bare XML file read, in bytes,
    /// counted while reading. Default 256 MiB.
    pub max_entry_size: u64,
    /// How deep archives may nest inside archives. Default 3.
    pub max_depth: usize,
    /// The largest compression ratio (uncompressed / compressed) an entry
    /// may reach once past 1 MiB, counted while reading; beyond it the entry
    /// is refused as a zip bomb. Default 200 (BPMN XML compresses 5–20×).
    /// Only what procpatch keeps in memory to parse is held to it; an
    /// entry it only checks (its CRC-32, streamed) is not.
    pub max_ratio: u64,
    /// The largest entry, by the size its header declares, whose CRC-32 is
    /// checked (streamed, it costs time, not memory). A larger entry is
    /// copied without being read, and the report notes it. Default 4 GiB.
    pub max_check_size: u64,
    /// The largest input file read whole into memory, where it is hashed,
    /// walked, copied and compared from one read; a larger one is read
    /// from the disk as each step needs it. Default 1 GiB.
    pub max_in_memory: u64,
    /// Remove the signature of a signed archive that must change, instead of
    /// refusing it.
    pub strip_signature: bool,
}

impl Options {
    /// The largest entry or bare XML file read, in bytes.
    pub fn with_max_entry_size(mut self, bytes: u64) -> Options {
        self.max_entry_size = bytes;
        self
    }

    /// How deep archives may nest.
    pub fn with_max_depth(mut self, depth: usize) -> Options {
        self.max_depth = depth;
        self
    }

    /// The largest compression ratio of an entry read to be parsed.
    pub fn with_max_ratio(mut self, ratio: u64) -> Options {
        self.max_ratio = ratio;
        self
    }

    /// The largest entry whose CRC-32 is checked.
    pub fn with_max_check_size(mut self, bytes: u64) -> Options {
        self.max_check_size = bytes;
        self
    }

    /// The largest input file read whole into memory.
    pub fn with_max_in_memory(mut self, bytes: u64) -> Options {
        self.max_in_memory = bytes;
        self
    }

    /// Whether a signed archive that must change loses its signature
    /// (instead of being refused).
    pub fn stripping_signature(mut self, strip: bool) -> Options {
        self.strip_signature = strip;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_entry_size: 256 << 20,
            max_depth: 3,
            max_ratio: 200,
            max_check_size: 4 << 30,
            max_in_memory: 1 << 30,
            strip_signature: false,
        }
    }
}
