//! Where and how a leg's Slurm job is placed: what `-P LABEL=slurm:KEY=VALUE,…`,
//! runner.yml's `slurm:` and `--slurm-partition`/`--slurm-constraint` say,
//! turned into `sbatch` options. Each key is checked when it is read, so a
//! mistake is reported before anything is submitted.

/// The keys a placement takes, in the order the help lists them.
pub const KEYS: &[&str] = &[
    "partition",
    "account",
    "qos",
    "constraint",
    "cpus",
    "mem",
    "gpus",
    "time",
];

/// A leg's Slurm placement. `None` leaves the choice to Slurm (the
/// partition's defaults, the account's, …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    pub partition: Option<String>,
    pub account: Option<String>,
    pub qos: Option<String>,
    /// Node features (`--constraint`), Slurm's syntax (`a100|h100`).
    pub constraint: Option<String>,
    /// `--cpus-per-task`.
    pub cpus: Option<u32>,
    /// `--mem`, in Slurm's units (`16G`, `500M`; a bare number is MB).
    pub mem: Option<String>,
    /// The GPUs every leg of the label asks for (`--gres=gpu:N`); it
    /// becomes the leg's GPU request, as a label profile's `gpus=` does.
    pub gpus: Option<u32>,
    /// A cap on `--time`, in minutes: the partition's limit, say.
    pub time: Option<u64>,
}

