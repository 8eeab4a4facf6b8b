//! Uploads in temporary workspaces, checked against the archive written:
//! its entries, how each was compressed, and the manifest recorded.

use super::manifest::{artifacts_dir, list, zip_path};
use super::{upload, IfNoFiles, Root, UploadOptions, UploadReport, UploadSource, MAX_RETENTION_DAYS};
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use tempfile::TempDir;
use zip::{CompressionMethod, ZipArchive};

pub(super) struct Fixture {
    pub workspace: TempDir,
    pub run: TempDir,
}

impl Fixture {
    pub(super) fn new(files: &[&str]) -> Fixture {
        let fixture = Fixture {
            workspace: tempfile::tempdir().expect("a temporary directory"),
            run: tempfile::tempdir().expect("a temporary directory"),
        };
        for file in files {
            fixture.write(file, &format!("content of {file}\n"));
        }
        fixture
    }

    pub(super) fn write(&self, path: &str, content: &str) {
        let full = self.workspace.path().join(path);
        fs::create_dir_all(full.parent().expect("a parent")).expect("create folders");
        fs::write(full, content).expect("write");
    }

    pub(super) fn upload(&self, name: &str, path: &str) -> Result<UploadReport, String> {
        upload(
            self.run.path(),
            &host_source(self.workspace.path()),
            &options(name, path),
        )
    }

    pub(super) fn upload_with(&self, options: &UploadOptions) -> Result<UploadReport, String> {
        upload(self.run.path(), &host_source(self.workspace.path()), options)
    }

    /// The archive's entries, in order, with how each is compressed.
    pub(super) fn entries(&self, name: &str) -> Vec<(String, CompressionMethod)> {
        let file = fs::File::open(zip_path(&artifacts_dir(self.run.path()), name)).expect("the archive");
        let mut archive = ZipArchive::new(file).expect("a zip archive");
        (0..archive.len())
            .map(|i| {
                let entry = archive.by_index(i).expect("an entry");
                (entry.name().to_string(), entry.compression())
            })
            .collect()
    }

    pub(super) fn names(&self, name: &str) -> Vec<String> {
        self.entries(name).into_iter().map(|(n, _)| n).collect()
    }
}

pub(super) fn options(name: &str, path: &str) -> UploadOptions {
    UploadOptions {
        name: name.into(),
        path: path.into(),
        if_no_files_found: IfNoFiles::Warn,
        retention_days: None,
        compression_level: 6,
        overwrite: false,
        include_hidden_files: false,
    }
}

fn ok(result: Result<UploadReport, String>) -> UploadReport {
    result.unwrap_or_else(|e| panic!("upload failed: {e}"))
}

#[test]
fn a_directory_is_the_root_of_its_files() {
    let fx = Fixture::new(&["models/a.pt", "models/sub/b.pt", "other.txt"]);
    let report = ok(fx.upload("trained-model", "models/"));
    assert_eq!(fx.names("trained-model"), ["a.pt", "sub/b.pt"]);
    let zip = fs::read(zip_path(&artifacts_dir(fx.run.path()), "trained-model")).expect("the archive");
    let sha: String = Sha256::digest(&zip).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        report,
        UploadReport {
            name: "trained-model".into(),
            files: 2,
            size: zip.len() as u64,
            sha256: sha.clone(),
            warnings: vec![],
        }
    );
    let listed = list(fx.run.path()).expect("a list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].files, listed[0].size),
        ("trained-model", 2, zip.len() as u64)
    );
    assert_eq!(listed[0].sha256, sha);
    assert_eq!(listed[0].retention_days, MAX_RETENTION_DAYS);
    // Without the trailing slash, and with `./`, the same.
    ok(fx.upload("again", "./models"));
    assert_eq!(fx.names("again"), ["a.pt", "sub/b.pt"]);
}

#[test]
fn a_single_file_is_stored_under_its_own_name() {
    let fx = Fixture::new(&["reports/metrics.json", "reports/other.json"]);
    assert_eq!(ok(fx.upload("metrics", "reports/metrics.json")).files, 1);
    assert_eq!(fx.names("metrics"), ["metrics.json"]);
    // One match of a glob keeps the path below the search path.
    ok(fx.upload("glob", "reports/metrics.*"));
    assert_eq!(fx.names("glob"), ["metrics.json"]);
    ok(fx.upload("deep", "*/metrics.json"));
    assert_eq!(fx.names("deep"), ["reports/metrics.json"]);
}

