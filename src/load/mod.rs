//! Reading workflow files: finding them on disk (`discover`), and turning
//! their YAML into a tree of `Node`s that remember where they came from
//! (`yaml`, the one file that knows which YAML parser we use).

mod discover;
mod node;
mod scalar;
mod yaml;

pub use discover::{discover, DiscoverError};
pub use node::{Mapping, Node, NodeValue};
pub use scalar::{Scalar, ScalarStyle};
pub use yaml::{parse_yaml, LoadedYaml, MAX_FILE_BYTES};
