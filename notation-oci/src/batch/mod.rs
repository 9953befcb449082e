//! Verifying many artifacts in one run: [`BatchVerifier`] verifies a list
//! of references (in registries, in OCI image layouts, or both) with one
//! [`Verifier`] and returns one typed, serializable [`BatchResult`] per
//! reference, in input order, inside a [`BatchReport`] (the JSON report of
//! `notation verify -o json`).
//!
//! What a batch shares, so that the hundredth reference costs less than
//! the first:
//! - the [`Verifier`]: the trust policy and trust stores read once, and its
//!   certificate chain cache (a chain verified once is not verified again);
//! - one [`RegistryClient`] per registry: its connections are kept alive
//!   and reused, its bearer tokens cached per repository scope, and what it
//!   learns about the registry (which authentication it wants) and about
//!   each repository (whether it serves the referrers API) is used by every
//!   later reference, which then skips those requests;
//! - each OCI layout opened once and its referrers found in one walk of
//!   its manifests, for every reference into it;
//! - a bounded pool of std threads (no async runtime): at most
//!   [`BatchVerifier::concurrency`] references are verified at once. The
//!   first reference of each registry and of each repository runs before
//!   the others of the same registry or repository, so that what it learns
//!   serves them all instead of every thread discovering it at once.
//!
//! Each reference is verified on its own: it has its own registry operation
//! (its own time and byte budget, see
//! [`RegistryClientOptions::operation_timeout`](crate::registry::RegistryClientOptions::operation_timeout)),
//! and a reference that does not parse, does not resolve, or whose registry
//! is down ends as one `error` result while the others complete. A
//! reference never makes more requests than [`workflow::verify_reference`]
//! would for it alone.
//!
//! ```no_run
//! use std::sync::Arc;
//! use notation_core::trust::{load_oci_policy, DirTrustStore};
//! use notation_core::verifier::Verifier;
//! use notation_oci::batch::{BatchItem, BatchOutcome, BatchVerifier};
//!
//! let config = notation_core::config::config_dir();
//! let verifier = Verifier::builder(Arc::new(DirTrustStore::new(&config)))
//!     .oci_policy(load_oci_policy(&config)?)
//!     .build()?;
//! let items = [
//!     BatchItem::registry("registry.example.com/net-monitor:v1"),
//!     BatchItem::registry("registry.example.com/web@sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
//!     BatchItem::layout("./layout:v1", "local/app"),
//! ];
//! let report = BatchVerifier::new(&verifier).concurrency(8).verify(&items);
//! for result in &report.results {
//!     match result.outcome {
//!         BatchOutcome::Verified => {
//!             let signer = &result.signature.as_ref().unwrap().signer;
//!             println!("{}: signed by {}", result.reference, signer.subject);
//!         }
//!         outcome => println!("{}: {outcome}", result.reference),
//!     }
//! }
//! println!("{}", report.to_json_pretty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod item;
mod layouts;
mod pool;
mod report;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use notation_core::verifier::Verifier;

use crate::graph::{GraphLimits, walk_index};
use crate::oci::Descriptor;
use crate::registry::RegistryClient;
use crate::repository::SignatureRepository;
use crate::store::ContentStore;
use crate::workflow::{self, VerifyOptions};

/// A store a reference is verified in: its signatures and, to walk an
/// image index, its manifests.
pub(super) trait BatchStore {
    /// Where its signatures are listed and read.
    fn repository(&self) -> &dyn SignatureRepository;
    /// Where its manifests are read.
    fn content(&self) -> &dyn ContentStore;
    /// The store as one operation of its registry client, for one
    /// reference: every read shares one time and byte budget. `None` where
    /// there is no such budget.
    fn operation(&self) -> Option<Box<dyn ContentStore + '_>> {
        None
    }
}

impl BatchStore for crate::remote::RemoteRepository {
    fn repository(&self) -> &dyn SignatureRepository {
        self
    }
    fn content(&self) -> &dyn ContentStore {
        self
    }
    fn operation(&self) -> Option<Box<dyn ContentStore + '_>> {
        Some(Box::new(self.in_operation()))
    }
}

pub use item::BatchItem;
pub use report::{
    BatchOutcome, BatchReport, BatchResult, BatchSummary, FailedCheck, FailedSignature,
    LoggedCheck, ManifestResult, PrefilteredSignature, REPORT_VERSION, SignerCertificate,
    ThumbprintSkipped, TimestampInfo, VerifiedSignature,
};

