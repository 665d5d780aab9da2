// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Strict UTF-8 (RFC 3629, Table 3-7 of the Unicode standard): byte sequences written by hand.
@Suite struct UTF8CheckTests {
    static let validSequences: [[UInt8]] = [
        [],
        Array("plain ASCII, with \t tab".utf8),
        [0x00],
        [0x7F],
        [0xC2, 0x80],              // U+0080, the smallest 2-byte scalar
        [0xC3, 0xA9],              // é
        [0xDF, 0xBF],              // U+07FF
        [0xE0, 0xA0, 0x80],        // U+0800, the smallest 3-byte scalar
        [0xE2, 0x82, 0xAC],        // €
        [0xED, 0x9F, 0xBF],        // U+D7FF, just below the surrogates
        [0xEE, 0x80, 0x80],        // U+E000, just above them
        [0xEF, 0xBF, 0xBF],        // U+FFFF
        [0xF0, 0x90, 0x80, 0x80],  // U+10000, the smallest 4-byte scalar
        [0xF0, 0x9F, 0x98, 0x80],  // U+1F600
        [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF, the last scalar
        [0x61, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x7A],
    ]

    @Test(arguments: validSequences)
    func firstInvalidOffset_whenTextIsValid_isNil(bytes: [UInt8]) {
        #expect(UTF8Check.firstInvalidOffset(in: bytes) == nil)
        #expect(UTF8Check.isValid(bytes))
    }

    static let invalidSequences: [(bytes: [UInt8], offset: Int)] = [
        ([0xC0, 0x80], 0),                    // overlong U+0000
        ([0xC1, 0xBF], 0),                    // overlong U+007F
        ([0xE0, 0x80, 0x80], 0),              // overlong U+0000 in three bytes
        ([0xE0, 0x9F, 0xBF], 0),              // overlong U+07FF
        ([0xF0, 0x80, 0x80, 0x80], 0),        // overlong U+0000 in four bytes
        ([0xF0, 0x8F, 0xBF, 0xBF], 0),        // overlong U+FFFF
        ([0xED, 0xA0, 0x80], 0),              // U+D800, a surrogate
        ([0xED, 0xBF, 0xBF], 0),              // U+DFFF, a surrogate
        ([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], 0),  // a surrogate pair encoded as CESU-8
        ([0xF4, 0x90, 0x80, 0x80], 0),        // U+110000, past the last scalar
        ([0xF5, 0x80, 0x80, 0x80], 0),
        ([0xF8, 0x88, 0x80, 0x80, 0x80], 0),  // an old five-byte form
        ([0xFE], 0),
        ([0xFF], 0),
        ([0x80], 0),                          // a lone continuation byte
        ([0xBF, 0x41], 0),
        ([0xC3], 0),                          // truncated two-byte sequence
        ([0xE2, 0x82], 0),                    // truncated three-byte sequence
        ([0xF0, 0x9F, 0x98], 0),              // truncated four-byte sequence
        ([0xE2, 0x82, 0x41], 0),              // truncated, then ASCII
        ([0xC3, 0xC3, 0xA9], 0),              // a lead byte where a continuation belongs
        ([0x61, 0x62, 0xC0, 0x80], 2),
        ([0x61, 0xE2, 0x82], 1),
        ([0xC3, 0xA9, 0x80], 2),
        ([0xE2, 0x82, 0xAC, 0xF4, 0x90, 0x80, 0x80], 3),
    ]

    @Test(arguments: invalidSequences)
    func firstInvalidOffset_whenSequenceIsInvalid_pointsAtItsFirstByte(bytes: [UInt8], offset: Int) {
        #expect(UTF8Check.firstInvalidOffset(in: bytes) == offset)
        #expect(UTF8Check.isValid(bytes) == false)
    }

    @Test func firstInvalidOffset_inASlice_countsFromTheSliceStart() {
        let bytes: [UInt8] = [0xFF, 0x61, 0x62, 0xFF]

        let offset = UTF8Check.firstInvalidOffset(in: bytes[1...])

        #expect(offset == 2)
    }

    @Test func firstInvalidOffset_inASliceThatEndsMidSequence_reportsTheTruncation() {
        let bytes: [UInt8] = [0x61, 0xE2, 0x82, 0xAC]

        let offset = UTF8Check.firstInvalidOffset(in: bytes[0..<3])

        #expect(offset == 1)
    }

    @Test func firstInvalidOffset_afterAndBeforeASCIIRunsOfEveryLength_movesWithThePrefix() {
        // The sequences above behind 0 to 17 ASCII bytes and before 0 to 9: runs of ASCII are
        // skipped eight bytes at a time, so each sequence lands at every place of a word.
        for prefixLength in 0...17 {
            for suffixLength in 0...9 {
                let prefix = [UInt8](repeating: UInt8(ascii: "a"), count: prefixLength)
                let suffix = [UInt8](repeating: UInt8(ascii: "z"), count: suffixLength)
                for bytes in Self.validSequences {
                    let text = prefix + bytes + suffix
                    #expect(UTF8Check.firstInvalidOffset(in: text) == nil, "\(text)")
                }
                for (bytes, offset) in Self.invalidSequences {
                    let text = prefix + bytes + suffix
                    #expect(UTF8Check.firstInvalidOffset(in: text) == prefixLength + offset, "\(text)")
                }
            }
        }
    }

    @Test func firstInvalidOffset_ofBytesNotInOneBlockOfMemory_isFoundToo() {
        // A collection without contiguous storage, read byte by byte through a closure.
        let bytes: [UInt8] = Array("twelve bytes".utf8) + [0xE2, 0x82, 0xAC, 0xC0, 0x80]
        let indirect = (0..<bytes.count).lazy.map { bytes[$0] }

        #expect(UTF8Check.firstInvalidOffset(in: indirect) == 15)
        #expect(UTF8Check.firstInvalidOffset(in: indirect.prefix(15)) == nil)
    }
}
