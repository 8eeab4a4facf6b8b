//! One cache entry on disk, and GitHub's rules for picking one.
//!
//! An entry is a folder `CACHE_DIR/<sha256 of version and key>/` holding
//! `manifest.json` and one copy per cached path, named by the path's place in
//! the `path` input (`0`, `1`, …). Names are numbers, so nothing read back
//! from a manifest can point a restore outside the paths the step names.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub(crate) const MANIFEST: &str = "manifest.json";

/// What an entry holds, as written in its `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub key: String,
    pub version: String,
    /// The `path` input's lines, as written in the step.
    pub paths: Vec<String>,
    /// Which of `paths` existed when saved (the others were skipped).
    pub stored: Vec<usize>,
    /// Nanoseconds since 1970 when saved: among prefix matches the newest wins.
    pub created_ns: u64,
}

/// An entry found in the cache folder.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// GitHub's cache "version": a hash of the `path` lines (and the archive
/// format), so an entry is only ever restored by a step naming the same paths.
pub(crate) fn version(paths: &[String]) -> String {
    let mut parts: Vec<&str> = paths.iter().map(String::as_str).collect();
    parts.extend(["mlci-folder-copy", "1"]);
    hex(&Sha256::digest(parts.join("|").as_bytes()))
}

/// The folder name of the entry for `key`. Keys match without regard to case
/// on GitHub, so the name does too: two keys differing in case are one entry.
pub(crate) fn entry_name(version: &str, key: &str) -> String {
    hex(&Sha256::digest(format!("{version}\n{}", key.to_lowercase()).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entries under `cache_dir` saved for these `paths` (same version, same
/// lines). Folders being written (names starting with `.`) and manifests that
/// do not read are skipped: a cache is best effort, and one broken entry must
/// not hide the others.
pub(crate) fn entries(cache_dir: &Path, paths: &[String]) -> Vec<Entry> {
    let version = version(paths);
    let Ok(read) = std::fs::read_dir(cache_dir) else {
        return Vec::new();
    };
    read.filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join(MANIFEST)).ok()?;
            let manifest: Manifest = serde_json::from_str(&text).ok()?;
            let sound = manifest.stored.iter().all(|&i| i < manifest.paths.len());
            (sound && manifest.version == version && manifest.paths == paths).then(|| Entry {
                dir: e.path(),
                manifest,
            })
        })
        .collect()
}

/// Picks the entry GitHub would restore: the exact `key` first; then the
/// newest entry whose key starts with `key`; then, for each restore key in
/// order, the newest entry whose key starts with it. Case is ignored.
pub(crate) fn pick<'e>(entries: &'e [Entry], key: &str, restore_keys: &[String]) -> Option<&'e Entry> {
    let lowered = |e: &Entry| e.manifest.key.to_lowercase();
    let key = key.to_lowercase();
    if let Some(exact) = entries.iter().find(|e| lowered(e) == key) {
        return Some(exact);
    }
    std::iter::once(key)
        .chain(restore_keys.iter().map(|k| k.to_lowercase()))
        .find_map(|prefix| {
            entries
                .iter()
                .filter(|e| lowered(e).starts_with(&prefix))
                .max_by(|a, b| (a.manifest.created_ns, &a.manifest.key).cmp(&(b.manifest.created_ns, &b.manifest.key)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, created_ns: u64) -> Entry {
        let manifest = Manifest {
            key: key.into(),
            version: "v".into(),
            paths: vec![],
            stored: vec![],
            created_ns,
        };
        Entry {
            dir: PathBuf::from(key),
            manifest,
        }
    }

    fn picked(entries: &[Entry], key: &str, restore_keys: &[&str]) -> Option<String> {
        let restore_keys: Vec<String> = restore_keys.iter().map(|k| k.to_string()).collect();
        pick(entries, key, &restore_keys).map(|e| e.manifest.key.clone())
    }

    #[test]
    fn the_exact_key_wins_over_newer_prefix_matches() {
        let entries = [entry("deps-abc", 1), entry("deps-abcdef", 9)];
        assert_eq!(picked(&entries, "deps-abc", &["deps-"]).as_deref(), Some("deps-abc"));
    }

    #[test]
    fn then_the_newest_entry_the_key_is_a_prefix_of() {
        let entries = [entry("deps-abc-1", 1), entry("deps-abc-2", 5), entry("deps-x", 9)];
        assert_eq!(picked(&entries, "deps-abc", &["deps-"]).as_deref(), Some("deps-abc-2"));
    }

    #[test]
    fn then_restore_keys_in_order_each_newest_first() {
        let entries = [entry("linux-old", 1), entry("linux-new", 3), entry("any-newest", 9)];
        assert_eq!(
            picked(&entries, "linux-abc", &["linux-", "any-"]).as_deref(),
            Some("linux-new")
        );
        assert_eq!(
            picked(&entries, "mac-abc", &["mac-", "any-"]).as_deref(),
            Some("any-newest")
        );
        assert_eq!(picked(&entries, "mac-abc", &["mac-"]), None);
        assert_eq!(picked(&entries, "mac-abc", &[]), None);
    }

    #[test]
    fn case_is_ignored() {
        let entries = [entry("Deps-ABC", 1)];
        assert_eq!(picked(&entries, "deps-abc", &[]).as_deref(), Some("Deps-ABC"));
        assert_eq!(picked(&entries, "x", &["DEPS-"]).as_deref(), Some("Deps-ABC"));
        assert_eq!(entry_name("v", "Deps-ABC"), entry_name("v", "deps-abc"));
    }

    #[test]
    fn the_version_depends_on_the_paths_and_their_order() {
        let v = |paths: &[&str]| version(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>());
        assert_eq!(v(&["data", "~/.cache"]), v(&["data", "~/.cache"]));
        assert_ne!(v(&["data", "~/.cache"]), v(&["~/.cache", "data"]));
        assert_ne!(v(&["data"]), v(&["data/"]));
        assert_eq!(v(&["data"]).len(), 64);
    }

    #[test]
    fn unreadable_and_unsound_manifests_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            std::fs::create_dir_all(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join(MANIFEST), text).unwrap();
        };
        let paths = vec!["a".to_string()];
        let good = Manifest {
            key: "k".into(),
            version: version(&paths),
            paths: paths.clone(),
            stored: vec![0],
            created_ns: 1,
        };
        write("good", &serde_json::to_string(&good).unwrap());
        write("garbage", "{not json");
        let unsound = Manifest {
            stored: vec![3],
            ..good.clone()
        };
        write("unsound", &serde_json::to_string(&unsound).unwrap());
        let other_version = Manifest {
            version: "w".into(),
            ..good.clone()
        };
        write("other", &serde_json::to_string(&other_version).unwrap());
        let other_paths = Manifest {
            paths: vec!["/elsewhere".into()],
            ..good.clone()
        };
        write("tampered", &serde_json::to_string(&other_paths).unwrap());
        write(".tmp-writing", &serde_json::to_string(&good).unwrap());

        let found = entries(dir.path(), &paths);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].manifest, good);
        assert_eq!(found[0].dir, dir.path().join("good"));
        assert!(entries(&dir.path().join("missing"), &paths).is_empty());
    }
}
