//! The runner's cap on memory used while evaluating one expression, so that
//! `format('{0}{0}{0}…', toJSON(github))` cannot blow up.
//!
//! The accounting follows `EvaluationMemory`/`MemoryCounter` of the .NET
//! runner: sizes are estimates (a string costs 26 bytes plus 2 per UTF-16
//! unit, anything else 24), each result is charged at its tree level, and
//! finishing a node with a primitive result releases what its subtree held.

/// The cap, in the runner's estimated bytes.
pub(crate) const MAX_MEMORY_BYTES: usize = 1024 * 1024;
pub(crate) const MIN_OBJECT_BYTES: usize = 24;
const STRING_BASE_BYTES: usize = 26;
/// What a reference in a filtered array costs (`IntPtr.Size`).
pub(crate) const POINTER_BYTES: usize = 8;

/// The cap was exceeded.
#[derive(Debug)]
pub(crate) struct MemoryExceeded;

pub(crate) fn string_bytes(s: &str) -> usize {
    STRING_BASE_BYTES.saturating_add(s.encode_utf16().count().saturating_mul(2))
}

/// Memory held by the results of the expression tree, per tree level.
#[derive(Debug, Default)]
pub(crate) struct EvaluationMemory {
    by_level: Vec<usize>,
    total: usize,
}

impl EvaluationMemory {
    /// Charges `bytes` for a result at `level`. With `release_deeper`, the
    /// amounts charged below `level` are released first: the node is done
    /// and its primitive result no longer needs its children.
    pub(crate) fn charge(&mut self, level: usize, bytes: usize, release_deeper: bool) -> Result<(), MemoryExceeded> {
        if release_deeper && self.by_level.len() > level + 1 {
            let released: usize = self.by_level.drain(level + 1..).sum();
            self.total = self.total.saturating_sub(released);
        }
        if self.by_level.len() <= level {
            self.by_level.resize(level + 1, 0);
        }
        if let Some(slot) = self.by_level.get_mut(level) {
            *slot = slot.saturating_add(bytes);
        }
        self.total = self.total.saturating_add(bytes);
        if self.total > MAX_MEMORY_BYTES {
            return Err(MemoryExceeded);
        }
        Ok(())
    }
}

/// A running total for one function's own output (format, join, toJSON).
#[derive(Debug, Default)]
pub(crate) struct MemoryCounter {
    bytes: usize,
}

impl MemoryCounter {
    pub(crate) fn add(&mut self, bytes: usize) -> Result<(), MemoryExceeded> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > MAX_MEMORY_BYTES {
            return Err(MemoryExceeded);
        }
        Ok(())
    }

    pub(crate) fn add_string(&mut self, s: &str) -> Result<(), MemoryExceeded> {
        self.add(string_bytes(s))
    }
}
