// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The compact writer: escapes, order, and agreement with the parser.
@Suite struct JSONWriterTests {
    @Test func string_whenTextHasAQuote_escapesItWithABackslash() {
        #expect(JSONWriter.string(.string("say \"hi\"")) == #""say \"hi\"""#)
    }

    @Test func string_whenTextHasABackslash_doublesIt() {
        #expect(JSONWriter.string(.string("C:\\dir")) == #""C:\\dir""#)
    }

    @Test func string_whenTextHasNewlineTabOrReturn_usesTheShortEscapes() {
        #expect(JSONWriter.string(.string("a\nb\tc\rd")) == #""a\nb\tc\rd""#)
    }

    @Test func string_whenTextHasOtherControlCharacters_writesUnicodeEscapes() {
        #expect(JSONWriter.string(.string("\u{0}\u{1}\u{1F}")) == #""\u0000\u0001\u001f""#)
    }

    @Test func encode_neverWritesARawControlByte() {
        let everyControl = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)

        let bytes = JSONWriter.encode(.string(everyControl))

        #expect(bytes.allSatisfy { $0 >= 0x20 })
    }

    @Test func string_whenTextIsNonASCII_writesItAsRawUTF8() {
        #expect(JSONWriter.encode(.string("é€")) == [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0x22])
    }

    @Test func string_whenTextHasASlash_leavesItAlone() {
        #expect(JSONWriter.string(.string("bfc/auto-rang3")) == #""bfc/auto-rang3""#)
    }

    @Test func string_whenValueIsAnObject_writesKeysInTheirOrderCompactly() {
        let object = JSONObject([("b", .int(1)), ("a", .array([.bool(true), .null])), ("c", .string("x"))])

        #expect(JSONWriter.string(.object(object)) == #"{"b":1,"a":[true,null],"c":"x"}"#)
    }

    @Test func string_whenValuesAreScalars_writesTheirJSONSpelling() {
        #expect(JSONWriter.string(.null) == "null")
        #expect(JSONWriter.string(.bool(false)) == "false")
        #expect(JSONWriter.string(.int(-9_223_372_036_854_775_808)) == "-9223372036854775808")
        #expect(JSONWriter.string(.array([])) == "[]")
        #expect(JSONWriter.string(.object(JSONObject())) == "{}")
    }

    static let roundTripValues: [JSONValue] = [
        .null,
        .bool(true),
        .int(0),
        .int(Int64.max),
        .int(Int64.min),
        .double(0.1),
        .double(-2.5e-10),
        .double(1e300),
        .double(12.0),
        .string(""),
        .string("quote \" backslash \\ slash / nul \u{0} bell \u{7} del \u{7F}"),
        .string("é € \u{1F600} \u{2028}"),
        .array([.int(1), .array([.array([])]), .object(JSONObject())]),
        .object(JSONObject([
            ("kind", .string("alert")),
            ("tags", .array([.string("a"), .string("b")])),
            ("x-nested", .object(JSONObject([("deep", .array([.double(1.5), .null]))]))),
        ])),
    ]

    @Test(arguments: roundTripValues)
    func parse_ofWrite_givesBackTheSameValue(value: JSONValue) throws {
        let parsed = try JSONParser.parse(JSONWriter.encode(value))

        #expect(parsed == value)
    }

    @Test func parse_ofWrite_keepsObjectKeyOrder() throws {
        let object = JSONObject([("z", .int(1)), ("a", .int(2)), ("m", .int(3))])

        let parsed = try JSONParser.parse(JSONWriter.encode(.object(object)))

        #expect(parsed.objectValue?.keys == ["z", "a", "m"])
    }
}
