//! The inputs of upload-artifact and download-artifact (v4; v3's are a
//! subset), parsed from a step's `with:` and checked as the actions check
//! them.

use super::inputs::{boolean, input, number, refuse};
use indexmap::IndexMap;

/// `if-no-files-found`: what an upload that matches no file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfNoFiles {
    /// A warning; the step succeeds with no artifact (the default).
    Warn,
    /// The step fails.
    Error,
    /// Nothing is said; the step succeeds.
    Ignore,
}

/// `actions/upload-artifact`'s inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadOptions {
    /// `name` (default `artifact`).
    pub name: String,
    /// `path`: one file, directory or glob per line; `!` excludes, `#` comments.
    pub path: String,
    pub if_no_files_found: IfNoFiles,
    /// `retention-days`: `None` (or 0) means the default of 90 days.
    pub retention_days: Option<u32>,
    /// zlib level 0–9 (default 6); 0 stores without compression.
    pub compression_level: u32,
    /// Replace an artifact of the same name instead of failing.
    pub overwrite: bool,
    /// Upload files and folders whose names start with `.`.
    pub include_hidden_files: bool,
}

/// `actions/download-artifact`'s inputs.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DownloadOptions {
    /// One artifact, extracted straight into `path`.
    pub name: Option<String>,
    /// A glob over artifact names (ignored when `name` is given); each match
    /// goes to `path/<name>/` unless `merge_multiple`.
    pub pattern: Option<String>,
    /// Where to extract, relative to the workspace; empty is the workspace.
    pub path: String,
    /// Extract every matched artifact into `path` itself.
    pub merge_multiple: bool,
}

impl UploadOptions {
    /// Reads the inputs of an `actions/upload-artifact` step.
    pub fn from_inputs(with: &IndexMap<String, String>) -> Result<Self, String> {
        let path = input(with, "path").ok_or("input required and not supplied: path")?;
        let if_no_files_found = match input(with, "if-no-files-found").unwrap_or("warn") {
            "warn" => IfNoFiles::Warn,
            "error" => IfNoFiles::Error,
            "ignore" => IfNoFiles::Ignore,
            other => {
                return Err(format!(
                    "input `if-no-files-found` must be warn, error or ignore, got `{other}`"
                ))
            }
        };
        let compression_level = number(with, "compression-level", "a zlib level from 0 to 9")?.unwrap_or(6);
        if compression_level > 9 {
            return Err(format!(
                "input `compression-level` must be a zlib level from 0 to 9, got `{compression_level}`"
            ));
        }
        Ok(UploadOptions {
            // The value as given, even empty: upload() says why it is wrong.
            name: match with.iter().find(|(k, _)| k.eq_ignore_ascii_case("name")) {
                Some((_, value)) => value.trim().to_string(),
                None => "artifact".to_string(),
            },
            path: path.to_string(),
            if_no_files_found,
            retention_days: number(with, "retention-days", "a whole number of days")?.filter(|&d| d > 0),
            compression_level,
            overwrite: boolean(with, "overwrite", false)?,
            include_hidden_files: boolean(with, "include-hidden-files", false)?,
        })
    }
}

