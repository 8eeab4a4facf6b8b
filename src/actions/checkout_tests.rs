use super::*;
use crate::trigger::git::testing::TestRepo;
use git2::{Oid, Signature, Time};
use std::os::unix::fs::PermissionsExt;

fn options() -> CheckoutOptions {
    CheckoutOptions::default()
}

fn with_ref(git_ref: &str) -> CheckoutOptions {
    CheckoutOptions {
        git_ref: Some(git_ref.to_string()),
        ..options()
    }
}

fn depth(fetch_depth: u32) -> CheckoutOptions {
    CheckoutOptions {
        fetch_depth,
        ..options()
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` but `.git`, as sorted relative paths.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().to_string();
            if rel == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Commits reachable from HEAD, as `git log` counts them (libgit2 honours the
/// `shallow` file as git does).
fn history(dir: &Path) -> usize {
    let repo = Repository::open(dir).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.count()
}

fn refs(dir: &Path) -> Vec<String> {
    let repo = Repository::open(dir).unwrap();
    let mut names: Vec<String> = repo
        .references()
        .unwrap()
        .map(|r| r.unwrap().name().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Three commits on main: one.txt, then two.txt, then three.txt.
fn three_commits() -> (TestRepo, [Oid; 3]) {
    let t = TestRepo::new();
    t.write("one.txt", "1");
    let a = t.commit("one");
    t.write("two.txt", "2");
    let b = t.commit("two");
    t.write("three.txt", "3");
    let c = t.commit("three");
    (t, [a, b, c])
}

#[test]
fn the_run_commit_is_written_with_its_subfolders_and_head() {
    let t = TestRepo::new();
    t.write("train.py", "print('train')\n");
    t.write("src/model/net.py", "class Net: pass\n");
    t.write("data/config.yaml", "rows: 10\n");
    let sha = t.commit("first");
    let ws = tempfile::tempdir().unwrap();

    let report = checkout(t.path(), &sha.to_string(), ws.path(), &options()).unwrap();

    assert_eq!(
        report,
        CheckoutReport {
            commit: sha.to_string(),
            files: 3,
            notes: vec![]
        }
    );
    assert_eq!(listing(ws.path()), ["data/config.yaml", "src/model/net.py", "train.py"]);
    assert_eq!(read(&ws.path().join("src/model/net.py")), "class Net: pass\n");
    let repo = Repository::open(ws.path()).unwrap();
    assert_eq!(repo.head().unwrap().target(), Some(sha));
    assert_eq!(
        repo.head().unwrap().name(),
        Some("refs/heads/main"),
        "on its branch, as GitHub's push checkout"
    );
    assert_eq!(repo.find_remote("origin").unwrap().url(), t.path().to_str());
    let statuses = repo
        .statuses(Some(StatusOptions::new().include_untracked(true)))
        .unwrap();
    assert_eq!(statuses.len(), 0, "the checkout is clean");
}

#[test]
fn an_older_run_commit_is_checked_out_detached() {
    let (t, [a, _, _]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    checkout(t.path(), &a.to_string(), ws.path(), &options()).unwrap();
    let repo = Repository::open(ws.path()).unwrap();
    assert!(repo.head_detached().unwrap());
    assert_eq!(repo.head().unwrap().target(), Some(a));
    assert_eq!(listing(ws.path()), ["one.txt"]);
}

#[test]
fn ref_to_a_branch_checks_out_that_branch() {
    let (t, [a, _, c]) = three_commits();
    t.checkout_new("feature", a);
    t.write("feature.txt", "f");
    let f = t.commit("feature");
    t.checkout("main");

    for git_ref in ["feature", "refs/heads/feature"] {
        let ws = tempfile::tempdir().unwrap();
        let report = checkout(t.path(), &c.to_string(), ws.path(), &with_ref(git_ref)).unwrap();
        assert_eq!(report.commit, f.to_string(), "{git_ref}");
        assert_eq!(listing(ws.path()), ["feature.txt", "one.txt"], "{git_ref}");
        let repo = Repository::open(ws.path()).unwrap();
        assert_eq!(repo.head().unwrap().name(), Some("refs/heads/feature"));
        assert_eq!(refs(ws.path()), ["refs/heads/feature", "refs/remotes/origin/feature"]);
        let branch = repo.find_branch("feature", git2::BranchType::Local).unwrap();
        assert_eq!(branch.upstream().unwrap().name().unwrap(), Some("origin/feature"));
    }
}

#[test]
fn ref_to_a_tag_checks_it_out_detached() {
    let (t, [a, b, _]) = three_commits();
    t.repo
        .tag_lightweight("v1", &t.repo.find_object(a, None).unwrap(), false)
        .unwrap();
    let sig = Signature::new("Ada", "ada@example.com", &Time::new(1_700_000_000, 0)).unwrap();
    t.repo
        .tag("v2", &t.repo.find_object(b, None).unwrap(), &sig, "annotated", false)
        .unwrap();

    for (git_ref, want, files) in [
        ("v1", a, vec!["one.txt"]),
        ("refs/tags/v2", b, vec!["one.txt", "two.txt"]),
    ] {
        let ws = tempfile::tempdir().unwrap();
        let report = checkout(t.path(), &b.to_string(), ws.path(), &with_ref(git_ref)).unwrap();
        assert_eq!(report.commit, want.to_string(), "{git_ref}");
        assert_eq!(listing(ws.path()), files, "{git_ref}");
        let repo = Repository::open(ws.path()).unwrap();
        assert!(repo.head_detached().unwrap());
        let tag = git_ref.trim_start_matches("refs/tags/");
        assert_eq!(refs(ws.path()), [format!("refs/tags/{tag}")]);
    }
}

#[test]
fn ref_to_a_sha_full_or_short_checks_it_out_detached() {
    let (t, [_, b, c]) = three_commits();
    for git_ref in [b.to_string(), b.to_string()[..10].to_string()] {
        let ws = tempfile::tempdir().unwrap();
        let report = checkout(t.path(), &c.to_string(), ws.path(), &with_ref(&git_ref)).unwrap();
        assert_eq!(report.commit, b.to_string());
        assert_eq!(listing(ws.path()), ["one.txt", "two.txt"]);
        assert!(Repository::open(ws.path()).unwrap().head_detached().unwrap());
    }
}

#[test]
fn a_ref_that_does_not_exist_is_an_error_in_githubs_words() {
    let (t, [_, _, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    let err = checkout(t.path(), &c.to_string(), ws.path(), &with_ref("nope")).unwrap_err();
    assert_eq!(err, "A branch or tag with the name 'nope' could not be found");
    let missing = "0123456789012345678901234567890123456789";
    let err = checkout(t.path(), &c.to_string(), ws.path(), &with_ref(missing)).unwrap_err();
    assert_eq!(err, format!("commit '{missing}' is not in the repository"));
}

#[test]
fn a_run_commit_that_is_not_in_the_repository_is_an_error() {
    let (t, _) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    let err = checkout(t.path(), "not-a-sha", ws.path(), &options()).unwrap_err();
    assert_eq!(
        err,
        format!("commit 'not-a-sha' is not in the repository at {}", t.path().display())
    );
}

#[test]
fn path_puts_the_repository_in_a_subfolder_and_leaves_the_rest() {
    let (t, [_, _, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("earlier-step.txt"), "kept").unwrap();
    let opts = CheckoutOptions {
        path: "code/main".to_string(),
        ..options()
    };

    checkout(t.path(), &c.to_string(), ws.path(), &opts).unwrap();

    assert_eq!(
        listing(&ws.path().join("code/main")),
        ["one.txt", "three.txt", "two.txt"]
    );
    assert_eq!(read(&ws.path().join("earlier-step.txt")), "kept");
    assert!(Repository::open(ws.path().join("code/main")).is_ok());
}

#[test]
fn a_path_outside_the_workspace_is_refused() {
    let (t, [_, _, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    let opts = CheckoutOptions {
        path: "../elsewhere".to_string(),
        ..options()
    };
    let err = checkout(t.path(), &c.to_string(), &ws.path().join("w"), &opts).unwrap_err();
    let outside = ws.path().join("elsewhere");
    assert_eq!(
        err,
        format!(
            "Repository path '{}' is not under '{}'",
            outside.display(),
            ws.path().join("w").display()
        )
    );
}

#[test]
fn uncommitted_changes_are_left_out_with_a_note() {
    let (t, [_, _, c]) = three_commits();
    t.write("one.txt", "edited, not committed");
    t.write("new.py", "untracked");
    let ws = tempfile::tempdir().unwrap();

    let report = checkout(t.path(), &c.to_string(), ws.path(), &options()).unwrap();

    let short = &c.to_string()[..7];
    let note = format!(
        "the working tree has uncommitted changes (1 changed file, 1 untracked); \
         checked out commit {short} as GitHub would, without them"
    );
    assert_eq!(report.notes, [note]);
    assert_eq!(read(&ws.path().join("one.txt")), "1");
    assert!(!ws.path().join("new.py").exists());
}

#[test]
fn a_workspace_inside_the_working_tree_does_not_make_it_dirty() {
    let (t, [_, _, c]) = three_commits();
    let ws = t.path().join("runs/job");
    let first = checkout(t.path(), &c.to_string(), &ws, &options()).unwrap();
    assert_eq!(first.notes, Vec::<String>::new());
    let second = checkout(t.path(), &c.to_string(), &ws, &options()).unwrap();
    assert_eq!(
        second.notes,
        Vec::<String>::new(),
        "the first checkout is not an untracked change"
    );
}

#[test]
fn the_executable_bit_is_kept() {
    let t = TestRepo::new();
    t.write("run.sh", "#!/bin/sh\necho hi\n");
    t.write("plain.txt", "x");
    std::fs::set_permissions(t.path().join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sha = t.commit("script");
    let ws = tempfile::tempdir().unwrap();

    checkout(t.path(), &sha.to_string(), ws.path(), &options()).unwrap();

    let mode = |name: &str| std::fs::metadata(ws.path().join(name)).unwrap().permissions().mode();
    assert_eq!(mode("run.sh") & 0o111, 0o111);
    assert_eq!(mode("plain.txt") & 0o111, 0);
}

#[test]
fn a_second_checkout_replaces_what_the_workspace_held() {
    let (t, [_, b, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), ws.path(), &options()).unwrap();
    std::fs::write(ws.path().join("one.txt"), "changed by a step").unwrap();
    std::fs::create_dir_all(ws.path().join("outputs")).unwrap();
    std::fs::write(ws.path().join("outputs/model.bin"), "weights").unwrap();

    let report = checkout(t.path(), &b.to_string(), ws.path(), &options()).unwrap();

    assert_eq!(report.commit, b.to_string());
    assert_eq!(listing(ws.path()), ["one.txt", "two.txt"]);
    assert_eq!(read(&ws.path().join("one.txt")), "1");
    assert_eq!(Repository::open(ws.path()).unwrap().head().unwrap().target(), Some(b));
}

#[test]
fn fetch_depth_one_cuts_the_history_and_zero_keeps_it() {
    let (t, [a, _, c]) = three_commits();
    t.repo
        .tag_lightweight("v0", &t.repo.find_object(a, None).unwrap(), false)
        .unwrap();
    t.repo.branch("other", &t.repo.find_commit(a).unwrap(), false).unwrap();

    let shallow = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), shallow.path(), &depth(1)).unwrap();
    assert_eq!(history(shallow.path()), 1);
    assert!(Repository::open(shallow.path()).unwrap().is_shallow());
    assert_eq!(read(&shallow.path().join(".git/shallow")), format!("{c}\n"));
    assert_eq!(refs(shallow.path()), ["refs/heads/main", "refs/remotes/origin/main"]);

    let two = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), two.path(), &depth(2)).unwrap();
    assert_eq!(history(two.path()), 2);

    let deep = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), deep.path(), &depth(0)).unwrap();
    assert_eq!(history(deep.path()), 3);
    assert!(!Repository::open(deep.path()).unwrap().is_shallow());
    assert_eq!(
        refs(deep.path()),
        [
            "refs/heads/main",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
            "refs/remotes/origin/other",
            "refs/tags/v0"
        ]
    );

    let longer = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), longer.path(), &depth(10)).unwrap();
    assert_eq!(history(longer.path()), 3);
    assert!(
        !Repository::open(longer.path()).unwrap().is_shallow(),
        "a depth past the root cuts nothing"
    );
}

/// A job that rewrites an object file of its checkout (or chowns it) must
/// not change the user's repository: the files are copies, not hard links.
#[test]
fn objects_are_copies_never_shared_with_the_source() {
    use std::os::unix::fs::MetadataExt;
    let (t, [_, _, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    checkout(t.path(), &c.to_string(), ws.path(), &options()).unwrap();
    let sha = c.to_string();
    let path = |root: &Path| root.join(".git/objects").join(&sha[..2]).join(&sha[2..]);
    let (source, copy) = (path(t.path()), path(ws.path()));
    assert_ne!(
        std::fs::metadata(&source).unwrap().ino(),
        std::fs::metadata(&copy).unwrap().ino()
    );
    assert_eq!(std::fs::metadata(&source).unwrap().nlink(), 1);
    let before = std::fs::read(&source).unwrap();
    let mut perms = std::fs::metadata(&copy).unwrap().permissions();
    perms.set_mode(0o644);
    std::fs::set_permissions(&copy, perms).unwrap();
    std::fs::write(&copy, b"rewritten by the job").unwrap();
    assert_eq!(std::fs::read(&source).unwrap(), before);
}

#[test]
fn submodules_true_gives_a_note() {
    let (t, [_, _, c]) = three_commits();
    let ws = tempfile::tempdir().unwrap();
    let opts = CheckoutOptions {
        submodules: true,
        ..options()
    };
    let report = checkout(t.path(), &c.to_string(), ws.path(), &opts).unwrap();
    assert_eq!(
        report.notes,
        ["submodules are not checked out: mlci supports only `submodules: false`"]
    );
}

#[test]
fn a_repository_without_commits_is_a_clear_error() {
    let t = TestRepo::new();
    let ws = tempfile::tempdir().unwrap();
    let err = checkout(t.path(), "", ws.path(), &options()).unwrap_err();
    assert_eq!(
        err,
        format!(
            "the repository at {} has no commits yet: commit something before running a workflow that checks it out",
            t.path().display()
        )
    );
}

#[test]
fn a_workspace_that_holds_the_repository_is_never_cleared() {
    let (t, [_, _, c]) = three_commits();
    for ws in [t.path().to_path_buf(), t.path().parent().unwrap().to_path_buf()] {
        let err = checkout(t.path(), &c.to_string(), &ws, &options()).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "refusing to check out into {}",
                ws.canonicalize().unwrap().display()
            )),
            "{err}"
        );
    }
    let opts = CheckoutOptions {
        path: ".git".to_string(),
        ..options()
    };
    assert!(checkout(t.path(), &c.to_string(), t.path(), &opts)
        .unwrap_err()
        .starts_with("refusing"));
    assert_eq!(read(&t.path().join("one.txt")), "1");
    assert_eq!(t.repo.head().unwrap().target(), Some(c));
}

#[test]
fn from_inputs_reads_checkouts_inputs() {
    let inputs = |pairs: &[(&str, &str)]| -> IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    assert_eq!(CheckoutOptions::from_inputs(&inputs(&[])).unwrap(), options());
    assert_eq!(
        CheckoutOptions::from_inputs(&inputs(&[
            ("ref", "v1"),
            ("fetch-depth", "0"),
            ("path", "code"),
            ("token", "x")
        ]))
        .unwrap(),
        CheckoutOptions {
            git_ref: Some("v1".into()),
            fetch_depth: 0,
            submodules: false,
            path: "code".into()
        }
    );
    assert_eq!(
        CheckoutOptions::from_inputs(&inputs(&[("ref", ""), ("fetch-depth", "")])).unwrap(),
        options()
    );
    assert_eq!(
        CheckoutOptions::from_inputs(&inputs(&[("fetch-depth", "-3")]))
            .unwrap()
            .fetch_depth,
        0
    );
    assert_eq!(
        CheckoutOptions::from_inputs(&inputs(&[("fetch-depth", " 50 ")]))
            .unwrap()
            .fetch_depth,
        50
    );
    assert_eq!(
        CheckoutOptions::from_inputs(&inputs(&[("fetch-depth", "deep")])).unwrap_err(),
        "fetch-depth must be a whole number (0 for all history), not 'deep'"
    );
    for (value, want) in [
        ("true", true),
        ("Recursive", true),
        ("TRUE", true),
        ("false", false),
        ("yes", false),
    ] {
        let got = CheckoutOptions::from_inputs(&inputs(&[("submodules", value)]))
            .unwrap()
            .submodules;
        assert_eq!(got, want, "{value}");
    }
}
