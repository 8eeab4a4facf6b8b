//! diag (to be filled in).
