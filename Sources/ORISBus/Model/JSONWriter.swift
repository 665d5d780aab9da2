// SPDX-License-Identifier: Apache-2.0

/// Writes a ``JSONValue`` compactly, keys in their order, non-ASCII text as UTF-8.
package enum JSONWriter {
    /// The compact UTF-8 encoding of a value.
    package static func encode(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The compact encoding as a string.
    package static func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Appends the compact encoding of `value`.
    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): writeInteger(i, into: &out)
        case .double(let d): out.append(contentsOf: String(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (n, pair) in object.pairs.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(pair.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(pair.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends an integer in decimal, as `String(value)` writes it, without making the string.
    static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        self.withDecimal(value) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the decimal text of `value`, sign included, made in a fixed buffer.
    static func withDecimal<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var rest = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        // At most 19 digits and a sign; gathered backwards in a fixed buffer, read forwards.
        return withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            if value < 0 {
                buffer[23 - count] = UInt8(ascii: "-")
                count += 1
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
        }
    }

    /// Appends `s` as a JSON string.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy their contiguous UTF-8 whole.
        var text = s
        let copied = text.withUTF8 { bytes -> Bool in
            guard !Self.needsEscape(bytes) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `utf8` holds a byte that ``writeString(_:into:)`` escapes: a control character, a
    /// double quote or a backslash.
    ///
    /// Every string of a stamped header passes here, most of them a few bytes long: the bytes are
    /// tested eight at a time in a 64-bit word (see ``escapeFlags(_:)``) rather than one by one.
    /// A string of 8 bytes or more is read as whole words, the last one overlapping the one
    /// before it; a shorter one as two overlapping 4-byte halves, or, under 4 bytes, as its
    /// first, middle and last bytes with spaces in the other lanes.
    static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress, !utf8.isEmpty else { return false }
        let bytes = UnsafeRawPointer(base)
        let count = utf8.count
        if count < 4 {
            let spaces: UInt64 = 0x2020_2020_2000_0000
            let word = spaces | UInt64(base[0]) | UInt64(base[count / 2]) << 8 | UInt64(base[count - 1]) << 16
            return Self.escapeFlags(word) != 0
        }
        if count < 8 {
            let low = UInt64(bytes.loadUnaligned(as: UInt32.self))
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return Self.escapeFlags(low | high << 32) != 0
        }
        // No early exit: strings that need an escape are rare.
        var flags: UInt64 = 0
        var offset = 0
        while offset < count - 8 {
            flags |= Self.escapeFlags(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        flags |= Self.escapeFlags(bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        return flags != 0
    }

    /// Not zero when one of the eight bytes in `word` is below 0x20, a double quote (0x22) or a
    /// backslash (0x5C); zero otherwise.
    ///
    /// The classic tests for a byte below `n` and for a zero byte, all lanes at once: subtracting
    /// `n` from each lane borrows into its top bit only when the lane was below `n` (a lane of
    /// 0x80 or more, whose top bit is already set, is masked out by `~word`). A borrow can spill
    /// into the next lane and set a bit there too, but only after a lane that really matched,
    /// so whether the result is zero is exact.
    @inline(__always)
    private static func escapeFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let control = (word &- 0x20 &* ones) & ~word
        let quote = word ^ (0x22 &* ones)
        let backslash = word ^ (0x5C &* ones)
        return (control | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & (0x80 &* ones)
    }
}
