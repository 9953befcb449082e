//! Streaming blob reads: [`RegistryClient::open_blob`] gives a reader over
//! a blob of any size, holding no more of it than the caller's buffer, and
//! checking it against its digest and size as it passes.

use std::io::Read;

use super::*;
use crate::digest::{ContentCheck, ContentMismatch};

/// A blob being read from a registry (from [`RegistryClient::open_blob`]).
///
/// Reads fail as soon as the blob goes past its size, and the read that
/// reaches its end fails when the size or the digest is not the one asked
/// for: a caller copying from it never sees the clean end of a wrong blob.
/// The errors of its reads carry the [`RegistryError`]
/// ([`BlobReader::error`] takes it back out).
pub struct BlobReader {
    client: RegistryClient,
    response: HttpResponse,
    url: String,
    check: Option<ContentCheck>,
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobReader")
            .field("url", &self.url)
            .field("check", &self.check)
            .finish_non_exhaustive()
    }
}

impl BlobReader {
    /// The registry error an error of [`BlobReader`]'s reads carries; any
    /// other I/O error as a transport error of `url`.
    pub fn error(e: std::io::Error, url: &str) -> RegistryError {
        if e.get_ref().is_some_and(|i| i.is::<RegistryError>()) {
            let inner = e.into_inner().expect("checked");
            return *inner.downcast::<RegistryError>().expect("checked");
        }
        RegistryError::transport(Method::Get, url, TransportError::from_io(&e))
    }

    /// The URL the blob is read from (without its query when on another
    /// host).
    pub fn url(&self) -> &str {
        &self.url
    }

    fn fail(&mut self, e: RegistryError) -> std::io::Error {
        self.check = None;
        std::io::Error::other(e)
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(check) = self.check.as_mut() else {
            return Ok(0);
        };
        // At most one byte past the rest, so that a longer body shows.
        let rest = check.size() - check.seen();
        let want = buf
            .len()
            .min(usize::try_from(rest.saturating_add(1)).unwrap_or(usize::MAX));
        let n = match self.response.body_mut().read(&mut buf[..want]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                let e = self.client.body_error(Method::Get, &self.url, e);
                return Err(self.fail(e));
            }
        };
        let url = self.url.clone();
        if n == 0 {
            let check = self.check.take().expect("present");
            return match check.finish() {
                Ok(()) => Ok(0),
                Err(m) => Err(self.fail(mismatch_error(url, m))),
            };
        }
        if let Err(m) = check.update(&buf[..n]) {
            return Err(self.fail(mismatch_error(url, m)));
        }
        Ok(n)
    }
}

fn mismatch_error(url: String, m: ContentMismatch) -> RegistryError {
    match m {
        ContentMismatch::TooLong { expected, .. } => {
            IntegrityError::LongerThanExpected { url, expected }.into()
        }
        ContentMismatch::TooShort {
            expected, actual, ..
        } => IntegrityError::SizeMismatch {
            url,
            expected,
            actual,
        }
        .into(),
        ContentMismatch::Digest { expected, actual } => IntegrityError::DigestMismatch {
            url,
            expected,
            actual,
            origin: DigestOrigin::Requested,
        }
        .into(),
    }
}

impl RegistryClient {
    /// Opens a blob of `size` bytes for reading, following the registry's
    /// redirect to blob storage (no `Authorization` to another host): one
    /// `GET` (+ one per redirect). Nothing is buffered beyond the caller's
    /// reads; the bytes are checked against `digest` and `size` as they
    /// pass (see [`BlobReader`]), and a `Content-Length` or
    /// `Docker-Content-Digest` that contradicts them fails here, before any
    /// byte is read.
    ///
    /// The transfer has its own limits rather than the operation's
    /// ([`RegistryClientOptions::blob_transfer_limits`]): time in
    /// proportion to the size, and no more bytes than the blob.
    // Requirements: U.
    pub fn open_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        size: u64,
    ) -> Result<BlobReader, RegistryError> {
        let check =
            ContentCheck::new(digest, size).ok_or_else(|| RegistryError::InvalidArgument {
                what: "digest",
                value: digest.to_string(),
            })?;
        let alg = check_digest_arg(digest)?;
        let client = self.transfer(size);
        let url = client.repo_url(repo, &format!("blobs/{digest}"));
        let request = HttpRequest::new(Method::Get, &url);
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (response, final_url) =
            client.send_authenticated(&client.session(), &repo.registry, &scopes, request)?;
        let final_url = client.shown_url(&final_url, &repo.registry);
        if response.status() != 200 {
            return Err(client.unexpected(Method::Get, &final_url, response));
        }
        if let Some(len) = response.content_length()
            && len != size
        {
            return Err(IntegrityError::SizeMismatch {
                url: final_url,
                expected: size,
                actual: len,
            }
            .into());
        }
        if let Some((h, halg)) = client.digest_header(&final_url, &response)?
            && halg == alg
            && h != digest
        {
            return Err(IntegrityError::DigestMismatch {
                url: final_url,
                expected: digest.into(),
                actual: h,
                origin: DigestOrigin::Header,
            }
            .into());
        }
        Ok(BlobReader {
            client,
            response,
            url: final_url,
            check: Some(check),
        })
    }
}
