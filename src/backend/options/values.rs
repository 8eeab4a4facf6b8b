//! The value forms of `docker run` options: sizes (`512m`), Go durations
//! (`1m30s`), CPU counts, `--ulimit` and `--device`. Each parser reads the
//! same inputs Docker accepts and returns a message naming what it expected.

use crate::backend::{DeviceMapping, Ulimit};

/// A size in bytes as Docker reads `--memory` and `--shm-size`: a number
/// (fractions allowed), an optional space, then an optional binary unit
/// `b`/`k`/`m`/`g`/`t`/`p` with an optional `i` and `b` after it: `1g`,
/// `512m`, `1.5GiB`, `1048576`.
pub fn parse_bytes(text: &str) -> Option<i64> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(digits);
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let mut rest = rest.strip_prefix(' ').unwrap_or(rest).chars().peekable();
    let shift = match rest.peek().map(char::to_ascii_lowercase) {
        Some('k') => 10,
        Some('m') => 20,
        Some('g') => 30,
        Some('t') => 40,
        Some('p') => 50,
        _ => 0,
    };
    if shift > 0 {
        rest.next();
    }
    rest.next_if(|c| c.eq_ignore_ascii_case(&'i'));
    rest.next_if(|c| c.eq_ignore_ascii_case(&'b'));
    if rest.next().is_some() {
        return None;
    }
    let bytes = number * (1u64 << shift) as f64;
    // `as` saturates; refuse instead of quietly capping a typo like `1000000p`.
    (bytes < i64::MAX as f64).then_some(bytes as i64)
}

/// A duration in nanoseconds in Go's syntax, as Docker reads `--health-*`:
/// one or more `<number><unit>` with units `ns`, `us`, `ms`, `s`, `m`, `h`
/// (`1m30s`, `1.5s`, `500ms`), or a bare `0`. Negative durations are refused.
pub fn parse_duration(text: &str) -> Option<i64> {
    match text {
        "0" => return Some(0),
        "" => return None,
        _ => {}
    }
    let mut rest = text;
    let mut total = 0f64;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(end);
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let number: f64 = number.parse().ok()?;
        let end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(end);
        let scale = match unit {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = after;
    }
    (total < i64::MAX as f64).then_some(total.round() as i64)
}

/// `--cpus 1.5` in units of 1e-9 CPUs. Like Docker, more precision than a
/// nano-CPU is refused rather than rounded away.
pub fn parse_cpus(text: &str) -> Result<i64, String> {
    let cpus: f64 = text
        .parse()
        .map_err(|_| format!("`--cpus` takes a number of CPUs like 2 or 0.5, not `{text}`"))?;
    if !cpus.is_finite() || cpus <= 0.0 || cpus * 1e9 >= i64::MAX as f64 {
        return Err(format!("`--cpus` takes a positive number of CPUs, not `{text}`"));
    }
    let nano = cpus * 1e9;
    if (nano - nano.round()).abs() > 1e-3 {
        return Err(format!("`--cpus {text}` is more precise than a billionth of a CPU"));
    }
    Ok(nano.round() as i64)
}

/// The resources `--ulimit` can limit, as Docker names them.
const ULIMIT_NAMES: &[&str] = &[
    "as",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// `--ulimit name=soft[:hard]`; the hard limit defaults to the soft one.
pub fn parse_ulimit(text: &str) -> Result<Ulimit, String> {
    let form = || format!("`--ulimit` takes NAME=SOFT[:HARD] like memlock=-1 or nofile=1024:4096, not `{text}`");
    let (name, limits) = text.split_once('=').ok_or_else(form)?;
    if !ULIMIT_NAMES.contains(&name) {
        return Err(format!(
            "`--ulimit {text}`: unknown limit `{name}` (one of {})",
            ULIMIT_NAMES.join(", ")
        ));
    }
    let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
    let soft: i64 = soft.parse().map_err(|_| form())?;
    let hard: i64 = hard.parse().map_err(|_| form())?;
    if soft > hard {
        return Err(format!(
            "`--ulimit {text}`: the soft limit {soft} is above the hard limit {hard}"
        ));
    }
    Ok(Ulimit {
        name: name.to_string(),
        soft,
        hard,
    })
}

/// `--device HOST[:CONTAINER][:PERMISSIONS]`; the container path defaults
/// to the host path and the permissions to `rwm`. As in Docker, a second
/// part made only of `r`, `w` and `m` is the permissions.
pub fn parse_device(text: &str) -> Result<DeviceMapping, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (host, container, permissions) = match parts.as_slice() {
        [host] => (*host, *host, "rwm"),
        [host, perms] if is_permissions(perms) => (*host, *host, *perms),
        [host, container] => (*host, *container, "rwm"),
        [host, container, perms] => (*host, *container, *perms),
        _ => return Err(device_form(text)),
    };
    if host.is_empty() || container.is_empty() {
        return Err(device_form(text));
    }
    if !is_permissions(permissions) {
        return Err(format!(
            "`--device {text}`: permissions are made of r, w and m, not `{permissions}`"
        ));
    }
    Ok(DeviceMapping {
        host: host.to_string(),
        container: container.to_string(),
        permissions: permissions.to_string(),
    })
}

