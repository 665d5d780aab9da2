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
    /// Crockford's digits, read through a pointer to constant bytes: no array to reach through
    /// a lazily made global, no bounds check per digit.
    private static var alphabet: StaticString { "0123456789ABCDEFGHJKMNPQRSTVWXYZ" }
    private var lastMilliseconds: Int64 = -1
    private var lastRandom: (UInt16, UInt64) = (0, 0)

    /// The random part of the first id made in a millisecond (given that millisecond).
    private let draw: @Sendable (Int64) -> (UInt16, UInt64)

    package init() {
        self.draw = { _ in
            var generator = SystemRandomNumberGenerator()
            return (UInt16.random(in: 0...UInt16.max, using: &generator), generator.next())
        }
    }

    /// A generator whose random parts come from `draw`: tests make two generators give the same
    /// ids.
    init(draw: @escaping @Sendable (Int64) -> (UInt16, UInt64)) {
        self.draw = draw
    }

    /// A new id at the given time.
    package mutating func next(at time: Timestamp = .now()) -> String {
        String(unsafeUninitializedCapacity: Self.length) { buffer in
            // The capacity asked for is not zero, so the buffer has an address.
            self.next(at: time, into: buffer.baseAddress!)
            return Self.length
        }
    }

    /// The characters of an id.
    package static let length = 26

    /// ``next(at:)`` written at `out`, ``length`` bytes, with no string made.
    mutating func next(at time: Timestamp, into out: UnsafeMutablePointer<UInt8>) {
        if time.milliseconds <= self.lastMilliseconds {
            // Same millisecond (or a clock step back): keep the time, increment the random part.
            let (low, overflow) = self.lastRandom.1.addingReportingOverflow(1)
            self.lastRandom = (overflow ? self.lastRandom.0 &+ 1 : self.lastRandom.0, low)
        } else {
            self.lastMilliseconds = time.milliseconds
            self.lastRandom = self.draw(time.milliseconds)
        }
        Self.write(milliseconds: self.lastMilliseconds, random: self.lastRandom, into: out)
    }

    /// The 26 characters of an id: the time, then 80 bits (16 high, 64 low).
    package static func encode(milliseconds: Int64, random: (UInt16, UInt64)) -> String {
        // Written straight into the string's storage: every publish without an id makes one.
        String(unsafeUninitializedCapacity: Self.length) { buffer in
            // The capacity asked for is not zero, so the buffer has an address.
            Self.write(milliseconds: milliseconds, random: random, into: buffer.baseAddress!)
            return Self.length
        }
    }

    private static func write(milliseconds: Int64, random: (UInt16, UInt64), into out: UnsafeMutablePointer<UInt8>) {
        Self.write(UInt64(milliseconds), digits: 10, endingAt: 10, into: out)
        // The 80 random bits as 4 digits of their top 20 bits, then 12 of their low 60.
        Self.write(UInt64(random.0) << 4 | random.1 >> 60, digits: 4, endingAt: 14, into: out)
        Self.write(random.1, digits: 12, endingAt: 26, into: out)
    }

    /// Writes the low `count` base32 digits of `value` into `out`, the last one at `end - 1`.
    @inline(__always)
    private static func write(
        _ value: UInt64,
        digits count: Int,
        endingAt end: Int,
        into out: UnsafeMutablePointer<UInt8>
    ) {
        let alphabet = Self.alphabet.utf8Start
        var value = value
        var i = end
        while i > end - count {
            i -= 1
            out[i] = alphabet[Int(value & 31)]
            value >>= 5
        }
    }
}
