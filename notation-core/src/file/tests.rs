//! The atomic writer (audit Low 4): unique temporary files, explicit
//! permissions, symbolic links kept, concurrent writers all succeeding.

use super::*;

/// The process's umask (Linux), which creation modes pass through.
#[cfg(unix)]
fn umask() -> u32 {
    let status = fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask line");
    u32::from_str_radix(line.trim(), 8).unwrap()
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn files_and_new_directories_get_explicit_modes() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("keys/new/signing.key");
    AtomicWrite::private().write(&key, b"secret").unwrap();
    assert_eq!(mode_of(&key), PRIVATE_FILE_MODE & !umask());
    assert_eq!(
        mode_of(&dir.path().join("keys")),
        PRIVATE_DIR_MODE & !umask()
    );
    assert_eq!(
        mode_of(&dir.path().join("keys/new")),
        PRIVATE_DIR_MODE & !umask()
    );

    let cert = dir.path().join("keys/new/signing.crt");
    AtomicWrite::public().write(&cert, b"certificate").unwrap();
    assert_eq!(mode_of(&cert), PUBLIC_FILE_MODE & !umask());

    // Replacing a file gives it the mode asked for, not the old file's.
    fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    AtomicWrite::private().write(&key, b"rotated").unwrap();
    assert_eq!(mode_of(&key), PRIVATE_FILE_MODE & !umask());
    assert_eq!(fs::read(&key).unwrap(), b"rotated");

    let layout = dir.path().join("layout/blobs/sha256/abc");
    AtomicWrite::public()
        .dir_mode(PUBLIC_DIR_MODE)
        .write(&layout, b"blob")
        .unwrap();
    assert_eq!(
        mode_of(&dir.path().join("layout/blobs")),
        PUBLIC_DIR_MODE & !umask()
    );
    assert_eq!(
        names(&dir.path().join("keys/new")),
        ["signing.crt", "signing.key"]
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_destination_stays_a_symlink() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    let home = dir.path().join("home/.docker");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::create_dir_all(&home).unwrap();
    let target = dotfiles.join("docker-config.json");
    fs::write(&target, b"old").unwrap();
    // A relative link, resolved against the link's directory, through a
    // second link.
    symlink(
        "../dotfiles/docker-config.json",
        dir.path().join("home/link"),
    )
    .unwrap();
    let config = home.join("config.json");
    symlink("../link", &config).unwrap();

    AtomicWrite::private().write(&config, b"new").unwrap();
    assert!(
        fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&config).unwrap(), b"new");
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(mode_of(&target), PRIVATE_FILE_MODE & !umask());
    // No temporary file is left next to the link or the target.
    assert_eq!(names(&home), ["config.json"]);
    assert_eq!(names(&dotfiles), ["docker-config.json"]);

    // A dangling link: its target is created, the link kept.
    let dangling = home.join("dangling.json");
    symlink(dotfiles.join("missing/created.json"), &dangling).unwrap();
    AtomicWrite::private().write(&dangling, b"created").unwrap();
    assert!(
        fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read(dotfiles.join("missing/created.json")).unwrap(),
        b"created"
    );

    // A loop is an error, not a hang.
    symlink("loop-b", home.join("loop-a")).unwrap();
    symlink("loop-a", home.join("loop-b")).unwrap();
    let e = AtomicWrite::private()
        .write(&home.join("loop-a"), b"x")
        .unwrap_err();
    assert!(
        e.to_string().contains("too many levels of symbolic links"),
        "{e}"
    );
}

#[test]
fn no_replace_refuses_files_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signature.sig");
    AtomicWrite::private()
        .no_replace()
        .write(&path, b"first")
        .unwrap();
    let e = AtomicWrite::private()
        .no_replace()
        .write(&path, b"second")
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(fs::read(&path).unwrap(), b"first");
    #[cfg(unix)]
    {
        let link = dir.path().join("link.sig");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        let e = AtomicWrite::private()
            .no_replace()
            .write(&link, b"x")
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(!dir.path().join("nowhere").exists());
    }
    assert_eq!(names(dir.path()).len(), if cfg!(unix) { 2 } else { 1 });
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    // The destination is a directory: the rename fails.
    let path = dir.path().join("occupied");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), b"kept").unwrap();
    assert!(AtomicWrite::private().write(&path, b"data").is_err());
    assert_eq!(names(dir.path()), ["occupied"]);
    assert_eq!(names(&path), ["keep"]);
}

#[test]
fn staging_dir_keeps_the_temporary_file_out_of_the_destination() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("ca/store");
    AtomicWrite::public()
        .staging_dir(dir.path().join("ca"))
        .no_replace()
        .write(&store.join("root.crt"), b"root")
        .unwrap();
    assert_eq!(names(&store), ["root.crt"]);
    assert_eq!(names(&dir.path().join("ca")), ["store"]);
}

