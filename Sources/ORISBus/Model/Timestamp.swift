// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A moment as milliseconds since the Unix epoch, read and written as RFC 3339.
package struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    package var milliseconds: Int64

    package init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// The current time from the system's real-time clock.
    package static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// RFC 3339 in UTC with milliseconds: `2026-12-04T16:30:00.123Z`.
    package var description: String {
        var out = [UInt8]()
        self.write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``description``'s bytes straight to a frame being written: every delivered header
    /// carries one, so no intermediate strings are made.
    package func write(into out: inout [UInt8]) {
        self.withText { out.append(contentsOf: $0) }
    }

    /// Calls `body` with ``description``'s bytes, made in a fixed buffer for years 0 to 9999.
    package func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let seconds = self.milliseconds.floorDiv(1000)
        guard seconds >= Self.firstSecondOfYear0, seconds < Self.firstSecondOfYear10000 else {
            var out = [UInt8]()
            self.writeWholeYears(into: &out)
            return out.withUnsafeBytes(body)
        }
        // The date is worked out from the day count here: `gmtime_r` and a digit loop cost about
        // ten times as much, and every delivery writes one.
        let days = seconds.floorDiv(86400)
        let secondOfDay = Int(seconds - days * 86400)
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        let millis = Int(self.milliseconds - seconds * 1000)
        // `YYYY-MM-DDTHH:MM:SS.mmmZ`: 24 bytes.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &text) { buffer in
            var at = 0
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            func two(_ value: Int) {
                put(UInt8(truncatingIfNeeded: 0x30 + value / 10))
                put(UInt8(truncatingIfNeeded: 0x30 + value % 10))
            }
            two(year / 100)
            two(year % 100)
            put(UInt8(ascii: "-"))
            two(month)
            put(UInt8(ascii: "-"))
            two(day)
            put(UInt8(ascii: "T"))
            two(secondOfDay / 3600)
            put(UInt8(ascii: ":"))
            two(secondOfDay / 60 % 60)
            put(UInt8(ascii: ":"))
            two(secondOfDay % 60)
            put(UInt8(ascii: "."))
            put(UInt8(truncatingIfNeeded: 0x30 + millis / 100))
            two(millis % 100)
            put(UInt8(ascii: "Z"))
            return body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since the epoch: between them
    /// a year has four digits.
    static let firstSecondOfYear0: Int64 = -62_167_219_200
    static let firstSecondOfYear10000: Int64 = 253_402_300_800

    /// The proleptic Gregorian year, month (1–12) and day (1–31) of a day counted from
    /// 1970-01-01.
    ///
    /// Years are counted from 1 March, so that the leap day ends a year, in eras of 400 years
    /// (146,097 days), within which leap years follow the 4, 100 and 400 rules exactly.
    static func civilDate(daysSince1970: Int64) -> (year: Int, month: Int, day: Int) {
        // 719,468 days from 0000-03-01 to 1970-01-01.
        let shifted = daysSince1970 + 719_468
        let era = shifted.floorDiv(146_097)
        let dayOfEra = Int(shifted - era * 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        // Months from March, each five months 153 days long.
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = Int(era) * 400 + yearOfEra + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// ``write(into:)`` for any year, through `gmtime_r`: years past 9999 or before 0 are
    /// written whole, zero-padded on the left.
    func writeWholeYears(into out: inout [UInt8]) {
        var seconds = time_t(self.milliseconds.floorDiv(1000))
        let millis = Int(self.milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            guard value >= 0, value < divisor * 10 else {
                let text = String(value)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - text.utf8.count)))
                out.append(contentsOf: text.utf8)
                return
            }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "."))
        digits(millis, 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// Reads RFC 3339 (`YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`).
    ///
    /// CAP's own form (`2026-12-04T16:30:00+01:00`) is a case of it. Nil when the text is not a
    /// complete, valid date and time.
    package init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20,
              let year = number(0, 4), b[4] == UInt8(ascii: "-"),
              let month = number(5, 2), b[7] == UInt8(ascii: "-"),
              let day = number(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = number(14, 2), b[16] == UInt8(ascii: ":"),
              let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var millis = 0
        if index < b.count && b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count && b[index] >= 0x30 && b[index] <= 0x39 {
                if digits < 3 { millis = millis * 10 + Int(b[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard index < b.count else { return nil }
        var offsetMinutes = 0
        if b[index] == UInt8(ascii: "Z") || b[index] == UInt8(ascii: "z") {
            index += 1
        } else if b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-") {
            guard let oh = number(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                  let om = number(index + 4, 2), oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        // A leap second (:60) is the instant after :59; timegm is given :59 and one second added.
        parts.tm_sec = Int32(min(second, 59))
        let seconds = Int64(timegm(&parts)) + (second == 60 ? 1 : 0)
        // timegm normalises 31 February into March; refuse dates that do not exist.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        self.milliseconds = (seconds - Int64(offsetMinutes) * 60) * 1000 + Int64(millis)
    }
}

extension Int64 {
    /// Division rounding towards minus infinity.
    fileprivate func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
