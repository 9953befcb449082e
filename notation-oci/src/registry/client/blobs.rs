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

    /// Pushes a blob monolithically: `POST /v2/<name>/blobs/uploads/` then
    /// `PUT <Location>&digest=<digest>` with the bytes. Relative and
    /// absolute `Location`s are handled; a `Location` on another host gets
    /// no credentials. `digest` must be the digest of `data`.
    ///
    /// (A single `POST ?digest=` upload would save a request, but CNCF
    /// distribution 2.8.2 answers it with 202 and ignores the body, so it
    /// is not tried.)
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
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let url = self.repo_url(repo, "blobs/uploads/");
        let request = HttpRequest::new(Method::Post, &url).with_body(&[]);
        let (mut response, post_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if response.status() != 202 {
            return Err(self.unexpected(Method::Post, &url, response));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        let location = response.headers().get("location").ok_or_else(|| {
            RegistryError::protocol(Method::Post, &url, ProtocolError::MissingHeader("Location"))
        })?;
        let location = resolve(&post_url, location).ok_or_else(|| {
            RegistryError::protocol(
                Method::Post,
                &url,
                ProtocolError::InvalidHeader {
                    name: "Location",
                    value: location.chars().take(200).collect(),
                },
            )
        })?;
        let put_url = append_query(&location, "digest", digest);
        let request = HttpRequest::new(Method::Put, &put_url)
            .with_header("Content-Type", "application/octet-stream")
            .with_body(data);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if !matches!(response.status(), 201 | 204 | 200) {
            return Err(self.unexpected(
                Method::Put,
                &self.shown_url(&put_url, &repo.registry),
                response,
            ));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        let put_url = self.shown_url(&put_url, &repo.registry);
        if let Some((h, halg)) = self.digest_header(&put_url, &response)?
            && halg == alg
            && h != digest
        {
            return Err(IntegrityError::DigestMismatch {
                url: put_url,
                expected: digest.into(),
                actual: h,
                origin: DigestOrigin::Header,
            }
            .into());
        }
        Ok(())
    }
}
