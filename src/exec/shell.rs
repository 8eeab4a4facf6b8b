//! The command line a `run:` step's script is started with, from its
//! `shell:` (gha-semantics §3.5; the runner's `ScriptHandler` and
//! `ScriptHandlerHelpers`).

/// How to run a script: `program`, then `args` with `{0}` standing for the
/// script's path, which has `extension`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShellCommand {
    pub program: String,
    pub args: Vec<String>,
    pub extension: &'static str,
}

/// GitHub's text for a custom shell without `{0}`, or an unknown name alone.
pub const INVALID_SHELL: &str =
    "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format string containing '{0}'";

/// pwsh runs the script with `$ErrorActionPreference = 'stop'` first and exits
/// with the last native command's code at the end, as on GitHub.
const PWSH_PREFIX: &str = "$ErrorActionPreference = 'stop'\n";
const PWSH_SUFFIX: &str = "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }";

/// The built-in shells a name alone stands for: name, argument format, script
/// extension. `bash` gets `-e -o pipefail` written out as the runner does.
const BUILT_INS: [(&str, &str, &str); 4] = [
    ("bash", "--noprofile --norc -e -o pipefail {0}", ".sh"),
    ("sh", "-e {0}", ".sh"),
    ("python", "{0}", ".py"),
    ("pwsh", "-command \". '{0}'\"", ".ps1"),
];

/// Resolves a step's `shell:` (or the default when it has none).
///
/// With no `shell:`, GitHub runs `bash -e {0}` on the host (no `--noprofile`,
/// no pipefail; it falls back to `sh` when there is no bash) and `sh -e {0}`
/// inside a job container, because it cannot look for bash there.
/// `in_container` is true when the job has its own `container:`.
///
/// A name alone is looked up case-insensitively among the built-ins. Anything
/// else is `program args`: the first word is the program and the rest, which
/// must contain `{0}`, its arguments. The script's extension follows the
/// program's name (`.sh`, `.py`, `.ps1`), and is empty for other programs, as
/// on GitHub.
pub fn resolve_shell(shell: Option<&str>, in_container: bool) -> Result<ShellCommand, String> {
    let Some(shell) = shell.map(str::trim).filter(|s| !s.is_empty()) else {
        let program = if in_container { "sh" } else { "bash" };
        return Ok(ShellCommand {
            program: program.to_string(),
            args: split_args("-e {0}"),
            extension: ".sh",
        });
    };
    let (program, format) = match shell.split_once(' ') {
        Some((program, format)) => (program, format.trim_start()),
        None => (shell, ""),
    };
    if ["cmd", "powershell"]
        .iter()
        .any(|windows| program.eq_ignore_ascii_case(windows))
    {
        return Err(format!(
            "the '{program}' shell runs only on Windows; mlci runs steps on Linux (use bash, sh, pwsh or python)"
        ));
    }
    let built_in = BUILT_INS.iter().find(|(name, _, _)| program.eq_ignore_ascii_case(name));
    let extension = built_in.map_or("", |(_, _, extension)| *extension);
    if format.is_empty() {
        let Some((name, format, extension)) = built_in else {
            return Err(INVALID_SHELL.to_string());
        };
        return Ok(ShellCommand {
            program: name.to_string(),
            args: split_args(format),
            extension,
        });
    }
    if !format.contains("{0}") {
        return Err(INVALID_SHELL.to_string());
    }
    Ok(ShellCommand {
        program: program.to_string(),
        args: split_args(format),
        extension,
    })
}

impl ShellCommand {
    /// The argv that runs the script at `script`.
    pub fn argv(&self, script: &str) -> Vec<String> {
        let mut argv = vec![self.program.clone()];
        argv.extend(self.args.iter().map(|a| a.replace("{0}", script)));
        argv
    }

    /// Text the runner puts before and after the script: pwsh's error
    /// handling, nothing for other shells.
    pub fn script_prefix_suffix(&self) -> (&'static str, &'static str) {
        // The runner keys this on the exact name: a custom `PWSH -File {0}`
        // is not wrapped there either.
        if self.program == "pwsh" {
            (PWSH_PREFIX, PWSH_SUFFIX)
        } else {
            ("", "")
        }
    }

    /// The script file's contents for a step's `run:` text.
    pub fn script_text(&self, run: &str) -> String {
        let (prefix, suffix) = self.script_prefix_suffix();
        format!("{prefix}{run}{suffix}")
    }
}

/// Splits an argument format into words the way .NET splits a process's
/// argument string on Linux: spaces and tabs separate words, double quotes
/// group (`""` inside quotes is a literal quote), and backslashes escape a
/// double quote. Splitting before `{0}` is replaced keeps a script path with
/// spaces in one word.
fn split_args(format: &str) -> Vec<String> {
    let chars: Vec<char> = format.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && matches!(chars[i], ' ' | '\t') {
            i += 1;
        }
        if i == chars.len() {
            break;
        }
        words.push(next_word(&chars, &mut i));
    }
    words
}

fn next_word(chars: &[char], i: &mut usize) -> String {
    let mut word = String::new();
    let mut in_quotes = false;
    while *i < chars.len() {
        let backslashes = chars[*i..].iter().take_while(|&&c| c == '\\').count();
        if backslashes > 0 {
            *i += backslashes;
            if chars.get(*i) == Some(&'"') {
                word.extend(std::iter::repeat_n('\\', backslashes / 2));
                if backslashes % 2 == 1 {
                    word.push('"');
                    *i += 1;
                }
            } else {
                word.extend(std::iter::repeat_n('\\', backslashes));
            }
            continue;
        }
        let c = chars[*i];
        if c == '"' {
            if in_quotes && chars.get(*i + 1) == Some(&'"') {
                word.push('"');
                *i += 1;
            } else {
                in_quotes = !in_quotes;
            }
            *i += 1;
            continue;
        }
        if matches!(c, ' ' | '\t') && !in_quotes {
            break;
        }
        word.push(c);
        *i += 1;
    }
    word
}

#[cfg(test)]
#[path = "shell_tests.rs"]
mod tests;
