//! The typed workflow model: every key of GitHub's workflow syntax, each
//! value with the span it came from. Reading checks structure (known keys,
//! types, required keys, ids); `check` adds the semantic checks.

mod container;
pub mod events;
mod job;
pub mod limits;
mod reader;
mod shared;
mod spanned;
mod step;
mod strategy;
mod triggers;
mod uses;
mod workflow;

pub use container::Container;
pub use job::{is_valid_id, parse_duration, Job, RunsOn, EXTENSION_KEYS};
pub use reader::Reader;
pub use shared::{Concurrency, Defaults, Environment};
pub use spanned::{Dynamic, Spanned, Text};
pub use step::{read_step, Step};
pub use strategy::{FixedMatrix, Matrix, Strategy};
pub use triggers::{CronEntry, EventTrigger, Filter, Input, Triggers};
pub use uses::{ActionRef, Uses};
pub use workflow::{read_workflow, Workflow};
