//! Unit tests across the stages (template scanning, conditions, analysis,
//! limits, robustness).
