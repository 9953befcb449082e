//! One authenticated exchange: sending, redirects, the `401` challenge
//! dance, bounded body reads and digest headers.

use super::*;

impl RegistryClient {
    /// Sends one request through the transport (counted), within the
    /// operation's budget: the request carries the deadline of the time
    /// left, the time it takes is charged, and its body is read through the
    /// budget.
    pub(super) fn send_once(
        &self,
        request: &HttpRequest<'_>,
    ) -> Result<HttpResponse, RegistryError> {
        let budget = self.budget();
        let remaining = budget.remaining();
        if remaining.is_zero() {
            return Err(self.timeout_error(
                request.method(),
                request.url(),
                TimeoutPhase::BeforeSending,
            ));
        }
        if budget.bytes_exhausted() {
            return Err(RegistryError::limit(
                request.url(),
                LimitKind::OperationBytes,
                budget.byte_limit(),
                None,
            ));
        }
        let id = self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let start = std::time::Instant::now();
        let deadline = start + remaining;
        let mut request = request.clone().with_deadline(deadline);
        if request.headers().get("user-agent").is_none() && !self.inner.user_agent.is_empty() {
            request
                .headers_mut()
                .set("User-Agent", self.inner.user_agent.clone());
        }
        let observer = self.inner.observer.as_deref();
        let result = super::super::observe::exchange(observer, id, &request, || {
            self.inner.transport.send(&request)
        });
        budget.charge(start.elapsed());
        match result {
            Ok(response) => {
                let (status, headers, body) = response.into_parts();
                Ok(HttpResponse::new(
                    status,
                    headers,
                    budget::BudgetedBody::wrap(body, budget, deadline),
                ))
            }
            Err(e)
                if e.kind() == TransportErrorKind::Timeout
                    && (budget.remaining().is_zero() || std::time::Instant::now() >= deadline) =>
            {
                budget.exhaust();
                Err(self.timeout_error(
                    request.method(),
                    request.url(),
                    TimeoutPhase::AwaitingResponse,
                ))
            }
            Err(e) => Err(RegistryError::transport(request.method(), request.url(), e)),
        }
    }

    /// The error of an operation whose time is used up.
    pub(super) fn timeout_error(
        &self,
        method: Method,
        url: &str,
        phase: TimeoutPhase,
    ) -> RegistryError {
        let budget = self.budget();
        let hint = if budget.is_transfer() {
            self.inner.transfer_limits.hint()
        } else {
            self.inner.timeout_hint.clone()
        };
        TimeoutError {
            method,
            url: url.to_string(),
            phase,
            limit: budget.time_limit(),
            hint,
        }
        .into()
    }

    /// The error of a body read that failed: the operation's time or byte
    /// limit, or the transport.
    pub(super) fn body_error(&self, method: Method, url: &str, e: std::io::Error) -> RegistryError {
        match budget::BudgetExceeded::of(&e) {
            Some(budget::BudgetExceeded::Time) => {
                self.timeout_error(method, url, TimeoutPhase::ReadingBody)
            }
            Some(budget::BudgetExceeded::Bytes) => RegistryError::limit(
                url,
                LimitKind::OperationBytes,
                self.budget().byte_limit(),
                None,
            ),
            None => RegistryError::transport(method, url, TransportError::from_io(&e)),
        }
    }

