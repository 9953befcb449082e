//! Artifact references: `registry[:port]/repository[:tag][@digest]`, the
//! distribution grammar as the reference parses it (oras-go
//! `registry.ParseReference`): the first path component is always the
//! registry, there is no implicit `docker.io`.
// Requirements: K1.

use std::fmt;

/// A parsed artifact reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why a reference does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// No `/` separating registry and repository.
    #[error("invalid reference {0:?}: missing registry or repository")]
    MissingRepository(String),
    /// A registry that is not `host[:port]`.
    #[error("invalid reference {reference:?}: invalid registry {registry:?}")]
    InvalidRegistry {
        /// The input.
        reference: String,
        /// The registry part.
        registry: String,
    },
    /// A repository outside the distribution grammar (lowercase path
    /// components separated by `.`, `_`, `__`, `-`).
    #[error("invalid reference {reference:?}: invalid repository {repository:?}")]
    InvalidRepository {
        /// The input.
        reference: String,
        /// The repository part.
        repository: String,
    },
    /// A tag outside `[\w][\w.-]{0,127}`.
    #[error("invalid reference {reference:?}: invalid tag {tag:?}")]
    InvalidTag {
        /// The input.
        reference: String,
        /// The tag.
        tag: String,
    },
    /// A digest that is not `<algorithm>:<encoded>` with a known algorithm
    /// and the right length.
    #[error("invalid reference {reference:?}: invalid digest {digest:?}")]
    InvalidDigest {
        /// The input.
        reference: String,
        /// The digest.
        digest: String,
    },
}

