//! Downloads of uploaded (and of hand-made, hostile) archives into
//! temporary workspaces, checked file by file.

use super::manifest::{artifacts_dir, write_manifest, zip_path, ArtifactInfo};
use super::upload_tests::{options, Fixture};
use super::{download, DownloadOptions, DownloadReport, DownloadTarget};
use crate::actions::job_paths::{JobPath, JobPaths, Mount};
use sha2::Digest;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// Every file under `dir` with its content (links as `-> target`).
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in fs::read_dir(&path).expect("a folder") {
            let path = entry.expect("an entry").path();
            let key = path.strip_prefix(dir).expect("below").to_string_lossy().into_owned();
            let metadata = fs::symlink_metadata(&path).expect("metadata");
            if metadata.file_type().is_symlink() {
                files.insert(key, format!("-> {}", fs::read_link(&path).expect("a link").display()));
            } else if metadata.is_dir() {
                stack.push(path);
            } else {
                files.insert(key, fs::read_to_string(&path).expect("a file"));
            }
        }
    }
    files
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn by_name(name: &str, path: &str) -> DownloadOptions {
    DownloadOptions {
        name: Some(name.into()),
        path: path.into(),
        ..DownloadOptions::default()
    }
}

/// Where `options.path` is in a host job whose workspace is `workspace`.
fn target(workspace: &Path, options: &DownloadOptions) -> DownloadTarget {
    let mount = Mount {
        name: "the workspace",
        seen: workspace.to_path_buf(),
        host: workspace.to_path_buf(),
    };
    match JobPaths::new(mount, Vec::new(), None).resolve("path", &options.path) {
        Ok(JobPath::Mounted {
            seen,
            host_root,
            relative,
        }) => DownloadTarget {
            dir: cap_std::fs::Dir::open_ambient_dir(host_root, cap_std::ambient_authority()).expect("a folder"),
            relative,
            seen,
        },
        other => panic!("not in the workspace: {other:?}"),
    }
}

fn get(fx: &Fixture, into: &Path, options: &DownloadOptions) -> Result<DownloadReport, String> {
    download(&[fx.run.path().to_path_buf()], &target(into, options), options)
}

#[test]
fn a_named_artifact_lands_straight_in_path() {
    let fx = Fixture::new(&["models/a.pt", "models/sub/b.pt"]);
    fx.upload("trained-model", "models/").expect("upload");
    let job = tempfile::tempdir().expect("a temporary directory");
    let report = get(&fx, job.path(), &by_name("trained-model", "models/")).expect("download");
    assert_eq!(
        report,
        DownloadReport {
            artifacts: vec!["trained-model".into()],
            files: 2,
            destination: job.path().join("models"),
        }
    );
    // `models/<files>`, as GitHub gives, not `models/models/`.
    assert_eq!(
        tree(job.path()),
        expected(&[
            ("models/a.pt", "content of models/a.pt\n"),
            ("models/sub/b.pt", "content of models/sub/b.pt\n")
        ])
    );
    // No path: the workspace itself.
    let other = tempfile::tempdir().expect("a temporary directory");
    let report = get(&fx, other.path(), &by_name("trained-model", "")).expect("download");
    assert_eq!(report.destination, other.path());
    assert_eq!(tree(other.path()).len(), 2);
}

