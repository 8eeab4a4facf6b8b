//! `container.options` (and a service's `options`) in `docker run` form,
//! read into a [`ContainerConfig`]. mlci creates containers through the
//! Docker API, not the CLI, so it supports the options it can translate and
//! refuses any other by name rather than dropping it silently.

pub mod policy;
mod values;
mod words;

pub use crate::plan::parse_gpus;
pub use words::split_words;

use crate::backend::{ContainerConfig, Healthcheck};
pub use values::parse_bytes;
use values::{parse_cpus, parse_device, parse_duration, parse_ulimit};

/// Reads `options` into `config`, adding to what the `container:` keys
/// already set. On an error `config` is left as it was.
pub fn parse_options(options: &str, config: &mut ContainerConfig) -> Result<(), String> {
    parse_options_with_env(options, config, |name| std::env::var(name).ok())
}

/// [`parse_options`] with the environment that `-e NAME` reads from, so
/// tests need not touch the process environment.
fn parse_options_with_env(
    options: &str,
    config: &mut ContainerConfig,
    env: fn(&str) -> Option<String>,
) -> Result<(), String> {
    let words = split_words(options)?;
    let mut parse = Parse {
        config: config.clone(),
        env,
        no_healthcheck: false,
    };
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let (option, inline) = find_option(word)?;
        let value = match (option.takes_value, inline) {
            (true, Some(value)) => value,
            (true, None) => words
                .next()
                .map(String::as_str)
                .ok_or_else(|| format!("container option `{word}` needs a value"))?,
            (false, None) => "true",
            (false, Some(value)) => value,
        };
        (option.apply)(&mut parse, value)?;
    }
    parse.finish()?;
    *config = parse.config;
    Ok(())
}

/// One option mlci supports: its names (the first is the one shown) and
/// what it does to the config.
struct Spec {
    names: &'static [&'static str],
    short: Option<char>,
    takes_value: bool,
    apply: fn(&mut Parse, &str) -> Result<(), String>,
}

const fn option(
    names: &'static [&'static str],
    short: Option<char>,
    apply: fn(&mut Parse, &str) -> Result<(), String>,
) -> Spec {
    Spec {
        names,
        short,
        takes_value: true,
        apply,
    }
}

const fn flag(names: &'static [&'static str], apply: fn(&mut Parse, &str) -> Result<(), String>) -> Spec {
    Spec {
        names,
        short: None,
        takes_value: false,
        apply,
    }
}

const OPTIONS: &[Spec] = &[
    option(&["--gpus"], None, Parse::gpus),
    option(&["--shm-size"], None, Parse::shm_size),
    option(&["--ipc"], None, Parse::ipc),
    option(&["--ulimit"], None, Parse::ulimit),
    option(&["--cpus"], None, Parse::cpus),
    option(&["--memory"], Some('m'), Parse::memory),
    option(&["--device"], None, Parse::device),
    option(&["--env"], Some('e'), Parse::env),
    option(&["--volume"], Some('v'), Parse::volume),
    option(&["--publish"], Some('p'), Parse::publish),
    option(&["--user"], Some('u'), Parse::user),
    option(&["--network", "--net"], None, Parse::network),
    flag(&["--privileged"], Parse::privileged),
    option(&["--workdir"], Some('w'), Parse::workdir),
    option(&["--hostname"], Some('h'), Parse::hostname),
    option(&["--health-cmd"], None, Parse::health_cmd),
    option(&["--health-interval"], None, Parse::health_interval),
    option(&["--health-timeout"], None, Parse::health_timeout),
    option(&["--health-start-period"], None, Parse::health_start_period),
    option(&["--health-start-interval"], None, Parse::health_start_interval),
    option(&["--health-retries"], None, Parse::health_retries),
    flag(&["--no-healthcheck"], Parse::no_healthcheck),
    // mlci removes every container it starts, so `--rm` changes nothing.
    flag(&["--rm"], |_, value| parse_bool("--rm", value).map(drop)),
];

/// The option a word names, with the value written in the same word
/// (`--shm-size=1g`, `-eA=1`, `-e=A=1`), if any.
fn find_option(word: &str) -> Result<(&'static Spec, Option<&str>), String> {
    let found = if let Some(long) = word.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        let name = &word[..name.len() + 2];
        OPTIONS
            .iter()
            .find(|o| o.names.contains(&name))
            .map(|o| (o, inline))
            .ok_or(name)
    } else if let Some(short) = word.strip_prefix('-').and_then(|s| s.chars().next()) {
        let rest = &word[1 + short.len_utf8()..];
        let inline = (!rest.is_empty()).then(|| rest.strip_prefix('=').unwrap_or(rest));
        OPTIONS
            .iter()
            .find(|o| o.short == Some(short))
            .map(|o| (o, inline))
            .ok_or(&word[..1 + short.len_utf8()])
    } else {
        return Err(format!(
            "unexpected `{word}` in container options: each option starts with `-` (like --shm-size 1g)"
        ));
    };
    found.map_err(|name| {
        let supported: Vec<&str> = OPTIONS.iter().map(|o| o.names[0]).collect();
        format!(
            "unknown container option `{name}` (mlci supports: {})",
            supported.join(", ")
        )
    })
}

/// `--flag=VALUE` for a flag, read as Go's `strconv.ParseBool` does.
fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("`{name}` takes true or false, not `{value}`")),
    }
}

fn non_empty(name: &str, value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err(format!("container option `{name}` needs a value"));
    }
    Ok(value.to_string())
}

/// The options read so far.
struct Parse {
    config: ContainerConfig,
    env: fn(&str) -> Option<String>,
    no_healthcheck: bool,
}

