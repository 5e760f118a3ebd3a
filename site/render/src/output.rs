//! Writing the site safely: every file path is checked to stay inside the output folder
//! whatever an id says, and the whole site is written beside the output as it is made and
//! swapped in at the end, so a failed build leaves the previous site exactly as it was.
//! The compressible files fetched often or big (the assets, the search index, the site-wide
//! open data; see [`crate::serving::precompressed`]) get a gzip copy beside them, `X.gz`, made
//! as each is written (a file written a piece at a time is compressed a piece at a time), for
//! servers that send precompressed files (nginx's `gzip_static`); the content-hashed assets
//! also get a Brotli copy, `X.br` ([`crate::serving::brotli_copy`], for `brotli_static`).

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Why the site could not be written; the previous site is then left as it was.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A path [`safe_relative`] refuses, cut to 200 characters.
    #[error(
        "refusing to write `{0}`: it would leave the output folder or is not a plain relative path"
    )]
    UnsafePath(String),
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder being written, created or renamed.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// A path is safe when it is relative, made of plain names only (no `..`, no root, no drive,
/// no backslash or control characters, no hidden names), so joining it to the output folder
/// can only land inside it.
pub fn safe_relative(path: &str) -> Result<PathBuf, OutputError> {
    let unsafe_path = || OutputError::UnsafePath(path.chars().take(200).collect());
    if path.is_empty() || path.contains(['\\', ':', '\0']) || path.chars().any(char::is_control) {
        return Err(unsafe_path());
    }
    // Each segment must be a plain name: not empty (no leading `/` or `//`), not `.` or `..`,
    // not hidden. The segments are checked as written, before any normalisation.
    let mut clean = PathBuf::new();
    for segment in path.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return Err(unsafe_path());
        }
        clean.push(segment);
    }
    // Belt and braces: whatever the platform, the result has only normal components.
    if !clean
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(unsafe_path());
    }
    Ok(clean)
}

/// The new site, written file by file as it is made into a folder beside the output, and
/// swapped in by [`Staging::commit`]. Dropped without a commit (the build failed), the folder
/// is removed and the previous site is left exactly as it was.
///
/// It keeps only the paths written and their total size: what the link check, the sitemap
/// and the build's summary need.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    /// `.NAME.building-PID` beside `out`.
    dir: PathBuf,
    /// `.NAME.parts-PID` beside `out`: files the build assembles pages from, never published.
    scratch: PathBuf,
    written: Mutex<Written>,
    /// The folders made so far in `dir`: each is made once, not once per file in it.
    folders: Mutex<HashSet<PathBuf>>,
    committed: bool,
    /// `dir`'s lock file, `.NAME.KIND-PID.lock`: a later build that can lock it knows this
    /// one was killed, and removes what it left ([`sweep`]).
    lock_path: PathBuf,
    /// The lock on it, held while this build runs (`None` where the file system has no
    /// locks); never read, but dropped, and so let go, after `drop` has removed the folders.
    _lock: Option<fs::File>,
    /// How many folders killed builds had left beside `out`, removed when this one began.
    swept: usize,
}

#[derive(Debug, Default)]
struct Written {
    paths: HashSet<String>,
    bytes: usize,
    /// The `.gz` copies: how many, and their size.
    compressed: usize,
    compressed_bytes: usize,
}

impl Written {
    /// A compressed copy (`.gz` or `.br`) of `bytes` bytes written.
    fn count_compressed(&mut self, bytes: usize) {
        self.compressed += 1;
        self.compressed_bytes += bytes;
    }
}

/// A gzip stream into `out` at zlib's default level (the best level made a 300-county build
/// 25-50% slower), with no name and no time in its header (two builds stay byte-identical).
fn gzip<W: Write>(out: W) -> GzEncoder<W> {
    GzBuilder::new().mtime(0).write(out, Compression::default())
}

/// `bytes` compressed with Brotli at its best quality (11) and a 4 MiB window.
fn brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 3 + 64);
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        encoder.write_all(bytes)?;
        encoder.flush()?;
    }
    Ok(out)
}

/// The `.gz` copy's path beside `target`.
fn gz_path(target: &Path) -> PathBuf {
    with_suffix(target, ".gz")
}

