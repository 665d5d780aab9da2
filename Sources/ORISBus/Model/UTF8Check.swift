// SPDX-License-Identifier: Apache-2.0

/// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
package enum UTF8Check {
    /// The offset of the first byte that starts an invalid sequence, or nil when all is valid.
    package static func firstInvalidOffset<C: Collection>(in bytes: C) -> Int?
    where C.Element == UInt8, C.Index == Int {
        if let offset = bytes.withContiguousStorageIfAvailable(Self.firstInvalidOffset(inBuffer:)) {
            return offset
        }
        return Array(bytes).withUnsafeBufferPointer(Self.firstInvalidOffset(inBuffer:))
    }

    /// ``firstInvalidOffset(in:)`` over bytes in memory: every header passes here, mostly ASCII,
    /// so runs of ASCII are skipped eight bytes at a time (no byte of the word has its top bit).
    private static func firstInvalidOffset(inBuffer bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = 0
        while i < end {
            if end - i >= 8,
               UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = base[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= end else { return i }
            let b1 = base[i + 1]
            guard b1 >= lower && b1 <= upper else { return i }
            var k = 2
            while k < length {
                let b = base[i + k]
                guard b >= 0x80 && b <= 0xBF else { return i }
                k += 1
            }
            i += length
        }
        return nil
    }

    /// Whether all the bytes are valid UTF-8.
    package static func isValid(_ bytes: [UInt8]) -> Bool {
        firstInvalidOffset(in: bytes) == nil
    }
}