impl DownloadOptions {
    /// Reads the inputs of an `actions/download-artifact` step.
    pub fn from_inputs(with: &IndexMap<String, String>) -> Result<Self, String> {
        refuse(
            with,
            &["run-id", "repository"],
            "it downloads from another run or repository; mlci reads the artifacts of this run (and, in a rerun, of the run it reruns)",
        )?;
        refuse(
            with,
            &["artifact-ids"],
            "mlci's artifacts have no ids; download by `name` or `pattern`",
        )?;
        Ok(DownloadOptions {
            name: input(with, "name").map(str::to_string),
            pattern: input(with, "pattern").map(str::to_string),
            path: input(with, "path").unwrap_or_default().to_string(),
            merge_multiple: boolean(with, "merge-multiple", false)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn upload_defaults_are_githubs() {
        assert_eq!(
            UploadOptions::from_inputs(&with(&[("path", "models/\n!models/*.tmp\n")])),
            Ok(UploadOptions {
                name: "artifact".into(),
                path: "models/\n!models/*.tmp".into(),
                if_no_files_found: IfNoFiles::Warn,
                retention_days: None,
                compression_level: 6,
                overwrite: false,
                include_hidden_files: false,
            })
        );
    }

    #[test]
    fn upload_reads_every_v4_input() {
        let options = UploadOptions::from_inputs(&with(&[
            ("name", "model"),
            ("path", "out"),
            ("if-no-files-found", "error"),
            ("retention-days", "5"),
            ("compression-level", "0"),
            ("overwrite", "true"),
            ("include-hidden-files", "True"),
        ]));
        assert_eq!(
            options,
            Ok(UploadOptions {
                name: "model".into(),
                path: "out".into(),
                if_no_files_found: IfNoFiles::Error,
                retention_days: Some(5),
                compression_level: 0,
                overwrite: true,
                include_hidden_files: true,
            })
        );
        let ignore = UploadOptions::from_inputs(&with(&[("path", "x"), ("if-no-files-found", "ignore")]));
        assert_eq!(ignore.map(|o| o.if_no_files_found), Ok(IfNoFiles::Ignore));
        let zero = UploadOptions::from_inputs(&with(&[("path", "x"), ("retention-days", "0")]));
        assert_eq!(zero.map(|o| o.retention_days), Ok(None));
    }

    #[test]
    fn upload_refuses_bad_values() {
        let cases = [
            (vec![], "input required and not supplied: path"),
            (vec![("path", " ")], "input required and not supplied: path"),
            (
                vec![("path", "x"), ("if-no-files-found", "maybe")],
                "input `if-no-files-found` must be warn, error or ignore, got `maybe`",
            ),
            (
                vec![("path", "x"), ("compression-level", "10")],
                "input `compression-level` must be a zlib level from 0 to 9, got `10`",
            ),
            (
                vec![("path", "x"), ("compression-level", "fast")],
                "input `compression-level` must be a zlib level from 0 to 9, got `fast`",
            ),
            (
                vec![("path", "x"), ("retention-days", "1.5")],
                "input `retention-days` must be a whole number of days, got `1.5`",
            ),
            (
                vec![("path", "x"), ("overwrite", "on")],
                "input `overwrite` must be a boolean (true | True | TRUE | false | False | FALSE), got `on`",
            ),
        ];
        for (inputs, message) in cases {
            assert_eq!(UploadOptions::from_inputs(&with(&inputs)), Err(message.to_string()));
        }
    }

    #[test]
    fn an_empty_name_is_kept_for_upload_to_refuse() {
        let options = UploadOptions::from_inputs(&with(&[("path", "x"), ("name", "")]));
        assert_eq!(options.map(|o| o.name), Ok(String::new()));
    }

    #[test]
    fn download_reads_v3_and_v4_inputs() {
        assert_eq!(DownloadOptions::from_inputs(&with(&[])), Ok(DownloadOptions::default()));
        assert_eq!(
            DownloadOptions::from_inputs(&with(&[("name", "model"), ("path", "models/")])),
            Ok(DownloadOptions {
                name: Some("model".into()),
                pattern: None,
                path: "models/".into(),
                merge_multiple: false,
            })
        );
        assert_eq!(
            DownloadOptions::from_inputs(&with(&[
                ("pattern", "model-*"),
                ("merge-multiple", "true"),
                ("github-token", "x")
            ])),
            Ok(DownloadOptions {
                name: None,
                pattern: Some("model-*".into()),
                path: String::new(),
                merge_multiple: true,
            })
        );
    }

    #[test]
    fn download_refuses_what_mlci_cannot_reach() {
        assert_eq!(
            DownloadOptions::from_inputs(&with(&[("run-id", "123")])),
            Err(
                "input `run-id` is not supported by mlci: it downloads from another run or repository; mlci reads \
                 the artifacts of this run (and, in a rerun, of the run it reruns)"
                    .into()
            )
        );
        assert_eq!(
            DownloadOptions::from_inputs(&with(&[("artifact-ids", "1,2")])),
            Err("input `artifact-ids` is not supported by mlci: mlci's artifacts have no ids; download by `name` or `pattern`".into())
        );
        assert!(DownloadOptions::from_inputs(&with(&[("merge-multiple", "1")])).is_err());
    }
}
