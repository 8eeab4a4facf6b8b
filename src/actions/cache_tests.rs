use super::*;
use crate::backend::host::HostBackend;
use crate::backend::{Backend, JobEnv, JobSpec};
use std::fs;

fn inputs(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn options(key: &str, restore_keys: &[&str], paths: &[&str]) -> CacheOptions {
    CacheOptions {
        key: key.to_string(),
        restore_keys: restore_keys.iter().map(|k| k.to_string()).collect(),
        paths: paths.iter().map(|p| p.to_string()).collect(),
    }
}

/// A cache folder, and a host job with its workspace and a home folder
/// outside it, all temporary.
struct Setup {
    _root: tempfile::TempDir,
    cache: PathBuf,
    ws: PathBuf,
    home: PathBuf,
    spec: JobSpec,
    env: Box<dyn JobEnv>,
}

impl Setup {
    async fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let (cache, ws, home) = (
            root.path().join("cache"),
            root.path().join("ws"),
            root.path().join("home"),
        );
        fs::create_dir_all(&ws).unwrap();
        fs::create_dir_all(&home).unwrap();
        let spec = JobSpec {
            workspace: ws.clone(),
            temp: root.path().join("temp"),
            ..JobSpec::default()
        };
        let env = HostBackend::new().start_job(&spec).await.unwrap();
        Setup {
            _root: root,
            cache,
            ws,
            home,
            spec,
            env,
        }
    }

    async fn files(&self) -> JobFiles<'_> {
        JobFiles::of(
            self.env.as_ref(),
            &self.spec,
            Some(&self.home.to_string_lossy()),
            std::iter::empty(),
        )
        .await
    }

    fn write(&self, path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    async fn save(&self, options: &CacheOptions, created_ns: u64) -> Result<bool, String> {
        save_at(&self.cache, &self.files().await, options, created_ns).await
    }

    async fn restore(&self, options: &CacheOptions) -> Result<Restored, String> {
        let scope = CacheScope {
            save: self.cache.clone(),
            restore: vec![self.cache.clone()],
        };
        restore(&scope, &self.files().await, options).await
    }

    fn wipe_workspace(&self) {
        fs::remove_dir_all(&self.ws).unwrap();
        fs::create_dir_all(&self.ws).unwrap();
    }

    /// Everything in the cache folder, names starting with `.` included.
    fn cache_listing(&self) -> usize {
        fs::read_dir(&self.cache).map(|r| r.count()).unwrap_or(0)
    }
}

#[test]
fn from_inputs_reads_lines_and_trims_them() {
    let got = CacheOptions::from_inputs(&inputs(&[
        ("key", " data-v1-abc "),
        ("path", "data/\n  ~/.cache/pip  \n\n/opt/weights\n"),
        ("restore-keys", "data-v1-\ndata-\n"),
        ("enableCrossOsArchive", "true"),
    ]))
    .unwrap();
    assert_eq!(
        got,
        options(
            "data-v1-abc",
            &["data-v1-", "data-"],
            &["data/", "~/.cache/pip", "/opt/weights"]
        )
    );
}

#[test]
fn from_inputs_refuses_what_actions_cache_refuses() {
    let err = |pairs: &[(&str, &str)]| CacheOptions::from_inputs(&inputs(pairs)).unwrap_err();
    assert_eq!(err(&[("path", "data")]), "Input required and not supplied: key");
    assert_eq!(
        err(&[("key", "k"), ("path", " \n ")]),
        "Input required and not supplied: path"
    );
    assert_eq!(
        err(&[("key", "a,b"), ("path", "data")]),
        "Key Validation Error: a,b cannot contain commas."
    );
    assert_eq!(
        err(&[("key", "k"), ("restore-keys", "x,"), ("path", "data")]),
        "Key Validation Error: x, cannot contain commas."
    );
    let long = "k".repeat(513);
    assert_eq!(
        err(&[("key", &long), ("path", "data")]),
        format!("Key Validation Error: {long} cannot be larger than 512 characters.")
    );
    assert!(CacheOptions::from_inputs(&inputs(&[("key", &"k".repeat(512)), ("path", "d")])).is_ok());
    assert_eq!(
        err(&[("key", "k"), ("path", "data\n**/node_modules")]),
        "cache path '**/node_modules' is a glob pattern; mlci's cache takes plain files and folders (name them one per line)"
    );
    assert!(err(&[("key", "k"), ("path", "!data/tmp")]).contains("glob pattern"));
}