/// Concurrent writers of one file (the revocation threads filling one CRL
/// cache entry): every write succeeds, the file always holds one writer's
/// complete contents, and no temporary file is left.
#[test]
fn concurrent_writers_all_succeed_and_the_file_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crl/entry");
    const THREADS: u8 = 8;
    const ROUNDS: usize = 40;
    const SIZE: usize = 64 * 1024;
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let path = &path;
            scope.spawn(move || {
                let data = vec![b'a' + t; SIZE];
                for _ in 0..ROUNDS {
                    AtomicWrite::private().write(path, &data).unwrap();
                    // A reader in between sees a complete file.
                    let seen = fs::read(path).unwrap();
                    assert_eq!(seen.len(), SIZE);
                    assert!(seen.iter().all(|&b| b == seen[0]));
                }
            });
        }
    });
    let data = fs::read(&path).unwrap();
    assert_eq!(data.len(), SIZE);
    assert!((b'a'..b'a' + THREADS).contains(&data[0]));
    assert!(data.iter().all(|&b| b == data[0]));
    assert_eq!(names(&dir.path().join("crl")), ["entry"]);
}

#[test]
fn long_names_get_short_temporary_names() {
    let dir = tempfile::tempdir().unwrap();
    let name = "é".repeat(120); // 240 bytes: within NAME_MAX, the temp name would not be
    let path = dir.path().join(&name);
    AtomicWrite::private().write(&path, b"x").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"x");
}

/// A FIFO (or a link to one, or a directory) where a file is expected is
/// refused at once: the open does not wait for a writer.
#[cfg(unix)]
#[test]
fn open_regular_refuses_fifos_and_directories_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    // Run on another thread so that a regression fails the test instead
    // of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    let paths = [fifo, link, dir.path().to_path_buf()];
    std::thread::spawn(move || {
        let results: Vec<_> = paths.iter().map(|p| open_regular(p).map(drop)).collect();
        let _ = tx.send(results);
    });
    let results = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("open_regular blocked on a FIFO");
    for result in results {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "not a regular file");
    }
    let file = dir.path().join("file");
    fs::write(&file, b"content").unwrap();
    let mut data = String::new();
    io::Read::read_to_string(&mut open_regular(&file).unwrap(), &mut data).unwrap();
    assert_eq!(data, "content");
}

#[cfg(unix)]
#[test]
fn no_follow_replaces_the_link_itself() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, b"keep").unwrap();
    let path = dir.path().join("out.sig");
    symlink(&victim, &path).unwrap();
    AtomicWrite::private()
        .no_follow()
        .write(&path, b"signature")
        .unwrap();
    assert!(fs::symlink_metadata(&path).unwrap().file_type().is_file());
    assert_eq!(fs::read(&path).unwrap(), b"signature");
    assert_eq!(fs::read(&victim).unwrap(), b"keep");
    // A dangling link: replaced too, nothing created where it pointed.
    fs::remove_file(&path).unwrap();
    symlink(dir.path().join("missing/target"), &path).unwrap();
    AtomicWrite::private()
        .no_follow()
        .write(&path, b"again")
        .unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"again");
    assert!(!dir.path().join("missing").exists());
}

/// Reads sized from metadata: whatever the size the caller was told, the
/// bytes read are the file's, up to one past the limit.
#[test]
fn read_to_limit_reads_the_file_whatever_its_announced_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let content: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    fs::write(&path, &content).unwrap();
    let read = |len: u64, limit: u64| read_to_limit(fs::File::open(&path).unwrap(), len, limit);
    // As announced; announced as empty (procfs) or too small (the file
    // grew); announced too large (it shrank).
    for len in [5000, 0, 1, 4999, 5001, 1 << 20] {
        assert_eq!(read(len, 10_000).unwrap(), content, "len {len}");
    }
    // Past the limit: one byte more than the limit, whatever announced.
    for len in [5000, 0, 100, 4999] {
        assert_eq!(read(len, 4000).unwrap(), content[..4001], "len {len}");
    }
    // Exactly at the limit.
    assert_eq!(read(5000, 5000).unwrap(), content);
    fs::write(&path, b"").unwrap();
    assert!(read(0, 10).unwrap().is_empty());
}

/// A procfs file announces size 0 and is read whole all the same.
#[cfg(target_os = "linux")]
#[test]
fn read_to_limit_reads_procfs_files() {
    let path = Path::new("/proc/self/status");
    let file = fs::File::open(path).unwrap();
    assert_eq!(file.metadata().unwrap().len(), 0);
    let data = read_to_limit(file, 0, 1 << 20).unwrap();
    assert!(
        data.starts_with(b"Name:"),
        "{:?}",
        &data[..20.min(data.len())]
    );
    assert!(data.len() > 100);
}

/// Operating-system errors read as Go's `syscall.Errno` texts; ours keep
/// their words.
#[test]
fn io_errors_are_worded_as_go_words_them() {
    let missing = std::fs::File::open("/nonexistent/notation-rs-test").unwrap_err();
    assert_eq!(go_io_error_text(&missing), "no such file or directory");
    let ours = io::Error::new(io::ErrorKind::NotFound, "a symbolic link to a missing file");
    assert_eq!(go_io_error_text(&ours), "a symbolic link to a missing file");
    let bare: io::Error = io::ErrorKind::PermissionDenied.into();
    assert_eq!(go_io_error_text(&bare), "permission denied");
}