#[test]
fn several_paths_share_their_least_common_ancestor_and_exclusions_apply() {
    let fx = Fixture::new(&[
        "path/output/bin/app",
        "path/output/bin/app.tmp",
        "path/output/test-results/report.xml",
        "path/output/test-results/deep/x.tmp",
        "path/output/unrelated.txt",
    ]);
    let report = ok(fx.upload(
        "out",
        "path/output/bin/\npath/output/test-results\n# a comment\n\n!path/**/*.tmp\n",
    ));
    assert_eq!(report.files, 2);
    assert_eq!(fx.names("out"), ["bin/app", "test-results/report.xml"]);
    // Roots of different folders meet at the workspace.
    let fx = Fixture::new(&["a/x.txt", "b/y.txt"]);
    ok(fx.upload("two", "a/x.txt\nb/"));
    assert_eq!(fx.names("two"), ["a/x.txt", "b/y.txt"]);
}

#[test]
fn globs_match_within_and_across_folders() {
    let fx = Fixture::new(&[
        "path/to/some/directory/foo1.txt",
        "path/to/other/directory/foo1.txt",
        "path/to/other/directory/foo22.txt",
        "path/to/other/deeper/directory/foo2.txt",
        "logs/a.log",
        "logs/deep/b.log",
        "logs/c.txt",
    ]);
    ok(fx.upload("question", "path/to/*/directory/foo?.txt"));
    assert_eq!(
        fx.names("question"),
        ["other/directory/foo1.txt", "some/directory/foo1.txt"]
    );
    ok(fx.upload("logs", "logs/**/*.log"));
    assert_eq!(fx.names("logs"), ["a.log", "deep/b.log"]);
    ok(fx.upload("class", "logs/[ab].log"));
    assert_eq!(fx.names("class"), ["a.log"]);
}

#[test]
fn absolute_paths_are_taken_as_they_are() {
    let fx = Fixture::new(&[]);
    let elsewhere = tempfile::Builder::new()
        .prefix("elsewhere")
        .tempdir()
        .expect("a temporary directory");
    fs::write(elsewhere.path().join("weights.bin"), "w").expect("write");
    ok(fx.upload("abs", &format!("{}/", elsewhere.path().display())));
    assert_eq!(fx.names("abs"), ["weights.bin"]);
    // A hidden folder named by an absolute path is hidden like any other.
    let hidden = tempfile::Builder::new()
        .prefix(".hidden")
        .tempdir()
        .expect("a temporary directory");
    fs::write(hidden.path().join("weights.bin"), "w").expect("write");
    assert_eq!(
        ok(fx.upload("hidden", &format!("{}/", hidden.path().display()))).files,
        0
    );
}

#[test]
fn hidden_files_are_left_out_unless_asked_for() {
    let fx = Fixture::new(&[
        "out/model.pt",
        "out/.env",
        "out/.cache/x",
        "out/sub/.hidden",
        "out/sub/kept",
    ]);
    ok(fx.upload("plain", "out"));
    assert_eq!(fx.names("plain"), ["model.pt", "sub/kept"]);
    let mut with_hidden = options("all", "out");
    with_hidden.include_hidden_files = true;
    ok(fx.upload_with(&with_hidden));
    assert_eq!(
        fx.names("all"),
        [".cache/x", ".env", "model.pt", "sub/.hidden", "sub/kept"]
    );
    // A hidden folder named as the path is hidden too (GitHub checks each
    // name it walks, the search path's own included)...
    let report = ok(fx.upload("cache", "out/.cache"));
    assert_eq!(report.files, 0);
    // ...but not a file named inside one: only the walked names count.
    ok(fx.upload("inside", "out/.cache/x"));
    assert_eq!(fx.names("inside"), ["x"]);
    // The workspace itself is never hidden (these tests' are `.tmpXYZ`).
    ok(fx.upload("everything", "**/model.pt"));
    assert_eq!(fx.names("everything"), ["out/model.pt"]);
}

#[test]
fn if_no_files_found_warns_fails_or_stays_quiet() {
    let fx = Fixture::new(&["present.txt"]);
    let message = "No files were found with the provided path: missing/, nothing*. No artifacts will be uploaded.";
    let report = ok(fx.upload("none", "missing/\nnothing*"));
    assert_eq!(
        report,
        UploadReport {
            name: "none".into(),
            files: 0,
            size: 0,
            sha256: String::new(),
            warnings: vec![message.into()],
        }
    );
    let mut error = options("none", "missing/\nnothing*");
    error.if_no_files_found = IfNoFiles::Error;
    assert_eq!(fx.upload_with(&error), Err(message.into()));
    error.if_no_files_found = IfNoFiles::Ignore;
    assert_eq!(fx.upload_with(&error).map(|r| r.warnings), Ok(vec![]));
    assert_eq!(list(fx.run.path()), Ok(vec![]));
    // Excluding every match is no files too.
    assert_eq!(ok(fx.upload("none", "present.txt\n!*.txt")).files, 0);
}