impl Reference {
    /// Parses a reference.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let (registry, rest) = input
            .split_once('/')
            .ok_or_else(|| ReferenceError::MissingRepository(input.to_string()))?;
        if !is_valid_registry(registry) {
            return Err(ReferenceError::InvalidRegistry {
                reference: input.into(),
                registry: registry.into(),
            });
        }
        let (name_and_tag, digest) = match rest.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (rest, None),
        };
        // A ':' after the last '/' starts the tag.
        let (repository, tag) = match name_and_tag.rfind(':') {
            Some(i) if !name_and_tag[i..].contains('/') => {
                (&name_and_tag[..i], Some(&name_and_tag[i + 1..]))
            }
            _ => (name_and_tag, None),
        };
        if !is_valid_repository(repository) || registry.len() + 1 + repository.len() > 255 {
            return Err(ReferenceError::InvalidRepository {
                reference: input.into(),
                repository: repository.into(),
            });
        }
        if let Some(tag) = tag
            && !is_valid_tag(tag)
        {
            return Err(ReferenceError::InvalidTag {
                reference: input.into(),
                tag: tag.into(),
            });
        }
        if let Some(d) = digest
            && !is_valid_digest(d)
        {
            return Err(ReferenceError::InvalidDigest {
                reference: input.into(),
                digest: d.into(),
            });
        }
        Ok(Self {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// A reference to a repository by digest. The digest is not checked:
    /// prefer [`Reference::try_with_digest`].
    #[deprecated(note = "does not check the digest: use try_with_digest")]
    pub fn with_digest(&self, digest: &str) -> Self {
        Self {
            tag: None,
            digest: Some(digest.to_string()),
            ..self.clone()
        }
    }

    /// The same repository by `digest` (`sha256:<hex>`, ...), which must be
    /// one [`Reference::parse`] takes.
    pub fn try_with_digest(&self, digest: &str) -> Result<Self, ReferenceError> {
        if !is_valid_digest(digest) {
            return Err(ReferenceError::InvalidDigest {
                reference: format!("{}/{}@{digest}", self.registry, self.repository),
                digest: digest.into(),
            });
        }
        Ok(Self {
            tag: None,
            digest: Some(digest.to_string()),
            ..self.clone()
        })
    }

    /// The registry (`host[:port]`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The digest if there is one, else the tag: what to resolve.
    pub fn reference(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }

    /// `registry/repository`: the key trust policies are selected by.
    // Requirements: K1.
    pub fn scope(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// Whether the registry is loopback (`localhost`, `127.0.0.1`, `[::1]`),
    /// which a library client reaches over plain HTTP by default (see
    /// `RegistryClientOptions::loopback_plain_http`; the reference CLI takes
    /// only `localhost:<port>` so).
    // Requirements: X2.
    pub fn is_localhost(&self) -> bool {
        let host = host_of(&self.registry);
        host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1"
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;

    /// As [`Reference::parse`].
    fn from_str(s: &str) -> Result<Self, ReferenceError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Reference {
    type Error = ReferenceError;

    /// As [`Reference::parse`].
    fn try_from(s: &str) -> Result<Self, ReferenceError> {
        Self::parse(s)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The host part of `host[:port]` (IPv6 literals keep their brackets).
pub fn host_of(registry: &str) -> &str {
    if registry.starts_with('[') {
        return registry.find(']').map_or(registry, |i| &registry[..=i]);
    }
    registry.rsplit_once(':').map_or(registry, |(h, _)| h)
}

fn is_valid_registry(registry: &str) -> bool {
    if registry.is_empty() || registry.len() > 255 {
        return false;
    }
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((ip6, after)) = rest.split_once(']') else {
            return false;
        };
        if !ip6.contains(':')
            || !ip6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return false;
        }
        match after {
            "" => return true,
            p => (None, p.strip_prefix(':').map(Some).unwrap_or(Some(""))),
        }
    } else {
        match registry.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(registry), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    match host {
        None => true,
        Some(h) => !h.is_empty() && h.split('.').all(is_domain_component),
    }
}

fn is_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    !b.is_empty()
        && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// `path-component ('/' path-component)*` with `path-component =
/// [a-z0-9]+ (separator [a-z0-9]+)*`, separators `.`, `_`, `__`, `-+`.
pub fn is_valid_repository(repository: &str) -> bool {
    !repository.is_empty() && repository.split('/').all(is_path_component)
}

fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() {
        return false;
    }
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    let mut expect_alnum = true;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            expect_alnum = false;
            continue;
        }
        if expect_alnum {
            return false;
        }
        // A separator: ".", "_", "__" or one or more "-".
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start {
            return false;
        }
        expect_alnum = true;
    }
    !expect_alnum
}

fn is_valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// A digest `<algorithm>:<encoded>`: sha256/sha384/sha512 with lowercase
/// hex of the right length, as OCI requires for these algorithms.
pub fn is_valid_digest(digest: &str) -> bool {
    notation_core::payload::parse_digest(digest).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    #[test]
    fn a_digest_is_checked_when_added() {
        let r: Reference = "localhost:5000/net-monitor:v1".parse().unwrap();
        let by_digest = r.try_with_digest(D).unwrap();
        assert_eq!(
            by_digest.to_string(),
            format!("localhost:5000/net-monitor@{D}")
        );
        assert_eq!(Reference::parse(&by_digest.to_string()).unwrap(), by_digest);
        for bad in ["v2", "sha256:00", "", "sha256:../x"] {
            assert!(
                matches!(
                    r.try_with_digest(bad),
                    Err(ReferenceError::InvalidDigest { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            Reference::try_from("a.io/b:c").unwrap().reference(),
            Some("c")
        );
    }

    #[test]
    fn parses_the_forms() {
        let r = Reference::parse(&format!("localhost:5000/net-monitor:v1@{D}")).unwrap();
        assert_eq!(
            (r.registry(), r.repository(), r.tag(), r.digest()),
            ("localhost:5000", "net-monitor", Some("v1"), Some(D))
        );
        assert_eq!(r.reference(), Some(D));
        assert_eq!(r.scope(), "localhost:5000/net-monitor");
        assert!(r.is_localhost());
        let r = Reference::parse("registry.acme-rockets.io/software/net-monitor:v1").unwrap();
        assert_eq!(r.repository(), "software/net-monitor");
        assert_eq!(
            r.to_string(),
            "registry.acme-rockets.io/software/net-monitor:v1"
        );
        assert!(!r.is_localhost());
        let r = Reference::parse("10.10.10.10:8080/a/b").unwrap();
        assert_eq!(r.reference(), None);
        assert!(Reference::parse("[::1]:5000/a").unwrap().is_localhost());
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "",
            "alpine",
            "alpine:latest",
            "docker.io/Library/alpine",
            "docker.io/a//b",
            "docker.io/a_-b",
            "-bad.io/a",
            "bad.io:/a",
            "bad.io:x/a",
            "bad.io/a:",
            "bad.io/a:.tag",
            "bad.io/a@sha256:",
            "bad.io/a@sha256:abc",
            &format!("bad.io/a@{}", D.to_uppercase()),
            "bad.io/a@md5:d41d8cd98f00b204e9800998ecf8427e",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("r.io/{}", "a".repeat(300));
        assert!(Reference::parse(&long).is_err());
        assert!(Reference::parse(&format!("r.io/a:{}", "t".repeat(129))).is_err());
    }

    #[test]
    fn repository_grammar() {
        for ok in ["a", "a.b", "a_b", "a__b", "a--b", "a/b/c", "0abc"] {
            assert!(is_valid_repository(ok), "{ok}");
        }
        for bad in ["A", "a.", ".a", "a___b", "a._b", "a/", "/a", "a b"] {
            assert!(!is_valid_repository(bad), "{bad}");
        }
    }
}
