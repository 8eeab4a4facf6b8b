//! Extracting an artifact's archive into a folder, refusing any entry that
//! would land outside it (zip-slip): absolute paths, `..`, and symbolic
//! links that point out or that other entries would pass through. Every
//! entry is checked before anything is written. Files get the default
//! permissions, as on GitHub (directories 755, files 644 under umask 022).
//!
//! Everything is written below a cap-std directory (the job's workspace or
//! mlci's staging folder): a link the job planted on the way is followed
//! only while it stays inside, and one in the place of a file or link the
//! archive writes is replaced, never written through.

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, OpenOptions};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::thread;
use zip::{CompressionMethod, ZipArchive};

const CHUNK: usize = 1024 * 1024;
/// Stored entries from this size are copied by the kernel.
const KERNEL_COPY_FROM: u64 = 1024 * 1024;
/// The longest link target read.
const PATH_MAX: u64 = 4096;

enum Kind {
    Dir,
    File,
    Symlink(String),
}

struct Planned {
    index: usize,
    path: PathBuf,
    kind: Kind,
}

/// Extracts the archive `zip` (artifact `name`) into `into` below `dir`;
/// the job sees that folder as `destination`. Returns how many files (and
/// links) it wrote.
pub(super) fn extract(zip: &Path, name: &str, dir: &Dir, into: &Path, destination: &Path) -> Result<usize, String> {
    let file = File::open(zip).map_err(|e| format!("cannot read the artifact `{name}` ({}): {e}", zip.display()))?;
    let mut archive = ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).map_err(|e| {
        format!(
            "the artifact `{name}` ({}) is not a valid zip archive: {e}",
            zip.display()
        )
    })?;
    let plan = plan(&mut archive, name, destination)?;
    let into = match into.as_os_str().is_empty() {
        true => Path::new("."),
        false => into,
    };
    dir.create_dir_all(into)
        .map_err(|e| format!("cannot create `{}`: {e}", destination.display()))?;
    let mut buffer = vec![0u8; CHUNK];
    let mut files = 0;
    for item in plan {
        let target = into.join(&item.path);
        let cannot = |e: &dyn std::fmt::Display| {
            format!("cannot extract `{}` of the artifact `{name}`: {e}", item.path.display())
        };
        match item.kind {
            Kind::Dir => dir.create_dir_all(&target).map_err(|e| cannot(&e))?,
            Kind::File => {
                make_parent(dir, &target).map_err(|e| cannot(&e))?;
                remove_non_dir(dir, &target).map_err(|e| cannot(&e))?;
                let mut out = dir
                    .open_with(&target, OpenOptions::new().write(true).create_new(true))
                    .map_err(|e| cannot(&e))?
                    .into_std();
                let raw = archive.by_index_raw(item.index).map_err(|e| cannot(&e))?;
                match (raw.compression(), raw.data_start()) {
                    (CompressionMethod::Stored, Some(start))
                        if raw.size() >= KERNEL_COPY_FROM
                            && raw.compressed_size() == raw.size()
                            && !raw.encrypted() =>
                    {
                        let range = StoredRange {
                            start,
                            len: raw.size(),
                            crc32: raw.crc32(),
                        };
                        drop(raw);
                        copy_stored(zip, &range, &mut out).map_err(|e| cannot(&e))?;
                    }
                    _ => {
                        drop(raw);
                        let mut entry = archive.by_index(item.index).map_err(|e| cannot(&e))?;
                        copy(&mut entry, &mut out, &mut buffer).map_err(|e| cannot(&e))?;
                    }
                }
                files += 1;
            }
            Kind::Symlink(link) => {
                make_parent(dir, &target).map_err(|e| cannot(&e))?;
                remove_non_dir(dir, &target).map_err(|e| cannot(&e))?;
                dir.symlink_contents(&link, &target).map_err(|e| cannot(&e))?;
                files += 1;
            }
        }
    }
    Ok(files)
}

