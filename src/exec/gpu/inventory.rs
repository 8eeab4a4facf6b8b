//! Which GPUs mlci hands out: the `--gpus` flag of `mlci run`, either a
//! list of device ids or `auto` (ask `nvidia-smi`).

use std::io::ErrorKind;
use std::process::Command;

/// The device ids in `--gpus 0,1,2,3` (indexes or UUIDs like `GPU-8f3…`),
/// `--gpus none`, or `--gpus auto`: the GPUs `nvidia-smi -L` lists, or none
/// when there is no `nvidia-smi` (a machine without NVIDIA GPUs).
pub fn parse_inventory(flag: &str) -> Result<Vec<String>, String> {
    match flag.trim() {
        "auto" => detect(),
        "none" => Ok(Vec::new()),
        list => parse_list(list),
    }
}

fn parse_list(list: &str) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = Vec::new();
    for id in list.split(',').map(str::trim) {
        if id.is_empty() {
            return Err(format!(
                "`--gpus {list}` has an empty device id; give ids like 0,1,2,3, `auto` or `none`"
            ));
        }
        if ids.iter().any(|seen| seen == id) {
            return Err(format!("`--gpus {list}` names device `{id}` twice"));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

fn detect() -> Result<Vec<String>, String> {
    let output = match Command::new("nvidia-smi").arg("-L").output() {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("failed to run `nvidia-smi -L` for `--gpus auto`: {e}")),
    };
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "`nvidia-smi -L` failed ({}) for `--gpus auto`: {}; name the GPUs with --gpus 0,1,... or use --gpus none",
            output.status,
            said.trim()
        ));
    }
    Ok(parse_nvidia_smi_list(&String::from_utf8_lossy(&output.stdout)))
}

/// The device indexes in `nvidia-smi -L` output, one per `GPU <index>: …`
/// line. MIG instances (indented `MIG …` lines) are not separate GPUs here.
pub fn parse_nvidia_smi_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("GPU "))
        .filter_map(|rest| rest.split_once(':'))
        .map(|(index, _)| index.trim())
        .filter(|index| !index.is_empty() && index.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_indexes_or_uuids() {
        assert_eq!(parse_inventory("0,1,2,3").unwrap(), ["0", "1", "2", "3"]);
        assert_eq!(parse_inventory(" 2 , 0 ").unwrap(), ["2", "0"]);
        assert_eq!(
            parse_inventory("GPU-8f3a1c2e-1111,GPU-9b2d").unwrap(),
            ["GPU-8f3a1c2e-1111", "GPU-9b2d"]
        );
        assert_eq!(parse_inventory("none").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn bad_lists_are_refused() {
        assert_eq!(
            parse_inventory("").unwrap_err(),
            "`--gpus ` has an empty device id; give ids like 0,1,2,3, `auto` or `none`"
        );
        assert_eq!(
            parse_inventory("0,,1").unwrap_err(),
            "`--gpus 0,,1` has an empty device id; give ids like 0,1,2,3, `auto` or `none`"
        );
        assert_eq!(
            parse_inventory("0,1,0").unwrap_err(),
            "`--gpus 0,1,0` names device `0` twice"
        );
    }

    #[test]
    fn auto_asks_nvidia_smi_when_there_is_one() {
        let on_path = std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("nvidia-smi").is_file()));
        let ids = parse_inventory("auto").unwrap();
        if on_path {
            assert!(ids.iter().all(|id| id.parse::<u32>().is_ok()), "{ids:?}");
        } else {
            assert!(ids.is_empty(), "{ids:?}");
        }
    }

    #[test]
    fn nvidia_smi_lines_give_indexes() {
        let text = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-8f3a1c2e-0000-1111-2222-333344445555)\n\
                    GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-9b2d0000-0000-1111-2222-333344445555)\n\
                    \x20 MIG 1g.10gb     Device  0: (UUID: MIG-5c2e0000-0000-1111-2222-333344445555)\n\
                    GPU 10: Tesla T4 (UUID: GPU-aaaa)\n";
        assert_eq!(parse_nvidia_smi_list(text), ["0", "1", "10"]);
        assert!(parse_nvidia_smi_list("").is_empty());
        assert!(parse_nvidia_smi_list("No devices were found\n").is_empty());
        assert!(parse_nvidia_smi_list("GPU x: odd\nGPU : odd\n").is_empty());
    }
}
