// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// RFC 3339 reading and writing. Epoch values are worked out by hand: 2026-01-01 is day
/// 20454 since 1970 (56 years, 14 of them leap), and 4 December is day 337 of 2026.
@Suite struct TimestampTests {
    /// 2026-12-04T16:30:00.123Z: (20454 + 337) * 86400 + 16 * 3600 + 30 * 60 seconds, plus 123 ms.
    static let decemberFourth: Int64 = ((20454 + 337) * 86400 + 16 * 3600 + 30 * 60) * 1000 + 123

    static let validTexts: [(String, Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:01Z", 1000),
        // 30 years with 7 leap days.
        ("2000-01-01T00:00:00Z", (30 * 365 + 7) * 86400 * 1000),
        ("2026-12-04T16:30:00.123Z", decemberFourth),
        ("2026-12-04t16:30:00.123z", decemberFourth),
        ("2026-12-04T17:30:00.123+01:00", decemberFourth),
        ("2026-12-04T11:30:00.123-05:00", decemberFourth),
        ("2026-12-05T02:00:00.123+09:30", decemberFourth),
        ("2026-12-04T16:30:00.123+00:00", decemberFourth),
        ("2026-12-04T16:30:00.123-00:00", decemberFourth),
        ("2026-12-04T16:30:00.1Z", decemberFourth - 23),
        ("2026-12-04T16:30:00.12Z", decemberFourth - 3),
        ("2026-12-04T16:30:00.123456789Z", decemberFourth),
        ("2026-12-04T16:30:00.000Z", decemberFourth - 123),
        // 2024-02-29: 2024-01-01 is day 20454 - 366 - 365, then 31 + 28 days.
        ("2024-02-29T00:00:00Z", (20454 - 731 + 59) * 86400 * 1000),
        ("1969-12-31T23:59:59.999Z", -1),
    ]

    @Test(arguments: validTexts)
    func init_whenTextIsRFC3339_givesTheInstant(text: String, milliseconds: Int64) {
        #expect(Timestamp(rfc3339: text)?.milliseconds == milliseconds)
    }

    static let invalidTexts: [String] = [
        "",
        "2026-12-04",
        "2026-12-04T16:30:00",          // no offset
        "2026-12-04T16:30Z",            // no seconds
        "2026-12-04 16:30:00Z",
        "2026-12-04T16:30:00.Z",        // a dot with no digits
        "2026-12-04T16:30:00+0100",
        "2026-12-04T16:30:00+01",
        "2026-12-04T16:30:00+24:00",
        "2026-12-04T16:30:00+01:60",
        "2026-12-04T16:30:00Zjunk",
        "2026-12-04T16:30:00ZZ",
        "26-12-04T16:30:00Z",
        "2026-1-04T16:30:00Z",
        "2026/12/04T16:30:00Z",
        "2026-02-30T00:00:00Z",
        "2026-02-29T00:00:00Z",         // 2026 is not a leap year
        "2100-02-29T00:00:00Z",         // nor is 2100
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-12-04T24:00:00Z",
        "2026-12-04T23:60:00Z",
        "2026-12-04T23:59:61Z",
        "２026-12-04T16:30:00Z",
    ]

    @Test(arguments: invalidTexts)
    func init_whenTextIsNotAValidDateAndTime_isNil(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func init_whenTextIsRFC3339sOwnLeapSecondExample_acceptsBothSpellings() {
        // RFC 3339 section 5.8 gives these two as the same leap second; POSIX time folds it into
        // 1991-01-01T00:00:00Z, which is 21 years after 1970 with 5 leap days.
        let expected: Int64 = (21 * 365 + 5) * 86400 * 1000

        let utc = Timestamp(rfc3339: "1990-12-31T23:59:60Z")
        let pacific = Timestamp(rfc3339: "1990-12-31T15:59:60-08:00")

        #expect(utc?.milliseconds == expected)
        #expect(pacific?.milliseconds == expected)
    }

    @Test func description_writesUTCWithMilliseconds() {
        #expect(Timestamp(milliseconds: Self.decemberFourth).description == "2026-12-04T16:30:00.123Z")
        #expect(Timestamp(milliseconds: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 5).description == "1970-01-01T00:00:00.005Z")
        #expect(Timestamp(milliseconds: 946_684_800_000 - 1).description == "1999-12-31T23:59:59.999Z")
    }

    @Test func description_beforeTheEpoch_roundsTowardsThePast() {
        #expect(Timestamp(milliseconds: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(milliseconds: -1000).description == "1969-12-31T23:59:59.000Z")
    }

    @Test func init_ofDescription_givesBackTheSameInstant() {
        for milliseconds: Int64 in [0, 1, 999, 1_709_164_800_000, Self.decemberFourth, -1, -86_400_001] {
            let stamp = Timestamp(milliseconds: milliseconds)

            #expect(Timestamp(rfc3339: stamp.description) == stamp)
        }
    }

    @Test func description_agreesWithGmtimeOverTheWholeFourDigitRange() {
        // The day arithmetic against the C library: the ends of the range, leap days and
        // century years, then a fixed-seed spread over years 0 to 9999.
        var instants: [Int64] = [
            Timestamp.firstSecondOfYear0 * 1000, Timestamp.firstSecondOfYear10000 * 1000 - 1,
            Timestamp.firstSecondOfYear0 * 1000 - 1, Timestamp.firstSecondOfYear10000 * 1000,
            951_782_400_000, 951_868_799_999, 4_107_542_400_000, 4_107_628_800_000, -1, 0, 86_399_999,
        ]
        var state: UInt64 = 7
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let span = UInt64(Timestamp.firstSecondOfYear10000 - Timestamp.firstSecondOfYear0) * 1000
            instants.append(Timestamp.firstSecondOfYear0 * 1000 + Int64((state >> 1) % span))
        }

        for milliseconds in instants {
            let stamp = Timestamp(milliseconds: milliseconds)
            var fast = [UInt8]()
            var reference = [UInt8]()
            stamp.write(into: &fast)
            stamp.writeWholeYears(into: &reference)

            #expect(fast == reference, "at \(milliseconds) ms")
        }
    }

    @Test func comparison_ordersByInstant() {
        let earlier = Timestamp(rfc3339: "2026-12-04T17:00:00+02:00")
        let later = Timestamp(rfc3339: "2026-12-04T16:00:00Z")

        #expect(earlier != nil && later != nil)
        if let earlier, let later {
            #expect(earlier < later)
        }
    }

    @Test func now_isAfterTheDayThisTestWasWritten() {
        let written = Timestamp(rfc3339: "2025-01-01T00:00:00Z")

        #expect(written.map { Timestamp.now() > $0 } == true)
    }
}
