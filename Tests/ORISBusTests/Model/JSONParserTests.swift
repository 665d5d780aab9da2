// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The strict RFC 8259 reader. Every expected value below is read off the RFC's grammar.
@Suite struct JSONParserTests {
    /// The reason a document is refused, or nil when it parses.
    private static func reason(_ text: String) -> JSONParseError.Reason? {
        reason(Array(text.utf8))
    }

    private static func reason(_ bytes: [UInt8]) -> JSONParseError.Reason? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    private static func isSyntaxError(_ reason: JSONParseError.Reason?) -> Bool {
        if case .syntax = reason { return true }
        return false
    }

    private static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    // MARK: - Valid documents

    static let validDocuments: [(String, JSONValue)] = [
        ("0", .int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+3", .double(1000)),
        ("2.5e-3", .double(0.0025)),
        ("0e0", .double(0)),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        ("\"\"", .string("")),
        ("\"plain\"", .string("plain")),
        ("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", .string("\" \\ / \u{8} \u{C} \n \r \t")),
        ("\"\\u00e9\\u00E9\"", .string("éé")),
        ("\"\\u20ac\"", .string("€")),
        ("\"\\ud83d\\ude00\"", .string("\u{1F600}")),
        ("\"\\uD83D\\uDE00\"", .string("\u{1F600}")),
        ("\"a\\u0000b\"", .string("a\u{0}b")),
        ("\"raw é € \u{1F600} \u{7F}\"", .string("raw é € \u{1F600} \u{7F}")),
        ("[]", .array([])),
        ("{}", .object(JSONObject())),
        (" \t\r\n[ 1 , \"two\" , null ]\r\n ", .array([.int(1), .string("two"), .null])),
        ("{\"a\":{\"a\":1}}", .object(JSONObject([("a", .object(JSONObject([("a", .int(1))])))]))),
        ("{\"k\" : [true, {\"n\": -1.5e2}]}",
         .object(JSONObject([("k", .array([.bool(true), .object(JSONObject([("n", .double(-150))]))]))]))),
    ]

    @Test(arguments: validDocuments)
    func parse_whenDocumentIsValid_returnsItsValue(text: String, expected: JSONValue) throws {
        let value = try JSONParser.parse(text)

        #expect(value == expected)
    }

    @Test func parse_whenObjectHasKeys_keepsTheirWrittenOrder() throws {
        let value = try JSONParser.parse("{\"zeta\":1,\"alpha\":2,\"mid\":3}")

        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
    }

    @Test func parse_whenNestedExactlyToTheLimit_succeeds() throws {
        let value = try JSONParser.parse(Self.nested(32))

        #expect(value.arrayValue != nil)
    }

    @Test func parse_whenIntegerHasNoFraction_keepsItAnInteger() throws {
        #expect(try JSONParser.parse("12") == .int(12))
        #expect(try JSONParser.parse("12.0") == .double(12))
    }

    // MARK: - Invalid documents

    static let syntaxErrors: [String] = [
        "",
        "   ",
        "01",
        "-01",
        "00",
        "+1",
        ".5",
        "1.",
        "1.e3",
        "1e",
        "1e+",
        "-",
        "- 1",
        "0x10",
        "NaN",
        "Infinity",
        "1e400",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{1:2}",
        "{'a':1}",
        "[1",
        "{\"a\":1",
        "\"unterminated",
        "\"tab\there\"",
        "\"new\nline\"",
        "\"unit\u{1F}sep\"",
        "\"bad \\x escape\"",
        "\"bad \\U0041 escape\"",
        "\"short \\u12\"",
        "\"not hex \\u12G4\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800\\ud800\"",
        "\"\\ud800x\"",
        "\"\\ude00\\ud83d\"",
        "tru",
        "nul",
        "trueX",
        "True",
        "[1] [2]",
        "{} x",
        "\u{C}1",
        "\u{A0}1",
    ]

    @Test(arguments: syntaxErrors)
    func parse_whenDocumentBreaksTheGrammar_throwsSyntax(text: String) {
        let reason = Self.reason(text)

        #expect(Self.isSyntaxError(reason), "\(String(reflecting: text)) gave \(String(describing: reason))")
    }

    @Test func parse_whenObjectRepeatsAKey_throwsDuplicateKey() {
        #expect(Self.reason("{\"a\":1,\"a\":2}") == .duplicateKey("a"))
    }

    @Test func parse_whenDuplicateKeyIsSpelledWithAnEscape_throwsDuplicateKey() {
        #expect(Self.reason("{\"a\":1,\"\\u0061\":2}") == .duplicateKey("a"))
    }

    @Test func parse_whenNestedObjectRepeatsAKey_throwsDuplicateKeyAtTheSecondKey() throws {
        let text = "{\"x\":{\"id\":1,\"id\":2}}"

        #expect(throws: JSONParseError(reason: .duplicateKey("id"), offset: 13)) {
            try JSONParser.parse(text)
        }
    }

    @Test func parse_whenNestedOneLevelPastTheLimit_throwsTooDeep() {
        #expect(Self.reason(Self.nested(33)) == .tooDeep)
    }

    @Test func parse_whenObjectsAndArraysNestPastTheLimit_throwsTooDeep() {
        let text = String(repeating: "{\"a\":[", count: 17) + "1" + String(repeating: "]}", count: 17)

        #expect(Self.reason(text) == .tooDeep)
    }

    @Test func parse_whenManySiblingsStayShallow_succeeds() throws {
        let text = "[" + Array(repeating: Self.nested(31), count: 50).joined(separator: ",") + "]"

        #expect(try JSONParser.parse(text).arrayValue?.count == 50)
    }

    @Test func parse_whenStringHoldsInvalidUTF8_throwsInvalidUTF8AtItsOffset() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]

        #expect(throws: JSONParseError(reason: .invalidUTF8, offset: 2)) {
            try JSONParser.parse(bytes)
        }
    }

    @Test func parse_whenBytesAreNotUTF8OutsideStrings_throwsInvalidUTF8() {
        #expect(Self.reason([0xFF]) == .invalidUTF8)
        #expect(Self.reason([0x5B, 0xC0, 0x80, 0x5D]) == .invalidUTF8)
    }

    @Test func parse_whenEncodedSurrogateBytesAppear_throwsInvalidUTF8() {
        // U+D800 written directly as UTF-8 bytes, which RFC 3629 forbids.
        #expect(Self.reason([0x22, 0xED, 0xA0, 0x80, 0x22]) == .invalidUTF8)
    }

    @Test func parse_whenArrayHasATrailingComma_reportsTheOffsetOfTheClosingBracket() {
        do {
            _ = try JSONParser.parse("[1,]")
            Issue.record("a trailing comma was accepted")
        } catch {
            #expect(Self.isSyntaxError(error.reason))
            #expect(error.offset == 3)
        }
    }
}
