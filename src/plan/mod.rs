//! plan (to be filled in).
