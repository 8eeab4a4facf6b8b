//! trigger (to be filled in).
