// SPDX-License-Identifier: Apache-2.0

/// A rate with a burst: `rate` tokens a second flow into a bucket of `capacity`; each accepted
/// item takes one.
package struct TokenBucket: Sendable, Equatable {
    package let rate: Double
    package let capacity: Double
    private var tokens: Double
    private var last: Int64

    /// A full bucket at `now` (milliseconds).
    package init(rate: Double, capacity: Int, now: Int64) {
        self.rate = rate
        self.capacity = Double(max(capacity, 1))
        self.tokens = self.capacity
        self.last = now
    }

    /// Takes a token if one is there.
    ///
    /// - Parameter now: the time in milliseconds; a clock that steps back adds nothing.
    /// - Returns: true when the item may pass.
    package mutating func take(now: Int64) -> Bool {
        if now > self.last {
            self.tokens = min(self.capacity, self.tokens + Double(now - self.last) * self.rate / 1000)
            self.last = now
        }
        guard self.tokens >= 1 else { return false }
        self.tokens -= 1
        return true
    }
}
