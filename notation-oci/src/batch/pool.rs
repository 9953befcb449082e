//! A bounded pool of scoped std threads that works through a list in input
//! order, one item per thread at a time, and hands each result to the
//! caller's thread as it completes.
//!
//! Items may name *discovery keys* (a registry, a repository): what the
//! first item of a key learns (whether the repository has the referrers API,
//! a token for the repository, the authentication scheme) saves requests
//! for every later item of that key. While an item is discovering a key,
//! the other items of that key wait and threads take later items of other
//! keys instead, so concurrency never makes an item pay for a discovery
//! that another item is already making.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyState {
    Discovering,
    Known,
}

struct Queue {
    /// Items not looked at yet start here; every one before is taken or
    /// parked.
    scan: usize,
    /// Items not taken.
    remaining: usize,
    keys: HashMap<String, KeyState>,
    /// Items put aside while a key of theirs is being discovered, by key.
    parked: HashMap<String, Vec<usize>>,
    /// Parked items whose key is known since, lowest index first.
    ready: BinaryHeap<Reverse<usize>>,
}

struct Scheduler<'k> {
    queue: Mutex<Queue>,
    changed: Condvar,
    keys: &'k [Vec<String>],
}

impl Scheduler<'_> {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next item this thread may work on, with the keys it discovers;
    /// `None` when every item is taken. The lowest open item is taken whose
    /// keys no thread is discovering; an item one is discovering is parked
    /// under that key until it is known, so that no item is looked at
    /// again and again while it waits (a batch may hold 100,000 items).
    fn next(&self) -> Option<(usize, Vec<String>)> {
        let mut queue = self.lock();
        loop {
            if queue.remaining == 0 {
                return None;
            }
            // A ready item was looked at before the scan went past it: it
            // comes first in input order.
            let index = if let Some(Reverse(ready)) = queue.ready.pop() {
                ready
            } else if queue.scan < self.keys.len() {
                queue.scan += 1;
                queue.scan - 1
            } else {
                // Every open item waits on a key another thread is
                // discovering.
                queue = self
                    .changed
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            let keys = &self.keys[index];
            if let Some(busy) = keys
                .iter()
                .find(|k| queue.keys.get(*k) == Some(&KeyState::Discovering))
            {
                queue.parked.entry(busy.clone()).or_default().push(index);
                continue;
            }
            let discovering: Vec<String> = keys
                .iter()
                .filter(|k| !queue.keys.contains_key(*k))
                .cloned()
                .collect();
            for key in &discovering {
                queue.keys.insert(key.clone(), KeyState::Discovering);
            }
            queue.remaining -= 1;
            return Some((index, discovering));
        }
    }

    fn release(&self, discovered: &[String]) {
        if discovered.is_empty() {
            return;
        }
        let mut queue = self.lock();
        for key in discovered {
            queue.keys.insert(key.clone(), KeyState::Known);
            if let Some(items) = queue.parked.remove(key) {
                queue.ready.extend(items.into_iter().map(Reverse));
            }
        }
        drop(queue);
        self.changed.notify_all();
    }
}

/// Releases an item's keys when its work ends, even by a panic (the
/// threads waiting on them would otherwise wait forever).
struct Release<'s, 'k> {
    scheduler: &'s Scheduler<'k>,
    keys: Vec<String>,
}

impl Drop for Release<'_, '_> {
    fn drop(&mut self) {
        self.scheduler.release(&self.keys);
    }
}