#[tokio::test]
async fn a_saved_entry_comes_back_exactly_into_the_workspace_and_home() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/raw/train.csv"), "a,b\n1,2\n");
    s.write(&s.ws.join("model.bin"), "weights");
    s.write(&s.home.join(".cache/pip/wheel"), "whl");
    let opts = options("deps-1", &[], &["data", "model.bin", "~/.cache/pip"]);

    assert_eq!(s.save(&opts, 1).await, Ok(true));
    s.wipe_workspace();
    fs::remove_dir_all(s.home.join(".cache")).unwrap();
    let restored = s.restore(&opts).await.unwrap();

    assert_eq!(restored, Restored::Exact("deps-1".into()));
    assert_eq!(restored.cache_hit(), "true");
    assert_eq!(restored.matched_key(), Some("deps-1"));
    assert_eq!(
        fs::read_to_string(s.ws.join("data/raw/train.csv")).unwrap(),
        "a,b\n1,2\n"
    );
    assert_eq!(fs::read_to_string(s.ws.join("model.bin")).unwrap(), "weights");
    assert_eq!(fs::read_to_string(s.home.join(".cache/pip/wheel")).unwrap(), "whl");
}

#[tokio::test]
async fn a_miss_restores_nothing() {
    let s = Setup::new().await;
    let restored = s.restore(&options("deps-1", &["deps-"], &["data"])).await.unwrap();
    assert_eq!(restored, Restored::Miss);
    assert_eq!(restored.cache_hit(), "");
    assert_eq!(restored.matched_key(), None);
    assert!(!s.ws.join("data").exists());
}

#[tokio::test]
async fn a_restore_key_gives_a_partial_match() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "old lock file");
    s.save(&options("deps-aaa", &[], &["data"]), 1).await.unwrap();
    s.wipe_workspace();

    let restored = s.restore(&options("deps-bbb", &["deps-"], &["data"])).await.unwrap();

    assert_eq!(restored, Restored::Partial("deps-aaa".into()));
    assert_eq!(restored.cache_hit(), "false");
    assert_eq!(fs::read_to_string(s.ws.join("data/f")).unwrap(), "old lock file");
}

#[tokio::test]
async fn the_newest_prefix_match_wins() {
    let s = Setup::new().await;
    for (key, text, created) in [
        ("deps-b", "second", 20),
        ("deps-a", "first", 10),
        ("deps-c", "third-but-older", 5),
    ] {
        s.write(&s.ws.join("data/f"), text);
        assert_eq!(s.save(&options(key, &[], &["data"]), created).await, Ok(true));
    }
    s.wipe_workspace();

    let restored = s
        .restore(&options("deps-z", &["nothing-", "deps-"], &["data"]))
        .await
        .unwrap();

    assert_eq!(restored, Restored::Partial("deps-b".into()));
    assert_eq!(fs::read_to_string(s.ws.join("data/f")).unwrap(), "second");
}

#[tokio::test]
async fn the_key_itself_is_a_prefix_before_the_restore_keys() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "longer key");
    s.save(&options("deps-abc-123", &[], &["data"]), 1).await.unwrap();
    s.write(&s.ws.join("data/f"), "restore key");
    s.save(&options("other-1", &[], &["data"]), 2).await.unwrap();

    let restored = s.restore(&options("deps-abc", &["other-"], &["data"])).await.unwrap();

    assert_eq!(restored, Restored::Partial("deps-abc-123".into()));
}

#[tokio::test]
async fn other_paths_do_not_restore_an_entry() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "x");
    s.save(&options("deps-1", &[], &["data"]), 1).await.unwrap();
    assert_eq!(
        s.restore(&options("deps-1", &["deps-"], &["data", "more"]))
            .await
            .unwrap(),
        Restored::Miss
    );
    assert_eq!(
        s.restore(&options("deps-1", &[], &["./data"])).await.unwrap(),
        Restored::Miss
    );
}

#[tokio::test]
async fn a_key_is_never_overwritten_whatever_its_case() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "first");
    assert_eq!(s.save(&options("Deps-1", &[], &["data"]), 1).await, Ok(true));
    s.write(&s.ws.join("data/f"), "second");
    assert_eq!(s.save(&options("Deps-1", &[], &["data"]), 2).await, Ok(false));
    assert_eq!(s.save(&options("deps-1", &[], &["data"]), 3).await, Ok(false));
    s.wipe_workspace();

    assert_eq!(
        s.restore(&options("DEPS-1", &[], &["data"])).await.unwrap(),
        Restored::Exact("Deps-1".into())
    );
    assert_eq!(fs::read_to_string(s.ws.join("data/f")).unwrap(), "first");
    assert_eq!(s.cache_listing(), 1, "no leftovers from the refused saves");
}

