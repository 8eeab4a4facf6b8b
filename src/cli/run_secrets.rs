//! `--secret` and `--secret-file`: the `secrets` context of a run.

use crate::exec::dotenv::parse_dotenv;
use std::path::{Path, PathBuf};

/// The variables of `--env-file` dotenv files, in order.
pub fn read_env_files(files: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut vars = Vec::new();
    for file in files {
        vars.extend(read_dotenv(file)?);
    }
    Ok(vars)
}

fn read_dotenv(file: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    parse_dotenv(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// `NAME=VALUE`, `NAME` (from mlci's environment, else from standard input),
/// then dotenv files; a later value for the same name wins.
pub fn read_secrets(flags: &[String], files: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut stdin_used = false;
    let mut secrets: Vec<(String, String)> = Vec::new();
    let mut set = |name: String, value: String| {
        secrets.retain(|(n, _)| n != &name);
        secrets.push((name, value));
    };
    for file in files {
        for (name, value) in read_dotenv(file)? {
            set(name, value);
        }
    }
    for flag in flags {
        match flag.split_once('=') {
            Some((name, value)) if !name.is_empty() => set(name.to_string(), value.to_string()),
            Some(_) => return Err(format!("--secret takes NAME=VALUE or NAME, not `{flag}`")),
            None => {
                let value = match std::env::var(flag) {
                    Ok(value) => value,
                    Err(_) if !stdin_used => {
                        stdin_used = true;
                        read_from_stdin(flag)?
                    }
                    Err(_) => {
                        return Err(format!(
                            "--secret {flag}: there is no environment variable `{flag}`, and standard input \
                             already gave another secret"
                        ))
                    }
                };
                set(flag.clone(), value);
            }
        }
    }
    Ok(secrets)
}

/// A secret typed at the terminal (not echoed) or piped in (`pass show x |
/// mlci run --secret TOKEN`): it never appears in `ps` or the shell history.
fn read_from_stdin(name: &str) -> Result<String, String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let mut line = String::new();
    let read = if terminal {
        eprint!("{name}: ");
        let echo = EchoOff::new();
        let read = stdin.lock().read_line(&mut line);
        drop(echo);
        eprintln!();
        read
    } else {
        std::io::Read::read_to_string(&mut stdin.lock(), &mut line)
    };
    match read {
        Ok(0) => Err(format!(
            "--secret {name}: there is no environment variable `{name}`, and standard input is empty"
        )),
        Ok(_) => Ok(line.trim_end_matches(['\n', '\r']).to_string()),
        Err(e) => Err(format!("--secret {name}: failed to read standard input: {e}")),
    }
}

/// Turns the terminal's echo off until dropped.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios that
        // tcgetattr fills; nothing is kept beyond the call.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return EchoOff(None);
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &quiet);
            EchoOff(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: restores the settings tcgetattr returned.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
        }
    }
}
