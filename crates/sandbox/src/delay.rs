//! The latency the simulators add to a call, kept to a fraction of a millisecond.
//!
//! tokio's timer rounds a sleep up to its next millisecond tick and its driver wakes later still: a 20 ms
//! `tokio::time::sleep` took 21.5 ms on average, so every simulated call was slower than the latency asked
//! for. Here one thread keeps the deadlines in order and sleeps on a condition variable until the earliest
//! (the kernel's high-resolution timers), then wakes the waiting calls.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, Once};
use std::time::Instant;

use tokio::sync::oneshot;

/// Waits until `deadline`, to within the kernel's timer slack (about 50 µs).
pub async fn wait_until(deadline: Instant) {
    if deadline <= Instant::now() {
        return;
    }
    let (done, waited) = oneshot::channel();
    delay_line().add(deadline, done);
    // The delay line never drops a waiter before its deadline.
    let _ = waited.await;
}

static DELAY_LINE: DelayLine = DelayLine {
    waiting: Mutex::new(BinaryHeap::new()),
    changed: Condvar::new(),
};

/// The delay line, its thread started on first use.
fn delay_line() -> &'static DelayLine {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        std::thread::Builder::new()
            .name("sandbox-delay".into())
            .spawn(|| DELAY_LINE.run())
            .expect("start the sandbox's delay thread");
    });
    &DELAY_LINE
}

struct DelayLine {
    waiting: Mutex<BinaryHeap<Reverse<Waiter>>>,
    changed: Condvar,
}

struct Waiter {
    deadline: Instant,
    done: oneshot::Sender<()>,
}

// Ordered by deadline alone, for the heap.
impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Waiter {}
impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Waiter {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.deadline.cmp(&other.deadline)
    }
}

impl DelayLine {
    fn add(&self, deadline: Instant, done: oneshot::Sender<()>) {
        let mut waiting = self.waiting.lock().expect("delay line lock");
        let earliest = waiting.peek().is_none_or(|Reverse(first)| deadline < first.deadline);
        waiting.push(Reverse(Waiter { deadline, done }));
        if earliest {
            self.changed.notify_one();
        }
    }

    fn run(&self) {
        let mut waiting = self.waiting.lock().expect("delay line lock");
        loop {
            let now = Instant::now();
            while waiting.peek().is_some_and(|Reverse(first)| first.deadline <= now) {
                let Reverse(due) = waiting.pop().expect("peeked");
                let _ = due.done.send(());
            }
            waiting = match waiting.peek() {
                None => self.changed.wait(waiting).expect("delay line lock"),
                Some(Reverse(first)) => {
                    let timeout = first.deadline - now;
                    self.changed.wait_timeout(waiting, timeout).expect("delay line lock").0
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waits_until_the_deadline_and_wakes_in_deadline_order() {
        let started = Instant::now();
        let (a, b) = tokio::join!(
            async {
                wait_until(started + Duration::from_millis(30)).await;
                Instant::now()
            },
            async {
                wait_until(started + Duration::from_millis(10)).await;
                Instant::now()
            }
        );
        assert!(b - started >= Duration::from_millis(10));
        assert!(a - started >= Duration::from_millis(30));
        assert!(b < a, "the shorter wait ends first");
    }
}