impl Placement {
    /// Sets one key from its text; the error names the key and what it takes.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("`{key}` needs a value"));
        }
        let word = || {
            if value.chars().any(char::is_whitespace) {
                Err(format!("`{key}={value}`: a Slurm {key} has no spaces"))
            } else {
                Ok(Some(value.to_string()))
            }
        };
        match key {
            "partition" => self.partition = word()?,
            "account" => self.account = word()?,
            "qos" => self.qos = word()?,
            "constraint" => self.constraint = word()?,
            "cpus" => self.cpus = Some(positive(key, value, "a number of CPUs per task")?),
            "gpus" => self.gpus = Some(positive(key, value, "a number of GPUs")?),
            "time" => self.time = Some(positive(key, value, "a number of minutes")?),
            "mem" => {
                if !is_memory(value) {
                    return Err(format!(
                        "`mem={value}` is not a Slurm memory size; write a number with an optional unit K, M, G or T \
                         (`16G`, `500M`; a bare number is MB)"
                    ));
                }
                self.mem = Some(value.to_ascii_uppercase());
            }
            other => {
                return Err(format!(
                    "`{other}` is not a Slurm placement key; the keys are {}",
                    KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// Reads `KEY=VALUE,KEY=VALUE`; empty text is no placement at all.
    pub fn parse(text: &str) -> Result<Placement, String> {
        let mut placement = Placement::default();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not KEY=VALUE; the keys are {}", KEYS.join(", ")))?;
            placement.set(key.trim(), value)?;
        }
        Ok(placement)
    }

    /// This placement, with what it leaves open taken from `base` (a
    /// label's placement over `--slurm-partition`'s).
    pub fn over(&self, base: &Placement) -> Placement {
        Placement {
            partition: self.partition.clone().or_else(|| base.partition.clone()),
            account: self.account.clone().or_else(|| base.account.clone()),
            qos: self.qos.clone().or_else(|| base.qos.clone()),
            constraint: self.constraint.clone().or_else(|| base.constraint.clone()),
            cpus: self.cpus.or(base.cpus),
            mem: self.mem.clone().or_else(|| base.mem.clone()),
            gpus: self.gpus.or(base.gpus),
            time: self.time.or(base.time),
        }
    }

    /// `--time` for a leg whose job sets `timeout-minutes` (or not): a
    /// minute over it, so mlci's own timeout ends the steps first (with its
    /// message) and the post steps still run; the placement's `time` caps
    /// it. Neither: no `--time`, so the partition's default applies (a
    /// fixed default would leave jobs pending on partitions whose MaxTime
    /// is lower; see docs/decisions.md).
    pub fn time_minutes(&self, timeout_minutes: Option<u64>) -> Option<u64> {
        let from_timeout = timeout_minutes.map(|m| m.saturating_add(1));
        match (from_timeout, self.time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The `sbatch` options of the placement (GPUs and time are the
    /// submission's, which knows the leg).
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut push = |option: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(format!("--{option}={value}"));
            }
        };
        push("partition", self.partition.clone());
        push("account", self.account.clone());
        push("qos", self.qos.clone());
        push("constraint", self.constraint.clone());
        push("cpus-per-task", self.cpus.map(|n| n.to_string()));
        push("mem", self.mem.clone());
        args
    }
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(key: &str, value: &str, what: &str) -> Result<T, String> {
    match value.parse::<T>() {
        Ok(n) if n > T::default() => Ok(n),
        _ => Err(format!("`{key}={value}`: `{key}` takes {what}, a whole number above 0")),
    }
}

/// Slurm's `--mem`: digits, then at most one unit letter.
fn is_memory(value: &str) -> bool {
    let digits = value.trim_end_matches(|c: char| "kmgtKMGT".contains(c));
    let unit_len = value.len() - digits.len();
    !digits.is_empty()
        && unit_len <= 1
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read_and_becomes_its_sbatch_option() {
        let placement =
            Placement::parse("partition=gpu,account=ml,qos=high,constraint=a100|h100,cpus=8,mem=16g,gpus=2,time=90")
                .unwrap();
        assert_eq!(
            placement.args(),
            [
                "--partition=gpu",
                "--account=ml",
                "--qos=high",
                "--constraint=a100|h100",
                "--cpus-per-task=8",
                "--mem=16G",
            ]
        );
        assert_eq!(placement.gpus, Some(2));
        assert_eq!(placement.time, Some(90));
        assert_eq!(Placement::parse("").unwrap(), Placement::default());
        assert_eq!(Placement::parse("mem=500").unwrap().mem.as_deref(), Some("500"));
    }

    #[test]
    fn mistakes_name_the_key_and_what_it_takes() {
        let keys = "partition, account, qos, constraint, cpus, mem, gpus, time";
        let cases = [
            (
                "zone=eu",
                format!("`zone` is not a Slurm placement key; the keys are {keys}"),
            ),
            (
                "partition",
                format!("`partition` is not KEY=VALUE; the keys are {keys}"),
            ),
            ("partition=", "`partition` needs a value".to_string()),
            (
                "cpus=0",
                "`cpus=0`: `cpus` takes a number of CPUs per task, a whole number above 0".to_string(),
            ),
            (
                "gpus=two",
                "`gpus=two`: `gpus` takes a number of GPUs, a whole number above 0".to_string(),
            ),
            (
                "time=1.5",
                "`time=1.5`: `time` takes a number of minutes, a whole number above 0".to_string(),
            ),
            ("qos=a b", "`qos=a b`: a Slurm qos has no spaces".to_string()),
        ];
        for (text, message) in cases {
            assert_eq!(Placement::parse(text), Err(message), "{text}");
        }
        for mem in ["16GB", "G", "0", "1.5G", "-1G"] {
            let error = Placement::parse(&format!("mem={mem}")).unwrap_err();
            assert!(
                error.starts_with(&format!("`mem={mem}` is not a Slurm memory size")),
                "{error}"
            );
        }
    }

    #[test]
    fn time_is_a_minute_over_timeout_minutes_capped_by_the_label_and_absent_without_either() {
        let free = Placement::default();
        assert_eq!(free.time_minutes(None), None);
        assert_eq!(free.time_minutes(Some(30)), Some(31));
        let capped = Placement {
            time: Some(20),
            ..Placement::default()
        };
        assert_eq!(capped.time_minutes(None), Some(20));
        assert_eq!(capped.time_minutes(Some(30)), Some(20));
        assert_eq!(capped.time_minutes(Some(5)), Some(6));
    }

    #[test]
    fn a_label_placement_takes_what_it_leaves_open_from_the_base() {
        let base = Placement::parse("partition=debug,constraint=a100").unwrap();
        let label = Placement::parse("partition=gpu,cpus=2").unwrap();
        assert_eq!(
            label.over(&base),
            Placement::parse("partition=gpu,constraint=a100,cpus=2").unwrap()
        );
    }
}
