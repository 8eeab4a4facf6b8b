//! Why a job leg could not start: typed, so the dispatcher, the reporters
//! and tests can tell the causes apart; each reads as the user's message.

#[derive(Debug, thiserror::Error)]
pub enum LegError {
    /// A `${{ }}` in `container`, `services` or `runs-on` failed to
    /// evaluate (the message names the expression).
    #[error("{0}")]
    Expression(String),
    /// `container.options` (or a service's) that mlci cannot take.
    #[error("{0}")]
    Options(String),
    #[error("job `{job}` has a `container:`, which needs the docker backend; it cannot run with --backend host")]
    ContainerOnHost { job: String },
    /// No image or host serves every `runs-on` label (the message names
    /// the labels and the `-P` flag that would).
    #[error("{0}")]
    Unmapped(String),
    #[error("job `{leg}`: {reason}")]
    Gpus { leg: String, reason: String },
    #[error("job `{leg}` needs the docker backend, which this run has not connected")]
    NoDocker { leg: String },
    #[error("job `{leg}` runs on a label mapped to Slurm, but this run has no Slurm backend")]
    NoSlurm { leg: String },
}