fn is_permissions(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| matches!(c, 'r' | 'w' | 'm'))
}

fn device_form(text: &str) -> String {
    format!(
        "`--device` takes HOST[:CONTAINER][:PERMISSIONS] like /dev/fuse or /dev/nvidia0:/dev/nvidia0:rw, not `{text}`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(parse_bytes("1048576"), Some(1_048_576));
        assert_eq!(parse_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_bytes("512m"), Some(512 << 20));
        assert_eq!(parse_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_bytes("64k"), Some(64 << 10));
        assert_eq!(parse_bytes("2t"), Some(2 << 40));
        assert_eq!(parse_bytes("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_bytes("1 gb"), Some(1 << 30));
        assert_eq!(parse_bytes("100b"), Some(100));
    }

    #[test]
    fn bad_sizes_are_refused() {
        for bad in ["", "g", "-1g", "1x", "1gg", "1.2.3m", ".5g", "99999999p"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_follow_go() {
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("10s"), Some(10_000_000_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_duration("2h"), Some(7_200_000_000_000));
        assert_eq!(parse_duration("3us"), Some(3_000));
        assert_eq!(parse_duration("7ns"), Some(7));
        for bad in ["", "10", "s", "-1s", "1d", "1 s", "."] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn cpus_become_nano_cpus() {
        assert_eq!(parse_cpus("2"), Ok(2_000_000_000));
        assert_eq!(parse_cpus("0.5"), Ok(500_000_000));
        assert_eq!(parse_cpus("1.000000001"), Ok(1_000_000_001));
        assert_eq!(
            parse_cpus("two").unwrap_err(),
            "`--cpus` takes a number of CPUs like 2 or 0.5, not `two`"
        );
        assert_eq!(
            parse_cpus("-1").unwrap_err(),
            "`--cpus` takes a positive number of CPUs, not `-1`"
        );
        assert_eq!(
            parse_cpus("0").unwrap_err(),
            "`--cpus` takes a positive number of CPUs, not `0`"
        );
        assert_eq!(
            parse_cpus("inf").unwrap_err(),
            "`--cpus` takes a positive number of CPUs, not `inf`"
        );
        assert_eq!(
            parse_cpus("0.0000000001").unwrap_err(),
            "`--cpus 0.0000000001` is more precise than a billionth of a CPU"
        );
    }

    #[test]
    fn ulimits_default_hard_to_soft() {
        let limit = |name: &str, soft, hard| Ulimit {
            name: name.into(),
            soft,
            hard,
        };
        assert_eq!(parse_ulimit("memlock=-1"), Ok(limit("memlock", -1, -1)));
        assert_eq!(parse_ulimit("nofile=1024:4096"), Ok(limit("nofile", 1024, 4096)));
        assert_eq!(parse_ulimit("stack=67108864"), Ok(limit("stack", 67108864, 67108864)));
    }

    #[test]
    fn bad_ulimits_name_the_problem() {
        let form =
            |t: &str| format!("`--ulimit` takes NAME=SOFT[:HARD] like memlock=-1 or nofile=1024:4096, not `{t}`");
        assert_eq!(parse_ulimit("nofile").unwrap_err(), form("nofile"));
        assert_eq!(parse_ulimit("nofile=x").unwrap_err(), form("nofile=x"));
        assert_eq!(parse_ulimit("nofile=1:2:3").unwrap_err(), form("nofile=1:2:3"));
        assert!(parse_ulimit("files=1")
            .unwrap_err()
            .starts_with("`--ulimit files=1`: unknown limit `files` (one of as, core,"));
        assert_eq!(
            parse_ulimit("nofile=10:5").unwrap_err(),
            "`--ulimit nofile=10:5`: the soft limit 10 is above the hard limit 5"
        );
    }

    #[test]
    fn devices_default_like_docker() {
        let device = |h: &str, c: &str, p: &str| DeviceMapping {
            host: h.into(),
            container: c.into(),
            permissions: p.into(),
        };
        assert_eq!(parse_device("/dev/fuse"), Ok(device("/dev/fuse", "/dev/fuse", "rwm")));
        assert_eq!(parse_device("/dev/fuse:r"), Ok(device("/dev/fuse", "/dev/fuse", "r")));
        assert_eq!(
            parse_device("/dev/sda:/dev/xvda"),
            Ok(device("/dev/sda", "/dev/xvda", "rwm"))
        );
        assert_eq!(
            parse_device("/dev/sda:/dev/xvda:rw"),
            Ok(device("/dev/sda", "/dev/xvda", "rw"))
        );
    }

    #[test]
    fn bad_devices_are_refused() {
        assert_eq!(
            parse_device("/dev/sda:/dev/xvda:rx").unwrap_err(),
            "`--device /dev/sda:/dev/xvda:rx`: permissions are made of r, w and m, not `rx`"
        );
        for bad in ["", ":/dev/x", "/a:/b:r:w"] {
            assert_eq!(parse_device(bad).unwrap_err(), device_form(bad), "{bad}");
        }
    }
}