/// Runs `work` on every item with at most `concurrency` threads (at least
/// one), items taken in input order except where a discovery key holds one
/// back; `keys[i]` are item `i`'s discovery keys. `on_result` runs on the
/// calling thread as each result arrives (in completion order); the
/// results are returned in input order.
pub(super) fn run<T, R>(
    items: &[T],
    keys: &[Vec<String>],
    concurrency: usize,
    work: impl Fn(&T) -> R + Sync,
    mut on_result: impl FnMut(usize, &R),
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    assert_eq!(items.len(), keys.len(), "one key list per item");
    let scheduler = Scheduler {
        queue: Mutex::new(Queue {
            scan: 0,
            remaining: items.len(),
            keys: HashMap::new(),
            parked: HashMap::new(),
            ready: BinaryHeap::new(),
        }),
        changed: Condvar::new(),
        keys,
    };
    let threads = concurrency.clamp(1, items.len().max(1));
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, R)>();
        for _ in 0..threads {
            let sender = sender.clone();
            let (scheduler, work) = (&scheduler, &work);
            scope.spawn(move || {
                while let Some((index, discovering)) = scheduler.next() {
                    let _release = Release {
                        scheduler,
                        keys: discovering,
                    };
                    let result = work(&items[index]);
                    if sender.send((index, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        for (index, result) in receiver {
            on_result(index, &result);
            results[index] = Some(result);
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was worked on"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn results_come_back_in_input_order_with_bounded_threads() {
        let items: Vec<usize> = (0..50).collect();
        let keys = vec![Vec::new(); items.len()];
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let results = run(
            &items,
            &keys,
            4,
            |&i| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                // Later items finish first.
                std::thread::sleep(Duration::from_micros(((50 - i) * 50) as u64));
                running.fetch_sub(1, Ordering::SeqCst);
                i * 2
            },
            |index, result| seen.push((index, *result)),
        );
        assert_eq!(results, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(seen.len(), 50);
        assert!(peak.load(Ordering::SeqCst) <= 4);
        assert!(peak.load(Ordering::SeqCst) > 1, "ran concurrently");
        assert!(run(&[] as &[usize], &[], 8, |&i| i, |_, _| ()).is_empty());
    }

    /// While one item discovers a key that 30,000 others share, 30,000
    /// items without it all run: each waiting item is parked once, not
    /// looked at again by every thread taking work (which took seconds
    /// per 10,000 items).
    #[test]
    fn waiting_items_are_parked_not_rescanned() {
        let n = 60_000;
        let items: Vec<usize> = (0..n).collect();
        let keys: Vec<Vec<String>> = (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    vec!["a".to_string()]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let others_done = AtomicUsize::new(0);
        let seen_while_discovering = AtomicUsize::new(0);
        run(
            &items,
            &keys,
            4,
            |&i| {
                if i == 0 {
                    let deadline = std::time::Instant::now() + Duration::from_secs(120);
                    while others_done.load(Ordering::SeqCst) < n / 2
                        && std::time::Instant::now() < deadline
                    {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    seen_while_discovering
                        .store(others_done.load(Ordering::SeqCst), Ordering::SeqCst);
                } else if i % 2 == 1 {
                    others_done.fetch_add(1, Ordering::SeqCst);
                }
            },
            |_, _| (),
        );
        assert_eq!(seen_while_discovering.load(Ordering::SeqCst), n / 2);
    }

    #[test]
    fn an_item_waits_while_its_key_is_being_discovered() {
        // Items 0-3 share key "a"; item 4 has "b". Item 0 discovers "a":
        // until it is done no other "a" item starts, while "b" may.
        let items: Vec<usize> = (0..5).collect();
        let keys: Vec<Vec<String>> = (0..5)
            .map(|i| vec![if i < 4 { "a" } else { "b" }.to_string()])
            .collect();
        let first_done = AtomicUsize::new(0);
        let order = Mutex::new(Vec::new());
        run(
            &items,
            &keys,
            4,
            |&i| {
                if i == 0 {
                    std::thread::sleep(Duration::from_millis(50));
                    first_done.store(1, Ordering::SeqCst);
                } else if i < 4 {
                    assert_eq!(first_done.load(Ordering::SeqCst), 1, "item {i} ran early");
                }
                order.lock().unwrap().push(i);
            },
            |_, _| (),
        );
        let order = order.into_inner().unwrap();
        assert_eq!(order.len(), 5);
        let pos = |i| order.iter().position(|&x| x == i).unwrap();
        assert!(pos(4) < pos(1), "the other key went ahead: {order:?}");
    }

    #[test]
    fn a_panicking_item_releases_its_keys() {
        let items = [0usize, 1];
        let keys = vec![vec!["k".to_string()]; 2];
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(
                &items,
                &keys,
                2,
                |&i| {
                    if i == 0 {
                        panic!("boom");
                    }
                    i
                },
                |_, _| (),
            )
        }));
        assert!(
            outcome.is_err(),
            "the panic reaches the caller, nothing hangs"
        );
    }
}
