use super::*;
use git2::Signature;
use tempfile::TempDir;

/// A bare repository `<dir>/OWNER/REPO.git` that a test commits to and tags.
struct Published {
    repo: Repository,
}

impl Published {
    fn new(dir: &Path, owner: &str, name: &str) -> Published {
        let path = dir.join(owner).join(format!("{name}.git"));
        Published {
            repo: Repository::init_bare(path).unwrap(),
        }
    }

    /// Commits `action.yml` with `text` on main; returns the commit.
    fn commit(&self, text: &str) -> Oid {
        let blob = self.repo.blob(text.as_bytes()).unwrap();
        let mut tree = self.repo.treebuilder(None).unwrap();
        tree.insert("action.yml", blob, 0o100644).unwrap();
        let tree = self.repo.find_tree(tree.write().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        let parent = self.repo.refname_to_id("refs/heads/main").ok();
        let parents: Vec<_> = parent.map(|p| self.repo.find_commit(p).unwrap()).into_iter().collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(Some("refs/heads/main"), &sig, &sig, text, &tree, &refs)
            .unwrap()
    }

    /// An annotated tag, moved when it exists, as maintainers move `v1`.
    fn tag(&self, name: &str, commit: Oid) {
        let object = self.repo.find_object(commit, None).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        self.repo.tag(name, &object, &sig, name, true).unwrap();
    }
}

fn action(git_ref: &str) -> ActionRef {
    ActionRef {
        owner: "acme".into(),
        repo: "hello".into(),
        path: None,
        git_ref: git_ref.into(),
    }
}

fn resolver(source: &Path, cache: &Path, offline: bool) -> Resolver {
    let source = ActionSource {
        offline,
        ..ActionSource::dir(source.to_path_buf())
    };
    Resolver::new(source, cache.to_path_buf())
}

#[test]
fn a_tag_resolves_to_its_commit_and_the_second_time_comes_from_the_cache() {
    let dir = TempDir::new().unwrap();
    let (source, cache) = (dir.path().join("src"), dir.path().join("cache"));
    let published = Published::new(&source, "acme", "hello");
    let first = published.commit("name: one\n");
    published.tag("v1", first);
    published.tag("v1.2.0", first);

    let resolved = resolver(&source, &cache, false).resolve(&action("v1")).unwrap();
    assert_eq!(resolved.sha, first.to_string());
    assert!(resolved.fetched);
    assert_eq!(
        std::fs::read_to_string(resolved.dir().join("action.yml")).unwrap(),
        "name: one\n"
    );

    // Another run: the tag still names a cached commit, nothing is fetched.
    let again = resolver(&source, &cache, false).resolve(&action("v1.2.0")).unwrap();
    assert_eq!((again.sha.as_str(), again.fetched), (first.to_string().as_str(), false));

    // The maintainer moves v1: the next run gets the new commit.
    let second = published.commit("name: two\n");
    published.tag("v1", second);
    let moved = resolver(&source, &cache, false).resolve(&action("v1")).unwrap();
    assert_eq!((moved.sha.clone(), moved.fetched), (second.to_string(), true));
    assert_eq!(
        std::fs::read_to_string(moved.dir().join("action.yml")).unwrap(),
        "name: two\n"
    );
    // The first commit's files are still there for whoever pinned it.
    assert_eq!(
        std::fs::read_to_string(resolved.dir().join("action.yml")).unwrap(),
        "name: one\n"
    );
}

/// A resolution killed while writing a commit's files leaves a `.partial-`
/// folder; the next resolution of that repository (under its lock) removes
/// it and writes the commit whole.
#[test]
fn a_killed_resolutions_half_written_folder_is_removed_by_the_next() {
    let dir = TempDir::new().unwrap();
    let (source, cache) = (dir.path().join("src"), dir.path().join("cache"));
    let published = Published::new(&source, "acme", "hello");
    let first = published.commit("name: one\n");
    published.tag("v1", first);
    let commits = cache.join("commits/acme/hello");
    let stale = commits.join(format!(".partial-{first}-999999"));
    std::fs::create_dir_all(stale.join("half")).unwrap();

    let resolved = resolver(&source, &cache, false).resolve(&action("v1")).unwrap();
    assert!(!stale.exists(), "the killed resolution's folder is gone");
    let names: Vec<String> = std::fs::read_dir(&commits)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![first.to_string()]);
    assert_eq!(
        std::fs::read_to_string(resolved.dir().join("action.yml")).unwrap(),
        "name: one\n"
    );
}

#[test]
fn branches_and_short_and_full_shas_resolve() {
    let dir = TempDir::new().unwrap();
    let (source, cache) = (dir.path().join("src"), dir.path().join("cache"));
    let published = Published::new(&source, "acme", "hello");
    let first = published.commit("name: one\n");
    let second = published.commit("name: two\n");
    let resolver = resolver(&source, &cache, false);
    assert_eq!(resolver.resolve(&action("main")).unwrap().sha, second.to_string());
    let short = &first.to_string()[..7];
    assert_eq!(resolver.resolve(&action(short)).unwrap().sha, first.to_string());
    let full = resolver.resolve(&action(&first.to_string())).unwrap();
    assert_eq!(full.sha, first.to_string());
}

#[test]
fn offline_uses_the_cache_and_names_the_action_when_it_is_cold() {
    let dir = TempDir::new().unwrap();
    let (source, cache) = (dir.path().join("src"), dir.path().join("cache"));
    let published = Published::new(&source, "acme", "hello");
    let first = published.commit("name: one\n");
    published.tag("v1", first);

    let cold = resolver(&source, &cache, true).resolve(&action("v1")).unwrap_err();
    let message = cold.to_string();
    assert!(
        message.starts_with(&format!(
            "unable to resolve action `acme/hello@v1` from {}: mlci runs offline and the action is not in the action cache",
            source.join("acme/hello.git").display()
        )),
        "{message}"
    );

    resolver(&source, &cache, false).resolve(&action("v1")).unwrap();
    std::fs::remove_dir_all(&source).unwrap();
    let warm = resolver(&source, &cache, true).resolve(&action("v1")).unwrap();
    assert_eq!((warm.sha, warm.fetched), (first.to_string(), false));
}

#[test]
fn an_unknown_ref_or_repository_is_an_error_that_names_them() {
    let dir = TempDir::new().unwrap();
    let (source, cache) = (dir.path().join("src"), dir.path().join("cache"));
    let published = Published::new(&source, "acme", "hello");
    published.commit("name: one\n");
    let missing = resolver(&source, &cache, false).resolve(&action("v9")).unwrap_err();
    assert_eq!(missing.action, "acme/hello@v9");
    assert_eq!(missing.reason, "no tag, branch or commit `v9` in the repository");

    let nowhere = ActionRef {
        owner: "acme".into(),
        repo: "absent".into(),
        path: None,
        git_ref: "v1".into(),
    };
    let error = resolver(&source, &cache, false).resolve(&nowhere).unwrap_err();
    assert_eq!(error.source_url, source.join("acme/absent").display().to_string());
    assert!(error.reason.starts_with("git ls-remote failed"), "{}", error.reason);
}
