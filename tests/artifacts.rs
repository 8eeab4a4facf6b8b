//! `mlci artifacts ls` and `get` on a store whose artifacts were uploaded
//! through the library, as a run's upload-artifact steps do.

use crate::support::Test;
use mlci::artifacts::{upload, IfNoFiles, UploadOptions, UploadSource};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn options(name: &str, path: &str) -> UploadOptions {
    UploadOptions {
        name: name.into(),
        path: path.into(),
        if_no_files_found: IfNoFiles::Error,
        retention_days: Some(7),
        compression_level: 6,
        overwrite: false,
        include_hidden_files: false,
    }
}

/// Uploads `models/` as `model` and `data.csv` as `data` to run 7 of the
/// store in `store/`, at fixed times, and gives each archive's size and
/// SHA-256 (which depend on the zip library, so are read, not written).
fn store_with_artifacts(root: &Path) -> [(u64, String); 2] {
    let workspace = root.join("ws");
    fs::create_dir_all(workspace.join("models/sub")).expect("create folders");
    fs::write(workspace.join("models/model.pt"), "weights\n").expect("write");
    fs::write(workspace.join("models/sub/config.json"), "{}\n").expect("write");
    fs::write(workspace.join("data.csv"), "a,b\n1,2\n").expect("write");
    // Fixed modification times make the archives the same every time.
    let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_787_045);
    for file in ["models/model.pt", "models/sub/config.json", "data.csv"] {
        let file = fs::File::options()
            .write(true)
            .open(workspace.join(file))
            .expect("open");
        file.set_modified(mtime).expect("set the time");
    }
    let run = root.join("store/runs/7");
    upload(
        &run,
        &UploadSource::folder(&workspace).expect("a folder"),
        &options("model", "models/"),
    )
    .expect("upload");
    upload(
        &run,
        &UploadSource::folder(&workspace).expect("a folder"),
        &options("data", "data.csv"),
    )
    .expect("upload");
    let times = [
        (
            "model",
            "2025-01-02T03:04:05.000000000Z",
            "2025-01-09T03:04:05.000000000Z",
        ),
        (
            "data",
            "2025-01-02T03:04:06.000000000Z",
            "2025-01-09T03:04:06.000000000Z",
        ),
    ];
    times.map(|(name, created, expires)| {
        let manifest = run.join(format!("artifacts/{name}.json"));
        let mut info: Value = serde_json::from_str(&fs::read_to_string(&manifest).expect("read")).expect("json");
        info["created"] = created.into();
        info["expires"] = expires.into();
        fs::write(&manifest, serde_json::to_string_pretty(&info).expect("json")).expect("write");
        let zip = fs::read(run.join(format!("artifacts/{name}.zip"))).expect("read");
        let sha: String = Sha256::digest(&zip).iter().map(|b| format!("{b:02x}")).collect();
        (zip.len() as u64, sha)
    })
}

#[test]
fn ls_lists_a_runs_artifacts() {
    let test = Test::new();
    let [(model_size, model_sha), (data_size, data_sha)] = store_with_artifacts(test.path());
    let (model_size, data_size) = (format!("{model_size} B"), format!("{data_size} B"));
    let width = model_size.len().max(data_size.len()).max("SIZE".len());
    let table = format!(
        "NAME   FILES  {:<width$}  SHA256        CREATED (UTC)        EXPIRES (UTC)\n\
         model  2      {model_size:<width$}  {}  2025-01-02 03:04:05  2025-01-09 03:04:05\n\
         data   1      {data_size:<width$}  {}  2025-01-02 03:04:06  2025-01-09 03:04:06\n",
        "SIZE",
        &model_sha[..12],
        &data_sha[..12],
    );
    test.args(&["artifacts", "ls", "7", "--store", "store"])
        .stdout(&table)
        .stderr("")
        .run();
}