fn with_suffix(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Staging {
    /// Start a new site for `out`: an empty folder beside it (a leftover of a build that was
    /// killed is removed first).
    pub fn new(out: &Path) -> Result<Staging, OutputError> {
        Staging::named(out, "building", "parts")
    }

    /// Start the files of an update to the site already at `out` (see
    /// [`Staging::update_out`]), in folders of their own beside it, so that a whole build
    /// of the same site may run at the same time.
    pub fn for_update(out: &Path) -> Result<Staging, OutputError> {
        Staging::named(out, "updating", "update-parts")
    }

    fn named(out: &Path, kind: &str, scratch_kind: &str) -> Result<Staging, OutputError> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = out
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let pid = std::process::id();
        let dir = parent.join(beside_name(&name, kind, pid));
        let scratch = parent.join(beside_name(&name, scratch_kind, pid));
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::remove_dir_all(&scratch);
        let swept = sweep(&parent, &name, out);
        // The lock comes before the folders, so that a folder whose lock file is not there
        // is never a build that still runs.
        let lock_path = parent.join(lock_name(&name, kind, pid));
        let lock = hold_lock(&lock_path)?;
        let staging = Staging {
            out: out.to_path_buf(),
            dir,
            scratch,
            written: Mutex::new(Written::default()),
            folders: Mutex::new(HashSet::new()),
            committed: false,
            lock_path,
            _lock: lock,
            swept,
        };
        fs::create_dir_all(&staging.dir).map_err(io(&staging.dir))?;
        Ok(staging)
    }

    /// The file system path of a site file, its folder made; the path is recorded as
    /// written (so the link check knows it, even if the write then fails).
    fn prepare(&self, path: &str) -> Result<PathBuf, OutputError> {
        let target = self.dir.join(safe_relative(path)?);
        lock(&self.written).paths.insert(path.to_owned());
        if let Some(dir) = target.parent() {
            if !lock(&self.folders).contains(dir) {
                fs::create_dir_all(dir).map_err(io(dir))?;
                lock(&self.folders).insert(dir.to_path_buf());
            }
        }
        Ok(target)
    }

    /// Write a file of the site; the path must be safe (see [`safe_relative`]). Writing a
    /// path twice keeps the last.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let target = self.prepare(path)?;
        fs::write(&target, bytes).map_err(io(&target))?;
        lock(&self.written).bytes += bytes.len();
        if crate::serving::precompressed(path) {
            let gz = gz_path(&target);
            let mut encoder = gzip(Vec::with_capacity(bytes.len() / 3 + 64));
            let compressed = encoder
                .write_all(bytes)
                .and_then(|()| encoder.finish())
                .map_err(io(&gz))?;
            fs::write(&gz, &compressed).map_err(io(&gz))?;
            lock(&self.written).count_compressed(compressed.len());
        }
        if crate::serving::brotli_copy(path) {
            let br = with_suffix(&target, ".br");
            let compressed = brotli(bytes).map_err(io(&br))?;
            fs::write(&br, &compressed).map_err(io(&br))?;
            lock(&self.written).count_compressed(compressed.len());
        }
        Ok(())
    }

    /// A file of the site written a piece at a time, for files too big to make in memory;
    /// [`StagedFile::finish`] completes it.
    pub fn create(&self, path: &str) -> Result<StagedFile<'_>, OutputError> {
        let target = self.prepare(path)?;
        let file = fs::File::create(&target).map_err(io(&target))?;
        let gz = if crate::serving::precompressed(path) {
            let gz = gz_path(&target);
            let file = fs::File::create(&gz).map_err(io(&gz))?;
            Some(gzip(BufWriter::with_capacity(1 << 16, file)))
        } else {
            None
        };
        Ok(StagedFile {
            staging: self,
            path: target,
            file: BufWriter::with_capacity(1 << 16, file),
            gz,
            bytes: 0,
        })
    }

    /// A folder for files the build makes pages from (never published), created on first
    /// use and removed with the staging folder.
    pub fn scratch(&self) -> Result<&Path, OutputError> {
        fs::create_dir_all(&self.scratch).map_err(io(&self.scratch))?;
        Ok(&self.scratch)
    }

    /// Whether a file was written at `path` (relative, `/`-separated, as given).
    pub fn contains(&self, path: &str) -> bool {
        lock(&self.written).paths.contains(path)
    }

    /// Every path written, in path order.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = lock(&self.written).paths.iter().cloned().collect();
        paths.sort_unstable();
        paths
    }

    /// How many files were written.
    pub fn len(&self) -> usize {
        lock(&self.written).paths.len()
    }

    /// True before anything was written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of every file written, in bytes (a file written twice counts twice).
    pub fn total_bytes(&self) -> usize {
        lock(&self.written).bytes
    }

    /// How many folders that killed builds had left beside the output were removed when
    /// this build began.
    pub fn swept(&self) -> usize {
        self.swept
    }

    /// How many `.gz` copies were written, and their total size in bytes; they are not
    /// among [`Staging::paths`].
    pub fn compressed(&self) -> (usize, usize) {
        let written = lock(&self.written);
        (written.compressed, written.compressed_bytes)
    }

    /// Swap the new site in for `out`. On an error the previous site is put back.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let _swapping = lock(&SWAP);
        let _ = fs::remove_dir_all(&self.scratch);
        let previous = self.dir.with_file_name(
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().replace(".building-", ".previous-"))
                .unwrap_or_default(),
        );
        let had_previous = self.out.exists();
        if had_previous {
            // Left by a killed build that had this process's id (a container's portal often
            // has the same one every time); the rename would fail on it.
            let _ = fs::remove_dir_all(&previous);
            fs::rename(&self.out, &previous).map_err(io(&self.out))?;
        }
        if let Err(error) = fs::rename(&self.dir, &self.out) {
            // Put the old site back before reporting.
            if had_previous {
                let _ = fs::rename(&previous, &self.out);
            }
            return Err(io(&self.out)(error));
        }
        self.committed = true;
        if had_previous {
            let _ = fs::remove_dir_all(&previous);
        }
        Ok(())
    }
}

