//! `actions/setup-python`, built in without downloads: the job uses the
//! Python its image has, and this says whether that is the one the step asks
//! for, with a clear warning when it is not.
//!
//! `python-version` is matched as setup-python matches it (see
//! `python_version`): `3.10` is any 3.10.x, `3.x` any 3, `3.11.4` exactly
//! that, and npm-style ranges such as `>=3.9 <3.12` work too. With several
//! lines, the last is the one checked (setup-python makes the last the
//! default). PyPy and GraalPy are never in the image.

use super::python_version::{parse_installed, satisfies};

/// The outcome of comparing the requested Python with the image's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonCheck {
    /// True when the image's Python satisfies `python-version` (or none was
    /// asked for and the image has a Python).
    pub matches: bool,
    /// The image's version ("3.11.2"): setup-python's `python-version`
    /// output. Empty when it could not be read.
    pub version: String,
    /// A line for the log: a note when it matches, a warning otherwise.
    pub message: String,
}

/// Compares `requested` (`with.python-version`) with `image_version` (what
/// `python3 --version` printed in the job's image).
pub fn check_python(requested: Option<&str>, image_version: &str) -> PythonCheck {
    let requested = requested.and_then(|r| r.lines().map(str::trim).rfind(|l| !l.is_empty()));
    let Some((triple, version)) = parse_installed(image_version) else {
        let shown = image_version.trim();
        let asked = requested.map_or(String::new(), |r| format!("python-version {r} requested, but "));
        return PythonCheck {
            matches: false,
            version: String::new(),
            message: format!(
                "{asked}the image's Python version could not be read from `python3 --version` ('{shown}'): \
                 is python3 installed in the image?"
            ),
        };
    };
    let Some(requested) = requested else {
        let message = format!("no python-version requested; using the image's Python {version}");
        return PythonCheck {
            matches: true,
            version,
            message,
        };
    };
    let other_python = ["pypy", "graalpy"]
        .iter()
        .any(|p| requested.to_ascii_lowercase().starts_with(p));
    let message = match (other_python, satisfies(requested, triple)) {
        (false, Some(true)) => {
            let message = format!("python-version {requested} requested; the image has Python {version}, which matches");
            return PythonCheck { matches: true, version, message };
        }
        (false, None) => format!(
            "python-version '{requested}' is not a version setup-python understands; going on with the image's Python {version}"
        ),
        _ => format!(
            "python-version {requested} requested; the image has Python {version} and mlci does not download Pythons: \
             going on with {version} (use an image with {requested} via -P or container:){}",
            yaml_hint(requested)
        ),
    };
    PythonCheck {
        matches: false,
        version,
        message,
    }
}

/// YAML reads an unquoted `3.10` as the number 3.1, a classic trap.
fn yaml_hint(requested: &str) -> &'static str {
    match requested {
        "3.1" => "; if you meant 3.10, quote it: '3.10' (YAML reads 3.10 as 3.1)",
        "3.2" => "; if you meant 3.20, quote it: '3.20' (YAML reads 3.20 as 3.2)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(requested: Option<&str>, image: &str) -> (bool, String) {
        let got = check_python(requested, image);
        (got.matches, got.message)
    }

    #[test]
    fn a_minor_version_matches_any_of_its_patches() {
        let got = check_python(Some("3.11"), "Python 3.11.2");
        assert_eq!(
            got,
            PythonCheck {
                matches: true,
                version: "3.11.2".into(),
                message: "python-version 3.11 requested; the image has Python 3.11.2, which matches".into(),
            }
        );
    }

    #[test]
    fn a_different_version_warns_and_goes_on_with_the_images() {
        let got = check_python(Some("3.10"), "Python 3.11.2\n");
        assert_eq!(
            got,
            PythonCheck {
                matches: false,
                version: "3.11.2".into(),
                message: "python-version 3.10 requested; the image has Python 3.11.2 and mlci does not download \
                          Pythons: going on with 3.11.2 (use an image with 3.10 via -P or container:)"
                    .into(),
            }
        );
    }

    #[test]
    fn x_ranges_exact_versions_and_npm_ranges() {
        assert!(check(Some("3.x"), "Python 3.12.3").0);
        assert!(check(Some("3"), "Python 3.12.3").0);
        assert!(check(Some("3.11.4"), "Python 3.11.4").0);
        assert!(!check(Some("3.11.4"), "Python 3.11.2").0);
        assert!(check(Some(">=3.9"), "Python 3.12.3").0);
        assert!(!check(Some(">=3.9 <3.12"), "Python 3.12.3").0);
        assert!(check(Some("3.13-dev"), "Python 3.13.0rc1").0);
    }

    #[test]
    fn nothing_requested_uses_the_images_python() {
        for requested in [None, Some(""), Some("  \n")] {
            assert_eq!(
                check(requested, "Python 3.12.3"),
                (
                    true,
                    "no python-version requested; using the image's Python 3.12.3".into()
                )
            );
        }
    }

    #[test]
    fn the_last_of_several_lines_is_checked() {
        assert!(check(Some("3.9\n3.12\n"), "Python 3.12.3").0);
        assert!(!check(Some("3.12\n3.9"), "Python 3.12.3").0);
    }

    #[test]
    fn pypy_is_never_in_the_image() {
        let (matches, message) = check(Some("pypy3.10"), "Python 3.10.12");
        assert!(!matches);
        assert_eq!(
            message,
            "python-version pypy3.10 requested; the image has Python 3.10.12 and mlci does not download Pythons: \
             going on with 3.10.12 (use an image with pypy3.10 via -P or container:)"
        );
    }

    #[test]
    fn a_spec_that_is_not_a_version_says_so() {
        assert_eq!(
            check(Some("latest"), "Python 3.12.3"),
            (
                false,
                "python-version 'latest' is not a version setup-python understands; going on with the image's \
                 Python 3.12.3"
                    .into()
            )
        );
    }

    #[test]
    fn an_unquoted_3_10_gets_a_yaml_hint() {
        let (matches, message) = check(Some("3.1"), "Python 3.10.12");
        assert!(!matches);
        assert!(
            message.ends_with("; if you meant 3.10, quote it: '3.10' (YAML reads 3.10 as 3.1)"),
            "{message}"
        );
    }

    #[test]
    fn an_image_without_python_is_reported() {
        let got = check_python(Some("3.11"), "sh: 1: python3: not found");
        assert_eq!(
            got,
            PythonCheck {
                matches: false,
                version: String::new(),
                message: "python-version 3.11 requested, but the image's Python version could not be read from \
                          `python3 --version` ('sh: 1: python3: not found'): is python3 installed in the image?"
                    .into(),
            }
        );
        assert!(check_python(None, "")
            .message
            .starts_with("the image's Python version could not be read"));
    }
}
