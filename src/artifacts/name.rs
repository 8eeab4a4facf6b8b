//! Artifact names: GitHub's rules (`@actions/artifact`'s
//! `path-and-artifact-name-validation.ts`), plus the two names that would
//! step out of a download folder (`.` and `..`).

/// The characters GitHub refuses in artifact names, with how to say them.
const INVALID_NAME_CHARACTERS: [(char, &str); 11] = [
    ('"', "double quote \""),
    (':', "colon :"),
    ('<', "less than <"),
    ('>', "greater than >"),
    ('|', "vertical bar |"),
    ('*', "asterisk *"),
    ('?', "question mark ?"),
    ('\r', "carriage return \\r"),
    ('\n', "line feed \\n"),
    ('\\', "backslash \\"),
    ('/', "forward slash /"),
];

/// The characters GitHub refuses in the paths of the files of an artifact.
const INVALID_PATH_CHARACTERS: [(char, &str); 9] = [
    ('"', "double quote \""),
    (':', "colon :"),
    ('<', "less than <"),
    ('>', "greater than >"),
    ('|', "vertical bar |"),
    ('*', "asterisk *"),
    ('?', "question mark ?"),
    ('\r', "carriage return \\r"),
    ('\n', "line feed \\n"),
];

/// Checks an artifact name. Besides GitHub's characters, `.`, `..` and NUL
/// are refused: each artifact is stored as `<name>.zip` and downloaded to
/// `<path>/<name>/`, which those would break out of.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the artifact name is empty".to_string());
    }
    if name == "." || name == ".." {
        return Err(format!(
            "the artifact name `{name}` is not valid: it would name the folder it is downloaded into{}",
            if name == ".." { "'s parent" } else { "" }
        ));
    }
    if let Some((_, what)) = INVALID_NAME_CHARACTERS.iter().find(|(c, _)| name.contains(*c)) {
        return Err(format!(
            "the artifact name `{}` is not valid: it contains a {what}; artifact names cannot contain {}",
            name.escape_debug(),
            listed(&INVALID_NAME_CHARACTERS)
        ));
    }
    if name.contains('\0') {
        return Err(format!(
            "the artifact name `{}` is not valid: it contains a NUL character",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// Checks the path a file has inside an artifact, as GitHub does before it
/// uploads anything.
pub(super) fn validate_file_path(path: &str) -> Result<(), String> {
    match INVALID_PATH_CHARACTERS.iter().find(|(c, _)| path.contains(*c)) {
        Some((_, what)) => Err(format!(
            "the file `{}` cannot be uploaded: its path contains a {what}; paths in an artifact cannot contain {}",
            path.escape_debug(),
            listed(&INVALID_PATH_CHARACTERS)
        )),
        None => Ok(()),
    }
}

fn listed(characters: &[(char, &str)]) -> String {
    let names: Vec<&str> = characters.iter().map(|(_, what)| *what).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_names_pass() {
        for name in ["artifact", "trained-model", "model (lr=0.1)", ".hidden", "a..b", "日本"] {
            assert_eq!(validate_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn names_that_escape_or_github_refuses_fail() {
        assert_eq!(validate_name(""), Err("the artifact name is empty".to_string()));
        assert_eq!(
            validate_name(".."),
            Err("the artifact name `..` is not valid: it would name the folder it is downloaded into's parent".into())
        );
        assert_eq!(
            validate_name("."),
            Err("the artifact name `.` is not valid: it would name the folder it is downloaded into".into())
        );
        let all = "double quote \", colon :, less than <, greater than >, vertical bar |, asterisk *, \
                   question mark ?, carriage return \\r, line feed \\n, backslash \\, forward slash /";
        assert_eq!(
            validate_name("../evil"),
            Err(format!("the artifact name `../evil` is not valid: it contains a forward slash /; artifact names cannot contain {all}"))
        );
        assert_eq!(
            validate_name("a\nb"),
            Err(format!("the artifact name `a\\nb` is not valid: it contains a line feed \\n; artifact names cannot contain {all}"))
        );
        for bad in ["a\\b", "c:d", "x<y", "x>y", "x|y", "x*", "x?", "\"q\"", "a\rb"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert!(validate_name("a\0b").is_err());
    }

    #[test]
    fn file_paths_refuse_github_characters() {
        assert_eq!(validate_file_path("dir/a b.txt"), Ok(()));
        assert_eq!(
            validate_file_path("logs/run:1.txt"),
            Err(
                "the file `logs/run:1.txt` cannot be uploaded: its path contains a colon :; paths in an artifact \
                 cannot contain double quote \", colon :, less than <, greater than >, vertical bar |, asterisk *, \
                 question mark ?, carriage return \\r, line feed \\n"
                    .into()
            )
        );
    }
}
