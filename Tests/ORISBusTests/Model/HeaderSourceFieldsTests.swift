// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The header fields imported sources bring: status, msg_type, expires, areas.
@Suite struct HeaderSourceFieldsTests {
    private static func read(_ extra: String, limits: ItemLimits = ItemLimits()) throws(Rejection) -> ItemHeader {
        let text = #"{"kind":"alert","theme":"meteo","title":"Crue""# + extra + "}"
        return try HeaderReader(limits: limits).read(Array(text.utf8)) { "generated-id" }
    }

    private static func code(_ extra: String, limits: ItemLimits = ItemLimits()) -> NAKCode? {
        do {
            _ = try read(extra, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func read_whenSourceFieldsAreValid_keepsThemInTheirSpelling() throws {
        let header = try Self.read(#","status":"exercise","msg_type":"UPDATE","expires":"2026-12-06T18:00:00+01:00","#
                                   + #""areas":["Besançon","Montbéliard"]"#)

        #expect(header.status == .exercise)
        #expect(header.messageType == .update)
        #expect(header.expires == "2026-12-06T18:00:00+01:00")
        #expect(header.areas == ["Besançon", "Montbéliard"])
        let written = header.jsonObject
        #expect(written["status"] == .string("Exercise"))
        #expect(written["msg_type"] == .string("Update"))
        #expect(written["areas"] == .array([.string("Besançon"), .string("Montbéliard")]))
        #expect(try JSONParser.parse(header.encoded) == .object(written))
    }

    @Test func read_whenSourceFieldsAreAbsent_leavesThemOutOfTheHeader() throws {
        let written = try Self.read("").jsonObject

        #expect(written["status"] == nil && written["msg_type"] == nil)
        #expect(written["expires"] == nil && written["areas"] == nil)
    }

    @Test(arguments: [
        (#","status":"Real""#, NAKCode.badField),
        (#","status":1"#, .badField),
        (#","msg_type":"Delete""#, .badField),
        (#","expires":"tomorrow""#, .badTime),
        (#","areas":"Besançon""#, .badField),
        (#","areas":[""]"#, .badField),
        (#","areas":[7]"#, .badField),
        (#","area":["x"]"#, .badField),
    ])
    func read_whenASourceFieldIsWrong_answersItsCode(extra: String, expected: NAKCode) {
        #expect(Self.code(extra) == expected)
    }

    @Test func read_whenAreasPassTheirLimits_answersBadField() {
        var limits = ItemLimits()
        limits.maximumAreaCount = 2
        limits.maximumAreaLength = 4

        #expect(Self.code(#","areas":["a","b"]"#, limits: limits) == nil)
        #expect(Self.code(#","areas":["a","b","c"]"#, limits: limits) == .badField)
        #expect(Self.code(#","areas":["abcd"]"#, limits: limits) == nil)
        #expect(Self.code(#","areas":["abcde"]"#, limits: limits) == .badField)
    }
}