impl Staging {
    /// Move the files at `paths` (as written, with their compressed copies) into the site
    /// already at `out`, each replacing the file there: the preview's update of a few pages,
    /// where [`Staging::commit`] would replace the whole site. The rest of what was staged
    /// is dropped. Returns how many files were moved.
    pub fn update_out(self, paths: &[String]) -> Result<usize, OutputError> {
        let _swapping = lock(&SWAP);
        if !self.out.is_dir() {
            return Err(io(&self.out)(std::io::ErrorKind::NotFound.into()));
        }
        let mut moved = 0;
        for path in paths {
            let relative = safe_relative(path)?;
            let from = self.dir.join(&relative);
            let to = self.out.join(&relative);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            fs::rename(&from, &to).map_err(io(&to))?;
            moved += 1;
            for suffix in [".gz", ".br"] {
                let (from, to) = (with_suffix(&from, suffix), with_suffix(&to, suffix));
                if from.is_file() {
                    fs::rename(&from, &to).map_err(io(&to))?;
                } else {
                    // No stale copy may outlive the file it was made from.
                    let _ = fs::remove_file(&to);
                }
            }
        }
        Ok(moved)
    }
}

/// Held while a site is swapped in or updated in place, so that an update (the preview's
/// quick path) never writes into a site that a whole build is replacing.
static SWAP: Mutex<()> = Mutex::new(());

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.scratch);
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
        // Last, while still locked: the folders are gone before the lock file is.
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// The name of a folder a [`Staging`] of the output `name` makes beside it: `.NAME.KIND-PID`.
fn beside_name(name: &str, kind: &str, pid: u32) -> String {
    format!(".{name}.{kind}-{pid}")
}

/// The name of the lock file of a [`Staging`]'s folder of `kind`: `.NAME.KIND-PID.lock`.
fn lock_name(name: &str, kind: &str, pid: u32) -> String {
    beside_name(name, kind, pid) + ".lock"
}

