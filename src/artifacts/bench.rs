//! The 1 GB benchmark's driver (`bench/artifacts-1gb.sh` runs it): uploads
//! the file `MLCI_BENCH_FILE` as an artifact and downloads it again, in
//! folders beside the file (so on the same disk), timing each, after a
//! `sync` so that one step's writes are not charged to the next.

use super::{download, upload, DownloadOptions, DownloadTarget, IfNoFiles, UploadOptions};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[test]
#[ignore = "a benchmark: bench/artifacts-1gb.sh runs it in release mode"]
fn upload_and_download_a_large_file() {
    let file = PathBuf::from(std::env::var_os("MLCI_BENCH_FILE").expect("MLCI_BENCH_FILE names the file to move"));
    let runs: usize = std::env::var("MLCI_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let beside = file.parent().expect("the file's folder");
    let options = UploadOptions {
        name: "checkpoint".into(),
        path: file.display().to_string(),
        if_no_files_found: IfNoFiles::Error,
        retention_days: None,
        compression_level: 6,
        overwrite: true,
        include_hidden_files: false,
    };
    let fetch = DownloadOptions {
        name: Some("checkpoint".into()),
        ..DownloadOptions::default()
    };
    for run in 1..=runs {
        let store = tempfile::tempdir_in(beside).expect("a temporary directory");
        let job = tempfile::tempdir_in(beside).expect("a temporary directory");
        sync();
        let start = Instant::now();
        let report = upload(store.path(), &super::upload_tests::host_source(beside), &options).expect("upload");
        let uploaded = start.elapsed().as_secs_f64();
        sync();
        let start = Instant::now();
        let got = download(
            &[store.path().to_path_buf()],
            &DownloadTarget::folder(job.path()).expect("a folder"),
            &fetch,
        )
        .expect("download");
        let downloaded = start.elapsed().as_secs_f64();
        let name = file.file_name().expect("a file name");
        assert!(
            same_content(&file, &job.path().join(name)),
            "the downloaded file differs"
        );
        println!(
            "run {run}: upload {uploaded:.3} s, download {downloaded:.3} s, archive {} bytes, {} file(s)",
            report.size, got.files
        );
    }
}

fn sync() {
    let _ = Command::new("sync").status();
}

fn same_content(a: &Path, b: &Path) -> bool {
    let (Ok(mut a), Ok(mut b)) = (File::open(a), File::open(b)) else {
        return false;
    };
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = read_full(&mut a, &mut x);
        if n != read_full(&mut b, &mut y) || x[..n] != y[..n] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

fn read_full(file: &mut File, buffer: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}
