//! The budget of one registry operation: the time its exchanges may take and
//! the bytes its response bodies may hold, shared by every request the
//! operation makes (redirect hops, `401` retries, token requests, referrers
//! pages, manifest and blob fetches), so that no step starts afresh.
//!
//! Time is charged while the client waits on the network (sending, waiting
//! for a response, reading a body), not while the caller does other work
//! between requests (verifying a signature, asking a plugin): a whole
//! `verify` shares one budget without its revocation checks or plugins
//! eating into it.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::super::transport::{ResponseBody, TransportError, TransportErrorKind};

/// What one operation may spend.
#[derive(Debug)]
pub(crate) struct OperationBudget {
    time_limit: Duration,
    byte_limit: u64,
    spent_nanos: AtomicU64,
    bytes: AtomicU64,
    transfer: bool,
}

impl OperationBudget {
    pub(crate) fn new(time_limit: Duration, byte_limit: u64) -> Self {
        Self {
            time_limit,
            byte_limit,
            spent_nanos: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            transfer: false,
        }
    }

    /// The budget of one blob transfer (see `transfer.rs`).
    pub(crate) fn transfer(time_limit: Duration, byte_limit: u64) -> Self {
        Self {
            transfer: true,
            ..Self::new(time_limit, byte_limit)
        }
    }

    /// Whether this is a blob transfer's budget rather than an operation's.
    pub(crate) fn is_transfer(&self) -> bool {
        self.transfer
    }

    pub(crate) fn time_limit(&self) -> Duration {
        self.time_limit
    }

    pub(crate) fn byte_limit(&self) -> u64 {
        self.byte_limit
    }

    /// The time left.
    pub(crate) fn remaining(&self) -> Duration {
        self.time_limit.saturating_sub(Duration::from_nanos(
            self.spent_nanos.load(Ordering::Relaxed),
        ))
    }

    /// Marks the time as used up (the transport reported that the deadline
    /// of the time left passed).
    pub(crate) fn exhaust(&self) {
        self.charge(self.time_limit);
    }

    /// Records time spent on the network.
    pub(crate) fn charge(&self, d: Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .spent_nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| {
                Some(s.saturating_add(nanos))
            });
    }

    /// Whether the body bytes read so far are past the limit.
    pub(crate) fn bytes_exhausted(&self) -> bool {
        self.bytes.load(Ordering::Relaxed) > self.byte_limit
    }

    /// Records body bytes read; `false` once past the limit.
    fn charge_bytes(&self, n: usize) -> bool {
        let total = self
            .bytes
            .fetch_add(n as u64, Ordering::Relaxed)
            .saturating_add(n as u64);
        total <= self.byte_limit
    }
}

/// Which part of the budget ran out; carried inside the `io::Error` of a
/// body read so that the client can tell it from a transport failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BudgetExceeded {
    Time,
    Bytes,
}

impl std::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Time => "the operation's time limit is used up",
            Self::Bytes => "the operation's byte limit is used up",
        })
    }
}

impl std::error::Error for BudgetExceeded {}

impl BudgetExceeded {
    fn into_io(self) -> std::io::Error {
        let kind = match self {
            Self::Time => std::io::ErrorKind::TimedOut,
            Self::Bytes => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, self)
    }

    /// The budget failure an I/O error carries, if it is one.
    pub(crate) fn of(e: &std::io::Error) -> Option<Self> {
        e.get_ref()?.downcast_ref::<Self>().copied()
    }
}

/// A response body whose reads are charged to the budget: each read is
/// refused once the time is used up (whatever the transport does about its
/// deadline), and counts its bytes.
pub(crate) struct BudgetedBody {
    inner: ResponseBody,
    budget: Arc<OperationBudget>,
    deadline: Instant,
}

impl BudgetedBody {
    /// `deadline` is the one the request was sent with: a timeout reported
    /// once it has passed is the budget running out.
    pub(crate) fn wrap(
        inner: ResponseBody,
        budget: Arc<OperationBudget>,
        deadline: Instant,
    ) -> ResponseBody {
        ResponseBody::new(Self {
            inner,
            budget,
            deadline,
        })
    }
}

impl Read for BudgetedBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.remaining().is_zero() {
            return Err(BudgetExceeded::Time.into_io());
        }
        let start = Instant::now();
        let result = self.inner.read(buf);
        self.budget.charge(start.elapsed());
        match result {
            Ok(n) if !self.budget.charge_bytes(n) => Err(BudgetExceeded::Bytes.into_io()),
            Ok(n) => Ok(n),
            Err(e)
                if TransportError::from_io(&e).kind() == TransportErrorKind::Timeout
                    && (self.budget.remaining().is_zero() || Instant::now() >= self.deadline) =>
            {
                self.budget.exhaust();
                Err(BudgetExceeded::Time.into_io())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_and_bytes_are_shared_and_bounded() {
        let budget = Arc::new(OperationBudget::new(Duration::from_secs(1), 10));
        budget.charge(Duration::from_millis(400));
        budget.charge(Duration::from_millis(400));
        assert!(budget.remaining() <= Duration::from_millis(200));
        budget.charge(Duration::from_secs(5));
        assert!(budget.remaining().is_zero());
        let far = Instant::now() + Duration::from_secs(60);
        let mut body = BudgetedBody::wrap(
            ResponseBody::new(std::io::Cursor::new(vec![1u8; 4])),
            budget,
            far,
        );
        let e = body.read_to_vec(100).unwrap_err();
        match e {
            crate::registry::transport::BodyReadError::Io(e) => {
                assert_eq!(BudgetExceeded::of(&e), Some(BudgetExceeded::Time))
            }
            other => panic!("{other:?}"),
        }

        let budget = Arc::new(OperationBudget::new(Duration::from_secs(60), 10));
        let mut first = BudgetedBody::wrap(
            ResponseBody::new(std::io::Cursor::new(vec![1u8; 6])),
            budget.clone(),
            far,
        );
        assert_eq!(first.read_to_vec(100).unwrap().len(), 6);
        let mut second = BudgetedBody::wrap(
            ResponseBody::new(std::io::Cursor::new(vec![1u8; 6])),
            budget,
            far,
        );
        match second.read_to_vec(100).unwrap_err() {
            crate::registry::transport::BodyReadError::Io(e) => {
                assert_eq!(BudgetExceeded::of(&e), Some(BudgetExceeded::Bytes))
            }
            other => panic!("{other:?}"),
        }
    }
}
