//! `--gpus` as `docker run` reads it: `2`, `all`, `device=0,1`,
//! `"device=0,1"`, `count=2`, with `driver=nvidia` and `capabilities=...`
//! tolerated. Docker reads the value as one CSV record, which is why its
//! manual quotes device lists (`--gpus '"device=0,1"'`); mlci also takes
//! the unquoted form, reading a bare field after `device=` as another id.

/// A job's request for GPUs, as `docker run --gpus` takes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GpuRequest {
    /// `--gpus N`
    Count(u32),
    /// `--gpus all`
    All,
    /// `--gpus '"device=0,1"'`
    Devices(Vec<String>),
}

/// The request in a `--gpus` value (also used by `-P LABEL=IMAGE,gpus=N`).
pub fn parse_gpus(value: &str) -> Result<GpuRequest, String> {
    let fields = csv_fields(value).ok_or_else(|| format!("`--gpus {value}` has an unclosed quote"))?;
    let mut count: Option<GpuRequest> = None;
    let mut devices: Option<Vec<String>> = None;
    // Which list a bare field adds to: none (a bare field is a count),
    // the device ids, or the capabilities (which mlci does not use).
    let mut list = List::None;
    for field in &fields {
        let field = field.trim();
        match field.split_once('=') {
            None => match list {
                List::Devices => devices.get_or_insert_with(Vec::new).push(field.to_string()),
                List::Capabilities => {}
                List::None => set_count(&mut count, field, value)?,
            },
            Some(("count", n)) => {
                set_count(&mut count, n, value)?;
                list = List::None;
            }
            Some(("device", ids)) => {
                devices.get_or_insert_with(Vec::new).extend(ids.split(',').map(|id| id.trim().to_string()));
                list = List::Devices;
            }
            Some(("capabilities", _)) => list = List::Capabilities,
            Some(("driver", "nvidia")) => list = List::None,
            Some(("driver", other)) => {
                return Err(format!("`--gpus {value}`: mlci leases NVIDIA GPUs only, not driver `{other}`"))
            }
            Some((key, _)) => {
                return Err(format!(
                    "`--gpus {value}`: unknown key `{key}` (mlci takes a count, `all`, `count=`, `device=`, `capabilities=`, `driver=nvidia`)"
                ))
            }
        }
    }
    match (count, devices) {
        (Some(_), Some(_)) => Err(format!(
            "`--gpus {value}` asks for a count and device ids at once; give one (for several devices quote the list: --gpus '\"device=0,1\"')"
        )),
        (Some(request), None) => Ok(request),
        (None, Some(ids)) => device_request(ids, value),
        (None, None) => Err(format!(
            "`--gpus` takes a count, `all` or `device=ID,...`, not `{value}`"
        )),
    }
}

#[derive(Clone, Copy)]
enum List {
    None,
    Devices,
    Capabilities,
}

fn set_count(count: &mut Option<GpuRequest>, text: &str, value: &str) -> Result<(), String> {
    let request = match text.trim() {
        "all" => GpuRequest::All,
        n => match n.parse::<u32>() {
            Ok(0) => {
                return Err(format!(
                    "`--gpus {value}` asks for no GPUs; leave the option out instead"
                ))
            }
            Ok(n) => GpuRequest::Count(n),
            Err(_) => {
                return Err(format!(
                    "`--gpus` takes a count, `all` or `device=ID,...`, not `{value}`"
                ))
            }
        },
    };
    if count.replace(request).is_some() {
        return Err(format!("`--gpus {value}` gives the count twice"));
    }
    Ok(())
}

fn device_request(ids: Vec<String>, value: &str) -> Result<GpuRequest, String> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if id.is_empty() {
            return Err(format!("`--gpus {value}` has an empty device id"));
        }
        if seen.contains(&id) {
            return Err(format!("`--gpus {value}` names device `{id}` twice"));
        }
        seen.push(id);
    }
    Ok(GpuRequest::Devices(seen))
}

