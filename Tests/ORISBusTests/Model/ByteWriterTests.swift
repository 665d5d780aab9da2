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
}
