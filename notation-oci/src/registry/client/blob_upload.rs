//! Streaming blob uploads and cross-repository mounts:
//! [`RegistryClient::push_blob_from`] pushes a blob of any size from a
//! reader, holding one chunk of it at a time and checking it against its
//! digest and size on the way, and [`RegistryClient::mount_blob`] asks the
//! registry to link a blob it holds in another repository.

use std::io::Read;

use super::blobs::Upload;
use super::*;
use crate::digest::{BlobWriteError, ContentCheck};

/// Why [`RegistryClient::push_blob_from`] failed: the source could not be
/// read, its bytes are not the blob's, or the registry failed.
pub type BlobUploadError = BlobWriteError<RegistryError>;

/// The `OCI-Chunk-Min-Length` header of an upload session (distribution
/// spec 1.1): the smallest chunk the registry takes.
const HEADER_CHUNK_MIN_LENGTH: &str = "OCI-Chunk-Min-Length";

impl RegistryClient {
    /// Pushes the blob `digest` of `size` bytes read from `reader`, holding
    /// at most one upload chunk of it in memory
    /// ([`RegistryClientOptions::upload_chunk_size`], 8 MiB by default). A
    /// blob that fits in one chunk goes as [`RegistryClient::push_blob`]
    /// pushes it; a larger one goes in an upload session: `POST`, one
    /// `PATCH` per chunk (`Content-Range`, following each new `Location`),
    /// then `PUT ?digest=` without a body.
    ///
    /// The bytes are hashed and counted as they are read: a reader that
    /// yields more or fewer bytes than `size`, or other bytes than
    /// `digest`'s, makes the push fail before the closing `PUT`, and the
    /// session is cancelled (`DELETE`): the repository never holds a blob
    /// under a digest it does not have. `progress` is called with the bytes
    /// sent so far after each chunk. The transfer has its own limits
    /// ([`RegistryClientOptions::blob_transfer_limits`]).
    pub fn push_blob_from(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        size: u64,
        reader: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobUploadError> {
        let mut check = ContentCheck::new(digest, size).ok_or_else(|| {
            BlobWriteError::Store(RegistryError::InvalidArgument {
                what: "digest",
                value: digest.to_string(),
            })
        })?;
        let client = self.transfer(size);
        if size <= self.chunk_size() as u64 {
            let mut data = Vec::with_capacity(size as usize);
            reader
                .take(size + 1)
                .read_to_end(&mut data)
                .map_err(|error| BlobUploadError::Read { error })?;
            check.update(&data).map_err(BlobUploadError::Content)?;
            check.finish().map_err(BlobUploadError::Content)?;
            client
                .push_blob(repo, digest, &data)
                .map_err(BlobWriteError::Store)?;
            progress(size);
            return Ok(());
        }
        let (mut location, min_chunk) = client.open_session(repo).map_err(BlobWriteError::Store)?;
        let chunk = self.chunk_size().max(min_chunk.min(MAX_UPLOAD_CHUNK_SIZE));
        let result = client.upload_chunks(repo, &mut location, chunk, reader, &mut check, progress);
        let result = result.and_then(|()| {
            check.finish().map_err(BlobUploadError::Content)?;
            client
                .close_session(repo, &location, digest)
                .map_err(BlobWriteError::Store)?;
            Ok(())
        });
        if result.is_err() {
            client.cancel_session(repo, &location);
        } else {
            self.inner
                .capabilities
                .add_blob(&repo.registry, &repo.repository, digest);
        }
        result
    }

    /// Asks the registry to link the blob `digest`, which it holds in the
    /// repository `from` (of the same registry), into `repo`:
    /// `POST ?mount=<digest>&from=<from>`, with a token asking for `pull`
    /// on `from` too. `Ok(true)` when the registry mounted it (`201`);
    /// `Ok(false)` when it could not (`202`: the upload session it opened
    /// instead is cancelled), and the blob must be pushed.
    pub fn mount_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        from: &str,
    ) -> Result<bool, RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().mount_blob(repo, digest, from);
        }
        let alg = check_digest_arg(digest)?;
        let mut scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        scopes.add_repository(from, &["pull"]);
        let mut url = self.repo_url(repo, "blobs/uploads/");
        url = append_query(&url, "mount", digest);
        url = append_query(&url, "from", from);
        let request = HttpRequest::new(Method::Post, &url).with_body(&[]);
        let (response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match response.status() {
            201 => {
                self.check_created(repo, &url, digest, alg, response)?;
                self.inner
                    .capabilities
                    .add_blob(&repo.registry, &repo.repository, digest);
                Ok(true)
            }
            202 => {
                if let Upload::Session(location) = Upload::session(&url, &post_url, response)? {
                    self.cancel_session(repo, &location);
                }
                Ok(false)
            }
            _ => Err(self.unexpected(Method::Post, &url, response)),
        }
    }

    /// `POST /v2/<name>/blobs/uploads/`: the session's location and the
    /// smallest chunk the registry takes (0 when it does not say).
    fn open_session(&self, repo: &RepositoryRef) -> Result<(String, usize), RegistryError> {
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let url = self.repo_url(repo, "blobs/uploads/");
        let request = HttpRequest::new(Method::Post, &url).with_body(&[]);
        let (response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if response.status() != 202 {
            return Err(self.unexpected(Method::Post, &url, response));
        }
        let min_chunk = response
            .headers()
            .get(HEADER_CHUNK_MIN_LENGTH)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        match Upload::session(&url, &post_url, response)? {
            Upload::Session(location) => Ok((location, min_chunk)),
            Upload::Created => unreachable!("a 202 answer is a session"),
        }
    }

    /// Reads `reader` a chunk at a time and sends each with a `PATCH`.
    fn upload_chunks(
        &self,
        repo: &RepositoryRef,
        location: &mut String,
        chunk: usize,
        reader: &mut dyn Read,
        check: &mut ContentCheck,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobUploadError> {
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let mut buf = vec![0u8; chunk];
        let mut offset: u64 = 0;
        loop {
            let filled = fill(reader, &mut buf).map_err(|error| BlobUploadError::Read { error })?;
            if filled == 0 {
                return Ok(());
            }
            check
                .update(&buf[..filled])
                .map_err(BlobUploadError::Content)?;
            let end = offset + filled as u64 - 1;
            let request = HttpRequest::new(Method::Patch, location.as_str())
                .with_header("Content-Type", "application/octet-stream")
                .with_header("Content-Range", format!("{offset}-{end}"))
                .with_body(&buf[..filled]);
            let (mut response, patch_url) = self
                .send_authenticated(&self.session(), &repo.registry, &scopes, request)
                .map_err(BlobWriteError::Store)?;
            let shown = self.shown_url(&patch_url, &repo.registry);
            if response.status() != 202 {
                return Err(BlobWriteError::Store(self.unexpected(
                    Method::Patch,
                    &shown,
                    response,
                )));
            }
            response.body_mut().discard(MAX_ERROR_BODY);
            let next = response
                .headers()
                .get("location")
                .ok_or_else(|| {
                    BlobWriteError::Store(RegistryError::protocol(
                        Method::Patch,
                        &shown,
                        ProtocolError::MissingHeader("Location"),
                    ))
                })?
                .to_string();
            *location = resolve(&patch_url, &next).ok_or_else(|| {
                BlobWriteError::Store(RegistryError::protocol(
                    Method::Patch,
                    &shown,
                    ProtocolError::InvalidHeader {
                        name: "Location",
                        value: next.chars().take(200).collect(),
                    },
                ))
            })?;
            offset = end + 1;
            progress(offset);
            if filled < buf.len() {
                return Ok(());
            }
        }
    }

    /// `PUT <location>&digest=<digest>` without a body: the registry checks
    /// the digest of what it received and commits the blob.
    fn close_session(
        &self,
        repo: &RepositoryRef,
        location: &str,
        digest: &str,
    ) -> Result<(), RegistryError> {
        let alg = check_digest_arg(digest)?;
        Upload::Session(location.to_string()).finish(self, repo, digest, alg, &[])
    }

    /// `DELETE <location>`: best effort (the registry also expires abandoned
    /// sessions).
    fn cancel_session(&self, repo: &RepositoryRef, location: &str) {
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let request = HttpRequest::new(Method::Delete, location);
        if let Ok((mut response, _)) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)
        {
            response.body_mut().discard(MAX_ERROR_BODY);
        }
    }
}

/// Reads until `buf` is full or the reader ends; the bytes read.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
