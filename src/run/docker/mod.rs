//! The Docker backend (stub).