#[test]
fn a_name_is_uploaded_once_unless_overwritten() {
    let fx = Fixture::new(&["a.txt"]);
    ok(fx.upload("model", "a.txt"));
    assert_eq!(
        fx.upload("model", "a.txt"),
        Err(
            "an artifact named `model` already exists in this run; artifacts cannot be changed once uploaded \
             (give this one another name, or set `overwrite: true` to replace it)"
                .into()
        )
    );
    fx.write("b.txt", "b");
    let mut overwrite = options("model", "b.txt");
    overwrite.overwrite = true;
    let report = ok(fx.upload_with(&overwrite));
    assert_eq!(fx.names("model"), ["b.txt"]);
    let listed = list(fx.run.path()).expect("a list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].sha256, report.sha256);
    // No temporary file is left behind.
    let left: Vec<String> = fs::read_dir(artifacts_dir(fx.run.path()))
        .expect("the folder")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(left, [".lock", "model.json", "model.zip"]);
}

#[test]
fn bad_names_and_paths_fail_once_files_are_found() {
    let fx = Fixture::new(&["a.txt", "logs/run:1.txt"]);
    let error = fx.upload("../evil", "a.txt").expect_err("refused");
    assert!(
        error.starts_with("the artifact name `../evil` is not valid: it contains a forward slash /;"),
        "{error}"
    );
    assert_eq!(fx.upload("", "a.txt"), Err("the artifact name is empty".into()));
    assert_eq!(
        fx.upload("..", "a.txt"),
        Err("the artifact name `..` is not valid: it would name the folder it is downloaded into's parent".into())
    );
    // As on GitHub, a bad name with nothing to upload is only the warning.
    assert_eq!(ok(fx.upload("../evil", "missing")).files, 0);
    let error = fx.upload("logs", "logs/").expect_err("refused");
    assert!(
        error.starts_with("the file `run:1.txt` cannot be uploaded: its path contains a colon :;"),
        "{error}"
    );
    assert!(!artifacts_dir(fx.run.path()).join("logs.zip").exists());
    assert_eq!(
        fx.upload("x", "../outside"),
        Err(
            "invalid path pattern `../outside`: relative pathing `.` and `..` is not allowed \
             (upload-artifact refuses it; name the path from the workspace)"
                .into()
        )
    );
}

#[test]
fn files_that_do_not_compress_are_stored() {
    let fx = Fixture::new(&[]);
    fx.write("out/log.txt", &"epoch 1 loss 0.25\n".repeat(10_000));
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        })
        .collect();
    fs::write(fx.workspace.path().join("out/weights.bin"), &noise).expect("write");
    fx.write("out/empty", "");
    ok(fx.upload("mixed", "out"));
    assert_eq!(
        fx.entries("mixed"),
        [
            ("empty".to_string(), CompressionMethod::Stored),
            ("log.txt".to_string(), CompressionMethod::Deflated),
            ("weights.bin".to_string(), CompressionMethod::Stored),
        ]
    );
    let mut level0 = options("level0", "out");
    level0.compression_level = 0;
    ok(fx.upload_with(&level0));
    assert!(fx
        .entries("level0")
        .iter()
        .all(|(_, m)| *m == CompressionMethod::Stored));
    // Stored noise costs its size plus headers; the text shrinks.
    let listed = list(fx.run.path()).expect("a list");
    assert!(listed[0].size < 200_000 + 180_000 / 10 + 1_000, "{}", listed[0].size);
    assert!(listed[1].size > 200_000 + 180_000, "{}", listed[1].size);
}

#[test]
fn symbolic_links_are_followed_and_broken_ones_skipped() {
    let fx = Fixture::new(&["data/real.txt", "shared/lib.txt"]);
    let ws = fx.workspace.path();
    symlink(ws.join("data/real.txt"), ws.join("data/link.txt")).expect("symlink");
    symlink(ws.join("shared"), ws.join("data/shared")).expect("symlink");
    symlink(ws.join("missing"), ws.join("data/broken")).expect("symlink");
    symlink(ws.join("data"), ws.join("data/shared/loop")).expect("symlink");
    ok(fx.upload("linked", "data/"));
    // `loop` leads back to `data`, a folder it is in: the cycle is cut.
    assert_eq!(fx.names("linked"), ["link.txt", "real.txt", "shared/lib.txt"]);
    let file = fs::File::open(zip_path(&artifacts_dir(fx.run.path()), "linked")).expect("the archive");
    let mut archive = ZipArchive::new(file).expect("a zip archive");
    assert!((0..archive.len()).all(|i| archive.by_index(i).is_ok_and(|e| !e.is_symlink())));
}

