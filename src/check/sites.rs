//! Where an expression sits in a workflow decides which contexts and
//! special functions it may use (gha-semantics §1.9, from GitHub's own
//! template schema). Each `Site` is one row of that table.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    RunName,
    /// `on.workflow_call.inputs.<id>.default`.
    CallInputDefault,
    /// `on.workflow_call.outputs.<id>.value`.
    CallOutputValue,
    WorkflowConcurrency,
    WorkflowEnv,
    /// Keys that take no expressions at all (workflow `defaults.run`, step `id`).
    NoExpressions,
    JobIf,
    JobStrategy,
    /// Job `name`, `runs-on`, `timeout-minutes`, `continue-on-error`,
    /// `concurrency`, `environment`, `container`, `services`.
    JobSetting,
    JobEnv,
    JobDefaultsRun,
    Credentials,
    ContainerEnv,
    JobOutputs,
    EnvironmentUrl,
    ReusableWith,
    ReusableSecrets,
    SnapshotIf,
    StepIf,
    /// Step `name`, `run`, `env`, `with`, `working-directory`, `shell`,
    /// `continue-on-error`, `timeout-minutes`.
    Step,
}

const G: &str = "github";
const I: &str = "inputs";
const V: &str = "vars";
const N: &str = "needs";
const S: &str = "strategy";
const M: &str = "matrix";
const SEC: &str = "secrets";
const E: &str = "env";
const J: &str = "job";
const R: &str = "runner";
const ST: &str = "steps";

const STATUS: &[&str] = &["always", "cancelled", "failure", "success"];

impl Site {
    /// The contexts an expression here may name.
    pub fn contexts(self) -> &'static [&'static str] {
        match self {
            Site::RunName | Site::WorkflowConcurrency | Site::CallInputDefault => &[G, I, V],
            Site::CallOutputValue => &[G, I, "jobs", V],
            Site::WorkflowEnv => &[G, I, SEC, V],
            Site::NoExpressions => &[],
            Site::JobIf | Site::JobStrategy => &[G, I, N, V],
            Site::JobSetting => &[G, I, M, N, S, V],
            Site::JobEnv => &[G, I, M, N, SEC, S, V],
            Site::JobDefaultsRun => &[E, G, I, M, N, S, V],
            Site::Credentials => &[E, G, I, M, N, SEC, S, V],
            Site::ContainerEnv => &[E, G, I, J, M, N, R, SEC, S, V],
            Site::JobOutputs => &[E, G, I, J, M, N, R, SEC, ST, S, V],
            Site::EnvironmentUrl => &[E, G, I, J, M, N, R, ST, S, V],
            Site::ReusableWith => &[G, I, M, N, S, V],
            Site::ReusableSecrets => &[G, I, M, N, SEC, S, V],
            Site::SnapshotIf => &[G, I, M, N, S, V],
            Site::StepIf => &[E, G, I, J, M, N, R, ST, S, V],
            Site::Step => &[E, G, I, J, M, N, R, SEC, ST, S, V],
        }
    }

    /// The special functions (status checks, hashFiles) allowed here.
    pub fn special_functions(self) -> &'static [&'static str] {
        match self {
            Site::JobIf => STATUS,
            Site::StepIf => &["always", "cancelled", "failure", "hashFiles", "success"],
            Site::Step => &["hashFiles"],
            _ => &[],
        }
    }

    /// How the site reads in a message: "a job-level `if`".
    pub fn describe(self) -> &'static str {
        match self {
            Site::RunName => "`run-name`",
            Site::CallInputDefault => "a workflow_call input's `default`",
            Site::CallOutputValue => "a workflow_call output's `value`",
            Site::WorkflowConcurrency => "the workflow's `concurrency`",
            Site::WorkflowEnv => "the workflow's `env`",
            Site::NoExpressions => "this key",
            Site::JobIf => "a job-level `if`",
            Site::JobStrategy => "`strategy`",
            Site::JobSetting => "this job setting",
            Site::JobEnv => "a job's `env`",
            Site::JobDefaultsRun => "a job's `defaults.run`",
            Site::Credentials => "`credentials`",
            Site::ContainerEnv => "a container's `env`",
            Site::JobOutputs => "a job's `outputs`",
            Site::EnvironmentUrl => "`environment.url`",
            Site::ReusableWith => "`with` of a reusable workflow call",
            Site::ReusableSecrets => "`secrets` of a reusable workflow call",
            Site::SnapshotIf => "`snapshot.if`",
            Site::StepIf => "a step's `if`",
            Site::Step => "a step",
        }
    }
}

/// Every function name a workflow expression may call, special or not.
pub const SPECIAL_FUNCTIONS: &[&str] = &["always", "cancelled", "failure", "hashFiles", "success"];

/// Every context name GitHub knows (`jobs` only in reusable workflow outputs).
pub const ALL_CONTEXTS: &[&str] = &[E, G, I, J, "jobs", M, N, R, SEC, ST, S, V];
