// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The header's direct byte writer says exactly what the general JSON writer says.
@Suite struct ItemHeaderTests {
    @Test func encoded_equalsTheGeneralWritersOutput_withEveryField() throws {
        var header = ItemHeader(id: "id-1", kind: .alert, theme: "auto-rang3", title: "Tïtle \"quoted\"\n\\ end")
        header.severity = .severe
        header.urgency = .immediate
        header.certainty = .likely
        header.tlp = .amberStrict
        header.posture = .reactive
        header.tags = ["a", "b\u{1}"]
        header.axis = "axe-1"
        header.references = ["r1"]
        header.sent = "2026-12-04T10:00:00+01:00"
        header.contentType = "application/xml"
        header.extensions = [("x-n", .int(5)), ("x-o", .object(JSONObject([("k", .bool(true))])))]
        header.tenant = "bfc"
        header.sender = "cci"
        header.received = Timestamp(milliseconds: 1_796_401_800_123)
        header.tier = .crps
        header.seq = 42
        header.reason = "severity Severe"
        header.origin = "bfc"

        let direct = header.encoded

        #expect(direct == JSONWriter.encode(.object(header.jsonObject)))
        #expect(try JSONParser.parse(direct) == .object(header.jsonObject))
    }

    @Test func encoded_whenEveryTextNeedsEscapes_fitsItsSizeAndEqualsTheGeneralWriter() throws {
        // Control characters take six bytes each once escaped: the most the writer's size bound
        // must allow for. Every optional field is set, and the year needs five digits.
        let worst = String(repeating: "\u{1}\"", count: 150)
        var header = ItemHeader(id: worst, kind: .decision, theme: worst, title: worst)
        header.posture = .prospective
        header.tags = [worst, worst]
        header.axis = worst
        header.references = [worst]
        header.sent = worst
        header.contentType = worst
        header.status = .exercise
        header.messageType = .cancel
        header.expires = worst
        header.areas = [worst]
        header.extensions = [("x-\u{1}", .string(worst))]
        header.tenant = worst
        header.sender = worst
        header.received = Timestamp(milliseconds: Timestamp.firstSecondOfYear10000 * 1000 + 5)
        header.tier = .national
        header.seq = UInt64(Int64.max)
        header.reason = worst
        header.origin = worst

        let direct = header.encoded

        #expect(direct == JSONWriter.encode(.object(header.jsonObject)))
        #expect(try JSONParser.parse(direct) == .object(header.jsonObject))
    }

    @Test func encoded_withOnlyRequiredFields_leavesTheDefaultsOut_butTheTLP() {
        let header = ItemHeader(id: "i", kind: .signal, theme: "t", title: "x")

        let text = String(decoding: header.encoded, as: UTF8.self)

        #expect(text == #"{"v":1,"id":"i","kind":"signal","theme":"t","title":"x","tlp":"amber"}"#)
    }

    /// Each of the four is written as soon as it differs from its default, and only then; read
    /// back, the header is the same either way.
    @Test func encoded_writesEachLabelThatDiffersFromItsDefault() throws {
        var header = ItemHeader(id: "i", kind: .signal, theme: "t", title: "x")
        header.urgency = .immediate
        header.contentType = "text/csv"
        var other = ItemHeader(id: "i", kind: .signal, theme: "t", title: "x")
        other.severity = .minor
        other.certainty = .likely
        other.tlp = .clear

        #expect(String(decoding: header.encoded, as: UTF8.self)
            == #"{"v":1,"id":"i","kind":"signal","theme":"t","title":"x","urgency":"Immediate","tlp":"amber","#
            + #""content_type":"text/csv"}"#)
        #expect(String(decoding: other.encoded, as: UTF8.self)
            == #"{"v":1,"id":"i","kind":"signal","theme":"t","title":"x","severity":"Minor","certainty":"Likely","#
            + #""tlp":"clear"}"#)
        for written in [header, other, ItemHeader(id: "i", kind: .signal, theme: "t", title: "x")] {
            #expect(try HeaderReader(limits: ItemLimits()).read(written.encoded) { "i" } == written)
        }
    }
}
