// SPDX-License-Identifier: Apache-2.0
import ORISBus
import Testing

/// Unicode corners where two readers of the same header could disagree, or a log line could be
/// split: each expectation is written from the rule, not from the code's output.
@Suite("Unicode edges")
struct UnicodeEdgeTests {
    @Test func jsonObject_keysThatAreCanonicallyEquivalent_stayDistinct() throws {
        // "x-é" (U+00E9) and "x-e" + U+0301 render alike but are different JSON keys.
        let value = try JSONParser.parse(#"{"x-\u00e9":1,"x-e\u0301":2,"x-\u212a":3,"x-K":4}"#)

        let object = try #require(value.objectValue)

        #expect(object.count == 4)
        #expect(object["x-\u{e9}"] == .int(1))
        #expect(object["x-e\u{301}"] == .int(2))
        #expect(object["x-\u{212a}"] == .int(3))
        #expect(object["x-K"] == .int(4))
    }

    @Test func vocabulary_matchesASCIICaseOnly() {
        #expect(Certainty(word: "likely") == .likely)
        #expect(Certainty(word: "LIKELY") == .likely)
        // U+212A KELVIN SIGN lower-cases to "k" under Unicode rules; it is not a letter of "Likely".
        #expect(Certainty(word: "Li\u{212a}ely") == nil)
        #expect(TLP(word: "AMBER+STRICT") == .amberStrict)
    }

    private func read(_ json: String) -> NAKCode? {
        do {
            _ = try HeaderReader().read(Array(json.utf8)) { "generated" }
            return nil
        } catch {
            return error.code
        }
    }

    @Test func header_versionMustBeTheInteger1() {
        #expect(self.read(#"{"v":1,"kind":"signal","theme":"t","title":"x"}"#) == nil)
        #expect(self.read(#"{"v":1.0000000000000001,"kind":"signal","theme":"t","title":"x"}"#) == .badVersion)
        #expect(self.read(#"{"v":"1","kind":"signal","theme":"t","title":"x"}"#) == .badVersion)
    }

    @Test func header_titleWithNothingVisible_isBadTitle() {
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\u200b"}"#) == .badTitle)
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\u00a0\u2028"}"#) == .badTitle)
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\u0301"}"#) == .badTitle)
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\u200bé"}"#) == nil)
    }

    @Test func header_titleLengthCountsUnicodeScalars() {
        // One letter and 200 combining accents: a single grapheme, but 201 scalars.
        let heavy = "a" + String(repeating: "\\u0301", count: 200)
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\#(heavy)"}"#) == .badTitle)
        let exact = String(repeating: "é", count: 200)
        #expect(self.read(#"{"kind":"signal","theme":"t","title":"\#(exact)"}"#) == nil)
    }

    @Test func timestamp_leapSecondIsTheInstantAfter59() throws {
        // 2016-12-31T23:59:59Z is 1483228799 s; the leap second is one second later.
        let leap = try #require(Timestamp(rfc3339: "2016-12-31T23:59:60Z"))
        #expect(leap.milliseconds == 1_483_228_800_000)
        let ordinary = try #require(Timestamp(rfc3339: "2026-01-01T10:10:60Z"))
        #expect(ordinary.milliseconds == Timestamp(rfc3339: "2026-01-01T10:11:00Z")?.milliseconds)
    }

    @Test func logQuote_escapesEveryLineBreakingAndControlCharacter() {
        let quoted = Logger.quote("a\u{2028}b\u{85}c\u{9b}d\u{2029}e\u{200b}f")

        #expect(quoted == #""a\u{2028}b\u{85}c\u{9b}d\u{2029}e\u{200b}f""#)
        #expect(!quoted.unicodeScalars.contains { $0.properties.generalCategory == .lineSeparator })
    }
}