#[test]
fn retention_is_recorded_and_capped() {
    let fx = Fixture::new(&["a.txt"]);
    let mut five = options("five", "a.txt");
    five.retention_days = Some(5);
    ok(fx.upload_with(&five));
    let mut long = options("long", "a.txt");
    long.retention_days = Some(400);
    let report = ok(fx.upload_with(&long));
    assert_eq!(
        report.warnings,
        ["Retention days cannot be greater than the maximum allowed retention set within the repository. Using 90 instead."]
    );
    let listed = list(fx.run.path()).expect("a list");
    let days: Vec<(String, u32)> = listed.iter().map(|a| (a.name.clone(), a.retention_days)).collect();
    assert_eq!(days, [("five".to_string(), 5), ("long".to_string(), 90)]);
    let created = chrono::DateTime::parse_from_rfc3339(&listed[0].created).expect("a time");
    let expires = chrono::DateTime::parse_from_rfc3339(&listed[0].expires).expect("a time");
    assert_eq!(expires - created, chrono::Duration::days(5));
}

#[test]
fn paths_differing_only_by_case_are_warned_about() {
    let fx = Fixture::new(&["out/Model.pt", "out/model.pt"]);
    let report = ok(fx.upload("case", "out"));
    assert_eq!(
        report.warnings,
        [
            "uploads are case insensitive: `model.pt` has the same path as another file but for case, \
          and one will overwrite the other when downloaded on a case-insensitive file system"
        ]
    );
    assert_eq!(report.files, 2);
}

#[test]
fn many_uploads_at_once_each_get_their_name() {
    let fx = Fixture::new(&["a.txt"]);
    let fx = &fx;
    let results: Vec<Result<UploadReport, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8).map(|i| scope.spawn(move || fx_upload(fx, i % 4))).collect();
        handles.into_iter().map(|h| h.join().expect("a thread")).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
    assert_eq!(list(fx.run.path()).map(|l| l.len()), Ok(4));
}

fn fx_upload(fx: &Fixture, i: usize) -> Result<UploadReport, String> {
    fx.upload(&format!("leg-{i}"), "a.txt")
}

#[test]
fn a_workspace_path_may_be_relative() {
    let fx = Fixture::new(&["x/y.txt"]);
    let cwd = std::env::current_dir().expect("cwd");
    // Relative to the test's working folder; made absolute by upload.
    let relative = pathdiff(fx.workspace.path(), &cwd);
    let source = UploadSource::folder(&relative).expect("a folder");
    let report = upload(fx.run.path(), &source, &options("rel", "x"));
    assert_eq!(report.map(|r| r.files), Ok(1));
}

/// `target` relative to `base` through `..` parts.
fn pathdiff(target: &Path, base: &Path) -> std::path::PathBuf {
    let up = base.components().count() - 1;
    let mut path: std::path::PathBuf = std::iter::repeat_n("..", up).collect();
    path.extend(target.components().skip(1));
    path
}

/// An upload on the host: the workspace, and the system's temporary
/// folder (where the tests' other folders are) for absolute paths.
pub(super) fn host_source(workspace: &Path) -> UploadSource {
    let root = |path: &Path| Root {
        seen: path.to_path_buf(),
        dir: std::sync::Arc::new(
            cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority()).expect("a folder"),
        ),
    };
    UploadSource {
        workspace: workspace.to_path_buf(),
        home: None,
        roots: vec![root(workspace), root(&std::env::temp_dir())],
    }
}

#[test]
fn a_link_out_of_the_workspace_is_skipped_with_a_warning() {
    let fx = Fixture::new(&["data/real.txt"]);
    let host = tempfile::tempdir().expect("a temporary directory");
    fs::write(host.path().join("hostname"), "the host's secret\n").expect("write");
    let ws = fx.workspace.path();
    symlink(host.path().join("hostname"), ws.join("data/absolute")).expect("symlink");
    symlink(
        pathdiff(&host.path().join("hostname"), &ws.join("data")),
        ws.join("data/relative"),
    )
    .expect("symlink");
    let source = UploadSource::folder(ws).expect("a folder");

    let report = upload(fx.run.path(), &source, &options("linked", "data/")).expect("upload");

    assert_eq!(fx.names("linked"), ["real.txt"]);
    let shown = |name: &str| {
        format!(
            "skipped `{}`: it is a symbolic link that leads out of the workspace ({}), and mlci never follows those",
            ws.join("data").join(name).display(),
            ws.display()
        )
    };
    assert_eq!(report.warnings, [shown("absolute"), shown("relative")]);
}
