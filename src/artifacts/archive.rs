//! Writing an artifact's zip archive. Each file is deflated at the chosen
//! level unless its first 64 KiB do not compress (model weights, random
//! data, archives): then it is stored, so a large checkpoint moves at close
//! to disk speed. The archive is streamed (sizes in data descriptors) so
//! its SHA-256 is computed as it is written, without reading it again.

use super::search::Found;
use flate2::{Compress, Compression, FlushCompress};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// How much of a file is compressed to see whether it compresses.
const PROBE_BYTES: usize = 64 * 1024;
/// Deflated size over original size above which a file is stored.
const STORE_RATIO: f64 = 0.9;
/// The copy buffer: large reads and writes for large files.
const CHUNK: usize = 1024 * 1024;

/// What was written: the archive's size in bytes and its SHA-256 (hex).
#[derive(Debug, PartialEq)]
pub(super) struct Written {
    pub size: u64,
    pub sha256: String,
}

/// Writes `files` into a new zip archive at `out`. `level` 0 stores every
/// file; 1–9 deflate those that compress. SHA-256 is the slowest part of
/// moving a large stored file (about 1.5 GB/s against 2.5 GB/s for a copy),
/// so it runs on a thread of its own while this one reads and writes.
pub(super) fn write_zip(files: &[Found], level: u32, out: &Path) -> Result<Written, String> {
    let cannot_write = |e: &dyn std::fmt::Display| format!("cannot write the archive `{}`: {e}", out.display());
    let file = File::create(out).map_err(|e| cannot_write(&e))?;
    let (to_hasher, chunks) = mpsc::sync_channel::<Vec<u8>>(4);
    let (give_back, returned) = mpsc::channel::<Vec<u8>>();
    thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for chunk in chunks {
                hasher.update(&chunk);
                let _ = give_back.send(chunk);
            }
            hasher.finalize()
        });
        // The sink (and with it the sender) is dropped on every path out
        // of this closure, which ends the hasher's loop.
        let size = (|| {
            let sink = HashedFile {
                file,
                pending: Vec::with_capacity(CHUNK),
                to_hasher,
                returned,
                size: 0,
            };
            let mut zip = ZipWriter::new_stream(sink);
            let mut buffer = vec![0u8; CHUNK];
            for found in files {
                add_file(&mut zip, found, level, &mut buffer)?;
            }
            // Not synced to disk, like `cp`: a crash of the machine may
            // lose the artifact, which a rerun of the job makes again.
            let sink = zip.finish().map_err(|e| cannot_write(&e))?.into_inner();
            sink.finish().map_err(|e| cannot_write(&e))
        })();
        let digest = hasher
            .join()
            .map_err(|_| cannot_write(&"the hashing thread panicked"))?;
        Ok(Written {
            size: size?,
            sha256: hex(&digest),
        })
    })
}

fn add_file<W: Write + io::Seek>(
    zip: &mut ZipWriter<W>,
    found: &Found,
    level: u32,
    buffer: &mut [u8],
) -> Result<(), String> {
    let cannot_read = |e: io::Error| format!("cannot read `{}`: {e}", found.source.display());
    // Through the root's capability: a link swapped in since the search is
    // followed only inside the folder it is in.
    let mut source = found.dir.open(&found.relative).map_err(cannot_read)?.into_std();
    let metadata = source.metadata().map_err(cannot_read)?;
    let probe_len = PROBE_BYTES.min(buffer.len());
    let sample_len = read_full(&mut source, &mut buffer[..probe_len]).map_err(cannot_read)?;
    let sample = &buffer[..sample_len];
    let method = if level == 0 || !compresses(sample, level) {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .compression_level((method == CompressionMethod::Deflated).then_some(i64::from(level)))
        // Files over 2 GiB get zip64 sizes, with room for a file that grows.
        .large_file(metadata.len() > u64::from(u32::MAX) / 2)
        .unix_permissions(0o644)
        .last_modified_time(modified(&metadata));
    let cannot_write = |e: &dyn std::fmt::Display| format!("cannot add `{}` to the archive: {e}", found.entry);
    zip.start_file(found.entry.as_str(), options)
        .map_err(|e| cannot_write(&e))?;
    zip.write_all(sample).map_err(|e| cannot_write(&e))?;
    loop {
        let n = match source.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot_read(e)),
        };
        zip.write_all(&buffer[..n]).map_err(|e| cannot_write(&e))?;
    }
    Ok(())
}

/// Whether deflating `sample` at `level` saves more than a tenth of it.
pub(super) fn compresses(sample: &[u8], level: u32) -> bool {
    if sample.is_empty() {
        return false;
    }
    let mut compress = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(sample.len() + 1024);
    if compress.compress_vec(sample, &mut out, FlushCompress::Finish).is_err() {
        return false;
    }
    (compress.total_out() as f64) / (sample.len() as f64) <= STORE_RATIO
}

/// Reads until `buffer` is full or the file ends.
fn read_full(source: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match source.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The file's modification time in UTC, as zip's DOS time can hold it.
fn modified(metadata: &std::fs::Metadata) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let Ok(time) = metadata.modified() else {
        return zip::DateTime::default();
    };
    let time = chrono::DateTime::<chrono::Utc>::from(time);
    let field = |v: u32| u8::try_from(v).unwrap_or(0);
    zip::DateTime::from_date_and_time(
        u16::try_from(time.year()).unwrap_or(0),
        field(time.month()),
        field(time.day()),
        field(time.hour()),
        field(time.minute()),
        field(time.second()),
    )
    .unwrap_or_default()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the archive in large chunks and hands each, once written, to
/// the hashing thread, which gives the buffer back for reuse.
struct HashedFile {
    file: File,
    pending: Vec<u8>,
    to_hasher: mpsc::SyncSender<Vec<u8>>,
    returned: mpsc::Receiver<Vec<u8>>,
    size: u64,
}

impl HashedFile {
    fn pass_on(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.pending)?;
        self.size += self.pending.len() as u64;
        let mut next = self.returned.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        next.clear();
        let full = std::mem::replace(&mut self.pending, next);
        self.to_hasher
            .send(full)
            .map_err(|_| io::Error::other("the hashing thread stopped"))
    }

    /// Writes what is left; the archive's size.
    fn finish(mut self) -> io::Result<u64> {
        self.pass_on()?;
        Ok(self.size)
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.pending.len().min(CHUNK);
        let n = buf.len().min(room.max(1));
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() >= CHUNK {
            self.pass_on()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pass_on()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_compresses_and_noise_does_not() {
        let text = "epoch 1 loss 0.25 accuracy 0.91\n".repeat(2000);
        assert!(compresses(text.as_bytes(), 6));
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let noise: Vec<u8> = (0..PROBE_BYTES)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        assert!(!compresses(&noise, 6));
        assert!(!compresses(&noise, 9));
        assert!(!compresses(b"", 6));
        // Too short to gain anything from deflate's framing.
        assert!(!compresses(b"ab", 6));
    }
}
