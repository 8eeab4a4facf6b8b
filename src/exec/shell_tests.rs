use super::*;

fn shell(shell: Option<&str>, in_container: bool) -> ShellCommand {
    match resolve_shell(shell, in_container) {
        Ok(command) => command,
        Err(e) => panic!("{shell:?} should resolve, got {e}"),
    }
}

fn argv(shell_option: Option<&str>, in_container: bool) -> Vec<String> {
    shell(shell_option, in_container).argv("/tmp/s.sh")
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn default_is_bash_without_pipefail_on_the_host() {
    assert_eq!(argv(None, false), words(&["bash", "-e", "/tmp/s.sh"]));
    assert_eq!(shell(None, false).extension, ".sh");
}

#[test]
fn default_is_sh_in_a_job_container() {
    assert_eq!(argv(None, true), words(&["sh", "-e", "/tmp/s.sh"]));
}

#[test]
fn empty_shell_is_the_default() {
    assert_eq!(argv(Some(""), true), words(&["sh", "-e", "/tmp/s.sh"]));
    assert_eq!(argv(Some("  "), false), words(&["bash", "-e", "/tmp/s.sh"]));
}

#[test]
fn explicit_bash_adds_noprofile_norc_and_pipefail() {
    let want = words(&["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "/tmp/s.sh"]);
    assert_eq!(argv(Some("bash"), false), want);
    assert_eq!(argv(Some("bash"), true), want);
}

#[test]
fn sh_and_python() {
    assert_eq!(argv(Some("sh"), false), words(&["sh", "-e", "/tmp/s.sh"]));
    let python = shell(Some("python"), false);
    assert_eq!(python.argv("/tmp/s.py"), words(&["python", "/tmp/s.py"]));
    assert_eq!(python.extension, ".py");
}

#[test]
fn pwsh_dot_sources_the_script_and_wraps_it() {
    let pwsh = shell(Some("pwsh"), false);
    assert_eq!(pwsh.argv("/tmp/s.ps1"), words(&["pwsh", "-command", ". '/tmp/s.ps1'"]));
    assert_eq!(pwsh.extension, ".ps1");
    assert_eq!(
        pwsh.script_text("Write-Host hi"),
        "$ErrorActionPreference = 'stop'\nWrite-Host hi\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }"
    );
}

#[test]
fn other_shells_run_the_script_unchanged() {
    assert_eq!(shell(Some("bash"), false).script_prefix_suffix(), ("", ""));
    assert_eq!(shell(Some("bash"), false).script_text("echo hi\n"), "echo hi\n");
}

#[test]
fn names_alone_match_case_insensitively() {
    assert_eq!(argv(Some("BASH"), false)[0], "bash");
    assert_eq!(argv(Some("Sh"), false), words(&["sh", "-e", "/tmp/s.sh"]));
    assert_eq!(shell(Some("Python"), false).extension, ".py");
    assert_eq!(
        shell(Some("PWSH"), false).script_prefix_suffix().0,
        "$ErrorActionPreference = 'stop'\n"
    );
}

#[test]
fn custom_shell_program_and_arguments() {
    let custom = shell(Some("perl {0}"), false);
    assert_eq!(custom.argv("/tmp/s"), words(&["perl", "/tmp/s"]));
    assert_eq!(custom.extension, "");
    let custom = shell(Some("bash -x -e {0} extra"), false);
    assert_eq!(
        custom.argv("/tmp/s.sh"),
        words(&["bash", "-x", "-e", "/tmp/s.sh", "extra"])
    );
    assert_eq!(custom.extension, ".sh");
}

#[test]
fn custom_shell_extension_follows_the_program_name() {
    assert_eq!(shell(Some("python -u {0}"), false).extension, ".py");
    assert_eq!(shell(Some("PYTHON -u {0}"), false).extension, ".py");
    assert_eq!(shell(Some("pwsh -File {0}"), false).extension, ".ps1");
    assert_eq!(shell(Some("/usr/bin/python3 {0}"), false).extension, "");
}

#[test]
fn custom_pwsh_is_wrapped_only_under_its_exact_name() {
    assert_ne!(shell(Some("pwsh -File {0}"), false).script_prefix_suffix(), ("", ""));
    assert_eq!(shell(Some("PWSH -File {0}"), false).script_prefix_suffix(), ("", ""));
}

#[test]
fn custom_arguments_keep_quoted_words_together() {
    let custom = shell(Some("bash -c \"source {0}; echo done\""), false);
    assert_eq!(
        custom.argv("/tmp/s.sh"),
        words(&["bash", "-c", "source /tmp/s.sh; echo done"])
    );
    // A script path with spaces stays one word.
    let custom = shell(Some("sh -e {0}"), false);
    assert_eq!(
        custom.argv("/tmp/my dir/s.sh"),
        words(&["sh", "-e", "/tmp/my dir/s.sh"])
    );
}

#[test]
fn argument_words_split_like_dotnet() {
    assert_eq!(split_args("  a\tb  "), words(&["a", "b"]));
    assert_eq!(split_args(r#"a\"b"#), words(&[r#"a"b"#]));
    assert_eq!(split_args(r#"a\\"b c""#), words(&[r#"a\b c"#]));
    assert_eq!(split_args(r#"a\b"#), words(&[r#"a\b"#]));
    assert_eq!(split_args(r#""x""y""#), words(&[r#"x"y"#]));
    assert_eq!(split_args(r#""""#), words(&[""]));
    assert_eq!(split_args(""), Vec::<String>::new());
}

#[test]
fn extra_spaces_before_the_arguments_are_ignored() {
    assert_eq!(argv(Some("sh   -e {0}"), false), words(&["sh", "-e", "/tmp/s.sh"]));
    assert_eq!(argv(Some("  sh -e {0}  "), false), words(&["sh", "-e", "/tmp/s.sh"]));
}

#[test]
fn custom_shell_without_placeholder_is_githubs_error() {
    let want = "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format string containing '{0}'";
    assert_eq!(resolve_shell(Some("bash -e"), false), Err(want.to_string()));
    assert_eq!(resolve_shell(Some("perl"), false), Err(want.to_string()));
    assert_eq!(resolve_shell(Some("zsh"), true), Err(want.to_string()));
}

#[test]
fn windows_shells_are_refused() {
    let err = resolve_shell(Some("cmd"), false).unwrap_err();
    assert_eq!(
        err,
        "the 'cmd' shell runs only on Windows; mlci runs steps on Linux (use bash, sh, pwsh or python)"
    );
    let err = resolve_shell(Some("PowerShell"), false).unwrap_err();
    assert_eq!(
        err,
        "the 'PowerShell' shell runs only on Windows; mlci runs steps on Linux (use bash, sh, pwsh or python)"
    );
    assert!(resolve_shell(Some("powershell -command {0}"), false).is_err());
}