#[test]
fn a_pattern_or_all_put_each_artifact_in_its_own_folder() {
    let fx = Fixture::new(&["a/x.txt", "b/y.txt"]);
    fx.upload("model-a", "a/x.txt").expect("upload");
    fx.upload("model-b", "b/y.txt").expect("upload");
    fx.upload("report", "a/").expect("upload");
    let job = tempfile::tempdir().expect("a temporary directory");
    let pattern = DownloadOptions {
        pattern: Some("model-*".into()),
        path: "out".into(),
        ..DownloadOptions::default()
    };
    let report = get(&fx, job.path(), &pattern).expect("download");
    assert_eq!(report.artifacts, ["model-a", "model-b"]);
    assert_eq!(
        tree(job.path()),
        expected(&[
            ("out/model-a/x.txt", "content of a/x.txt\n"),
            ("out/model-b/y.txt", "content of b/y.txt\n")
        ])
    );
    // One match still gets its folder.
    let one = tempfile::tempdir().expect("a temporary directory");
    let only = DownloadOptions {
        pattern: Some("rep*".into()),
        ..DownloadOptions::default()
    };
    get(&fx, one.path(), &only).expect("download");
    assert_eq!(tree(one.path()), expected(&[("report/x.txt", "content of a/x.txt\n")]));
    // Neither name nor pattern: all of them.
    let all = tempfile::tempdir().expect("a temporary directory");
    let report = get(&fx, all.path(), &DownloadOptions::default()).expect("download");
    assert_eq!((report.artifacts.len(), report.files), (3, 3));
    assert_eq!(
        tree(all.path()).keys().collect::<Vec<_>>(),
        ["model-a/x.txt", "model-b/y.txt", "report/x.txt"]
    );
}

#[test]
fn merge_multiple_puts_every_leg_in_one_folder_later_ones_winning() {
    let fx = Fixture::new(&[]);
    fx.write("leg1/model.pt", "leg 1\n");
    fx.write("leg1/only1.txt", "1\n");
    fx.upload("model-lr0.1", "leg1/").expect("upload");
    fx.write("leg2/model.pt", "leg 2\n");
    fx.write("leg2/only2.txt", "2\n");
    fx.upload("model-lr0.2", "leg2/").expect("upload");
    let job = tempfile::tempdir().expect("a temporary directory");
    let merge = DownloadOptions {
        pattern: Some("model-*".into()),
        path: "models".into(),
        merge_multiple: true,
        ..DownloadOptions::default()
    };
    let report = get(&fx, job.path(), &merge).expect("download");
    assert_eq!((report.artifacts.len(), report.files), (2, 4));
    assert_eq!(
        tree(job.path()),
        expected(&[
            ("models/model.pt", "leg 2\n"),
            ("models/only1.txt", "1\n"),
            ("models/only2.txt", "2\n")
        ])
    );
}

#[test]
fn an_unknown_name_fails_and_says_what_there_is() {
    let fx = Fixture::new(&["a.txt"]);
    let job = tempfile::tempdir().expect("a temporary directory");
    let run = fx
        .run
        .path()
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        get(&fx, job.path(), &by_name("x", "")),
        Err(format!("artifact `x` not found in run {run}; the run has no artifacts"))
    );
    fx.upload("b-model", "a.txt").expect("upload");
    fx.upload("a-data", "a.txt").expect("upload");
    assert_eq!(
        get(&fx, job.path(), &by_name("x", "")),
        Err(format!(
            "artifact `x` not found in run {run}; artifacts: a-data, b-model"
        ))
    );
    // A pattern that matches nothing downloads nothing, and succeeds.
    let nothing = DownloadOptions {
        pattern: Some("zzz*".into()),
        path: "out".into(),
        ..DownloadOptions::default()
    };
    let report = get(&fx, job.path(), &nothing).expect("download");
    assert_eq!((report.artifacts.len(), report.files), (0, 0));
    assert!(!job.path().join("out").exists());
}

#[test]
fn a_rerun_reads_the_artifacts_of_the_run_it_reuses() {
    let old = Fixture::new(&[]);
    old.write("m/model.pt", "old model\n");
    old.write("m/data.csv", "old data\n");
    old.upload("model", "m/model.pt").expect("upload");
    old.upload("data", "m/data.csv").expect("upload");
    let new = Fixture::new(&[]);
    new.write("m/model.pt", "new model\n");
    new.upload("model", "m/model.pt").expect("upload");
    let dirs = [new.run.path().to_path_buf(), old.run.path().to_path_buf()];
    let job = tempfile::tempdir().expect("a temporary directory");
    let report = download(
        &dirs,
        &target(job.path(), &DownloadOptions::default()),
        &DownloadOptions::default(),
    )
    .expect("download");
    assert_eq!(report.artifacts, ["data", "model"]);
    assert_eq!(
        tree(job.path()),
        expected(&[("data/data.csv", "old data\n"), ("model/model.pt", "new model\n")])
    );
}

