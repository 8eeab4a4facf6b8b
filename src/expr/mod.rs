//! expr (to be filled in).
