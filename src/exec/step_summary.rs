//! The size cap on `$GITHUB_STEP_SUMMARY`, as GitHub's runner has it
//! (`FileCommandManager`: `AttachmentSizeLimit`): a summary over 1 MiB is
//! not stored, and the step gets an error annotation naming both sizes in
//! GitHub's words. The file is never read past the cap, so a job that
//! writes gigabytes there costs mlci no memory.

use cap_std::fs::Dir;
use std::io::{self, Read};
use std::path::Path;

/// GitHub's limit on one step's summary, in bytes.
pub const SUMMARY_LIMIT: u64 = 1024 * 1024;

/// What a step left in its summary file.
#[derive(Debug, PartialEq)]
pub enum StepSummary {
    /// Nothing, or only whitespace: no summary.
    Empty,
    Markdown(String),
    /// Over [`SUMMARY_LIMIT`]; holds the file's size in bytes.
    TooLarge(u64),
}

/// Reads the summary at `path` beneath `dir`, at most [`SUMMARY_LIMIT`]
/// bytes of it. A link is followed only inside `dir`.
pub fn read_summary(dir: &Dir, path: &Path) -> io::Result<StepSummary> {
    let file = dir.open(path)?;
    let size = file.metadata()?.len();
    if size > SUMMARY_LIMIT {
        return Ok(StepSummary::TooLarge(size));
    }
    let mut bytes = Vec::new();
    // The file may grow between the size check and the read (a process the
    // step left behind): read one byte past the cap to notice.
    file.take(SUMMARY_LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > SUMMARY_LIMIT {
        return Ok(StepSummary::TooLarge(bytes.len() as u64));
    }
    let markdown = String::from_utf8_lossy(&bytes).into_owned();
    if markdown.trim().is_empty() {
        return Ok(StepSummary::Empty);
    }
    Ok(StepSummary::Markdown(markdown))
}

/// GitHub's `UnsupportedSummarySize` message, sizes in whole KiB.
pub fn too_large_message(size: u64) -> String {
    format!(
        "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of {}k, got {}k. \
         For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary",
        SUMMARY_LIMIT / 1024,
        size / 1024
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    fn summary_of(contents: &[u8]) -> StepSummary {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summary"), contents).unwrap();
        let cap = Dir::open_ambient_dir(dir.path(), ambient_authority()).unwrap();
        read_summary(&cap, Path::new("summary")).unwrap()
    }

    #[test]
    fn a_summary_up_to_one_mebibyte_is_kept_whole() {
        let exactly = "x".repeat(SUMMARY_LIMIT as usize);
        assert_eq!(summary_of(exactly.as_bytes()), StepSummary::Markdown(exactly));
        assert_eq!(summary_of(b"  \n\t\n"), StepSummary::Empty);
        assert_eq!(summary_of(b""), StepSummary::Empty);
    }

    #[test]
    fn a_larger_summary_is_refused_with_its_size() {
        let over = vec![b'x'; SUMMARY_LIMIT as usize + 1];
        assert_eq!(summary_of(&over), StepSummary::TooLarge(SUMMARY_LIMIT + 1));
        let big = vec![b'y'; 3 * 1024 * 1024 + 512];
        assert_eq!(summary_of(&big), StepSummary::TooLarge(3 * 1024 * 1024 + 512));
    }

    #[test]
    fn the_message_is_githubs() {
        assert_eq!(
            too_large_message(3 * 1024 * 1024 + 512),
            "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 3072k. \
             For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary"
        );
    }
}