#[test]
fn permissions_are_not_kept() {
    let fx = Fixture::new(&["bin/run.sh"]);
    let script = fx.workspace.path().join("bin/run.sh");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    fx.upload("bin", "bin/").expect("upload");
    let job = tempfile::tempdir().expect("a temporary directory");
    get(&fx, job.path(), &by_name("bin", "")).expect("download");
    let mode = fs::metadata(job.path().join("run.sh"))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0, "{mode:o}");
}

/// Writes a hand-made archive and its manifest into the run, as an
/// attacker who can write an artifact could.
fn plant(run: &Path, name: &str, build: impl FnOnce(&mut ZipWriter<fs::File>)) {
    let dir = artifacts_dir(run);
    fs::create_dir_all(&dir).expect("create folders");
    let mut zip = ZipWriter::new(fs::File::create(zip_path(&dir, name)).expect("create"));
    build(&mut zip);
    zip.finish().expect("finish");
    let info = ArtifactInfo {
        name: name.into(),
        size: 0,
        sha256: String::new(),
        files: 1,
        created: "2025-01-02T03:04:05.000Z".into(),
        retention_days: 90,
        expires: "2025-04-02T03:04:05.000Z".into(),
    };
    write_manifest(&dir, &info).expect("manifest");
}

fn file(zip: &mut ZipWriter<fs::File>, name: &str) {
    use std::io::Write;
    zip.start_file(name, SimpleFileOptions::default()).expect("start");
    zip.write_all(b"x").expect("write");
}

fn link(zip: &mut ZipWriter<fs::File>, name: &str, target: &str) {
    zip.add_symlink(name, target, SimpleFileOptions::default())
        .expect("symlink");
}

/// What writes the entries of a hand-made archive.
type Build = dyn FnOnce(&mut ZipWriter<fs::File>);

/// Downloads the planted `evil` into a fresh folder: the error, and what
/// was written (nothing, whatever the archive held before the bad entry).
fn hostile(build: impl FnOnce(&mut ZipWriter<fs::File>)) -> (String, BTreeMap<String, String>, PathBuf) {
    let run = tempfile::tempdir().expect("a temporary directory");
    plant(run.path(), "evil", build);
    let job = tempfile::tempdir().expect("a temporary directory");
    let error = download(
        &[run.path().to_path_buf()],
        &target(job.path(), &by_name("evil", "in")),
        &by_name("evil", "in"),
    )
    .expect_err("a hostile archive is refused");
    let written = tree(job.path());
    (error, written, job.path().join("in"))
}

#[test]
fn entries_that_escape_are_refused_before_anything_is_written() {
    let cases: [(&str, Box<Build>, &str); 6] = [
        (
            "climb",
            Box::new(|z| {
                file(z, "ok.txt");
                file(z, "../../escaped.txt");
            }),
            "its entry `../../escaped.txt` would be written outside",
        ),
        (
            "climb inside",
            Box::new(|z| file(z, "a/../../x")),
            "its entry `a/../../x` would be written outside",
        ),
        (
            "absolute",
            Box::new(|z| file(z, "/tmp/escaped.txt")),
            "its entry `/tmp/escaped.txt` would be written outside",
        ),
        (
            "link out",
            Box::new(|z| link(z, "up", "../../..")),
            "its entry `up` is a symbolic link to `../../..`, outside",
        ),
        (
            "absolute link",
            Box::new(|z| link(z, "etc", "/etc")),
            "its entry `etc` is a symbolic link to `/etc`, outside",
        ),
        (
            "climb after a name",
            Box::new(|z| {
                link(z, "here", ".");
                link(z, "x", "here/../../etc");
            }),
            "its entry `x` is a symbolic link to `here/../../etc`, outside",
        ),
    ];
    for (case, build, why) in cases {
        let (error, written, destination) = hostile(build);
        assert_eq!(
            error,
            format!(
                "refusing to extract the artifact `evil`: {why} `{}`",
                destination.display()
            ),
            "{case}"
        );
        assert!(written.is_empty(), "{case}: {written:?}");
    }
}

