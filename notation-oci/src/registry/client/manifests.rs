//! Manifests: resolve, fetch, push, delete.

use super::*;

/// A manifest reference: a digest or a tag.
pub(super) enum ManifestRef<'a> {
    Digest(&'a str, HashAlgorithm),
    Tag,
}

pub(super) fn manifest_ref(reference: &str) -> Result<ManifestRef<'_>, RegistryError> {
    if reference.contains(':') {
        let alg = digest_algorithm(reference).ok_or_else(|| RegistryError::InvalidArgument {
            what: "digest",
            value: reference.to_string(),
        })?;
        Ok(ManifestRef::Digest(reference, alg))
    } else if is_valid_tag(reference) {
        Ok(ManifestRef::Tag)
    } else {
        Err(RegistryError::InvalidArgument {
            what: "tag",
            value: reference.to_string(),
        })
    }
}

impl RegistryClient {
    /// Resolves a tag or digest to the manifest's descriptor: `HEAD` with
    /// every manifest media type accepted. By digest, the registry's
    /// `Docker-Content-Digest` must equal it. When the `HEAD` response lacks
    /// the digest (or length or type), or `HEAD` is refused, the manifest is
    /// fetched and its digest computed.
    // Requirements: Q8.
    pub fn resolve(
        &self,
        repo: &RepositoryRef,
        reference: &str,
    ) -> Result<ContentDescriptor, RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().resolve(repo, reference);
        }
        let mref = manifest_ref(reference)?;
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let request = HttpRequest::new(Method::Head, &url)
            .with_header("Accept", MANIFEST_MEDIA_TYPES.join(", "));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match response.status() {
            200 => {
                let header = self.digest_header(&url, &response)?;
                let media_type = response
                    .headers()
                    .get("content-type")
                    .map(media_type_of)
                    .filter(|m| !m.is_empty());
                let size = response.content_length();
                if let (Some((digest, alg)), Some(media_type), Some(size)) =
                    (header, media_type, size)
                {
                    match mref {
                        ManifestRef::Digest(want, want_alg) if alg == want_alg => {
                            if digest != want {
                                return Err(IntegrityError::DigestMismatch {
                                    url,
                                    expected: want.to_string(),
                                    actual: digest,
                                    origin: DigestOrigin::Header,
                                }
                                .into());
                            }
                            return Ok(ContentDescriptor {
                                media_type,
                                digest,
                                size,
                            });
                        }
                        ManifestRef::Tag => {
                            return Ok(ContentDescriptor {
                                media_type,
                                digest,
                                size,
                            });
                        }
                        // A digest header in another algorithm: compute ours.
                        ManifestRef::Digest(..) => {}
                    }
                }
                self.fetch_manifest(repo, reference, MAX_MANIFEST_SIZE)
                    .map(|(d, _)| d)
            }
            405 => self
                .fetch_manifest(repo, reference, MAX_MANIFEST_SIZE)
                .map(|(d, _)| d),
            _ => Err(self.unexpected(Method::Head, &url, response)),
        }
    }

    /// Fetches a manifest by tag or digest, at most `max_size` bytes
    /// (4 MiB for signature manifests). The size is checked against
    /// `Content-Length` before reading and the read is bounded anyway; the
    /// digest is computed over the bytes and must equal the requested digest
    /// (by digest) or the `Docker-Content-Digest` header (by tag, when
    /// present). A mismatch is an error, never data.
    // Requirements: U.
    pub fn fetch_manifest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
    ) -> Result<(ContentDescriptor, Vec<u8>), RegistryError> {
        self.fetch_manifest_inner(repo, reference, max_size, false)?
            .ok_or_else(|| {
                // Unreachable: 404 is an error when not optional.
                RegistryError::protocol(
                    Method::Get,
                    reference,
                    ProtocolError::UnexpectedStatus(404),
                )
            })
    }

    /// Like [`fetch_manifest`](Self::fetch_manifest) but `Ok(None)` when the
    /// registry answers 404 (the referrers tag schema index `sha256-<hex>`
    /// that does not exist yet).
    // Requirements: Q6.
    pub fn fetch_manifest_if_exists(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
    ) -> Result<Option<(ContentDescriptor, Vec<u8>)>, RegistryError> {
        self.fetch_manifest_inner(repo, reference, max_size, true)
    }

    fn fetch_manifest_inner(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        max_size: u64,
        optional: bool,
    ) -> Result<Option<(ContentDescriptor, Vec<u8>)>, RegistryError> {
        if self.budget.is_none() {
            return self
                .begin_operation()
                .fetch_manifest_inner(repo, reference, max_size, optional);
        }
        let mref = manifest_ref(reference)?;
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let request = HttpRequest::new(Method::Get, &url)
            .with_header("Accept", MANIFEST_MEDIA_TYPES.join(", "));
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let (mut response, final_url) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        let final_url = self.shown_url(&final_url, &repo.registry);
        match response.status() {
            200 => {}
            404 if optional => {
                response.body_mut().discard(MAX_ERROR_BODY);
                return Ok(None);
            }
            _ => return Err(self.unexpected(Method::Get, &url, response)),
        }
        let media_type = response
            .headers()
            .get("content-type")
            .map(media_type_of)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                RegistryError::protocol(
                    Method::Get,
                    &url,
                    ProtocolError::MissingHeader("Content-Type"),
                )
            })?;
        let header = self.digest_header(&final_url, &response)?;
        let body = self.read_limited(
            Method::Get,
            &final_url,
            &mut response,
            LimitKind::Manifest,
            max_size,
        )?;
        let digest = match mref {
            ManifestRef::Digest(want, alg) => {
                let actual = digest_of(alg, &body);
                if actual != want {
                    return Err(IntegrityError::DigestMismatch {
                        url: final_url,
                        expected: want.into(),
                        actual,
                        origin: DigestOrigin::Requested,
                    }
                    .into());
                }
                if let Some((h, halg)) = header
                    && halg == alg
                    && h != want
                {
                    return Err(IntegrityError::DigestMismatch {
                        url: final_url,
                        expected: want.into(),
                        actual: h,
                        origin: DigestOrigin::Header,
                    }
                    .into());
                }
                actual
            }
            ManifestRef::Tag => match header {
                Some((h, alg)) => {
                    let actual = digest_of(alg, &body);
                    if actual != h {
                        return Err(IntegrityError::DigestMismatch {
                            url: final_url,
                            expected: h,
                            actual,
                            origin: DigestOrigin::Header,
                        }
                        .into());
                    }
                    actual
                }
                None => digest_of(HashAlgorithm::Sha256, &body),
            },
        };
        let size = body.len() as u64;
        Ok(Some((
            ContentDescriptor {
                media_type,
                digest,
                size,
            },
            body,
        )))
    }

    /// Pushes a manifest under a tag or its digest (`PUT`). The returned
    /// [`PushedManifest`] says whether the registry answered with
    /// `OCI-Subject` (it processed the `subject`: referrers API supported).
    pub fn push_manifest(
        &self,
        repo: &RepositoryRef,
        reference: &str,
        media_type: &str,
        data: &[u8],
    ) -> Result<PushedManifest, RegistryError> {
        if self.budget.is_none() {
            return self
                .begin_operation()
                .push_manifest(repo, reference, media_type, data);
        }
        let alg = match manifest_ref(reference)? {
            ManifestRef::Digest(want, alg) => {
                if digest_of(alg, data) != want {
                    return Err(RegistryError::InvalidArgument {
                        what: "manifest digest (does not match the data)",
                        value: want.into(),
                    });
                }
                alg
            }
            ManifestRef::Tag => HashAlgorithm::Sha256,
        };
        let digest = digest_of(alg, data);
        let url = self.repo_url(repo, &format!("manifests/{reference}"));
        let scopes = Scopes::repository(&repo.repository, &["pull", "push"]);
        let request = HttpRequest::new(Method::Put, &url)
            .with_header("Content-Type", media_type)
            .with_body(data);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        if !matches!(response.status(), 201 | 200 | 204) {
            return Err(self.unexpected(Method::Put, &url, response));
        }
        response.body_mut().discard(MAX_ERROR_BODY);
        if let Some((h, halg)) = self.digest_header(&url, &response)? {
            let ours = if halg == alg {
                digest.clone()
            } else {
                digest_of(halg, data)
            };
            if h != ours {
                return Err(IntegrityError::DigestMismatch {
                    url,
                    expected: ours,
                    actual: h,
                    origin: DigestOrigin::Header,
                }
                .into());
            }
        }
        let oci_subject = response.headers().get("oci-subject").map(str::to_string);
        Ok(PushedManifest {
            descriptor: ContentDescriptor {
                media_type: media_type.to_string(),
                digest,
                size: data.len() as u64,
            },
            oci_subject,
        })
    }

    /// Deletes a manifest by digest. A registry that does not allow it
    /// (405, or the `UNSUPPORTED` error code) gives
    /// [`RegistryError::Unsupported`], which callers turn into a warning
    /// (a superseded referrers index that cannot be deleted).
    // Requirements: Q6.
    pub fn delete_manifest(&self, repo: &RepositoryRef, digest: &str) -> Result<(), RegistryError> {
        if self.budget.is_none() {
            return self.begin_operation().delete_manifest(repo, digest);
        }
        check_digest_arg(digest)?;
        let url = self.repo_url(repo, &format!("manifests/{digest}"));
        let scopes = Scopes::repository(&repo.repository, &["delete"]);
        let request = HttpRequest::new(Method::Delete, &url);
        let (mut response, _) =
            self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
        match response.status() {
            202 | 200 | 204 => {
                response.body_mut().discard(MAX_ERROR_BODY);
                Ok(())
            }
            status => {
                let e = self.status_error(Method::Delete, &url, &mut response);
                if status == 405 || e.errors.iter().any(|x| x.code == "UNSUPPORTED") {
                    return Err(RegistryError::Unsupported {
                        method: Method::Delete,
                        url,
                        status,
                        errors: e.errors,
                    });
                }
                Err(e.into())
            }
        }
    }
}
