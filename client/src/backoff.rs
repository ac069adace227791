//! The back-off policy of every retry loop that talks to a node or a source: start short, double
//! after each failure up to a ceiling, start short again after a success.

use std::time::Duration;

/// Exponential back-off between retries.
#[derive(Clone, Debug)]
pub struct Backoff {
	max: Duration,
	next: Duration,
}

impl Backoff {
	/// The first wait after a failure.
	pub const FIRST: Duration = Duration::from_millis(250);

	/// Waits from [`Backoff::FIRST`], doubling, never above `max` (nor below the first wait).
	pub fn new(max: Duration) -> Self {
		let max = max.max(Self::FIRST);
		Backoff { max, next: Self::FIRST }
	}

	/// After a failure: how long to wait before the next try (each call doubles the next one).
	pub fn failed(&mut self) -> Duration {
		let wait = self.next;
		self.next = (self.next * 2).min(self.max);
		wait
	}

	/// After a success: the next failure waits the first wait again.
	pub fn succeeded(&mut self) {
		self.next = Self::FIRST;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn waits_double_up_to_the_ceiling_and_start_over_after_a_success() {
		let mut b = Backoff::new(Duration::from_secs(1));
		let waits: Vec<u64> = (0..5).map(|_| b.failed().as_millis() as u64).collect();
		assert_eq!(waits, [250, 500, 1000, 1000, 1000]);
		b.succeeded();
		assert_eq!(b.failed(), Duration::from_millis(250));
		// A ceiling below the first wait is the first wait.
		let mut tight = Backoff::new(Duration::from_millis(10));
		assert_eq!((tight.failed(), tight.failed()), (Backoff::FIRST, Backoff::FIRST));
	}
}