impl Parse {
    fn gpus(&mut self, value: &str) -> Result<(), String> {
        if self.config.gpus.is_some() {
            return Err(format!("`--gpus` is given twice (the second is `{value}`)"));
        }
        self.config.gpus = Some(parse_gpus(value)?);
        Ok(())
    }

    fn shm_size(&mut self, value: &str) -> Result<(), String> {
        self.config.shm_size = Some(size("--shm-size", value)?);
        Ok(())
    }

    fn memory(&mut self, value: &str) -> Result<(), String> {
        self.config.memory = Some(size("--memory", value)?);
        Ok(())
    }

    fn ipc(&mut self, value: &str) -> Result<(), String> {
        let valid = matches!(value, "host" | "private" | "shareable" | "none")
            || value.strip_prefix("container:").is_some_and(|c| !c.is_empty());
        if !valid {
            return Err(format!(
                "`--ipc` takes host, private, shareable, none or container:NAME, not `{value}`"
            ));
        }
        self.config.ipc = Some(value.to_string());
        Ok(())
    }

    fn ulimit(&mut self, value: &str) -> Result<(), String> {
        let ulimit = parse_ulimit(value)?;
        // A later `--ulimit` of the same name replaces the earlier, as in Docker.
        self.config.ulimits.retain(|u| u.name != ulimit.name);
        self.config.ulimits.push(ulimit);
        Ok(())
    }

    fn cpus(&mut self, value: &str) -> Result<(), String> {
        self.config.nano_cpus = Some(parse_cpus(value)?);
        Ok(())
    }

    fn device(&mut self, value: &str) -> Result<(), String> {
        self.config.devices.push(parse_device(value)?);
        Ok(())
    }

    /// `-e NAME=VALUE`, or `-e NAME` to pass mlci's own `NAME` through (left
    /// out when mlci has no such variable, as Docker does).
    fn env(&mut self, value: &str) -> Result<(), String> {
        let (name, value) = match value.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (value, (self.env)(value)),
        };
        if name.is_empty() {
            return Err(format!(
                "`--env` takes NAME=VALUE or NAME, not `{}`",
                value.unwrap_or_default()
            ));
        }
        if let Some(value) = value {
            self.config.env.push((name.to_string(), value));
        }
        Ok(())
    }

    fn volume(&mut self, value: &str) -> Result<(), String> {
        self.config.volumes.push(non_empty("--volume", value)?);
        Ok(())
    }

    fn publish(&mut self, value: &str) -> Result<(), String> {
        self.config.ports.push(non_empty("--publish", value)?);
        Ok(())
    }

    fn user(&mut self, value: &str) -> Result<(), String> {
        self.config.user = Some(non_empty("--user", value)?);
        Ok(())
    }

    fn network(&mut self, value: &str) -> Result<(), String> {
        self.config.network = Some(non_empty("--network", value)?);
        Ok(())
    }

    fn privileged(&mut self, value: &str) -> Result<(), String> {
        self.config.privileged = parse_bool("--privileged", value)?;
        Ok(())
    }

    fn workdir(&mut self, value: &str) -> Result<(), String> {
        if !value.starts_with('/') {
            return Err(format!("`--workdir` takes an absolute path, not `{value}`"));
        }
        self.config.workdir = Some(value.to_string());
        Ok(())
    }

    fn hostname(&mut self, value: &str) -> Result<(), String> {
        self.config.hostname = Some(non_empty("--hostname", value)?);
        Ok(())
    }

    fn health_cmd(&mut self, value: &str) -> Result<(), String> {
        let command = non_empty("--health-cmd", value)?;
        self.health().test = vec!["CMD-SHELL".to_string(), command];
        Ok(())
    }

    fn health_interval(&mut self, value: &str) -> Result<(), String> {
        self.health().interval = Some(duration("--health-interval", value)?);
        Ok(())
    }

    fn health_timeout(&mut self, value: &str) -> Result<(), String> {
        self.health().timeout = Some(duration("--health-timeout", value)?);
        Ok(())
    }

    fn health_start_period(&mut self, value: &str) -> Result<(), String> {
        self.health().start_period = Some(duration("--health-start-period", value)?);
        Ok(())
    }

    fn health_start_interval(&mut self, value: &str) -> Result<(), String> {
        self.health().start_interval = Some(duration("--health-start-interval", value)?);
        Ok(())
    }

    fn health_retries(&mut self, value: &str) -> Result<(), String> {
        let retries = value
            .parse::<i64>()
            .ok()
            .filter(|r| *r >= 0)
            .ok_or_else(|| format!("`--health-retries` takes a whole number like 5, not `{value}`"))?;
        self.health().retries = Some(retries);
        Ok(())
    }

    fn no_healthcheck(&mut self, value: &str) -> Result<(), String> {
        self.no_healthcheck = parse_bool("--no-healthcheck", value)?;
        Ok(())
    }

    fn health(&mut self) -> &mut Healthcheck {
        self.config.healthcheck.get_or_insert_with(Healthcheck::default)
    }

    /// Checks that need every option read.
    fn finish(&mut self) -> Result<(), String> {
        if self.no_healthcheck {
            if self.config.healthcheck.is_some() {
                return Err("`--no-healthcheck` conflicts with the --health-* options".to_string());
            }
            self.config.healthcheck = Some(Healthcheck {
                test: vec!["NONE".to_string()],
                ..Healthcheck::default()
            });
        }
        Ok(())
    }
}

fn size(name: &str, value: &str) -> Result<i64, String> {
    parse_bytes(value).ok_or_else(|| format!("`{name}` takes a size like 1g or 512m, not `{value}`"))
}

fn duration(name: &str, value: &str) -> Result<i64, String> {
    parse_duration(value).ok_or_else(|| format!("`{name}` takes a duration like 10s or 1m30s, not `{value}`"))
}

#[cfg(test)]
mod tests;