    /// Sends a request, following redirects of `GET` and `HEAD` (bounded,
    /// loop-checked). `auth` is attached only while the URL has the same
    /// origin as `auth_origin`: credentials never go to another host, such
    /// as blob storage. Returns the response and the URL it came from.
    pub(super) fn send_following(
        &self,
        mut request: HttpRequest<'_>,
        auth: Option<&AuthHeader>,
        auth_origin: &str,
    ) -> Result<(HttpResponse, String), RegistryError> {
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(request.url().to_string());
        loop {
            match auth {
                Some(h) if same_origin(request.url(), auth_origin) => {
                    request.headers_mut().set("Authorization", h.value.clone())
                }
                _ => request.headers_mut().remove("authorization"),
            }
            let mut response = self.send_once(&request).map_err(|e| match e {
                RegistryError::Transport {
                    method,
                    url,
                    error: source,
                } => RegistryError::Transport {
                    method,
                    url: shown_url(&url, auth_origin),
                    error: source,
                },
                RegistryError::Timeout(mut t) => {
                    t.url = shown_url(&t.url, auth_origin);
                    RegistryError::Timeout(t)
                }
                e => e,
            })?;
            let follow = matches!(request.method(), Method::Get | Method::Head)
                && crate::registry::redirect::is_redirect(response.status());
            if !follow {
                let url = request.url().to_string();
                return Ok((response, url));
            }
            let (method, url) = (request.method(), request.url().to_string());
            let shown = shown_url(&url, auth_origin);
            let location = response
                .headers()
                .get("location")
                .and_then(|l| resolve(&url, l))
                .ok_or_else(|| {
                    RegistryError::protocol(method, &shown, ProtocolError::InvalidRedirect)
                })?;
            response.body_mut().discard(MAX_ERROR_BODY);
            if !visited.insert(location.clone()) {
                return Err(RegistryError::protocol(
                    method,
                    &shown,
                    ProtocolError::RedirectLoop(shown_url(&location, auth_origin)),
                ));
            }
            if visited.len() > self.inner.max_redirects + 1 {
                return Err(RegistryError::protocol(
                    method,
                    &shown,
                    ProtocolError::TooManyRedirects(self.inner.max_redirects),
                ));
            }
            request.set_url(location);
        }
    }

    /// Reads a bounded error body and makes the status error.
    pub(super) fn status_error(
        &self,
        method: Method,
        url: &str,
        response: &mut HttpResponse,
    ) -> StatusError {
        let (errors, body) = match response.body_mut().read_to_vec(MAX_ERROR_BODY) {
            Ok(b) => parse_error_body(&b),
            Err(_) => (Vec::new(), ErrorBodyKind::Other),
        };
        StatusError {
            method,
            url: url.to_string(),
            status: response.status(),
            errors,
            body,
        }
    }

    /// The error for a response the operation does not expect.
    pub(super) fn unexpected(
        &self,
        method: Method,
        url: &str,
        mut response: HttpResponse,
    ) -> RegistryError {
        if (200..300).contains(&response.status()) {
            response.body_mut().discard(MAX_ERROR_BODY);
            return RegistryError::protocol(
                method,
                url,
                ProtocolError::UnexpectedStatus(response.status()),
            );
        }
        self.status_error(method, url, &mut response).into()
    }