/// References verified at once unless [`BatchVerifier::concurrency`] says
/// otherwise: registry work waits on the network far more than it
/// computes, so more than the processor count pays.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The most references verified at once (a larger concurrency is cut to
/// this).
pub const MAX_CONCURRENCY: usize = 256;

/// Verifies many references with one [`Verifier`]; see the module
/// documentation. Reusable: each [`verify`](Self::verify) is a batch of its
/// own, and the registry clients (with their connections, tokens and what
/// they learned) are kept between batches.
pub struct BatchVerifier<'v> {
    verifier: &'v Verifier,
    options: VerifyOptions,
    concurrency: usize,
    clients: Clients,
}

impl std::fmt::Debug for BatchVerifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchVerifier")
            .field("options", &self.options)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// The registry clients of a batch: one per registry named, a shared one
/// for the others (made on first use when none was given).
#[derive(Default)]
struct Clients {
    per_registry: HashMap<String, RegistryClient>,
    shared: Mutex<Option<RegistryClient>>,
}

impl Clients {
    fn client_for(&self, registry: &str) -> Result<RegistryClient, String> {
        if let Some(client) = self.per_registry.get(&registry.to_ascii_lowercase()) {
            return Ok(client.clone());
        }
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        match &*shared {
            Some(client) => Ok(client.clone()),
            None => {
                let client = RegistryClient::new().map_err(|e| e.to_string())?;
                *shared = Some(client.clone());
                Ok(client)
            }
        }
    }
}

impl<'v> BatchVerifier<'v> {
    /// A batch verifier over `verifier`, with the default options, a
    /// concurrency of [`DEFAULT_CONCURRENCY`], and a default
    /// [`RegistryClient`] (made on first use) for every registry.
    pub fn new(verifier: &'v Verifier) -> Self {
        Self {
            verifier,
            options: VerifyOptions::new(),
            concurrency: DEFAULT_CONCURRENCY,
            clients: Clients::default(),
        }
    }

    /// How every reference is verified (required user metadata, the most
    /// signatures per artifact, plugin configuration).
    pub fn options(mut self, options: VerifyOptions) -> Self {
        self.options = options;
        self
    }

    /// At most `n` references are verified at once (0 counts as 1; more
    /// than [`MAX_CONCURRENCY`] as that).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.clamp(1, MAX_CONCURRENCY);
        self
    }

    /// The client for every registry that has none of its own
    /// ([`registry_client_for`](Self::registry_client_for)). A client
    /// serves any number of registries, keeping connections, tokens and
    /// what it learned about each registry and repository.
    pub fn registry_client(self, client: RegistryClient) -> Self {
        *self
            .clients
            .shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(client);
        self
    }

    /// The client for references to `registry` (`host[:port]`, compared
    /// case-insensitively): for credentials or transport settings of that
    /// registry alone.
    pub fn registry_client_for(mut self, registry: &str, client: RegistryClient) -> Self {
        self.clients
            .per_registry
            .insert(registry.to_ascii_lowercase(), client);
        self
    }

    /// Verifies every item; see [`verify_each`](Self::verify_each).
    pub fn verify(&self, items: &[BatchItem]) -> BatchReport {
        self.verify_each(items, |_, _| ())
    }

    /// Verifies every item, at most [`concurrency`](Self::concurrency) at
    /// once, and returns the report with the results in input order.
    /// `on_result(index, result)` runs on the calling thread as each result
    /// arrives, in completion order (to show progress, or print results as
    /// they come).
    pub fn verify_each(
        &self,
        items: &[BatchItem],
        on_result: impl FnMut(usize, &BatchResult),
    ) -> BatchReport {
        let start = Instant::now();
        let keys: Vec<Vec<String>> = items.iter().map(BatchItem::discovery_keys).collect();
        let layouts = layouts::Layouts::default();
        let results = pool::run(
            items,
            &keys,
            self.concurrency,
            |item| self.verify_item(item, &layouts),
            on_result,
        );
        BatchReport::new(results, start.elapsed())
    }

    /// Verifies one item: never fails, every problem is its result.
    fn verify_item(&self, item: &BatchItem, layouts: &layouts::Layouts) -> BatchResult {
        let start = Instant::now();
        let mut result = BatchResult::new(item.given());
        item.verify(self, layouts, &mut result);
        result.duration = start.elapsed();
        result
    }
}

