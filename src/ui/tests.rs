//! The web view over plain HTTP: pages, escaping and the CSP (the browser
//! tests are in tests/ui.rs).
