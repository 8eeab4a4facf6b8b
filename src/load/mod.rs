//! load (to be filled in).