/// Verifies a reference under the statement for `scope`: `skip` honoured
/// before the store is opened (`open`) or touched, then one operation (one
/// time and byte budget) resolves the tag or digest and verifies the
/// signatures; with `recursive`, of every manifest an index lists too.
/// Every outcome is recorded in `result`.
// Requirements: T2, Q7, Q8.
fn verify_in(
    batch: &BatchVerifier<'_>,
    open: impl FnOnce() -> Result<Arc<dyn BatchStore>, String>,
    scope: &str,
    reference: &str,
    recursive: bool,
    result: &mut BatchResult,
) {
    let verifier = batch.verifier;
    let display = workflow::display_reference(scope, reference);
    let statement = match verifier.oci_statement_for_scope(scope, &display) {
        Ok(statement) => statement,
        Err(e) => return result.conclude(BatchOutcome::Error, Some(e.to_string())),
    };
    result.policy = Some(statement.name().to_string());
    if statement.verification().is_skip() {
        return result.conclude(BatchOutcome::Skipped, None);
    }
    let store = match open() {
        Ok(store) => store,
        Err(e) => return result.conclude(BatchOutcome::Error, Some(e)),
    };
    // One operation for the reference: its resolution, the walk of an
    // index and every verification share the budget.
    let operation = store.operation();
    let (repo, content): (&dyn SignatureRepository, &dyn ContentStore) = match operation.as_deref()
    {
        Some(op) => (op, op),
        None => (store.repository(), store.content()),
    };
    let (artifact, resolved_from_tag) = match workflow::resolve(repo, reference) {
        Ok(resolved) => resolved,
        Err(e) => {
            return result.conclude(
                BatchOutcome::Error,
                Some(format!("failed to get manifest descriptor: {e}")),
            );
        }
    };
    result.digest = Some(artifact.digest.clone());
    result.resolved_from_tag = resolved_from_tag;
    let verify = |artifact: &Descriptor, result: &mut BatchResult| {
        let display = format!("{scope}@{}", artifact.digest);
        let verified = workflow::verify_signatures(
            repo,
            statement,
            artifact,
            &display,
            verifier,
            &batch.options,
        );
        record(verified, statement.name(), result)
    };
    if !recursive {
        return verify(&artifact, result);
    }
    // The index and every manifest it lists: the walk reads the manifests
    // within the graph limits, each verified in this reference's operation.
    let nodes = match walk_index(content, &artifact, &GraphLimits::new()) {
        Ok(nodes) => nodes,
        Err(e) => return result.conclude(BatchOutcome::Error, Some(e.to_string())),
    };
    verify(&artifact, result);
    let manifests = nodes
        .iter()
        .filter(|node| node.depth > 0)
        .map(|node| {
            let mut verdict = BatchResult::new(&node.descriptor.digest);
            verify(&node.descriptor, &mut verdict);
            ManifestResult::new(&node.descriptor, node.depth, verdict)
        })
        .collect();
    result.conclude_recursive(manifests);
}

/// Records the verification of one artifact's signatures in `result`.
fn record(
    verified: Result<workflow::VerifiedSignatures, workflow::WorkflowError>,
    policy: &str,
    result: &mut BatchResult,
) {
    match verified {
        Ok(verified) => {
            result.record_failures(&verified.failures);
            result.record_verified(&verified.signature, &verified.outcome);
            result.conclude(BatchOutcome::Verified, None);
        }
        Err(e @ workflow::WorkflowError::NoSignature { .. }) => {
            result.conclude(BatchOutcome::Unsigned, Some(e.to_string()));
        }
        Err(e) if !e.failures().is_empty() => {
            // A signature that could not be fetched leaves the verdict
            // open: the registry failed, not the signature.
            let fetch_failed = result.record_failures(e.failures());
            if fetch_failed {
                result.conclude(BatchOutcome::Error, Some(e.to_string()));
            } else {
                let message = match &e {
                    workflow::WorkflowError::TooManySignatures { .. } => {
                        format!("{e}; {}", result.failure_message(policy))
                    }
                    _ => result.failure_message(policy),
                };
                result.conclude(BatchOutcome::Failed, Some(message));
            }
        }
        Err(e @ workflow::WorkflowError::TooManySignatures { .. }) => {
            result.conclude(BatchOutcome::Failed, Some(e.to_string()));
        }
        Err(e) => result.conclude(BatchOutcome::Error, Some(e.to_string())),
    }
}
