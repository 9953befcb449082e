//! Blobs: fetch, existence, push.

use super::*;

impl RegistryClient {
    /// Fetches a blob, at most `max_size` bytes (32 MiB for signature
    /// envelopes), following the registry's redirect to blob storage
    /// (no `Authorization` to another host). `expected_size` (the
    /// descriptor's size) is checked against the limit before any request,
    /// against `Content-Length` before reading and against the bytes read;
    /// the digest is computed over the bytes. Any mismatch is an error.
    // Requirements: U.
    pub fn fetch_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        expected_size: Option<u64>,
        max_size: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if self.budget.is_none() {
            return self
                .begin_operation()
                .fetch_blob(repo, digest, expected_size, max_size);
        }
        let alg = check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("blobs/{digest}"));
        if let Some(size) = expected_size
            && size > max_size
        {
            return Err(RegistryError::limit(
                &url,
                LimitKind::Blob,
                max_size,
                Some(size),
            ));
        }
        let request = HttpRequest::new(Method::Get, &url);
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (mut response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        if response.status() != 200 {
            return Err(self.unexpected(Method::Get, &final_url, response));
        }
        let limit = expected_size.unwrap_or(max_size).min(max_size);
        if let (Some(expected), Some(len)) = (expected_size, response.content_length())
            && len != expected
        {
            return Err(IntegrityError::SizeMismatch {
                url: final_url,
                expected,
                actual: len,
            }
            .into());
        }
        let header = self.digest_header(&final_url, &response)?;
        let body = match self.read_limited(
            Method::Get,
            &final_url,
            &mut response,
            LimitKind::Blob,
            limit,
        ) {
            // More bytes than the descriptor says: a size mismatch.
            Err(RegistryError::LimitExceeded(l))
                if expected_size.is_some() && l.actual.is_none() =>
            {
                return Err(IntegrityError::LongerThanExpected {
                    url: final_url,
                    expected: limit,
                }
                .into());
            }
            other => other?,
        };
        if let Some(expected) = expected_size
            && body.len() as u64 != expected
        {
            return Err(IntegrityError::SizeMismatch {
                url: final_url,
                expected,
                actual: body.len() as u64,
            }
            .into());
        }
        let actual = digest_of(alg, &body);
        if actual != digest {
            return Err(IntegrityError::DigestMismatch {
                url: final_url,
                expected: digest.into(),
                actual,
                origin: DigestOrigin::Requested,
            }
            .into());
        }
        if let Some((h, halg)) = header
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
        Ok(body)
    }

    /// Whether the repository has the blob (`HEAD`, redirects followed).
    pub fn blob_exists(&self, repo: &RepositoryRef, digest: &str) -> Result<bool, RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().blob_exists(repo, digest);
        }
        let alg = check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("blobs/{digest}"));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let request = HttpRequest::new(Method::Head, &url);
        let (response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        match response.status() {
            200 => {
                if let Some((h, halg)) = self.digest_header(&final_url, &response)?
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
                Ok(true)
            }
            404 => Ok(false),
            _ => Err(self.unexpected(Method::Head, &final_url, response)),
        }
    }

    /// Pushes a blob in as few requests as the registry allows: a single
    /// `POST /v2/<name>/blobs/uploads/?digest=<digest>` with the bytes,
    /// which a registry taking it answers `201 Created`. A registry that
    /// does not take it opens an upload session instead (`202` with a
    /// `Location`; CNCF distribution 2.8.2 does this and ignores the bytes):
    /// the bytes then go in a `PUT <Location>&digest=<digest>`, as the OCI
    /// distribution spec says. A registry that refuses the form outright
    /// (`400`, `404`, `405`, `415`, `501`) gets the plain `POST` + `PUT`.
    /// Either way the client remembers, per registry, that the single
    /// `POST` is not taken, and later pushes use `POST` + `PUT` without
    /// sending the bytes twice. Relative and absolute `Location`s are
    /// handled; a `Location` on another host gets no credentials. `digest`
    /// must be the digest of `data`.
    pub fn push_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().push_blob(repo, digest, data);
        }
        let alg = check_digest_arg(digest)?;
        if digest_of(alg, data) != digest {
            return Err(RegistryError::InvalidArgument {
                what: "blob digest (does not match the data)",
                value: digest.into(),
            });
        }
        let capabilities = &self.inner.capabilities;
        if capabilities.single_post(&repo.registry) == Some(false) {
            self.start_upload(repo, None)?
                .finish(self, repo, digest, alg, data)?;
        } else {
            self.single_post(repo, digest, alg, data)?;
        }
        capabilities.add_blob(&repo.registry, &repo.repository, digest);
        Ok(())
    }

    /// Makes sure the repository holds a blob, without an existence check
    /// of its own: the push answers it. Where the registry takes a single
    /// `POST`, that is the push ([`RegistryClient::push_blob`]: `201` whether
    /// or not the blob was there). Elsewhere a `POST ?mount=<digest>&from=`
    /// the repository itself answers `201` when the blob is there, or opens
    /// an upload session that a `PUT` with the bytes completes. Nothing is
    /// sent for a blob this client has already pushed to the repository.
    pub fn ensure_blob(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        let capabilities = &self.inner.capabilities;
        if capabilities.has_blob(&repo.registry, &repo.repository, digest) {
            return Ok(());
        }
        if capabilities.single_post(&repo.registry) != Some(false) {
            return self.push_blob(repo, digest, data);
        }
        let alg = check_digest_arg(digest)?;
        if digest_of(alg, data) != digest {
            return Err(RegistryError::InvalidArgument {
                what: "blob digest (does not match the data)",
                value: digest.into(),
            });
        }
        match self.start_upload(repo, Some(digest))? {
            Upload::Created => {}
            session => session.finish(self, repo, digest, alg, data)?,
        }
        capabilities.add_blob(&repo.registry, &repo.repository, digest);
        Ok(())
    }

    /// Forgets that the repository holds `digest` (the registry said
    /// otherwise).
    pub(crate) fn forget_blob(&self, repo: &RepositoryRef, digest: &str) {
        self.inner
            .capabilities
            .forget_blob(&repo.registry, &repo.repository, digest);
    }

    /// The single `POST` with the bytes; see [`RegistryClient::push_blob`].
    fn single_post(
        &self,
        repo: &RepositoryRef,
        digest: &str,
        alg: HashAlgorithm,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let url = append_query(&self.repo_url(repo, "blobs/uploads/"), "digest", digest);
        let request = HttpRequest::new(Method::Post, &url)
            .with_header("Content-Type", "application/octet-stream")
            .with_body(data);
        let (mut response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let capabilities = &self.inner.capabilities;
        match response.status() {
            201 => {
                capabilities.set_single_post(&repo.registry, true);
                self.check_created(repo, &url, digest, alg, response)
            }
            202 => {
                // An upload session, the bytes ignored: send them again.
                capabilities.set_single_post(&repo.registry, false);
                Upload::session(&url, &post_url, response)?.finish(self, repo, digest, alg, data)
            }
            400 | 404 | 405 | 415 | 501 => {
                capabilities.set_single_post(&repo.registry, false);
                response.body_mut().discard(MAX_ERROR_BODY);
                self.start_upload(repo, None)?
                    .finish(self, repo, digest, alg, data)
            }
            _ => Err(self.unexpected(Method::Post, &url, response)),
        }
    }

    /// `POST /v2/<name>/blobs/uploads/` without bytes, with
    /// `?mount=<digest>&from=<name>` when `mount` is given.
    fn start_upload(
        &self,
        repo: &RepositoryRef,
        mount: Option<&str>,
    ) -> Result<Upload, RegistryError> {
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let mut url = self.repo_url(repo, "blobs/uploads/");
        if let Some(digest) = mount {
            url = append_query(&url, "mount", digest);
            url = append_query(&url, "from", &repo.repository);
        }
        let request = HttpRequest::new(Method::Post, &url).with_body(&[]);
        let (response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match (response.status(), mount) {
            (202, _) => Upload::session(&url, &post_url, response),
            (201, Some(digest)) => {
                let alg = check_digest_arg(digest)?;
                self.check_created(repo, &url, digest, alg, response)?;
                Ok(Upload::Created)
            }
            _ => Err(self.unexpected(Method::Post, &url, response)),
        }
    }

    /// A `201 Created` for a blob: its body discarded, its digest header,
    /// if any, checked.
    pub(super) fn check_created(
        &self,
        repo: &RepositoryRef,
        url: &str,
        digest: &str,
        alg: HashAlgorithm,
        mut response: HttpResponse,
    ) -> Result<(), RegistryError> {
        response.body_mut().discard(MAX_ERROR_BODY);
        let url = self.shown_url(url, &repo.registry);
        if let Some((h, halg)) = self.digest_header(&url, &response)?
            && halg == alg
            && h != digest
        {
            return Err(IntegrityError::DigestMismatch {
                url,
                expected: digest.into(),
                actual: h,
                origin: DigestOrigin::Header,
            }
            .into());
        }
        Ok(())
    }
}

/// What starting an upload gave: the blob already there (mounted), or a
/// session to `PUT` the bytes to.
pub(super) enum Upload {
    Created,
    Session(String),
}

impl Upload {
    /// The session of a `202` answer to `POST url` (the request ended at
    /// `post_url`): its `Location`, resolved.
    pub(super) fn session(
        url: &str,
        post_url: &str,
        mut response: HttpResponse,
    ) -> Result<Self, RegistryError> {
        response.body_mut().discard(MAX_ERROR_BODY);
        let location = response.headers().get("location").ok_or_else(|| {
            RegistryError::protocol(Method::Post, url, ProtocolError::MissingHeader("Location"))
        })?;
        let location = resolve(post_url, location).ok_or_else(|| {
            RegistryError::protocol(
                Method::Post,
                url,
                ProtocolError::InvalidHeader {
                    name: "Location",
                    value: location.chars().take(200).collect(),
                },
            )
        })?;
        Ok(Upload::Session(location))
    }

    /// `PUT <Location>&digest=<digest>` with the bytes.
    pub(super) fn finish(
        self,
        client: &RegistryClient,
        repo: &RepositoryRef,
        digest: &str,
        alg: HashAlgorithm,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        let Upload::Session(location) = self else {
            return Ok(());
        };
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let put_url = append_query(&location, "digest", digest);
        let request = HttpRequest::new(Method::Put, &put_url)
            .with_header("Content-Type", "application/octet-stream")
            .with_body(data);
        let (response, _) =
            client.send_authenticated(&client.session(), &repo.registry, &scopes, request)?;
        if !matches!(response.status(), 201 | 204 | 200) {
            return Err(client.unexpected(
                Method::Put,
                &client.shown_url(&put_url, &repo.registry),
                response,
            ));
        }
        client.check_created(repo, &put_url, digest, alg, response)
    }
}
