//! Shell templates (stub).

#[derive(Clone, Debug, PartialEq)]
pub struct ShellCommand {
    pub program: String,
    pub args: Vec<String>,
    pub extension: &'static str,
}

pub fn resolve_shell(shell: Option<&str>, in_container: bool) -> Result<ShellCommand, String> {
    let _ = (shell, in_container);
    Err("not yet".into())
}

impl ShellCommand {
    pub fn argv(&self, script: &str) -> Vec<String> {
        let mut argv = vec![self.program.clone()];
        argv.extend(self.args.iter().map(|a| a.replace("{0}", script)));
        argv
    }
}
