//! Printing diagnostics for the terminal.

use crate::check::Analysis;
use crate::diag::render;

/// Prints every diagnostic of each analysis to stderr; returns the number of errors.
pub fn print_diagnostics(analyses: &[Analysis]) -> usize {
    let mut errors = 0;
    for analysis in analyses {
        for diagnostic in &analysis.diagnostics {
            eprint!("{}", render(diagnostic, &analysis.source));
            errors += usize::from(diagnostic.is_error());
        }
    }
    errors
}
