//! Published actions for the tests: bare git repositories laid out as
//! `--actions-dir` reads them (`ROOT/OWNER/REPO.git`), committed and tagged
//! with git2 the way maintainers release (`v1`, `v1.2.0`, a moved `v1`).

use git2::{Oid, Repository, Signature};
use std::path::Path;

pub struct Published {
    repo: Repository,
}

impl Published {
    /// `ROOT/OWNER/REPO.git`, empty.
    pub fn new(root: &Path, name: &str) -> Published {
        let path = root.join(format!("{name}.git"));
        Published {
            repo: Repository::init_bare(path).expect("a bare repository"),
        }
    }

    /// Commits `files` (path, content, executable) as the whole tree of
    /// main; returns the commit's SHA.
    pub fn commit(&self, files: &[(&str, &str, bool)]) -> String {
        let mut index = git2::Index::new().expect("an index");
        for (path, content, executable) in files {
            let blob = self.repo.blob(content.as_bytes()).expect("a blob");
            let mode = if *executable { 0o100755 } else { 0o100644 };
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).expect("add to the index");
        }
        let tree = index.write_tree_to(&self.repo).expect("a tree");
        let tree = self.repo.find_tree(tree).expect("the tree");
        let who = Signature::now("Maintainer", "m@example.com").expect("a signature");
        let parent = self.repo.refname_to_id("refs/heads/main").ok();
        let parents: Vec<_> = parent
            .map(|p| self.repo.find_commit(p).expect("parent"))
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = self
            .repo
            .commit(Some("refs/heads/main"), &who, &who, "release", &tree, &refs)
            .expect("a commit");
        self.repo.set_head("refs/heads/main").expect("HEAD");
        id.to_string()
    }

    /// Tags `sha` as `name`, moving the tag when it exists.
    pub fn tag(&self, name: &str, sha: &str) {
        let object = self
            .repo
            .find_object(Oid::from_str(sha).expect("a SHA"), None)
            .expect("the commit");
        let who = Signature::now("Maintainer", "m@example.com").expect("a signature");
        self.repo.tag(name, &object, &who, name, true).expect("a tag");
    }
}
