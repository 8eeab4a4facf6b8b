//! Splitting an options string into words the way a POSIX shell does, so
//! `container.options` reads the same as on a `docker run` command line.
//! Only quoting is done: `$VAR`, globs and `~` stay as written.

/// The words of `text`: blanks separate words; `'...'` is literal; in
/// `"..."` a backslash escapes only `$`, `` ` ``, `"`, `\` and a newline;
/// outside quotes a backslash makes the next character literal, and a
/// backslash before a newline joins the lines.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A word can be empty (`''`), so "started" is tracked apart from its text.
    let mut started = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            '\'' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(unclosed('\'', text)),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('\n') => {}
                            Some(c @ ('$' | '`' | '"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(unclosed('"', text)),
                        },
                        Some(c) => word.push(c),
                        None => return Err(unclosed('"', text)),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    started = true;
                    word.push(c);
                }
                // A trailing backslash has nothing to escape; keep it.
                None => {
                    started = true;
                    word.push('\\');
                }
            },
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

fn unclosed(quote: char, text: &str) -> String {
    format!("unclosed {quote} in container options `{text}`")
}

#[cfg(test)]
mod tests {
    use super::split_words;

    fn words(text: &str) -> Vec<String> {
        split_words(text).unwrap()
    }

    #[test]
    fn blanks_separate_words() {
        assert_eq!(words("  --cpus 2\t-e\nA=1  "), ["--cpus", "2", "-e", "A=1"]);
        assert!(words("   ").is_empty());
    }

    #[test]
    fn single_quotes_keep_everything() {
        assert_eq!(words(r#"--gpus '"device=0,1"'"#), ["--gpus", r#""device=0,1""#]);
        assert_eq!(words(r"'a \ $b' ''"), [r"a \ $b", ""]);
    }

    #[test]
    fn double_quotes_escape_only_special_characters() {
        assert_eq!(
            words(r#"--health-cmd "pg_isready -U \"x\" \$HOME \n""#),
            ["--health-cmd", r#"pg_isready -U "x" $HOME \n"#]
        );
        assert_eq!(words("\"a\\\nb\""), ["ab"]);
    }

    #[test]
    fn backslash_outside_quotes() {
        assert_eq!(words(r"a\ b c\\d \'"), ["a b", r"c\d", "'"]);
        assert_eq!(words("--cpus \\\n 2"), ["--cpus", "2"]);
        assert_eq!(words(r"a\"), [r"a\"]);
    }

    #[test]
    fn quotes_join_with_neighbours() {
        assert_eq!(words(r#"-e A="x y"'z'"#), ["-e", "A=x yz"]);
    }

    #[test]
    fn unclosed_quotes_are_errors() {
        assert_eq!(
            split_words("-e 'A=1").unwrap_err(),
            "unclosed ' in container options `-e 'A=1`"
        );
        assert_eq!(
            split_words("-e \"A=1").unwrap_err(),
            "unclosed \" in container options `-e \"A=1`"
        );
        assert_eq!(
            split_words("-e \"A=1\\").unwrap_err(),
            "unclosed \" in container options `-e \"A=1\\`"
        );
    }
}
