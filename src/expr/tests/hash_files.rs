//! `hashFiles()` on a real directory, checked against hashes computed here
//! independently with sha2.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::expr::{evaluate, parse, ExtraFunctions, JsonContext, ParseOptions, Value};

/// sha256 over the concatenated sha256 digests of `contents`, in order.
fn expected(contents: &[&str]) -> String {
    let mut total = Sha256::new();
    for content in contents {
        total.update(Sha256::digest(content.as_bytes()));
    }
    total.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn write(root: &Path, path: &str, content: &str) {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
    }
    fs::write(&path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn hash(root: &Path, expr: &str) -> Result<Value, String> {
    let opts = ParseOptions::with_named_values(Vec::<String>::new()).functions(ExtraFunctions::STEP);
    let host = JsonContext::new(serde_json::Map::new()).with_workspace(root);
    parse(expr, &opts)
        .and_then(|ast| evaluate(&ast, &host))
        .map_err(|e| e.to_string())
}

#[test]
fn hashes_matching_files_in_traversal_order() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    write(root, "a.txt", "alpha");
    write(root, "b/c.txt", "gamma");
    write(root, "b/d.md", "delta");
    write(root, "b/sub/f.txt", "phi");
    write(root, ".hidden/e.txt", "epsilon");
    write(root, "z.txt", "zeta");
    write(root, "B.txt", "upper");

    // Depth first, entries sorted by name bytes ('.' < 'B' < 'a' < 'b' < 'z').
    let all_txt = expected(&["epsilon", "upper", "alpha", "gamma", "phi", "zeta"]);
    assert_eq!(hash(root, "hashFiles('**/*.txt')"), Ok(Value::String(all_txt)));
    // A later exclusion wins; a directory pattern takes everything beneath.
    assert_eq!(
        hash(root, "hashFiles('**/*.txt', '!b/**', '!.hidden')"),
        Ok(Value::string(expected(&["upper", "alpha", "zeta"])))
    );
    assert_eq!(
        hash(root, "hashFiles('b')"),
        Ok(Value::string(expected(&["gamma", "delta", "phi"])))
    );
    // Search paths are taken in pattern order.
    assert_eq!(
        hash(root, "hashFiles('z.txt', 'a.txt')"),
        Ok(Value::string(expected(&["zeta", "alpha"])))
    );
    assert_eq!(
        hash(root, "hashFiles('b/*.t?t', 'b/[cd].md')"),
        Ok(Value::string(expected(&["gamma", "delta"])))
    );
    // Several patterns in one argument, one per line, with a comment.
    assert_eq!(
        hash(root, "hashFiles('# lock files\nz.txt\n\na.txt')"),
        Ok(Value::string(expected(&["zeta", "alpha"])))
    );
    assert_eq!(hash(root, "hashFiles('nothing/**', '*.none')"), Ok(Value::string("")));
    // Files outside the workspace never count.
    assert_eq!(hash(&root.join("b"), "hashFiles('../a.txt')"), Ok(Value::string("")));
}

#[test]
fn is_an_error_without_a_workspace() {
    let opts = ParseOptions::permissive();
    let host = JsonContext::new(serde_json::Map::new());
    let result = parse("hashFiles('**')", &opts).and_then(|ast| evaluate(&ast, &host));
    assert!(result.is_err_and(|e| e.message.starts_with("hashFiles('**') failed")));
    let not_allowed = parse("hashFiles('**')", &ParseOptions::with_named_values(["github"]));
    assert!(not_allowed.is_err_and(|e| e.message == "Unrecognized function: 'hashFiles'"));
}

/// A link planted in the workspace (the job's) never makes mlci read a host
/// file: to a file, or to a folder with `--follow-symbolic-links`.
#[test]
fn links_out_of_the_workspace_are_errors_never_read() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let host = dir.path().join("host");
    write(&host, "secret.txt", "host secret");
    let workspace = dir.path().join("ws");
    write(&workspace, "ok.txt", "fine");
    symlink(host.join("secret.txt"), workspace.join("stolen.txt")).unwrap();
    let error = hash(&workspace, "hashFiles('*.txt')").unwrap_err();
    assert!(
        error.contains("stolen.txt links to") && error.ends_with("outside the workspace"),
        "{error}"
    );

    fs::remove_file(workspace.join("stolen.txt")).unwrap();
    symlink(&host, workspace.join("host-dir")).unwrap();
    let error = hash(&workspace, "hashFiles('--follow-symbolic-links', '**/*.txt')").unwrap_err();
    assert!(error.contains("host-dir links to"), "{error}");
    // Not following, the linked folder is not entered at all.
    assert_eq!(
        hash(&workspace, "hashFiles('**/*.txt')"),
        Ok(Value::string(expected(&["fine"])))
    );
}

/// The caller says stop (a timeout, Ctrl-C): hashing ends at the next
/// megabyte, with an error, however large the file.
#[test]
fn hashing_stops_when_told() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let big = fs::File::create(dir.path().join("big.bin")).unwrap();
    big.set_len(20 * 1024 * 1024 * 1024).unwrap(); // sparse: 20 GB of nothing
    let reads = std::cell::Cell::new(0);
    let stop_after_three = || {
        reads.set(reads.get() + 1);
        reads.get() > 3
    };
    let error = crate::expr::functions::hash_files::hash_files(dir.path(), &["*.bin".to_string()], &stop_after_three)
        .unwrap_err();
    assert_eq!(error.to_string(), "stopped: the step timed out or was cancelled");
    assert_eq!(reads.get(), 4);
}

/// In a container job `github.workspace` is `/github/workspace`, while the
/// files are in the host folder mounted there: a pattern written with the
/// container's path (or negated) hashes the host's files.
#[test]
fn patterns_under_the_workspace_as_the_job_sees_it_hash_the_host_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    write(root, "requirements.txt", "torch");
    write(root, "docs/requirements.txt", "sphinx");
    let opts = ParseOptions::with_named_values(vec!["github".to_string()]).functions(ExtraFunctions::STEP);
    let contexts = serde_json::json!({"github": {"workspace": "/github/workspace"}});
    let host = JsonContext::new(contexts.as_object().cloned().unwrap_or_default()).with_workspace(root);
    let hash = |expr: &str| {
        parse(expr, &opts)
            .and_then(|ast| evaluate(&ast, &host))
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        hash("hashFiles('/github/workspace/requirements.txt')"),
        Ok(Value::String(expected(&["torch"])))
    );
    assert_eq!(
        hash("hashFiles(format('{0}/**/requirements.txt', github.workspace), '!/github/workspace/docs/**')"),
        Ok(Value::String(expected(&["torch"])))
    );
    // A path that only starts like the workspace is not in it.
    assert_eq!(
        hash("hashFiles('/github/workspace2/requirements.txt')"),
        Ok(Value::String(String::new()))
    );
}
