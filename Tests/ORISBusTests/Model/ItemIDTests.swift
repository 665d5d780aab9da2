// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Sortable ids: 26 Crockford base32 digits, ten of time then sixteen of randomness (ULID).
@Suite struct ItemIDTests {
    /// Crockford's alphabet, written out from its definition: digits, then letters without I, L, O, U.
    static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Decodes base32 digits, most significant first.
    private static func decode(_ digits: Substring) -> Int64? {
        var value: Int64 = 0
        for character in digits {
            guard let digit = crockford.firstIndex(of: character) else { return nil }
            value = value * 32 + Int64(digit)
        }
        return value
    }

    private static let someTime = Timestamp(milliseconds: 1_796_401_800_123)

    @Test func next_makesTwentySixCrockfordDigits() {
        var generator = ItemIDGenerator()

        let id = generator.next(at: Self.someTime)

        #expect(id.count == 26)
        #expect(id.allSatisfy { Self.crockford.contains($0) })
    }

    @Test func next_encodesTheTimeInTheFirstTenDigits() {
        var generator = ItemIDGenerator()

        let id = generator.next(at: Self.someTime)

        #expect(Self.decode(id.prefix(10)) == Self.someTime.milliseconds)
    }

    @Test func next_atTheEpochAndJustAfter_startsWithTheExpectedDigits() {
        var generator = ItemIDGenerator()

        let epoch = generator.next(at: Timestamp(milliseconds: 0))
        let one = generator.next(at: Timestamp(milliseconds: 1))
        let thirtyTwo = generator.next(at: Timestamp(milliseconds: 32))

        #expect(epoch.prefix(10) == "0000000000")
        #expect(one.prefix(10) == "0000000001")
        #expect(thirtyTwo.prefix(10) == "0000000010")
    }

    @Test func next_withinOneMillisecond_isStrictlyIncreasing() {
        var generator = ItemIDGenerator()
        var previous = generator.next(at: Self.someTime)

        for _ in 0..<2000 {
            let id = generator.next(at: Self.someTime)

            #expect(id > previous)
            #expect(id.prefix(10) == previous.prefix(10))
            previous = id
        }
    }

    @Test func next_whenTheClockStepsBack_stillIncreases() {
        var generator = ItemIDGenerator()
        let first = generator.next(at: Self.someTime)

        let second = generator.next(at: Timestamp(milliseconds: Self.someTime.milliseconds - 5000))

        #expect(second > first)
    }

    @Test func next_atALaterMillisecond_sortsAfterEveryEarlierID() {
        var generator = ItemIDGenerator()
        var earlier = [String]()
        for _ in 0..<50 {
            earlier.append(generator.next(at: Self.someTime))
        }

        let later = generator.next(at: Timestamp(milliseconds: Self.someTime.milliseconds + 1))

        #expect(earlier.allSatisfy { $0 < later })
        #expect(Self.decode(later.prefix(10)) == Self.someTime.milliseconds + 1)
    }

    @Test func next_fromTwoGeneratorsInOneMillisecond_givesDifferentIDs() {
        var first = ItemIDGenerator()
        var second = ItemIDGenerator()

        let a = first.next(at: Self.someTime)
        let b = second.next(at: Self.someTime)

        #expect(a != b)
    }

    @Test func next_withoutATime_usesTheCurrentTime() {
        var generator = ItemIDGenerator()
        let before = Timestamp.now().milliseconds

        let id = generator.next()
        let after = Timestamp.now().milliseconds

        let stamped = Self.decode(id.prefix(10)) ?? -1
        #expect(stamped >= before)
        #expect(stamped <= after)
    }

    @Test func next_makesValidItemIDs() {
        var generator = ItemIDGenerator()

        #expect(Identifier.isValidItemID(generator.next(at: Self.someTime)))
    }

    @Test func encode_ofTheExtremes_givesTheULIDBounds() {
        #expect(ItemIDGenerator.encode(milliseconds: 0, random: (0, 0)) == "00000000000000000000000000")
        #expect(ItemIDGenerator.encode(milliseconds: (1 << 48) - 1, random: (.max, .max))
                == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        // The bits on either side of the 64-bit boundary, and where the low 60 bits end.
        #expect(ItemIDGenerator.encode(milliseconds: 0, random: (1, 0xF000_0000_0000_0000))
                == "0000000000000Z000000000000")
        #expect(ItemIDGenerator.encode(milliseconds: 0, random: (0x8000, 0x0800_0000_0000_0001))
                == "0000000000G000G00000000001")
    }

    @Test func encode_ofRandomBits_decodesBackToThem() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let high = UInt16.random(in: 0...UInt16.max, using: &generator)
            let low = generator.next() as UInt64
            let milliseconds = Int64.random(in: 0..<(1 << 48), using: &generator)

            let id = ItemIDGenerator.encode(milliseconds: milliseconds, random: (high, low))

            // 80 bits in 16 digits, most significant first: the top 20 bits, then the low 60.
            let top = Self.decode(id.dropFirst(10).prefix(4)) ?? -1
            let rest = Self.decode(id.suffix(12)) ?? -1
            #expect(Self.decode(id.prefix(10)) == milliseconds)
            #expect(top == Int64(high) << 4 | Int64(low >> 60))
            #expect(rest == Int64(low & 0x0FFF_FFFF_FFFF_FFFF))
        }
    }
}
