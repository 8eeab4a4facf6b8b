use super::*;
use cap_std::ambient_authority;
use std::fs::{self, File};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Copies `from` to `to`, both below `root`, through one capability on it.
fn copy_below(root: &Path, from: &str, to: &str) -> io::Result<()> {
    let dir = Dir::open_ambient_dir(root, ambient_authority()).unwrap();
    let (from, to) = (PathBuf::from(from), PathBuf::from(to));
    copy_tree(Spot::new(&dir, &from), Spot::new(&dir, &to))
}

#[test]
fn a_folder_is_merged_with_modes_times_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("from"), dir.path().join("to"));
    fs::create_dir_all(from.join("sub")).unwrap();
    fs::write(from.join("sub/tool"), "new").unwrap();
    fs::set_permissions(from.join("sub/tool"), fs::Permissions::from_mode(0o755)).unwrap();
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    File::options()
        .write(true)
        .open(from.join("sub/tool"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    symlink("sub/tool", from.join("link")).unwrap();
    fs::create_dir_all(to.join("sub")).unwrap();
    fs::write(to.join("sub/tool"), "old").unwrap();
    fs::write(to.join("extra"), "kept").unwrap();

    copy_below(dir.path(), "from", "to").unwrap();

    assert_eq!(fs::read_to_string(to.join("sub/tool")).unwrap(), "new");
    assert_eq!(
        fs::read_to_string(to.join("extra")).unwrap(),
        "kept",
        "a restore merges, as tar does"
    );
    let meta = fs::metadata(to.join("sub/tool")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o755);
    assert_eq!(meta.modified().unwrap(), old);
    assert_eq!(fs::read_link(to.join("link")).unwrap(), Path::new("sub/tool"));
}

#[test]
fn a_link_below_the_top_is_replaced_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("from/data")).unwrap();
    fs::write(root.join("from/data/file"), "cached").unwrap();
    fs::create_dir_all(root.join("to")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    symlink(&outside, root.join("to/data")).unwrap();

    copy_below(&root, "from", "to").unwrap();

    assert!(fs::symlink_metadata(root.join("to/data")).unwrap().is_dir());
    assert_eq!(fs::read_to_string(root.join("to/data/file")).unwrap(), "cached");
    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing written through the link"
    );
}

#[test]
fn a_parent_link_that_leads_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("from")).unwrap();
    fs::write(root.join("from/file"), "cached").unwrap();
    fs::create_dir_all(&outside).unwrap();
    symlink(&outside, root.join("link")).unwrap();

    let error = copy_below(&root, "from", "link/sub").unwrap_err();

    assert!(
        error.to_string().ends_with("a path led outside of the filesystem"),
        "{error}"
    );
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn a_source_link_that_leads_out_is_copied_as_a_link_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs::create_dir_all(&root).unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "host secret").unwrap();
    symlink(&victim, root.join("from")).unwrap();

    copy_below(&root, "from", "to").unwrap();

    assert_eq!(fs::read_link(root.join("to")).unwrap(), victim);
}

#[test]
fn a_read_only_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("from"), "new").unwrap();
    fs::write(dir.path().join("to"), "old").unwrap();
    fs::set_permissions(dir.path().join("to"), fs::Permissions::from_mode(0o444)).unwrap();
    copy_below(dir.path(), "from", "to").unwrap();
    assert_eq!(fs::read_to_string(dir.path().join("to")).unwrap(), "new");
}

#[test]
fn a_missing_source_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = copy_below(dir.path(), "missing", "to").unwrap_err();
    assert!(err.to_string().starts_with("failed to read missing: "), "{err}");
}
