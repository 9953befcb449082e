//! Blobs of any size in an OCI layout, read and written as streams:
//! [`OciLayout::open_blob`] checks a blob against its digest and size as it
//! is read; [`OciLayout::write_blob_from`] stages what it writes in
//! `ingest/` (as oras-go's OCI store does), checks it on the way and moves
//! it under `blobs/` only once its digest and size are right, so that
//! `blobs/` never holds a file whose name is not its digest, not even
//! after a crash.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{LayoutError, OciLayout};
use crate::digest::{BlobWriteError, CheckedReader, ContentCheck, ContentMismatch};

/// Where blobs being written are staged, under the layout root.
pub const INGEST_DIR: &str = "ingest";

/// How much of a blob is held in memory while it is copied.
const COPY_BUFFER: usize = 64 * 1024;

/// A blob being read from an OCI layout (from [`OciLayout::open_blob`]):
/// reads past its size, and the end of a blob that does not match its
/// digest, fail with [`std::io::ErrorKind::InvalidData`]
/// ([`OciLayout::read_error`] makes a [`LayoutError`] of them).
pub type LayoutBlobReader = CheckedReader<std::fs::File>;

impl OciLayout {
    /// The staging directory of blob writes.
    pub(super) fn ingest_dir(&self) -> PathBuf {
        self.root.join(INGEST_DIR)
    }

    /// Opens a blob for reading, checked against `digest` and `size` as it
    /// is read. As [`OciLayout::read_blob`], only a regular file inside the
    /// layout is opened; a file of another size fails here.
    pub fn open_blob(&self, digest: &str, size: u64) -> Result<LayoutBlobReader, LayoutError> {
        let path = self.blob_path(digest)?;
        let file = self.open_file(&path).map_err(|e| match e {
            LayoutError::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound => {
                LayoutError::NotFound(digest.to_string())
            }
            e => e,
        })?;
        let len = file
            .metadata()
            .map_err(|error| LayoutError::Io {
                path: path.clone(),
                error,
            })?
            .len();
        if len != size {
            return Err(LayoutError::Integrity {
                digest: digest.to_string(),
            });
        }
        let check = ContentCheck::new(digest, size)
            .ok_or_else(|| LayoutError::InvalidDigest(digest.to_string()))?;
        Ok(CheckedReader::new(file, check))
    }

    /// The error of a failed read of a [`LayoutBlobReader`] of `digest`.
    pub fn read_error(&self, e: std::io::Error, digest: &str) -> LayoutError {
        match CheckedReader::<std::fs::File>::mismatch(&e) {
            Some(_) => LayoutError::Integrity {
                digest: digest.to_string(),
            },
            None => LayoutError::Io {
                path: self
                    .blob_path(digest)
                    .unwrap_or_else(|_| self.root.join("blobs")),
                error: e,
            },
        }
    }

    /// The size of the blob `digest` in the layout, `None` when absent. Its
    /// content is not read.
    pub fn blob_size(&self, digest: &str) -> Result<Option<u64>, LayoutError> {
        let path = self.blob_path(digest)?;
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => Ok(Some(m.len())),
            Ok(_) => Err(LayoutError::NotARegularFile { path }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(LayoutError::Io { path, error }),
        }
    }

    /// Writes the blob `digest` of `size` bytes read from `reader`, holding
    /// 64 KiB of it at a time: staged in `ingest/`, hashed and counted on
    /// the way, and moved under `blobs/` only when the digest and size are
    /// right (a blob already there is replaced by the same bytes).
    /// `progress` is called with the bytes written so far.
    pub fn write_blob_from(
        &self,
        digest: &str,
        size: u64,
        reader: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobWriteError<LayoutError>> {
        let path = self.blob_path(digest).map_err(BlobWriteError::Store)?;
        let mut check = ContentCheck::new(digest, size)
            .ok_or_else(|| BlobWriteError::Store(LayoutError::InvalidDigest(digest.into())))?;
        self.check_within(&path).map_err(BlobWriteError::Store)?;
        let ingest = self.ingest_dir();
        self.check_within(&ingest).map_err(BlobWriteError::Store)?;
        let io = |path: &std::path::Path| {
            let path = path.to_path_buf();
            move |error| BlobWriteError::Store(LayoutError::Io { path, error })
        };
        let mut file = notation_core::file::AtomicWrite::public()
            .dir_mode(notation_core::file::PUBLIC_DIR_MODE)
            .staging_dir(&ingest)
            .begin(&path)
            .map_err(io(&path))?;
        let mut buf = vec![0u8; COPY_BUFFER];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(BlobWriteError::Read { error }),
            };
            check.update(&buf[..n]).map_err(BlobWriteError::Content)?;
            file.write_all(&buf[..n]).map_err(io(&ingest))?;
            progress(check.seen());
        }
        check.finish().map_err(BlobWriteError::Content)?;
        file.commit().map_err(io(&path))
    }
}

impl From<ContentMismatch> for LayoutError {
    fn from(m: ContentMismatch) -> Self {
        let digest = match m {
            ContentMismatch::TooLong { digest, .. } | ContentMismatch::TooShort { digest, .. } => {
                digest
            }
            ContentMismatch::Digest { expected, .. } => expected,
        };
        LayoutError::Integrity { digest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::sha256_digest;

    #[test]
    fn streamed_blobs_are_checked_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let layout = OciLayout::create(dir.path().join("l")).unwrap();
        let data = vec![7u8; 200_000];
        let digest = sha256_digest(&data);
        let mut seen = 0;
        layout
            .write_blob_from(&digest, data.len() as u64, &mut &data[..], &mut |n| {
                seen = n
            })
            .unwrap();
        assert_eq!(seen, 200_000);
        let mut back = Vec::new();
        layout
            .open_blob(&digest, data.len() as u64)
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);

        // Wrong bytes: nothing under blobs/ and nothing left in ingest/.
        let other = sha256_digest(b"other");
        let e = layout
            .write_blob_from(&other, 5, &mut &b"othen"[..], &mut |_| {})
            .unwrap_err();
        assert!(matches!(e, BlobWriteError::Content(_)), "{e:?}");
        assert_eq!(layout.blob_size(&other).unwrap(), None);
        assert_eq!(std::fs::read_dir(layout.ingest_dir()).unwrap().count(), 0);

        // A corrupted file fails the read at its end.
        std::fs::write(layout.blob_path(&digest).unwrap(), vec![8u8; 200_000]).unwrap();
        let e = layout
            .open_blob(&digest, 200_000)
            .unwrap()
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(matches!(
            layout.read_error(e, &digest),
            LayoutError::Integrity { .. }
        ));
        assert!(matches!(
            layout.open_blob(&digest, 5),
            Err(LayoutError::Integrity { .. })
        ));
        assert!(matches!(
            layout.open_blob(&other, 5),
            Err(LayoutError::NotFound(_))
        ));
    }
}
