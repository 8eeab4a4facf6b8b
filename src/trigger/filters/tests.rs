use super::*;
use crate::trigger::pattern::PatternKind;

fn refs(texts: &[&str]) -> Option<Vec<FilterPattern>> {
    Some(list(texts, PatternKind::Ref))
}

fn paths(texts: &[&str]) -> Option<Vec<FilterPattern>> {
    Some(list(texts, PatternKind::Path))
}

fn list(texts: &[&str], kind: PatternKind) -> Vec<FilterPattern> {
    texts
        .iter()
        .map(|t| FilterPattern::parse(t, kind).expect("valid pattern"))
        .collect()
}

fn branch(name: &str) -> RefKind {
    RefKind::Branch(name.to_string())
}

fn tag(name: &str) -> RefKind {
    RefKind::Tag(name.to_string())
}

fn changed(files: &[&str]) -> ChangedFiles {
    ChangedFiles {
        files: files.iter().map(|f| f.to_string()).collect(),
        commit_count: Some(1),
    }
}

fn runs(reason: &str) -> Decision {
    Decision::Runs {
        reason: reason.to_string(),
    }
}

fn skipped(reason: &str) -> Decision {
    Decision::Skipped {
        reason: reason.to_string(),
    }
}

/// The docs' ordered examples: `['*.md', '!README.md']`, then `README*`
/// re-including, and `['releases/**', '!releases/**-alpha']`.
#[test]
fn ordered_negation_examples() {
    let md = list(&["*.md", "!README.md"], PatternKind::Path);
    assert!(list_includes(&md, "hello.md"));
    assert!(!list_includes(&md, "README.md"));
    assert!(!list_includes(&md, "docs/hello.md"));
    let md = list(&["*.md", "!README.md", "README*"], PatternKind::Path);
    assert!(list_includes(&md, "hello.md"));
    assert!(list_includes(&md, "README.md"));
    assert!(list_includes(&md, "README.doc"));
    let rel = list(&["releases/**", "!releases/**-alpha"], PatternKind::Ref);
    assert!(list_includes(&rel, "releases/10"));
    assert!(list_includes(&rel, "releases/beta/mona"));
    assert!(!list_includes(&rel, "releases/10-alpha"));
    assert!(!list_includes(&rel, "releases/beta/3-alpha"));
    assert!(!list_includes(&rel, "main"));
    assert_eq!(
        deciding_pattern(&rel, "releases/10-alpha").map(FilterPattern::as_str),
        Some("!releases/**-alpha")
    );
}