#[test]
fn entries_through_a_link_of_the_archive_are_refused() {
    let (error, written, destination) = hostile(|z| {
        link(z, "l", "sub");
        file(z, "l/x.txt");
    });
    assert_eq!(
        error,
        format!(
            "refusing to extract the artifact `evil`: its entry `l/x.txt` goes through the symbolic link `l` \
             of the same archive, which could lead outside `{}`",
            destination.display()
        )
    );
    assert!(written.is_empty());
}

#[test]
fn links_inside_the_archive_are_kept_as_links() {
    let run = tempfile::tempdir().expect("a temporary directory");
    plant(run.path(), "linked", |z| {
        file(z, "checkpoints/v3.pt");
        link(z, "models/latest.pt", "../checkpoints/v3.pt");
        file(z, "./a/./b.txt");
    });
    let job = tempfile::tempdir().expect("a temporary directory");
    let report = download(
        &[run.path().to_path_buf()],
        &target(job.path(), &by_name("linked", "")),
        &by_name("linked", ""),
    )
    .expect("download");
    assert_eq!(report.files, 3);
    assert_eq!(
        tree(job.path()),
        expected(&[
            ("a/b.txt", "x"),
            ("checkpoints/v3.pt", "x"),
            ("models/latest.pt", "-> ../checkpoints/v3.pt")
        ])
    );
}

#[test]
fn a_corrupt_archive_is_an_error_naming_it() {
    let fx = Fixture::new(&["a.txt"]);
    fx.upload("model", "a.txt").expect("upload");
    let archive = zip_path(&artifacts_dir(fx.run.path()), "model");
    fs::write(&archive, "not a zip").expect("write");
    let job = tempfile::tempdir().expect("a temporary directory");
    let error = get(&fx, job.path(), &by_name("model", "")).expect_err("refused");
    assert!(
        error.starts_with(&format!(
            "the artifact `model` ({}) is not a valid zip archive: ",
            archive.display()
        )),
        "{error}"
    );
    // An upload option helper shared with these tests stays in use.
    assert_eq!(options("n", "p").name, "n");
}

#[test]
fn a_large_stored_file_is_copied_whole_and_checked() {
    let fx = Fixture::new(&[]);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u8
        })
        .collect();
    fs::create_dir_all(fx.workspace.path().join("ckpt")).expect("create folders");
    fs::write(fx.workspace.path().join("ckpt/weights.bin"), &noise).expect("write");
    fx.write("ckpt/notes.txt", "small\n");
    let report = fx.upload("weights", "ckpt/").expect("upload");
    // The digest hashed on its own thread, over several chunks, is the file's.
    let archive = zip_path(&artifacts_dir(fx.run.path()), "weights");
    let bytes = fs::read(&archive).expect("the archive");
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!((report.sha256, report.size), (sha, bytes.len() as u64));

    let job = tempfile::tempdir().expect("a temporary directory");
    get(&fx, job.path(), &by_name("weights", "")).expect("download");
    assert!(fs::read(job.path().join("weights.bin")).expect("read") == noise);
    assert_eq!(
        fs::read_to_string(job.path().join("notes.txt")).expect("read"),
        "small\n"
    );

    // One byte flipped in the middle of the stored data is caught.
    let mut damaged = bytes;
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    fs::write(&archive, damaged).expect("write");
    let again = tempfile::tempdir().expect("a temporary directory");
    assert_eq!(
        get(&fx, again.path(), &by_name("weights", "")),
        Err("cannot extract `weights.bin` of the artifact `weights`: the archive is damaged (CRC-32 mismatch)".into())
    );
}