#[test]
fn ls_prints_json() {
    let test = Test::new();
    let [(model_size, model_sha), (data_size, data_sha)] = store_with_artifacts(test.path());
    let json = format!(
        r#"[
  {{
    "name": "model",
    "size": {model_size},
    "sha256": "{model_sha}",
    "files": 2,
    "created": "2025-01-02T03:04:05.000000000Z",
    "retention_days": 7,
    "expires": "2025-01-09T03:04:05.000000000Z"
  }},
  {{
    "name": "data",
    "size": {data_size},
    "sha256": "{data_sha}",
    "files": 1,
    "created": "2025-01-02T03:04:06.000000000Z",
    "retention_days": 7,
    "expires": "2025-01-09T03:04:06.000000000Z"
  }}
]
"#
    );
    test.args(&["artifacts", "ls", "7", "--store", "store", "--json"])
        .stdout(&json)
        .run();
}

#[test]
fn get_extracts_an_artifact_with_githubs_layout() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let models = out.path().join("models");
    let test = Test::new();
    let [(model_size, _), _] = store_with_artifacts(test.path());
    let arg = models.to_string_lossy().into_owned();
    test.args(&["artifacts", "get", "7", "model", "-o", &arg, "--store", "store"])
        .stdout(&format!("downloaded `model` (2 files, {model_size} B) into {arg}\n"))
        .stderr("")
        .run();
    // `models/<files>`, not `models/models/`.
    assert_eq!(fs::read_to_string(models.join("model.pt")).expect("read"), "weights\n");
    assert_eq!(
        fs::read_to_string(models.join("sub/config.json")).expect("read"),
        "{}\n"
    );
}

#[test]
fn get_into_the_current_folder_by_default() {
    let test = Test::new();
    let [_, (data_size, _)] = store_with_artifacts(test.path());
    let output = test
        .args(&["artifacts", "get", "7", "data", "--store", "store"])
        .stdout(&format!("downloaded `data` (1 file, {data_size} B) into .\n"))
        .run();
    assert!(output.status.success());
}

#[test]
fn unknown_artifacts_and_runs_say_what_there_is() {
    let test = Test::new();
    store_with_artifacts(test.path());
    test.args(&["artifacts", "get", "7", "nope", "--store", "store"])
        .status(2)
        .stdout("")
        .stderr("error: artifact `nope` not found in run 7; artifacts: data, model\n")
        .run();
    let test = Test::new();
    store_with_artifacts(test.path());
    test.args(&["artifacts", "ls", "9", "--store", "store"])
        .status(2)
        .stderr("error: no run 9 in store; the latest runs with artifacts are 7\n")
        .run();
    Test::new()
        .args(&["artifacts", "get", "1", "model", "--store", "empty"])
        .status(2)
        .stderr("error: no run 1 in empty; no run has artifacts\n")
        .run();
}

#[test]
fn a_run_without_artifacts_lists_none() {
    Test::new()
        .write("store/runs/3/build-0/1.log", "hello\n")
        .args(&["artifacts", "ls", "3", "--store", "store"])
        .stdout("")
        .stderr("run 3 has no artifacts (store/runs/3)\n")
        .run();
    Test::new()
        .write("store/runs/3/build-0/1.log", "hello\n")
        .args(&["artifacts", "get", "3", "model", "--store", "store"])
        .status(2)
        .stderr("error: artifact `model` not found in run 3; the run has no artifacts\n")
        .run();
}

#[test]
fn get_refuses_an_archive_that_escapes() {
    let test = Test::new();
    let dir = test.path().join("store/runs/4/artifacts");
    fs::create_dir_all(&dir).expect("create folders");
    let mut zip = zip::ZipWriter::new(fs::File::create(dir.join("evil.zip")).expect("create"));
    zip.start_file("../../escaped.txt", zip::write::SimpleFileOptions::default())
        .expect("start");
    zip.finish().expect("finish");
    let manifest = r#"{"name": "evil", "size": 1, "sha256": "", "files": 1, "created": "2025-01-02T03:04:05.000000000Z", "retention_days": 90, "expires": "2025-04-02T03:04:05.000000000Z"}"#;
    fs::write(dir.join("evil.json"), manifest).expect("write");
    let output = test
        .args(&["artifacts", "get", "4", "evil", "-o", "out", "--store", "store"])
        .status(1)
        .stdout("")
        .run();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "error: refusing to extract the artifact `evil`: its entry `../../escaped.txt` would be written outside `/"
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with("/out`\n"), "{stderr}");
}
