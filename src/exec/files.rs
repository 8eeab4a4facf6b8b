//! File commands: what a step writes to `GITHUB_ENV`, `GITHUB_OUTPUT`,
//! `GITHUB_STATE` and `GITHUB_PATH`, read the way GitHub's runner reads them
//! (gha-semantics §3.6, the runner's `FileCommandManager`), so a workflow that
//! works on GitHub sets the same values here and one that fails there fails
//! here with the same message.

/// Parses a `GITHUB_ENV`, `GITHUB_OUTPUT` or `GITHUB_STATE` file into
/// `(name, value)` pairs in file order; when a name repeats, the later pair
/// wins once they are applied in order.
///
/// Lines are split on `\n` only: on Linux GitHub keeps a `\r` before it as
/// part of the value. Empty lines are skipped. `NAME=VALUE` is split at the
/// first `=` when that comes before any `<<`; otherwise `NAME<<DELIM` starts a
/// heredoc whose value is every following line up to one that is exactly
/// `DELIM`, joined with `\n`. The error texts are GitHub's.
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    // .NET's File.ReadAllText drops a UTF-8 byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Lines { text, at: 0 };
    let mut pairs = Vec::new();
    while let Some(line) = lines.next_line() {
        if line.text.is_empty() {
            continue;
        }
        let equals = line.text.find('=');
        let heredoc = line.text.find("<<");
        match (equals, heredoc) {
            (Some(eq), hd) if hd.is_none_or(|hd| eq < hd) => {
                let name = &line.text[..eq];
                if name.is_empty() {
                    // GitHub's runner means to reject this but its check never
                    // fires; an unnamed variable or output is never useful.
                    return Err(format!("Invalid format '{}'. Name must not be empty", line.text));
                }
                pairs.push((name.to_string(), line.text[eq + 1..].to_string()));
            }
            (_, Some(hd)) => {
                let name = &line.text[..hd];
                let delimiter = &line.text[hd + 2..];
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!(
                        "Invalid format '{}'. Name must not be empty and delimiter must not be empty",
                        line.text
                    ));
                }
                let value = read_heredoc(&mut lines, delimiter)?;
                pairs.push((name.to_string(), value.to_string()));
            }
            _ => return Err(format!("Invalid format '{}'", line.text)),
        }
    }
    Ok(pairs)
}

/// Reads heredoc value lines up to the delimiter line; the value is the text
/// between them without the newline that ends the last value line.
fn read_heredoc<'a>(lines: &mut Lines<'a>, delimiter: &str) -> Result<&'a str, String> {
    let start = lines.at;
    let mut end = start;
    loop {
        let Some(line) = lines.next_line() else {
            return Err(format!("Invalid value. Matching delimiter not found '{delimiter}'"));
        };
        if line.text == delimiter {
            return Ok(&lines.text[start..end]);
        }
        if !line.ended_by_newline {
            return Err("Invalid value. EOF marker missing new line.".to_string());
        }
        end = lines.at - 1;
    }
}

/// One line of a file command file.
struct Line<'a> {
    text: &'a str,
    /// False only for a last line with no `\n` after it.
    ended_by_newline: bool,
}

/// Splits text on `\n` the way the runner's `ReadLine` does on Linux.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the next line.
    at: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<Line<'a>> {
        let rest = self.text.get(self.at..).filter(|rest| !rest.is_empty())?;
        match rest.find('\n') {
            Some(lf) => {
                self.at += lf + 1;
                Some(Line {
                    text: &rest[..lf],
                    ended_by_newline: true,
                })
            }
            None => {
                self.at = self.text.len();
                Some(Line {
                    text: rest,
                    ended_by_newline: false,
                })
            }
        }
    }
}

/// The directories of a `GITHUB_PATH` file in file order, empty lines
/// skipped. The runner reads it with .NET's `ReadAllLines`, which ends a line
/// at `\r\n`, `\n` or a lone `\r`.
pub fn parse_path_file(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split(['\r', '\n'])
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// Adds the directories of one step's `GITHUB_PATH` file to the job's list,
/// which is kept most-recently-added first: each new entry goes to the front,
/// and one already there moves to the front. So the last line of a file ends
/// up first, as on GitHub.
pub fn prepend_paths(added: &mut Vec<String>, new: &[String]) {
    for dir in new {
        added.retain(|old| old != dir);
        added.insert(0, dir.clone());
    }
}

/// The `PATH` for a later step: the added directories (most recent first),
/// then the original `PATH`.
pub fn join_path(added: &[String], base: &str) -> String {
    if added.is_empty() {
        return base.to_string();
    }
    let mut path = added.join(":");
    if !base.is_empty() {
        path.push(':');
        path.push_str(base);
    }
    path
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
