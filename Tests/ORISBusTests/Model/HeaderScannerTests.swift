// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The header reader's fast path against the general JSON reader: on every header, valid or
/// malformed, the reader with its fast path must answer what the general reader alone answers
/// (the same header, or a refusal with the same code and id), and whatever the fast path
/// accepts the general reader must accept identically. The headers are generated from a fixed
/// seed, so a failure reproduces.
@Suite("header scanner")
struct HeaderScannerTests {
    /// SplitMix64: small, fast and the same everywhere.
    struct Generator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(self.next() % UInt64(n)) }

        mutating func pick<T>(_ items: [T]) -> T { items[self.below(items.count)] }

        mutating func chance(_ percent: Int) -> Bool { self.below(100) < percent }
    }

    static let names = ["v", "id", "kind", "theme", "title", "severity", "urgency", "certainty", "tlp", "posture",
                        "axis", "content_type", "tags", "references", "sent", "status", "msg_type", "expires",
                        "areas", "x-extra", "sender", "seq", "Kind", "titel", "", "k\\u0069nd"]

    /// A value for a field: mostly a good one, sometimes a wrong one of every sort.
    static func value(for name: String, _ g: inout Generator) -> String {
        let good: [String: [String]] = [
            "v": ["1"], "id": ["\"abc-1\"", "\"01M90Y3V6CG6HQ1JYGY4GRGEMH\""],
            "kind": ["\"signal\"", "\"alert\"", "\"DECISION\"", "\"Tasking\""],
            "theme": ["\"t000\"", "\"auto-rang3\""], "title": ["\"bench\"", "\"Départ d'un donneur\"", "\"a\""],
            "severity": ["\"Severe\"", "\"minor\""], "urgency": ["\"Immediate\""], "certainty": ["\"likely\""],
            "tlp": ["\"amber+strict\"", "\"CLEAR\""], "posture": ["\"reactive\""], "axis": ["\"axe-1\""],
            "content_type": ["\"text/plain\"", "\"application/json\""], "tags": ["[\"a\",\"b\"]"],
            "references": ["[\"abc\"]"], "sent": ["\"2026-12-04T16:30:00+01:00\""], "status": ["\"Test\""],
            "msg_type": ["\"Update\""], "expires": ["\"2026-12-05T00:00:00Z\""], "areas": ["[\"Doubs\"]"],
            "x-extra": ["{\"n\":[1,2.5,true,null]}", "\"x\""],
        ]
        let bad = ["1", "2", "1.0", "1e0", "01", "-1", "true", "null", "[]", "{}", "\"\"", "\" \"", "\"\\u200b\"",
                   "\"\\u0000\"", "\"a\\\"b\"", "\"\\u0041lert\"", "\"Sévère\"", "\"a b\"", "\"T000\"", "\"a/b\"",
                   "\"" + String(repeating: "é", count: 201) + "\"", "\"" + String(repeating: "x", count: 130) + "\"",
                   "\"signal", "\"\u{200B}\"", "\"\t\"", "\"no\u{7F}\"", "\"hugely\""]
        if let choices = good[name], g.chance(85) { return g.pick(choices) }
        return g.pick(bad)
    }

    static func space(_ g: inout Generator) -> String {
        g.chance(85) ? "" : g.pick([" ", "\n", "\t", "\r\n  ", "\u{0B}", "\u{A0}"])
    }

    /// A header: the required fields most of the time, a few others, in any order.
    static func header(_ g: inout Generator) -> [UInt8] {
        var fields = ["kind", "theme", "title"].filter { _ in g.chance(95) }
        for _ in 0..<g.below(4) { fields.append(g.pick(Self.names)) }
        fields.shuffle(using: &g)
        let pairs = fields.map { name in
            Self.space(&g) + "\"" + name + "\"" + Self.space(&g) + ":" + Self.space(&g) + Self.value(for: name, &g)
                + Self.space(&g)
        }
        var text = Self.space(&g) + "{" + pairs.joined(separator: ",") + "}" + Self.space(&g)
        if g.chance(3) { text = "[" + text + "]" }
        var bytes = Array(text.utf8)
        // A few byte-level slips: dropped, doubled, replaced, cut short.
        let slips = g.chance(80) ? 0 : 1 + g.below(3)
        for _ in 0..<slips where !bytes.isEmpty {
            let at = g.below(bytes.count)
            switch g.below(4) {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(bytes[at], at: at)
            case 2: bytes[at] = g.pick(Array("{}[]\":,\\ 1a-".utf8) + [0x00, 0x1F, 0xC3, 0xFF])
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    enum Outcome: Equatable {
        case header(ItemHeader)
        case refused(NAKCode, id: String?)
    }

    static func outcome(_ read: () throws(Rejection) -> ItemHeader) -> Outcome {
        do {
            return .header(try read())
        } catch {
            return .refused(error.code, id: error.id)
        }
    }

    @Test func fastPath_answersAsTheGeneralReader_onTwentyThousandGeneratedHeaders() {
        var limits = ItemLimits()
        limits.maximumTitleLength = 200
        let reader = HeaderReader(limits: limits)
        var g = Generator(state: 0x0815_2026_1204)
        var scanned = 0
        var accepted = 0

        for _ in 0..<20_000 {
            let bytes = Self.header(&g)
            // The scanner is given only frames past the byte checks (size, UTF-8, NUL), as read does.
            let checked = UTF8Check.firstInvalidOffset(in: bytes) == nil && !bytes.contains(0)
            let fast = checked ? HeaderScanner.scan(bytes, limits: limits) { "GENERATED" } : nil
            let general = Self.outcome { () throws(Rejection) in
                try reader.read_withoutFastPath(bytes) { "GENERATED" }
            }
            let combined = Self.outcome { () throws(Rejection) in try reader.read(bytes) { "GENERATED" } }

            #expect(combined == general, "\(String(decoding: bytes, as: UTF8.self))")
            if let fast, (try? reader.read_withoutFastPath(bytes) { "GENERATED" }) != nil {
                scanned += 1
                #expect(general == .header(fast), "\(String(decoding: bytes, as: UTF8.self))")
            } else if fast != nil {
                let text = String(decoding: bytes, as: UTF8.self)
                Issue.record("the fast path took what the general reader refuses: \(text)")
            }
            if case .header = general { accepted += 1 }
        }

        // The comparison means something only if both sides took a good share of the headers.
        #expect(scanned > 1_000)
        #expect(accepted > scanned)
    }

    @Test func scan_ofTheBenchHeader_givesTheGeneralReadersHeader() throws {
        let bytes = Array(#"{"kind":"signal","theme":"t000","title":"bench"}"#.utf8)
        let reader = HeaderReader()

        let fast = HeaderScanner.scan(bytes, limits: reader.limits) { "ID" }
        let general = try reader.read_withoutFastPath(bytes) { "ID" }

        #expect(fast == general)
        #expect(fast?.kind == .signal && fast?.id == "ID" && fast?.tlp == .amber)
    }

    @Test func scan_ofAHeaderWithEveryFieldItTakes_takesItWhole() throws {
        // Each of the twelve names the scanner knows, once: none may send it to the general
        // reader (which would give the same header, only slower).
        let text = #"{"v":1,"id":"sig-1","kind":"tasking","theme":"t000","title":"every field","severity":"severe","#
            + #""urgency":"Expected","certainty":"Likely","tlp":"green","posture":"proactive","axis":"a1","#
            + #""content_type":"text/plain"}"#
        let bytes = Array(text.utf8)
        let reader = HeaderReader()

        let fast = try #require(HeaderScanner.scan(bytes, limits: reader.limits) { "ID" })

        #expect(fast == (try reader.read_withoutFastPath(bytes) { "ID" }))
        #expect(fast.axis == "a1" && fast.posture == .proactive && fast.certainty == .likely)
    }

    @Test func scan_ofANameAlmostOneItKnows_leavesItToTheGeneralReader() {
        // Same length and first letter as a known name, or one letter more or less.
        for name in ["vv", "ix", "idd", "tlx", "tl", "kinx", "axes", "thema", "titel", "tizle", "urgence", "postura",
                     "severitx", "certainte", "content_typo", "content-type", "Kind"] {
            let bytes = Array(#"{"kind":"signal","theme":"t000","title":"b","\#(name)":"x"}"#.utf8)
            #expect(HeaderScanner.scan(bytes, limits: ItemLimits()) { "ID" } == nil, "\(name)")
        }
    }

    @Test func scan_whenTheHeaderHasAnEscapeOrAList_leavesItToTheGeneralReader() {
        for text in [#"{"kind":"signal","theme":"t000","title":"a\"b"}"#,
                     #"{"kind":"signal","theme":"t000","title":"b","tags":["x"]}"#,
                     #"{"kind":"signal","theme":"t000","title":"b","x-n":1}"#,
                     #"{"kind":"signal","theme":"t000","title":"b","kind":"alert"}"#] {
            #expect(HeaderScanner.scan(Array(text.utf8), limits: ItemLimits()) { "ID" } == nil, "\(text)")
        }
    }
}
