//! [`RepositoryRef`]: the repository every operation works on.

use super::*;

/// A repository in a registry: what every operation works on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepositoryRef {
    pub(super) registry: String,
    pub(super) repository: String,
}

impl RepositoryRef {
    /// A repository, checked against the distribution grammar.
    pub fn new(
        registry: impl Into<String>,
        repository: impl Into<String>,
    ) -> Result<Self, RegistryError> {
        let (registry, repository) = (registry.into(), repository.into());
        let r = Reference::parse(&format!("{registry}/{repository}")).map_err(|_| {
            RegistryError::InvalidArgument {
                what: "repository",
                value: format!("{registry}/{repository}"),
            }
        })?;
        if r.registry() != registry || r.repository() != repository || r.reference().is_some() {
            return Err(RegistryError::InvalidArgument {
                what: "repository",
                value: format!("{registry}/{repository}"),
            });
        }
        Ok(Self {
            registry,
            repository,
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
}

impl From<&Reference> for RepositoryRef {
    fn from(r: &Reference) -> Self {
        Self {
            registry: r.registry().to_string(),
            repository: r.repository().to_string(),
        }
    }
}

impl fmt::Display for RepositoryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}
