//! `mlci eval` (being written).
