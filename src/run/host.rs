//! The host backend (stub).
