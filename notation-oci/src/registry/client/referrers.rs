//! The referrers API (paged, filtered, bounded).

use super::*;

/// Largest referrers API page (4 MiB, as the reference's metadata limit).
pub const MAX_REFERRERS_PAGE_SIZE: u64 = 4 * 1024 * 1024;
/// Default bound on referrers pages followed.
pub const DEFAULT_MAX_REFERRERS_PAGES: usize = 100;
/// Default bound on referrer descriptors collected over all pages.
pub const DEFAULT_MAX_REFERRERS: usize = 10_000;
/// Default bound on the bytes of all referrers pages of one listing (4 full
/// pages; ten thousand descriptors with their annotations fit).
pub const DEFAULT_MAX_REFERRERS_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Deserialize)]
struct ReferrersPage {
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    /// `null` is none (a Go registry's nil slice), as Go reads it.
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

impl RegistryClient {
    /// Lists the referrers of `subject_digest` with the referrers API:
    /// `GET /v2/<name>/referrers/<digest>?artifactType=...`.
    ///
    /// `Ok(None)` when the registry does not support the API (404 without
    /// `NAME_UNKNOWN`, or a first page that is not an image index; the
    /// caller then falls back to the tag schema). Pages are followed
    /// through `Link: <...>; rel="next"` on the same origin only, each
    /// at most 4 MiB, at most the configured number of pages, descriptors and
    /// bytes of all pages (an error past the bound, and a link repeating a page is
    /// an error: never an endless loop). When `artifact_type` is given, only
    /// descriptors with that `artifactType` are returned: the query asks the
    /// registry to filter, and the descriptors are filtered here as well,
    /// whether or not the registry says it applied the filter
    /// (`OCI-Filters-Applied`). A registry that says so and still lists other
    /// artifact types (or descriptors without one, which the distribution
    /// spec does not allow) is not believed.
    // Requirements: Q5, Q6.
    pub fn referrers(
        &self,
        repo: &RepositoryRef,
        subject_digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, RegistryError> {
        if self.budget.is_none() {
            return self
                .begin_operation()
                .referrers(repo, subject_digest, artifact_type);
        }
        check_digest_arg(subject_digest)?;
        let mut url = self.repo_url(repo, &format!("referrers/{subject_digest}"));
        if let Some(t) = artifact_type {
            url = append_query(&url, "artifactType", t);
        }
        let scopes = Scopes::repository(&repo.repository, &["pull"]);
        let mut visited: HashSet<String> = HashSet::new();
        let mut out: Vec<Descriptor> = Vec::new();
        let mut bytes_read: u64 = 0;
        for page in 0.. {
            if page >= self.inner.max_referrers_pages {
                return Err(RegistryError::limit(
                    &url,
                    LimitKind::ReferrersPages,
                    self.inner.max_referrers_pages as u64,
                    None,
                ));
            }
            visited.insert(url.clone());
            let request =
                HttpRequest::new(Method::Get, &url).with_header("Accept", MEDIA_TYPE_IMAGE_INDEX);
            let (mut response, final_url) =
                self.send_authenticated(&self.session(), &repo.registry, &scopes, request)?;
            match response.status() {
                200 => {}
                404 if page == 0 => {
                    let e = self.status_error(Method::Get, &url, &mut response);
                    // A missing repository is an error, not "unsupported"
                    // (as oras-go).
                    if e.errors.iter().any(|x| x.code == "NAME_UNKNOWN") {
                        return Err(e.into());
                    }
                    return Ok(None);
                }
                _ => return Err(self.unexpected(Method::Get, &url, response)),
            }
            let content_type = response
                .headers()
                .get("content-type")
                .map(media_type_of)
                .unwrap_or_default();
            if content_type != MEDIA_TYPE_IMAGE_INDEX {
                if page == 0 {
                    response.body_mut().discard(MAX_ERROR_BODY);
                    return Ok(None);
                }
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::UnexpectedContentType {
                        expected: MEDIA_TYPE_IMAGE_INDEX.into(),
                        actual: content_type,
                    },
                ));
            }
            let link = next_link(response.headers().get_all("link")).map_err(|e| {
                RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::InvalidHeader {
                        name: "Link",
                        value: e.0,
                    },
                )
            })?;
            // Low 5: every page counts against the listing's byte budget;
            // a page is read only as far as what is left of it.
            let left = self.inner.max_referrers_bytes.saturating_sub(bytes_read);
            let (page_limit, what) = if left < MAX_REFERRERS_PAGE_SIZE {
                (left, LimitKind::ReferrersBytes)
            } else {
                (MAX_REFERRERS_PAGE_SIZE, LimitKind::ReferrersPage)
            };
            let body = self
                .read_limited(Method::Get, &final_url, &mut response, what, page_limit)
                .map_err(|e| match e {
                    RegistryError::LimitExceeded(mut l) if l.what == LimitKind::ReferrersBytes => {
                        l.limit = self.inner.max_referrers_bytes;
                        l.actual = l.actual.map(|a| a.saturating_add(bytes_read));
                        RegistryError::LimitExceeded(l)
                    }
                    e => e,
                })?;
            bytes_read += body.len() as u64;
            let parsed: ReferrersPage =
                notation_core::json::check_depth(&body, notation_core::json::MAX_DEPTH)
                    .and_then(|()| serde_json::from_slice(&body).map_err(|e| e.to_string()))
                    .map_err(|e| {
                        RegistryError::protocol(
                            Method::Get,
                            &final_url,
                            ProtocolError::MalformedBody(e),
                        )
                    })?;
            if let Some(mt) = &parsed.media_type
                && mt != MEDIA_TYPE_IMAGE_INDEX
            {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::UnexpectedContentType {
                        expected: MEDIA_TYPE_IMAGE_INDEX.into(),
                        actual: mt.clone(),
                    },
                ));
            }
            for d in parsed.manifests.unwrap_or_default() {
                // Q5: filter here too. oras-go (and so the reference) takes
                // `OCI-Filters-Applied` on trust; a hostile registry could
                // then hand other referrers to the caller as signatures.
                // For a registry that filters correctly the result is the
                // same.
                if artifact_type.is_some_and(|t| d.artifact_type.as_deref() != Some(t)) {
                    continue;
                }
                if out.len() >= self.inner.max_referrers {
                    return Err(RegistryError::limit(
                        &final_url,
                        LimitKind::Referrers,
                        self.inner.max_referrers as u64,
                        None,
                    ));
                }
                out.push(d);
            }
            let Some(next) = link else { break };
            let next_url = resolve(&final_url, &next).ok_or_else(|| {
                RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::InvalidHeader {
                        name: "Link",
                        value: next.clone(),
                    },
                )
            })?;
            if !same_origin(&next_url, &final_url) {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::CrossOriginLink(next_url),
                ));
            }
            if visited.contains(&next_url) {
                return Err(RegistryError::protocol(
                    Method::Get,
                    &final_url,
                    ProtocolError::PaginationLoop(next_url),
                ));
            }
            url = next_url;
        }
        Ok(Some(out))
    }
}
