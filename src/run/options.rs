//! `container.options` in Docker CLI form (stub).

use super::backend::ContainerConfig;

pub fn parse_options(options: &str, config: &mut ContainerConfig) -> Result<(), String> {
    let _ = (options, config);
    Err("not yet".into())
}
