//! Checking content against its descriptor while it streams: a
//! [`ContentCheck`] hashes and counts the bytes as they pass, refuses a byte
//! past the expected size, and says at the end whether the digest and the
//! size are the ones expected. Stores use it for every blob they read or
//! write in pieces, so that no blob is taken for its digest before all its
//! bytes were seen.

use notation_core::algorithm::{HashAlgorithm, Hasher};

/// What is wrong with content that did not match its descriptor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContentMismatch {
    /// More bytes than the descriptor's size (reading stopped there).
    #[error("content of {digest} is longer than its size of {expected} bytes")]
    TooLong {
        /// The expected digest.
        digest: String,
        /// The descriptor's size.
        expected: u64,
    },
    /// Fewer bytes than the descriptor's size.
    #[error("content of {digest} has {actual} bytes, its size is {expected}")]
    TooShort {
        /// The expected digest.
        digest: String,
        /// The descriptor's size.
        expected: u64,
        /// The bytes seen.
        actual: u64,
    },
    /// The bytes hash to another digest.
    #[error("content of {expected} has the digest {actual}")]
    Digest {
        /// The expected digest.
        expected: String,
        /// The digest of the bytes.
        actual: String,
    },
}

/// Why a blob written from a reader (into a registry, into an OCI layout)
/// was not stored. Nothing was committed in any case: the store never
/// holds a blob under a digest its bytes do not have.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobWriteError<E: std::error::Error + 'static> {
    /// Reading the blob failed (its source: a file, another registry).
    #[error("reading the blob failed: {error}")]
    Read {
        /// What the reader reported.
        error: std::io::Error,
    },
    /// The bytes read are not the blob's (digest or size).
    #[error("the blob read does not match its descriptor: {0}")]
    Content(ContentMismatch),
    /// The store failed or refused the write.
    #[error(transparent)]
    Store(E),
}

/// Hashes and counts content against an expected digest and size.
pub struct ContentCheck {
    digest: String,
    algorithm: HashAlgorithm,
    hasher: Hasher,
    size: u64,
    seen: u64,
}

impl std::fmt::Debug for ContentCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentCheck")
            .field("digest", &self.digest)
            .field("size", &self.size)
            .field("seen", &self.seen)
            .finish()
    }
}

impl ContentCheck {
    /// A check of content described by `digest` (`sha256`, `sha384` or
    /// `sha512`) and `size`; `None` when the digest is not one of those.
    pub fn new(digest: &str, size: u64) -> Option<Self> {
        let (algorithm, _) = notation_core::payload::parse_digest(digest)?;
        Some(Self {
            digest: digest.to_string(),
            algorithm,
            hasher: algorithm.hasher(),
            size,
            seen: 0,
        })
    }

    /// Feeds the next bytes; refuses them when they go past the size.
    pub fn update(&mut self, data: &[u8]) -> Result<(), ContentMismatch> {
        let seen = self.seen.saturating_add(data.len() as u64);
        if seen > self.size {
            return Err(ContentMismatch::TooLong {
                digest: self.digest.clone(),
                expected: self.size,
            });
        }
        self.seen = seen;
        self.hasher.update(data);
        Ok(())
    }

    /// The bytes fed so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The expected size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The expected digest.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Ends the check: every byte was fed; the size and the digest must be
    /// the expected ones.
    pub fn finish(self) -> Result<(), ContentMismatch> {
        if self.seen != self.size {
            return Err(ContentMismatch::TooShort {
                digest: self.digest,
                expected: self.size,
                actual: self.seen,
            });
        }
        let actual = format!(
            "{}:{}",
            self.algorithm.digest_name(),
            notation_core::hex::encode(&self.hasher.finish())
        );
        if actual != self.digest {
            return Err(ContentMismatch::Digest {
                expected: self.digest,
                actual,
            });
        }
        Ok(())
    }
}

/// A reader that passes content through a [`ContentCheck`]: a read past the
/// size, or the end of a content that does not match, is an error (of kind
/// [`std::io::ErrorKind::InvalidData`], carrying the [`ContentMismatch`]),
/// so that whoever copies from it never sees a clean end of a wrong
/// content.
pub struct CheckedReader<R> {
    inner: R,
    check: Option<ContentCheck>,
}

impl<R> std::fmt::Debug for CheckedReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedReader")
            .field("check", &self.check)
            .finish_non_exhaustive()
    }
}

impl<R: std::io::Read> CheckedReader<R> {
    /// Checks what `inner` yields against `check`.
    pub fn new(inner: R, check: ContentCheck) -> Self {
        Self {
            inner,
            check: Some(check),
        }
    }

    /// The mismatch an error of this reader carries, if it is one.
    pub fn mismatch(e: &std::io::Error) -> Option<&ContentMismatch> {
        e.get_ref()?.downcast_ref::<ContentMismatch>()
    }
}

impl<R: std::io::Read> std::io::Read for CheckedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let invalid = |m: ContentMismatch| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let Some(check) = self.check.as_mut() else {
            // Ended (cleanly or not) before.
            return Ok(0);
        };
        // Ask for one byte more than the rest of the content, at most, so
        // that a longer content shows without reading much past it.
        let rest = check.size() - check.seen();
        let want = buf
            .len()
            .min(usize::try_from(rest.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            let check = self.check.take().expect("present");
            check.finish().map_err(invalid)?;
            return Ok(0);
        }
        if let Err(m) = check.update(&buf[..n]) {
            self.check = None;
            return Err(invalid(m));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn digest(data: &[u8]) -> String {
        crate::oci::sha256_digest(data)
    }

    #[test]
    fn matching_content_passes() {
        let data = b"hello world";
        let mut r = CheckedReader::new(
            &data[..],
            ContentCheck::new(&digest(data), data.len() as u64).unwrap(),
        );
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn wrong_digest_fails_at_the_end() {
        let data = b"hello world";
        let mut r = CheckedReader::new(
            &b"hello wurld"[..],
            ContentCheck::new(&digest(data), data.len() as u64).unwrap(),
        );
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(matches!(
            CheckedReader::<&[u8]>::mismatch(&e),
            Some(ContentMismatch::Digest { .. })
        ));
    }

    #[test]
    fn longer_and_shorter_content_fail() {
        let data = b"hello";
        let long = CheckedReader::new(&b"hello!"[..], ContentCheck::new(&digest(data), 5).unwrap())
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(matches!(
            CheckedReader::<&[u8]>::mismatch(&long),
            Some(ContentMismatch::TooLong { expected: 5, .. })
        ));
        let mut short =
            CheckedReader::new(&b"hell"[..], ContentCheck::new(&digest(data), 5).unwrap());
        let e = short.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(matches!(
            CheckedReader::<&[u8]>::mismatch(&e),
            Some(ContentMismatch::TooShort { actual: 4, .. })
        ));
        assert!(ContentCheck::new("md5:00", 1).is_none());
    }
}