    /// Sends a request to `registry` with authentication: a cached header
    /// pre-emptively, else anonymously; on a `401` from the registry it
    /// follows the challenge once (Bearer preferred over Basic) and retries
    /// once. See the module documentation for the sequence.
    pub(super) fn send_authenticated(
        &self,
        session: &AuthSession<'_>,
        registry: &str,
        scopes: &Scopes,
        request: HttpRequest<'_>,
    ) -> Result<(HttpResponse, String), RegistryError> {
        let key = registry.to_ascii_lowercase();
        let base = self.base_url(registry);
        let (method, url) = (request.method(), request.url().to_string());
        let preemptive = session.cache.lookup(&key, scopes);
        let (mut response, final_url) =
            self.send_following(request.clone(), preemptive.as_ref(), &base)?;
        if response.status() != 401 || !same_origin(&final_url, &base) {
            return Ok((response, final_url));
        }
        let challenges = parse_challenges(response.headers().get_all("www-authenticate"));
        let first = self.status_error(method, &url, &mut response);
        if let Some(h) = &preemptive {
            session.cache.forget(&key, h);
        }
        let unauthorized = |credentials_sent: bool, errors: Vec<ErrorEntry>| -> RegistryError {
            AuthError::Unauthorized {
                method,
                url: url.clone(),
                credentials_sent,
                errors,
            }
            .into()
        };
        let sent_before = preemptive.as_ref().is_some_and(|h| h.with_credentials);
        let Some(challenge) = challenges
            .iter()
            .find(|c| c.is_bearer())
            .or_else(|| challenges.iter().find(|c| c.is_basic()))
        else {
            return Err(unauthorized(sent_before, first.errors));
        };
        let credential = match session.credentials {
            Some(p) => p
                .credential(registry)
                .map_err(|source| AuthError::Credential {
                    registry: registry.to_string(),
                    error: source,
                })?
                .filter(|c| !c.is_empty()),
            None => None,
        };
        let header = if challenge.is_bearer() {
            let mut token_scopes = scopes.clone();
            if let Some(s) = challenge.param("scope") {
                token_scopes.add_parsed(s);
            }
            let token =
                self.fetch_token(method, &url, challenge, &token_scopes, credential.as_ref())?;
            let header = AuthHeader {
                value: format!("Bearer {token}"),
                with_credentials: credential.is_some(),
            };
            session.cache.set_bearer(&key, token_scopes, header.clone());
            header
        } else {
            let Some(credential) = credential.as_ref() else {
                return Err(AuthError::BasicCredentialNotFound {
                    method,
                    url: url.clone(),
                    errors: first.errors,
                }
                .into());
            };
            let (Some(user), Some(pass)) = (credential.username(), credential.password()) else {
                return Err(AuthError::IncompleteBasicCredential {
                    method,
                    url: url.clone(),
                }
                .into());
            };
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            let header = AuthHeader {
                value: format!("Basic {basic}"),
                with_credentials: true,
            };
            if preemptive.as_ref() == Some(&header) {
                // The very same credentials were just rejected.
                return Err(unauthorized(true, first.errors));
            }
            session.cache.set_basic(&key, header.clone());
            header
        };
        let (mut response, final_url) = self.send_following(request, Some(&header), &base)?;
        if response.status() == 401 && same_origin(&final_url, &base) {
            session.cache.forget(&key, &header);
            let second = self.status_error(method, &url, &mut response);
            return Err(unauthorized(header.with_credentials, second.errors));
        }
        Ok((response, final_url))
    }

    /// Reads a whole body within `limit`; the declared `Content-Length` is
    /// checked against the limit before any byte is read.
    pub(super) fn read_limited(
        &self,
        method: Method,
        url: &str,
        response: &mut HttpResponse,
        what: LimitKind,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if let Some(len) = response.content_length()
            && len > limit
        {
            return Err(RegistryError::limit(url, what, limit, Some(len)));
        }
        let body = match response.body_mut().read_to_vec(limit) {
            Ok(b) => b,
            Err(BodyReadError::TooLarge) => {
                return Err(RegistryError::limit(url, what, limit, None));
            }
            Err(BodyReadError::Io(e)) => return Err(self.body_error(method, url, e)),
        };
        if let Some(len) = response.content_length()
            && len != body.len() as u64
        {
            return Err(IntegrityError::SizeMismatch {
                url: url.into(),
                expected: len,
                actual: body.len() as u64,
            }
            .into());
        }
        Ok(body)
    }

    /// The `Docker-Content-Digest` header, if present; a present header
    /// that is not a digest is an integrity error.
    pub(super) fn digest_header(
        &self,
        url: &str,
        response: &HttpResponse,
    ) -> Result<Option<(String, HashAlgorithm)>, RegistryError> {
        match response
            .headers()
            .get("docker-content-digest")
            .map(str::trim)
        {
            None | Some("") => Ok(None),
            Some(v) => match digest_algorithm(v) {
                Some(alg) => Ok(Some((v.to_string(), alg))),
                None => Err(IntegrityError::InvalidDigestHeader {
                    url: url.into(),
                    value: v.chars().take(200).collect(),
                }
                .into()),
            },
        }
    }
}
