// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Makes unique ids that sort by creation time: 26 characters of Crockford base32, the first
/// ten the millisecond timestamp, the rest random (the ULID layout).
///
/// Ids made in the same millisecond by one generator increase, so the order of ids follows the
/// order of creation.
package struct ItemIDGenerator: Sendable {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private var lastMilliseconds: Int64 = -1
    private var lastRandom: (UInt16, UInt64) = (0, 0)

    package init() {}

    /// A new id at the given time.
    package mutating func next(at time: Timestamp = .now()) -> String {
        if time.milliseconds <= self.lastMilliseconds {
            // Same millisecond (or a clock step back): keep the time, increment the random part.
            let (low, overflow) = self.lastRandom.1.addingReportingOverflow(1)
            self.lastRandom = (overflow ? self.lastRandom.0 &+ 1 : self.lastRandom.0, low)
        } else {
            self.lastMilliseconds = time.milliseconds
            var generator = SystemRandomNumberGenerator()
            self.lastRandom = (UInt16.random(in: 0...UInt16.max, using: &generator) & 0xFFFF, generator.next())
        }
        return Self.encode(milliseconds: self.lastMilliseconds, random: self.lastRandom)
    }

    /// The 26 characters of an id: the time, then 80 bits (16 high, 64 low).
    package static func encode(milliseconds: Int64, random: (UInt16, UInt64)) -> String {
        // Written straight into the string's storage: every publish without an id makes one.
        String(unsafeUninitializedCapacity: 26) { out in
            var time = UInt64(milliseconds)
            for i in stride(from: 9, through: 0, by: -1) {
                out[i] = alphabet[Int(time & 31)]
                time >>= 5
            }
            // 80 random bits: 16 high, 64 low, written as 16 base32 digits.
            var low = random.1
            var high = UInt64(random.0)
            for i in stride(from: 25, through: 10, by: -1) {
                out[i] = alphabet[Int(low & 31)]
                low = (low >> 5) | ((high & 31) << 59)
                high >>= 5
            }
            return 26
        }
    }
}
