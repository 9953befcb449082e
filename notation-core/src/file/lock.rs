//! Advisory locks that serialize a read-modify-write of a shared file (an
//! OCI layout's `index.json`) among threads and processes.

use std::fs::File;
use std::io;
use std::time::{Duration, Instant};

/// How often a held lock is tried again.
const RETRY: Duration = Duration::from_millis(5);

/// Takes an exclusive advisory lock (`flock`) on the open `file`, waiting
/// at most `wait` while another holder has it; the lock is released when
/// `file` is closed. Each open of a file is its own holder, so two threads
/// of one process exclude each other as two processes do.
///
/// Fails with [`io::ErrorKind::TimedOut`] when the lock is still held after
/// `wait`. Where the file system has no such locks (some network file
/// systems), and on platforms other than Unix, returns `Ok(false)` without
/// a lock: the caller goes on as it would have without locking; `Ok(true)`
/// means the lock is held.
pub fn lock_exclusive(file: &File, wait: Duration) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        use rustix::io::Errno;
        let start = Instant::now();
        loop {
            match flock(file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(true),
                Err(e) if e == Errno::WOULDBLOCK || e == Errno::INTR => {
                    if start.elapsed() >= wait {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("still locked by another writer after {wait:?}"),
                        ));
                    }
                    std::thread::sleep(RETRY);
                }
                Err(e) if e == Errno::NOLCK || e == Errno::OPNOTSUPP || e == Errno::INVAL => {
                    return Ok(false);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, wait, Instant::now(), RETRY);
        Ok(false)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_times_out_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"").unwrap();
        let first = File::open(&path).unwrap();
        assert!(lock_exclusive(&first, Duration::ZERO).unwrap());
        // Another open of the same file, as another thread or process has.
        let second = File::open(&path).unwrap();
        let start = Instant::now();
        let e = lock_exclusive(&second, Duration::from_millis(50)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() >= Duration::from_millis(50));
        drop(first);
        assert!(lock_exclusive(&second, Duration::ZERO).unwrap());
    }
}