/// The lock file at `path`, created and locked: a sweep of another build may have opened
/// the same file a moment before (it then lets go, or removes the file), so the lock is
/// taken again until it is held on the file that is at `path`. `None` where the file
/// system has no locks: the build goes on, and its folders are never swept.
fn hold_lock(path: &Path) -> Result<Option<fs::File>, OutputError> {
    for _ in 0..200 {
        let file = fs::File::create(path).map_err(io(path))?;
        match file.try_lock() {
            Ok(()) if is_at(&file, path) => return Ok(Some(file)),
            Ok(()) | Err(fs::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
    Ok(None)
}

/// Whether `file` is the file now at `path` (not one removed, or replaced by another).
#[cfg(unix)]
fn is_at(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere a file cannot be told apart from its replacement with the standard library,
/// so nothing is swept ([`sweep`]) and a lock is taken as held.
#[cfg(not(unix))]
fn is_at(_: &fs::File, _: &Path) -> bool {
    true
}

/// The folders a [`Staging`] makes beside the output, `.NAME.KIND-PID`, by kind: the kind
/// whose lock file (`.NAME.KIND-PID.lock`) says whether their build still runs.
const LEFTOVER_KINDS: [(&str, &str); 5] = [
    ("building", "building"),
    ("parts", "building"),
    ("previous", "building"),
    ("updating", "updating"),
    ("update-parts", "updating"),
];

/// Remove what builds of `out` that were killed (Ctrl-C, a closed terminal, out of memory)
/// left beside it in `parent`: their half-written sites and scratch folders, gigabytes at
/// national size, hidden by their leading dot. Returns how many folders were removed.
///
/// A build that still runs holds its lock file locked, and its folders are kept; so are
/// those whose lock cannot be tested, and a previous site set aside while there is no site
/// at `out` (a build is swapping its site in, or was killed while doing so: that folder is
/// then the only copy of the old site). Folders with no lock file beside them are from a
/// `portal` before lock files, or a build that was removing its own. Only on Unix, where a
/// lock file can be told apart from one made again under the same name; a file system
/// whose locks are not shared between machines (NFS without locking) must not have two
/// machines building into one folder.
#[cfg(unix)]
fn sweep(parent: &Path, name: &str, out: &Path) -> usize {
    let Ok(entries) = fs::read_dir(parent) else {
        return 0;
    };
    let prefix = format!(".{name}.");
    let own = std::process::id();
    let mut builds: BTreeMap<(&str, u32), Vec<(&str, PathBuf)>> = BTreeMap::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let (rest, is_lock) = match rest.strip_suffix(".lock") {
            Some(rest) => (rest, true),
            None => (rest, false),
        };
        let Some((kind, pid)) = rest.rsplit_once('-') else {
            continue;
        };
        let Some(pid) = pid.parse::<u32>().ok().filter(|&pid| pid != own) else {
            continue;
        };
        let Some(&(kind, guard)) = LEFTOVER_KINDS.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let folders = builds.entry((guard, pid)).or_default();
        if !is_lock {
            folders.push((kind, entry.path()));
        }
    }
    let mut swept = 0;
    for ((guard, pid), folders) in builds {
        let lock_path = parent.join(lock_name(name, guard, pid));
        // Looked at now, not in the listing above: a build makes its lock file before its
        // folders, so one that the listing caught half-made has its lock file by now.
        // Held until the folders are gone.
        let lock = match fs::File::open(&lock_path) {
            Ok(file) => match file.try_lock() {
                Ok(()) if is_at(&file, &lock_path) => Some(file),
                _ => continue,
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => continue,
        };
        for (kind, folder) in folders {
            if kind == "previous" && !out.exists() {
                continue;
            }
            if fs::remove_dir_all(&folder).is_ok() {
                swept += 1;
            }
        }
        if lock.is_some() {
            let _ = fs::remove_file(&lock_path);
        }
    }
    swept
}

#[cfg(not(unix))]
fn sweep(_: &Path, _: &str, _: &Path) -> usize {
    0
}

/// A file of the site being written a piece at a time; see [`Staging::create`].
#[derive(Debug)]
pub struct StagedFile<'a> {
    staging: &'a Staging,
    path: PathBuf,
    file: BufWriter<fs::File>,
    /// Its gzip copy, compressed as it is written.
    gz: Option<GzEncoder<BufWriter<fs::File>>>,
    bytes: usize,
}

impl StagedFile<'_> {
    /// Write the rest and close the file (and its gzip copy).
    pub fn finish(mut self) -> Result<(), OutputError> {
        self.file.flush().map_err(io(&self.path))?;
        lock(&self.staging.written).bytes += self.bytes;
        if let Some(gz) = self.gz.take() {
            let gz_file = gz_path(&self.path);
            let mut file = gz.finish().map_err(io(&gz_file))?;
            file.flush().map_err(io(&gz_file))?;
            let size = file.get_ref().metadata().map_err(io(&gz_file))?.len();
            lock(&self.staging.written)
                .count_compressed(usize::try_from(size).unwrap_or(usize::MAX));
        }
        Ok(())
    }

    /// Where the file is, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Write for StagedFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(buf)?;
        if let Some(gz) = &mut self.gz {
            gz.write_all(&buf[..written])?;
        }
        self.bytes += written;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The pieces of one file, written in the order of their numbers whatever order they are
/// made in (by threads that each take the next county): a piece waits in memory until every
/// piece before it is written, or, when more than `limit` bytes wait, in a file of its own.
#[derive(Debug)]
pub struct InOrder<W: Write> {
    inner: Mutex<InOrderInner<W>>,
}

#[derive(Debug)]
struct InOrderInner<W> {
    out: W,
    next: usize,
    waiting: BTreeMap<usize, Waiting>,
    waiting_bytes: usize,
    /// Where pieces wait that do not fit in `limit`.
    spill: PathBuf,
    limit: usize,
}

#[derive(Debug)]
enum Waiting {
    Memory(Vec<u8>),
    File(PathBuf),
}

impl<W: Write> InOrder<W> {
    /// Pieces 0, 1, 2 … into `out`; waiting pieces beyond `limit` bytes go to files named
    /// `spill` with the piece's number added.
    pub fn new(out: W, spill: PathBuf, limit: usize) -> InOrder<W> {
        InOrder {
            inner: Mutex::new(InOrderInner {
                out,
                next: 0,
                waiting: BTreeMap::new(),
                waiting_bytes: 0,
                spill,
                limit,
            }),
        }
    }

    /// Piece `number`; every number from 0 up must be given once, an empty piece for
    /// nothing.
    pub fn put(&self, number: usize, piece: Vec<u8>) -> std::io::Result<()> {
        let mut inner = lock(&self.inner);
        if number != inner.next {
            if inner.waiting_bytes + piece.len() > inner.limit {
                let mut name = inner.spill.clone().into_os_string();
                name.push(format!(".{number}"));
                let path = PathBuf::from(name);
                fs::write(&path, &piece)?;
                inner.waiting.insert(number, Waiting::File(path));
            } else {
                inner.waiting_bytes += piece.len();
                inner.waiting.insert(number, Waiting::Memory(piece));
            }
            return Ok(());
        }
        inner.out.write_all(&piece)?;
        inner.next += 1;
        inner.write_waiting()
    }

    /// The file, every piece in it.
    pub fn finish(self) -> std::io::Result<W> {
        let mut inner = self
            .inner
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        // A number never given would hold back the rest for ever: skip it.
        while let Some(&first) = inner.waiting.keys().next() {
            inner.next = first;
            inner.write_waiting()?;
        }
        inner.out.flush()?;
        Ok(inner.out)
    }
}

impl<W: Write> InOrderInner<W> {
    fn write_waiting(&mut self) -> std::io::Result<()> {
        while let Some(piece) = self.waiting.remove(&self.next) {
            match piece {
                Waiting::Memory(bytes) => {
                    self.waiting_bytes -= bytes.len();
                    self.out.write_all(&bytes)?;
                }
                Waiting::File(path) => {
                    let mut file = fs::File::open(&path)?;
                    std::io::copy(&mut file, &mut self.out)?;
                    let _ = fs::remove_file(&path);
                }
            }
            self.next += 1;
        }
        Ok(())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io { path, source }
}

/// A lock, even if another thread panicked holding it: the data stays usable, every change
/// to it being a single insert or addition.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "..",
            "C:\\x",
            "a\\b",
            ".hidden/x",
            "a\0b",
            "a/\nb",
            "c:/x",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad:?} accepted");
        }
        assert!(safe_relative("counties/140431/index.html").is_ok());
    }

    /// The names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn what_killed_builds_left_is_swept_and_what_runs_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let folder = |name: &str| {
            fs::create_dir_all(dir.path().join(name).join("counties")).unwrap();
            fs::write(dir.path().join(name).join("index.html"), name).unwrap();
        };
        // Killed: a build with its unlocked lock file, an update from a portal before lock
        // files, and a lock file whose folders were already gone.
        folder(".public.building-4000001");
        folder(".public.parts-4000001");
        fs::write(dir.path().join(".public.building-4000001.lock"), "").unwrap();
        folder(".public.updating-4000002");
        folder(".public.update-parts-4000002");
        fs::write(dir.path().join(".public.updating-4000003.lock"), "").unwrap();
        // Killed while swapping in, after the old site was put aside: while there is no site,
        // it is the only copy of the old one, and is kept.
        folder(".public.previous-4000004");
        // Still running: its lock file is locked (here, by this test).
        folder(".public.building-4000005");
        let running = fs::File::create(dir.path().join(".public.building-4000005.lock")).unwrap();
        running.try_lock().unwrap();
        // Someone else's folders, and another site's, are not this build's business.
        folder(".other.building-4000006");
        folder(".public.building-notanumber");

        let staging = Staging::new(&out).unwrap();
        assert_eq!(staging.swept(), 4);
        let own = format!(".public.building-{}", std::process::id());
        let mut expected = vec![
            own.clone(),
            format!("{own}.lock"),
            ".other.building-4000006".to_owned(),
            ".public.building-4000005".to_owned(),
            ".public.building-4000005.lock".to_owned(),
            ".public.building-notanumber".to_owned(),
            ".public.previous-4000004".to_owned(),
        ];
        expected.sort();
        assert_eq!(names_in(dir.path()), expected);

        // Its own lock is held while it runs, and goes with it.
        let lock = fs::File::open(dir.path().join(format!("{own}.lock"))).unwrap();
        assert!(lock.try_lock().is_err(), "a running build's lock is held");
        drop(lock);
        staging.write("index.html", b"new").unwrap();
        staging.commit().unwrap();
        drop(running);
        let next = Staging::new(&out).unwrap();
        assert_eq!(
            next.swept(),
            2,
            "the build that has stopped, and the old site now that there is a site"
        );
        drop(next);
        assert_eq!(
            names_in(dir.path()),
            [
                ".other.building-4000006",
                ".public.building-notanumber",
                "public"
            ]
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
    }

    #[test]
    fn a_previous_site_left_under_this_process_id_does_not_stop_the_swap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        let stale = dir
            .path()
            .join(format!(".public.previous-{}", std::process::id()));
        fs::create_dir_all(stale.join("counties")).unwrap();
        let staging = Staging::new(&out).unwrap();
        staging.write("index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert_eq!(names_in(dir.path()), ["public"]);
    }

    #[test]
    fn a_failed_build_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::new(&out).unwrap();
        first.write("index.html", b"old").unwrap();
        first.commit().unwrap();
        // A file and a folder of the same name cannot both be written: the build fails midway
        // and its staging folder is dropped.
        let broken = Staging::new(&out).unwrap();
        broken.write("a", b"file").unwrap();
        assert!(broken.write("a/b", b"inside a file").is_err());
        drop(broken);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!out.join("a").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        // A complete build replaces it, files written whole or a piece at a time.
        let second = Staging::new(&out).unwrap();
        second.write("index.html", b"new").unwrap();
        second.write("data/index.json", b"{}").unwrap();
        let mut big = second.create("data/big.json").unwrap();
        big.write_all(b"[1,").unwrap();
        big.write_all(b"2]").unwrap();
        big.finish().unwrap();
        assert!(second.contains("data/big.json") && !second.contains("a"));
        assert_eq!((second.len(), second.total_bytes()), (3, 10));
        assert_eq!(
            second.compressed().0,
            2,
            "a .gz beside each data file (none beside a page), not counted as a file"
        );
        second.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert!(!out.join("index.html.gz").exists());
        assert_eq!(
            fs::read_to_string(out.join("data/big.json")).unwrap(),
            "[1,2]"
        );
        // The gzip copies hold the same bytes, written whole or a piece at a time.
        for (path, text) in [("data/index.json", "{}"), ("data/big.json", "[1,2]")] {
            let gz = fs::read(out.join(format!("{path}.gz"))).unwrap();
            let mut plain = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain)
                .unwrap();
            assert_eq!(plain, text, "{path}.gz");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn pieces_come_out_in_order_however_they_arrive() {
        let dir = tempfile::tempdir().unwrap();
        // A limit of 4 bytes: some pieces wait in memory, the rest in files.
        let sink = InOrder::new(Vec::new(), dir.path().join("spill"), 4);
        for (number, piece) in [(3, "d"), (1, "bb"), (2, "ccc"), (0, "a"), (5, "f")] {
            sink.put(number, piece.as_bytes().to_vec()).unwrap();
        }
        sink.put(4, Vec::new()).unwrap();
        assert_eq!(sink.finish().unwrap(), b"abbcccdf");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            0,
            "spill files left"
        );
    }
}