/// Reads and checks every entry's path (and each link's target).
fn plan<R: Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    destination: &Path,
) -> Result<Vec<Planned>, String> {
    let refuse = |entry: &str, why: &str| {
        format!(
            "refusing to extract the artifact `{name}`: its entry `{}` {why} `{}`",
            entry.escape_debug(),
            destination.display()
        )
    };
    let mut plan = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("the artifact `{name}` has an unreadable entry: {e}"))?;
        let entry_name = entry.name().to_string();
        let Some(path) = relative(&entry_name) else {
            return Err(refuse(&entry_name, "would be written outside"));
        };
        if path.as_os_str().is_empty() {
            continue;
        }
        let kind = if entry.is_symlink() {
            let mut link = String::new();
            (&mut entry)
                .take(PATH_MAX)
                .read_to_string(&mut link)
                .map_err(|e| format!("the artifact `{name}` has an unreadable link `{entry_name}`: {e}"))?;
            if !link_stays_inside(&path, &link) {
                return Err(refuse(
                    &entry_name,
                    &format!("is a symbolic link to `{}`, outside", link.escape_debug()),
                ));
            }
            Kind::Symlink(link)
        } else if entry.is_dir() {
            Kind::Dir
        } else {
            Kind::File
        };
        plan.push(Planned { index, path, kind });
    }
    // A link's target was checked from where the link is; an entry that
    // goes through another link could reach further, so none may.
    let links: HashSet<&Path> = plan
        .iter()
        .filter(|p| matches!(p.kind, Kind::Symlink(_)))
        .map(|p| p.path.as_path())
        .collect();
    for item in &plan {
        if let Some(link) = item.path.ancestors().skip(1).find(|a| links.contains(a)) {
            return Err(refuse(
                &item.path.to_string_lossy(),
                &format!(
                    "goes through the symbolic link `{}` of the same archive, which could lead outside",
                    link.display()
                ),
            ));
        }
    }
    Ok(plan)
}

/// Whether the link at `path` to `link` resolves inside the destination:
/// relative, with `..` only at its start (climbing from a real folder, so
/// the climb is where it seems), and not above the destination.
fn link_stays_inside(path: &Path, link: &str) -> bool {
    let target = Path::new(link);
    let climbs_only_first = target
        .components()
        .skip_while(|c| *c == Component::ParentDir)
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    let from = path.parent().unwrap_or(Path::new(""));
    !link.is_empty() && climbs_only_first && relative(&from.join(target).to_string_lossy()).is_some()
}

/// The entry's path below the destination, with `.` parts dropped; `None`
/// if it is absolute, climbs with `..` or holds a NUL.
fn relative(entry: &str) -> Option<PathBuf> {
    if entry.starts_with('/') || entry.contains('\0') {
        return None;
    }
    let mut path = PathBuf::new();
    for component in Path::new(entry).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// Where a stored entry's bytes are in the archive, and their CRC-32.
struct StoredRange {
    start: u64,
    len: u64,
    crc32: u32,
}

/// Copies a stored entry with the kernel (`copy_file_range`, through
/// `io::copy` of a `Take<File>`: no pass through this process), while a
/// second thread reads the same bytes to check their CRC-32. This is what
/// lets a large checkpoint come out at close to `cp`'s speed.
fn copy_stored(zip: &Path, range: &StoredRange, out: &mut File) -> io::Result<()> {
    thread::scope(|scope| {
        let check = scope.spawn(|| crc32_of(zip, range.start, range.len));
        let copied = (|| {
            let mut source = File::open(zip)?;
            source.seek(SeekFrom::Start(range.start))?;
            io::copy(&mut source.take(range.len), out)
        })();
        let crc32 = check
            .join()
            .map_err(|_| io::Error::other("the CRC-32 check panicked"))??;
        if copied? != range.len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the archive is truncated"));
        }
        if crc32 != range.crc32 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the archive is damaged (CRC-32 mismatch)",
            ));
        }
        Ok(())
    })
}

fn crc32_of(zip: &Path, start: u64, len: u64) -> io::Result<u32> {
    use std::os::unix::fs::FileExt;
    let file = File::open(zip)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut done = 0;
    while done < len {
        let want = usize::try_from(len - done).unwrap_or(CHUNK).min(CHUNK);
        match file.read_at(&mut buffer[..want], start + done) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the archive is truncated")),
            Ok(n) => {
                hasher.update(&buffer[..n]);
                done += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hasher.finalize())
}

fn make_parent(dir: &Dir, target: &Path) -> io::Result<()> {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => dir.create_dir_all(parent),
        _ => Ok(()),
    }
}

/// Removes a file or link at `target` (a folder stays: writing over it
/// fails, as it does on GitHub).
fn remove_non_dir(dir: &Dir, target: &Path) -> io::Result<()> {
    match dir.symlink_metadata(target) {
        Ok(meta) if !meta.is_dir() => dir.remove_file_or_symlink(target),
        _ => Ok(()),
    }
}

/// Copies in large chunks; the zip reader checks the CRC-32 at the end.
fn copy(from: &mut impl Read, to: &mut File, buffer: &mut [u8]) -> io::Result<()> {
    loop {
        match from.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => to.write_all(&buffer[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
