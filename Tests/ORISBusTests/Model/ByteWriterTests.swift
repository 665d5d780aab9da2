// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The pointer writer behind the stamped header: the same bytes as the general JSON writer,
/// within the size it promises.
@Suite struct ByteWriterTests {
    static func written(size: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var w = ByteWriter(buffer)
            body(&w)
            initialized = w.count
        }
    }

    @Test(arguments: ["", "plain", "Tïtle", "\"quoted\"", "back\\slash", "line\nfeed\ttab\r", "\u{1}\u{1F}",
                      String(repeating: "\u{0}", count: 40)])
    func string_writesWhatJSONWriterWrites_withinItsBound(text: String) {
        var expected = [UInt8]()
        JSONWriter.writeString(text, into: &expected)

        let bytes = Self.written(size: ByteWriter.bound(ofString: text)) { $0.string(text) }

        #expect(bytes == expected)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, 1_796_401_800_123, Int64.max])
    func integer_writesWhatJSONWriterWrites(value: Int64) {
        var expected = [UInt8]()
        JSONWriter.writeInteger(value, into: &expected)

        let bytes = Self.written(size: 20) { $0.integer(value) }

        #expect(bytes == expected)
        #expect(bytes == Array(String(value).utf8))
    }

    @Test func pieces_followOneAnother() {
        let bytes = Self.written(size: 32) { w in
            w.literal("{\"a\":")
            w.byte(UInt8(ascii: "["))
            w.bytes([0x31, 0x32])
            w.byte(UInt8(ascii: "]"))
            w.bytes([])
            w.byte(UInt8(ascii: "}"))
        }

        #expect(String(decoding: bytes, as: UTF8.self) == "{\"a\":[12]}")
    }

    /// JSON string escaping as both writers promise it, one byte at a time: a quote and a
    /// backslash get a backslash, LF, CR and tab their letter, other controls `\u00xx` in lower
    /// case; everything else, non-ASCII included, is copied.
    static func reference(_ text: String) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C: out += [0x5C, byte]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        return out + [0x22]
    }

    @Test func string_ofEveryByteAtEveryPlaceOfShortAndLongStrings_writesTheReferenceEscapes() {
        // Every control character and its neighbours, the two escaped printable bytes, and
        // non-ASCII text, at each place of strings around the lengths where the check of
        // plain bytes changes its stride (small strings are stored inline up to 15 bytes).
        let pieces = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
            + ["\"", "\\", " ", "!", "#", "[", "]", "\u{7F}", "é", "€", "😀", "\u{85}", "\u{2028}", "\u{2029}"]
        for length in [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 40, 64, 65, 100] {
            for place in 0..<length {
                for piece in pieces {
                    let text = String(repeating: "a", count: place) + piece
                        + String(repeating: "z", count: length - place - 1)
                    var general = [UInt8]()
                    JSONWriter.writeString(text, into: &general)

                    let bytes = Self.written(size: ByteWriter.bound(ofString: text)) { $0.string(text) }

                    let expected = Self.reference(text)
                    guard bytes == expected, general == expected else {
                        Issue.record("\(Array(text.utf8)) written as \(bytes) and \(general), not \(expected)")
                        return
                    }
                }
            }
        }
    }
}