#[tokio::test]
async fn saving_nothing_is_githubs_path_validation_error() {
    let s = Setup::new().await;
    let err = s
        .save(&options("deps-1", &[], &["missing", "~/also-missing"]), 1)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        "Path Validation Error: Path(s) specified in the action for caching do(es) not exist, \
         hence no cache is being saved."
    );
    assert_eq!(s.cache_listing(), 0);
}

#[tokio::test]
async fn paths_that_did_not_exist_at_save_are_skipped_at_restore() {
    let s = Setup::new().await;
    s.write(&s.ws.join("present/f"), "x");
    assert_eq!(s.save(&options("k", &[], &["absent", "present"]), 1).await, Ok(true));
    s.wipe_workspace();
    assert_eq!(
        s.restore(&options("k", &[], &["absent", "present"])).await.unwrap(),
        Restored::Exact("k".into())
    );
    assert!(!s.ws.join("absent").exists());
    assert_eq!(fs::read_to_string(s.ws.join("present/f")).unwrap(), "x");
}

#[tokio::test]
async fn a_restore_merges_into_what_the_workspace_holds() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/cached"), "from cache");
    s.save(&options("k", &[], &["data"]), 1).await.unwrap();
    s.wipe_workspace();
    s.write(&s.ws.join("data/cached"), "checked out");
    s.write(&s.ws.join("data/other"), "checked out");

    s.restore(&options("k", &[], &["data"])).await.unwrap();

    assert_eq!(fs::read_to_string(s.ws.join("data/cached")).unwrap(), "from cache");
    assert_eq!(fs::read_to_string(s.ws.join("data/other")).unwrap(), "checked out");
}

#[tokio::test]
async fn a_path_that_climbs_out_of_the_workspace_is_refused() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "x");
    assert_eq!(
        s.save(&options("k", &[], &["../sibling"]), 1).await.unwrap_err(),
        format!(
            "the `path` input `../sibling` climbs out of the workspace ({}) with `..`; \
             name a path inside it, or an absolute path",
            s.ws.display()
        )
    );
    assert_eq!(s.cache_listing(), 0, "nothing saved");
}

#[tokio::test]
async fn a_restore_never_writes_through_a_link_in_the_workspace() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "cached");
    let opts = options("k", &[], &["data/f"]);
    s.save(&opts, 1).await.unwrap();
    s.wipe_workspace();
    // The job plants `data` → a host folder before the restore.
    let victim = s.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    std::os::unix::fs::symlink(&victim, s.ws.join("data")).unwrap();

    let error = s.restore(&opts).await.unwrap_err();

    assert!(error.starts_with("failed to create data: "), "{error}");
    assert_eq!(
        fs::read_dir(&victim).unwrap().count(),
        0,
        "nothing written through the link"
    );
}

#[tokio::test]
async fn a_save_never_reads_through_a_link_out_of_the_workspace() {
    let s = Setup::new().await;
    let victim = s.home.join("secrets");
    s.write(&victim.join("key"), "host secret");
    std::os::unix::fs::symlink(&victim, s.ws.join("data")).unwrap();

    s.save(&options("k", &[], &["data"]), 1).await.unwrap();

    let entry = fs::read_dir(&s.cache).unwrap().next().unwrap().unwrap().path();
    assert_eq!(
        fs::read_link(entry.join("0")).unwrap(),
        victim,
        "the link is kept as a link, its target never read"
    );
}

#[tokio::test]
async fn a_manifest_naming_other_paths_is_never_restored() {
    let s = Setup::new().await;
    s.write(&s.ws.join("data/f"), "x");
    let opts = options("k", &[], &["data"]);
    s.save(&opts, 1).await.unwrap();
    // Someone edits the manifest to point the entry at another folder.
    let entry = fs::read_dir(&s.cache).unwrap().next().unwrap().unwrap().path();
    let text = fs::read_to_string(entry.join(MANIFEST))
        .unwrap()
        .replace("\"data\"", "\"../../outside\"");
    fs::write(entry.join(MANIFEST), text).unwrap();
    s.wipe_workspace();

    assert_eq!(s.restore(&opts).await.unwrap(), Restored::Miss);
    assert!(
        s.restore(&options("k", &[], &["../../outside"])).await.is_err(),
        "a path out of the workspace is refused before any lookup"
    );
}
