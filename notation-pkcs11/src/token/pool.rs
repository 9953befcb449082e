//! The accounting of a key's sessions: how many are open, how many may be,
//! and which are idle.
//!
//! The token decides how many sessions it allows: a smart card a few, and
//! other programs using the token hold some of them. The pool learns the
//! limit from `CKR_SESSION_COUNT` (no more sessions are opened than were
//! open then), and, since the sessions other programs held may have closed
//! since, asks for one more again when every session is busy and
//! [`CAP_RETRY`] has passed since the token last refused one.

use std::time::{Duration, Instant};

/// How long after the token refused a session the pool asks for one more.
pub(super) const CAP_RETRY: Duration = Duration::from_secs(1);

/// Sessions of type `S`, at most `max` open at once.
#[derive(Debug)]
pub(super) struct Pool<S> {
    /// Open sessions not in use.
    pub(super) idle: Vec<S>,
    /// Sessions open or being opened, idle or in use.
    pub(super) open: usize,
    /// How many may be open: `max`, or fewer once the token refused one.
    cap: usize,
    max: usize,
    /// When the token last refused a session, or when the cap last grew
    /// after that: the pool asks for one more [`CAP_RETRY`] later.
    lowered_at: Option<Instant>,
}

impl<S> Pool<S> {
    pub(super) fn new(max: usize) -> Self {
        Self {
            idle: Vec::new(),
            open: 0,
            cap: max,
            max,
            lowered_at: None,
        }
    }

    /// Counts one more session, to be opened by the caller, when fewer
    /// than the cap are open, or when the cap is below the maximum and the
    /// token refused a session [`CAP_RETRY`] ago or earlier (the cap then
    /// grows by one). False when the caller must wait for a session to be
    /// given back.
    pub(super) fn reserve(&mut self, now: Instant) -> bool {
        if self.open < self.cap {
            self.open += 1;
            return true;
        }
        let retry = self
            .lowered_at
            .is_some_and(|at| now.saturating_duration_since(at) >= CAP_RETRY);
        if self.cap < self.max && retry {
            self.cap += 1;
            self.lowered_at = Some(now);
            self.open += 1;
            return true;
        }
        false
    }

    /// How long a caller that could not reserve a session may wait before
    /// the pool would ask the token for one more; `None` when it never
    /// will (then only a session given back helps).
    pub(super) fn retry_in(&self, now: Instant) -> Option<Duration> {
        if self.cap >= self.max {
            return None;
        }
        let at = self.lowered_at?;
        Some(CAP_RETRY.saturating_sub(now.saturating_duration_since(at)))
    }

    /// The token refused the session counted for it (`CKR_SESSION_COUNT`):
    /// it is not counted any more, and no more sessions than are open now
    /// will be until [`CAP_RETRY`] has passed. False when none is open, so
    /// that no session will come back to wait for (the cap is then left
    /// as it was: the refusal is the caller's error).
    pub(super) fn refused(&mut self, now: Instant) -> bool {
        self.open = self.open.saturating_sub(1);
        if self.open == 0 {
            return false;
        }
        self.cap = self.open;
        self.lowered_at = Some(now);
        true
    }

    /// One session fewer is open (closed, or its opening failed).
    pub(super) fn discard(&mut self) {
        self.open = self.open.saturating_sub(1);
    }

    #[cfg(test)]
    fn cap(&self) -> usize {
        self.cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_counted_up_to_the_cap() {
        let now = Instant::now();
        let mut pool: Pool<()> = Pool::new(3);
        assert!(pool.reserve(now) && pool.reserve(now) && pool.reserve(now));
        assert!(!pool.reserve(now));
        assert_eq!(pool.retry_in(now), None);
        pool.discard();
        assert!(pool.reserve(now));
        assert_eq!(pool.open, 3);
    }

    /// A refusal lowers the cap to the sessions open; one more is asked
    /// for only after CAP_RETRY, one at a time, up to the maximum.
    #[test]
    fn the_cap_lowered_by_a_refusal_grows_again_later() {
        let start = Instant::now();
        let mut pool: Pool<()> = Pool::new(4);
        assert!(pool.reserve(start) && pool.reserve(start) && pool.reserve(start));
        // The third is refused: two are open, and the cap is two.
        assert!(pool.refused(start));
        assert_eq!((pool.open, pool.cap()), (2, 2));
        assert!(!pool.reserve(start));
        let half = start + CAP_RETRY / 2;
        assert!(!pool.reserve(half));
        assert_eq!(pool.retry_in(half), Some(CAP_RETRY / 2));
        // CAP_RETRY later: one more, then none until CAP_RETRY again.
        let later = start + CAP_RETRY;
        assert_eq!(pool.retry_in(later), Some(Duration::ZERO));
        assert!(pool.reserve(later));
        assert_eq!((pool.open, pool.cap()), (3, 3));
        assert!(!pool.reserve(later));
        // Refused again: back to what is open.
        assert!(pool.refused(later));
        assert_eq!((pool.open, pool.cap()), (2, 2));
        // Granted twice, CAP_RETRY apart: up to the maximum, no further.
        let t1 = later + CAP_RETRY;
        assert!(pool.reserve(t1));
        let t2 = t1 + CAP_RETRY;
        assert!(pool.reserve(t2));
        assert_eq!((pool.open, pool.cap()), (4, 4));
        assert!(!pool.reserve(t2 + 10 * CAP_RETRY));
        assert_eq!(pool.retry_in(t2 + 10 * CAP_RETRY), None);
    }

    /// With none open, a refusal is the caller's error: nothing will come
    /// back to wait for, and the cap stays.
    #[test]
    fn a_refusal_with_none_open_is_not_waited_for() {
        let now = Instant::now();
        let mut pool: Pool<()> = Pool::new(4);
        assert!(pool.reserve(now));
        assert!(!pool.refused(now));
        assert_eq!((pool.open, pool.cap()), (0, 4));
        assert!(pool.reserve(now));
    }
}
