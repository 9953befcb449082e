//! The limits of one blob transfer (an image layer read or written while
//! copying an artifact), which are not those of an operation on signature
//! metadata: a layer may be gigabytes, so the operation's 10 s and 64 MiB
//! would cut it, and lifting them would leave a dripping registry
//! unbounded. A transfer gets its own budget instead, sized by the blob:
//! a time limit of a grace period plus the time the blob takes at a
//! minimum throughput, and a byte limit of the blob's size (plus the small
//! bodies of redirects and errors).

use std::time::Duration;

use super::*;

/// Slack over the blob's size for the other bodies a transfer reads
/// (redirects, authentication challenges, upload responses).
const TRANSFER_BODY_SLACK: u64 = 256 * 1024;

/// Default upload chunk: the largest piece of a blob held in memory while
/// it is pushed.
pub const DEFAULT_UPLOAD_CHUNK_SIZE: usize = 8 * 1024 * 1024;

/// Largest upload chunk accepted, whatever a registry asks for with
/// `OCI-Chunk-Min-Length`.
pub const MAX_UPLOAD_CHUNK_SIZE: usize = 64 * 1024 * 1024;

/// The time one blob transfer may take: `grace + size / min_throughput`
/// of waiting on the network (sending, waiting, reading), after which the
/// request under way fails with a timeout. With the defaults (30 s, 1 MiB/s)
/// a 200 MiB layer has 230 s, a signature envelope 30 s. The transport's
/// own limits apply as well: the default ureq transport gives up on a
/// connection silent for 30 s, and on one request after its
/// [`Timeouts::overall`] (10 minutes), which bounds one blob download
/// (uploads go in chunks, one request each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobTransferLimits {
    grace: Duration,
    min_throughput: u64,
}

impl Default for BlobTransferLimits {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(30),
            min_throughput: 1024 * 1024,
        }
    }
}

impl BlobTransferLimits {
    /// The defaults: 30 s plus one second per MiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// The time every transfer has, whatever its size (default 30 s).
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The slowest throughput tolerated, in bytes per second (default
    /// 1 MiB/s; at least 1).
    pub fn min_throughput(mut self, bytes_per_second: u64) -> Self {
        self.min_throughput = bytes_per_second.max(1);
        self
    }

    /// How a timeout error of a transfer explains its limit.
    pub(super) fn hint(&self) -> String {
        format!(
            "a blob transfer may take {} plus one second per {} bytes; raise it with RegistryClientOptions::blob_transfer_limits",
            super::super::error::DurationText(self.grace),
            self.min_throughput
        )
    }

    /// The time limit of a transfer of `size` bytes.
    pub fn time_limit(&self, size: u64) -> Duration {
        let secs = size.div_ceil(self.min_throughput);
        self.grace.saturating_add(Duration::from_secs(secs))
    }
}

impl RegistryClient {
    /// A handle whose requests are one blob transfer of `size` bytes, with
    /// the transfer's own budget (see [`BlobTransferLimits`]) instead of the
    /// operation's.
    pub(super) fn transfer(&self, size: u64) -> RegistryClient {
        RegistryClient {
            inner: self.inner.clone(),
            budget: Some(Arc::new(budget::OperationBudget::transfer(
                self.inner.transfer_limits.time_limit(size),
                size.saturating_add(TRANSFER_BODY_SLACK),
            ))),
        }
    }

    /// The upload chunk size (see
    /// [`RegistryClientOptions::upload_chunk_size`]).
    pub(super) fn chunk_size(&self) -> usize {
        self.inner.upload_chunk_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_the_size() {
        let l = BlobTransferLimits::new();
        assert_eq!(l.time_limit(0), Duration::from_secs(30));
        assert_eq!(l.time_limit(200 * 1024 * 1024), Duration::from_secs(230));
        let slow = BlobTransferLimits::new()
            .grace(Duration::from_secs(1))
            .min_throughput(0);
        assert_eq!(slow.time_limit(3), Duration::from_secs(4));
    }
}