#[test]
fn branch_filters() {
    let f = PushFilter {
        branches: refs(&["main"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("dev"), None),
        skipped("branch 'dev' does not match branches [main]")
    );
    assert_eq!(
        f.decide(&branch("main"), None),
        runs("branch 'main' matches 'main' in branches [main]")
    );
    let f = PushFilter {
        branches: refs(&["releases/**", "!releases/**-alpha"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("releases/1-alpha"), None),
        skipped(
            "branch 'releases/1-alpha' is excluded by '!releases/**-alpha' in branches \
             [releases/**, !releases/**-alpha]"
        )
    );
}

#[test]
fn branches_ignore() {
    let f = PushFilter {
        branches_ignore: refs(&["test", "mona/*"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("mona/x"), None),
        skipped("branch 'mona/x' is ignored by 'mona/*' in branches-ignore [test, mona/*]")
    );
    assert_eq!(
        f.decide(&branch("main"), None),
        runs("branch 'main' is not ignored by branches-ignore [test, mona/*]")
    );
    // `!` in an ignore list takes a ref back out of it, in order.
    let f = PushFilter {
        branches_ignore: refs(&["*", "!main"]),
        ..Default::default()
    };
    assert!(f.decide(&branch("main"), None).runs());
    assert!(!f.decide(&branch("dev"), None).runs());
}

#[test]
fn tag_filters() {
    let f = PushFilter {
        tags: refs(&["v*.*.*"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&tag("v1.2.3"), None),
        runs("tag 'v1.2.3' matches 'v*.*.*' in tags [v*.*.*]")
    );
    assert_eq!(
        f.decide(&tag("v1"), None),
        skipped("tag 'v1' does not match tags [v*.*.*]")
    );
    let f = PushFilter {
        tags_ignore: refs(&["deploy/*"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&tag("deploy/prod"), None),
        skipped("tag 'deploy/prod' is ignored by 'deploy/*' in tags-ignore [deploy/*]")
    );
}

#[test]
fn ref_kind_rule() {
    let only_branches = PushFilter {
        branches: refs(&["**"]),
        ..Default::default()
    };
    assert_eq!(
        only_branches.decide(&tag("v1"), None),
        skipped("tag push: only branch filters (branches) are defined, so tag pushes do not run")
    );
    let only_tags = PushFilter {
        tags_ignore: refs(&["x"]),
        ..Default::default()
    };
    assert_eq!(
        only_tags.decide(&branch("main"), None),
        skipped("branch push: only tag filters (tags-ignore) are defined, so branch pushes do not run")
    );
    let both = PushFilter {
        branches: refs(&["main"]),
        tags: refs(&["v*"]),
        ..Default::default()
    };
    assert!(both.decide(&branch("main"), None).runs());
    assert!(both.decide(&tag("v1"), None).runs());
    let none = PushFilter::default();
    assert_eq!(
        none.decide(&tag("v1"), None),
        runs("push has no branch, tag or path filters")
    );
    assert!(none.decide(&branch("anything"), None).runs());
}

#[test]
fn tag_pushes_do_not_evaluate_paths() {
    let f = PushFilter {
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    let docs = changed(&["docs/a.md"]);
    assert_eq!(
        f.decide(&tag("v1"), Some(&docs)),
        runs("tag push: path filters are not evaluated")
    );
    assert!(!f.decide(&branch("main"), Some(&docs)).runs());
    let f = PushFilter {
        tags: refs(&["v*"]),
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&tag("v1"), Some(&docs)),
        runs("tag 'v1' matches 'v*' in tags [v*]; tag push: path filters are not evaluated")
    );
}

#[test]
fn paths_need_one_included_file() {
    let f = PushFilter {
        paths: paths(&["src/model/**", "data/config.yaml"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(
            &branch("main"),
            Some(&changed(&["docs/a.md", "docs/b.md", "README.md"]))
        ),
        skipped(
            "no changed file matches paths [src/model/**, data/config.yaml] \
             (3 files changed: docs/a.md, docs/b.md, README.md)"
        )
    );
    assert_eq!(
        f.decide(&branch("main"), Some(&changed(&["docs/a.md", "data/config.yaml"]))),
        runs("changed file 'data/config.yaml' matches 'data/config.yaml' in paths [src/model/**, data/config.yaml]")
    );
}

#[test]
fn paths_with_negation() {
    let f = PushFilter {
        paths: paths(&["sub/project/**", "!sub/project/docs/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&changed(&["sub/project/docs/x.md"]))),
        skipped(
            "no changed file matches paths [sub/project/**, !sub/project/docs/**] \
             (1 file changed: sub/project/docs/x.md)"
        )
    );
    assert!(f
        .decide(
            &branch("main"),
            Some(&changed(&["sub/project/docs/x.md", "sub/project/a.rs"]))
        )
        .runs());
}

#[test]
fn paths_ignore_needs_every_file_ignored() {
    let f = PushFilter {
        paths_ignore: paths(&["docs/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&changed(&["docs/a.md", "docs/b.md"]))),
        skipped("every changed file matches paths-ignore [docs/**] (2 files changed: docs/a.md, docs/b.md)")
    );
    assert_eq!(
        f.decide(&branch("main"), Some(&changed(&["docs/a.md", "src/a.rs"]))),
        runs("changed file 'src/a.rs' is not ignored by paths-ignore [docs/**]")
    );
}

#[test]
fn no_changed_files_does_not_run_with_path_filters() {
    let empty = changed(&[]);
    let f = PushFilter {
        paths: paths(&["**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&empty)),
        skipped("no changed file matches paths [**] (no files changed)")
    );
    let f = PushFilter {
        paths_ignore: paths(&["docs/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&empty)),
        skipped("no files changed, so no file escapes paths-ignore [docs/**]")
    );
    // Without path filters an empty diff still runs.
    assert!(PushFilter::default().decide(&branch("main"), Some(&empty)).runs());
}

#[test]
fn ref_and_path_filters_must_both_pass() {
    let f = PushFilter {
        branches: refs(&["main"]),
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    let src = changed(&["src/a.rs"]);
    let docs = changed(&["docs/a.md"]);
    assert_eq!(
        f.decide(&branch("main"), Some(&src)),
        runs("branch 'main' matches 'main' in branches [main]; changed file 'src/a.rs' matches 'src/**' in paths [src/**]")
    );
    assert!(!f.decide(&branch("main"), Some(&docs)).runs());
    assert_eq!(
        f.decide(&branch("dev"), Some(&src)),
        skipped("branch 'dev' does not match branches [main]")
    );
}

#[test]
fn only_the_first_300_files_count() {
    let mut files: Vec<String> = (0..300).map(|i| format!("docs/{i}.md")).collect();
    files.push("src/late.rs".to_string());
    let diff = ChangedFiles {
        files,
        commit_count: Some(3),
    };
    let f = PushFilter {
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&diff)),
        skipped(
            "no changed file matches paths [src/**] (301 files changed; only the first 300 \
             are considered: docs/0.md, docs/1.md, docs/2.md, docs/3.md, docs/4.md, ... and 296 more)"
        )
    );
    let f = PushFilter {
        paths_ignore: paths(&["docs/**"]),
        ..Default::default()
    };
    assert!(!f.decide(&branch("main"), Some(&diff)).runs());
}

#[test]
fn over_1000_commits_always_runs() {
    let f = PushFilter {
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    let diff = ChangedFiles {
        files: vec!["docs/a.md".to_string()],
        commit_count: Some(1001),
    };
    assert_eq!(
        f.decide(&branch("main"), Some(&diff)),
        runs("1001 commits were pushed, more than 1,000, so GitHub runs the workflow without evaluating path filters")
    );
    let at_limit = ChangedFiles {
        commit_count: Some(1000),
        ..diff
    };
    assert!(!f.decide(&branch("main"), Some(&at_limit)).runs());
}

#[test]
fn unknown_diff_runs_and_says_so() {
    let f = PushFilter {
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide(&branch("main"), None),
        runs("changed files are unknown, so path filters are not evaluated (GitHub runs the workflow when it cannot compute the diff)")
    );
}

#[test]
fn pull_request_types() {
    let f = PullRequestFilter::default();
    assert_eq!(
        f.decide("main", "opened", None),
        runs("activity type 'opened' is in the default types [opened, synchronize, reopened]")
    );
    assert_eq!(
        f.decide("main", "closed", None),
        skipped("activity type 'closed' is not in the default types [opened, synchronize, reopened]")
    );
    let f = PullRequestFilter {
        types: Some(vec!["closed".to_string(), "labeled".to_string()]),
        ..Default::default()
    };
    assert!(f.decide("main", "closed", None).runs());
    assert_eq!(
        f.decide("main", "opened", None),
        skipped("activity type 'opened' is not in types [closed, labeled]")
    );
}

#[test]
fn pull_request_branches_match_the_base() {
    let f = PullRequestFilter {
        branches: refs(&["main", "releases/**"]),
        paths: paths(&["src/**"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide("dev", "synchronize", Some(&changed(&["src/a.rs"]))),
        skipped("base branch 'dev' does not match branches [main, releases/**]")
    );
    assert_eq!(
        f.decide("releases/2", "synchronize", Some(&changed(&["src/a.rs"]))),
        runs(
            "activity type 'synchronize' is in the default types [opened, synchronize, reopened]; \
             base branch 'releases/2' matches 'releases/**' in branches [main, releases/**]; \
             changed file 'src/a.rs' matches 'src/**' in paths [src/**]"
        )
    );
    assert_eq!(
        f.decide("main", "opened", Some(&changed(&["README.md"]))),
        skipped("no changed file matches paths [src/**] (1 file changed: README.md)")
    );
    let f = PullRequestFilter {
        branches_ignore: refs(&["test"]),
        ..Default::default()
    };
    assert_eq!(
        f.decide("test", "opened", None),
        skipped("base branch 'test' is ignored by 'test' in branches-ignore [test]")
    );
}