/// The fields of one CSV record: `,` separates; a field that starts with
/// `"` runs to the closing `"`, with `""` for a quote inside it. `None` when
/// a quote is not closed.
fn csv_fields(text: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '"' if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    '"' => break,
                    c => field.push(c),
                }
            }
            // Text after the closing quote belongs to the same field.
            while let Some(c) = chars.next_if(|&c| c != ',') {
                field.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|&c| c != ',') {
                field.push(c);
            }
        }
        fields.push(field);
        if chars.next().is_none() {
            return Some(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn devices(ids: &[&str]) -> GpuRequest {
        GpuRequest::Devices(ids.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn counts_and_all() {
        assert_eq!(parse_gpus("2"), Ok(GpuRequest::Count(2)));
        assert_eq!(parse_gpus("all"), Ok(GpuRequest::All));
        assert_eq!(parse_gpus("count=4"), Ok(GpuRequest::Count(4)));
        assert_eq!(parse_gpus("count=all"), Ok(GpuRequest::All));
        assert_eq!(parse_gpus("\"count=1\""), Ok(GpuRequest::Count(1)));
    }

    #[test]
    fn device_lists_quoted_or_not() {
        assert_eq!(parse_gpus("\"device=0,1\""), Ok(devices(&["0", "1"])));
        assert_eq!(parse_gpus("device=0,1"), Ok(devices(&["0", "1"])));
        assert_eq!(parse_gpus("device=2"), Ok(devices(&["2"])));
        assert_eq!(parse_gpus("device=GPU-8f3a"), Ok(devices(&["GPU-8f3a"])));
        assert_eq!(parse_gpus("\"device=0, 1\""), Ok(devices(&["0", "1"])));
    }

    #[test]
    fn capabilities_and_driver_are_tolerated() {
        assert_eq!(
            parse_gpus("\"capabilities=compute,utility\",count=2"),
            Ok(GpuRequest::Count(2))
        );
        assert_eq!(
            parse_gpus("capabilities=compute,utility,count=2"),
            Ok(GpuRequest::Count(2))
        );
        assert_eq!(parse_gpus("driver=nvidia,all"), Ok(GpuRequest::All));
        assert_eq!(
            parse_gpus("\"device=1,3\",\"capabilities=compute,utility\""),
            Ok(devices(&["1", "3"]))
        );
    }

    #[test]
    fn bad_values_name_the_value() {
        let cases = [
            ("", "`--gpus` takes a count, `all` or `device=ID,...`, not ``"),
            ("two", "`--gpus` takes a count, `all` or `device=ID,...`, not `two`"),
            ("-1", "`--gpus` takes a count, `all` or `device=ID,...`, not `-1`"),
            ("0", "`--gpus 0` asks for no GPUs; leave the option out instead"),
            ("2,3", "`--gpus 2,3` gives the count twice"),
            ("\"device=0", "`--gpus \"device=0` has an unclosed quote"),
            ("device=0,,1", "`--gpus device=0,,1` has an empty device id"),
            ("device=", "`--gpus device=` has an empty device id"),
            ("device=0,0", "`--gpus device=0,0` names device `0` twice"),
            ("driver=amd,1", "`--gpus driver=amd,1`: mlci leases NVIDIA GPUs only, not driver `amd`"),
            (
                "options=x",
                "`--gpus options=x`: unknown key `options` (mlci takes a count, `all`, `count=`, `device=`, `capabilities=`, `driver=nvidia`)",
            ),
            (
                "count=1,device=0",
                "`--gpus count=1,device=0` asks for a count and device ids at once; give one (for several devices quote the list: --gpus '\"device=0,1\"')",
            ),
        ];
        for (value, message) in cases {
            assert_eq!(parse_gpus(value).unwrap_err(), message, "{value}");
        }
    }

    #[test]
    fn csv_records_unquote_fields() {
        assert_eq!(
            csv_fields("a,\"b,c\",\"d\"\"e\""),
            Some(vec!["a".into(), "b,c".into(), "d\"e".into()])
        );
        assert_eq!(csv_fields(""), Some(vec![String::new()]));
        assert_eq!(csv_fields("\"a"), None);
    }
}
