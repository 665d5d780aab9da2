// SPDX-License-Identifier: Apache-2.0
import CLinux

/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected as 0x82F63B78), the checksum of every
/// journal record: with the processor's CRC-32C instruction where it has one (x86-64 with
/// SSE 4.2), otherwise eight bytes at a time through tables (slicing-by-8). Both give the same
/// checksum; the tests hold each to the standard's check values and to the bitwise definition.
package enum CRC32C {
    /// Whether the processor computes CRC-32C itself (asked once).
    static let hasHardware = oris_crc32c_hardware_available() != 0

    /// Eight tables of 256 entries, one after the other: entry `n` of table `k` is the checksum
    /// step of byte `n` followed by `k` zero bytes. One flat array, read through a pointer, so
    /// that the loop below makes no bounds checks.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 {
                c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1
            }
            tables[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = tables[(k - 1) * 256 + n]
                tables[k * 256 + n] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    package static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        if Self.hasHardware {
            return ~oris_crc32c_hardware(~crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        return Self.tableChecksum(bytes, continuing: crc)
    }

    /// ``checksum(_:continuing:)`` through the tables, whatever the processor.
    static func tableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard var next = bytes.baseAddress else { return crc }
        // Every record passes here. A pointer walks the bytes up to precomputed ends: an index
        // counted against the length cost two overflow checks per word, a seventh of the loop.
        let wordsEnd = next + (bytes.count & ~7)
        let end = next + bytes.count
        var c = ~crc
        self.tables.withUnsafeBufferPointer { buffer in
            // The tables are never empty.
            let t = buffer.baseAddress!
            while next < wordsEnd {
                let word = UInt64(littleEndian: next.loadUnaligned(as: UInt64.self))
                let low = c ^ UInt32(truncatingIfNeeded: word)
                let high = UInt32(truncatingIfNeeded: word >> 32)
                c = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                next += 8
            }
            while next < end {
                c = t[Int((c ^ UInt32(next.load(as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                next += 1
            }
        }
        return ~c
    }

    /// The checksum of an array of bytes.
    package static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { self.checksum($0, continuing: crc) }
    }
}
