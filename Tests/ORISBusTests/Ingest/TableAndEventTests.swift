// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Tables, feeds, MISP and STIX readers, and the mapping file.
@Suite struct TableAndEventTests {
    @Test func csv_whenFieldsAreQuoted_keepsSeparatorsQuotesAndLineBreaks() throws {
        let table = try CSVTable.read(Array("a;b\r\n\"x;1\";\"say \"\"hi\"\"\nthere\"\r\n\r\nz;\n".utf8))

        #expect(table.columns == ["a", "b"])
        #expect(table.rows.map(\.fields) == [["x;1", "say \"hi\"\nthere"], ["z", ""]])
        #expect(table.rows.map(\.line) == [2, 5])
    }

    @Test func csv_whenAQuoteNeverEnds_isRefused() {
        #expect(throws: IngestError.self) { try CSVTable.read(Array("a\n\"x\n".utf8)) }
    }

    @Test func csvItems_mapRegionsThemesAndCountUnmappedRegions() throws {
        let mapping = try ImportMapping.read(Array("""
            {"default_theme": "services", "themes": [{"sector_prefix": "29", "theme": "auto"}],
             "csv": {"region": "r", "sector": "naf", "title": "{label} ({r})", "date": "d", "kind_column": "k"},
             "regions": {"27": {"tenant": "bfc", "member": "greffe-bfc"}}}
            """.utf8))
        let table = try CSVTable.read(Array("""
            d,r,naf,label,k
            2021-01-08,27,29.32Z,Équipement auto,alert
            2021-01-08,27,62.01Z,Logiciel,
            2021-01-08,11,29.10Z,Voitures,signal
            2021-01-08,27,29.32Z,Équipement auto,weird
            """.utf8))

        let mapped = try table.items(mapping: mapping, name: "t.csv")

        #expect(mapped.items.map { $0.item.header["theme"] } == [.string("auto"), .string("services")])
        #expect(mapped.items.map { $0.item.header["kind"] } == [.string("alert"), .string("signal")])
        #expect(mapped.items[0].item.header["title"] == .string("Équipement auto (27)"))
        #expect(mapped.items[0].item.header["sent"] == .string("2021-01-08T00:00:00Z"))
        #expect(mapped.items[0].item.publisher?.member == "greffe-bfc")
        #expect(mapped.unmappedRegions == ["11": 1])
        #expect(mapped.rejected.map(\.source) == ["t.csv line 5"])
        #expect(try table.items(mapping: mapping, name: "t.csv").items.map(\.item.id) == mapped.items.map(\.item.id))
    }

    @Test(arguments: [
        (#"{"themes": [{"theme": "x"}]}"#, "themes[0] needs exactly one of"),
        (#"{"default_theme": "Not A Name"}"#, "default_theme"),
        (#"{"defaut_theme": "x"}"#, "unknown field 'defaut_theme' in the mapping; did you mean 'default_theme'?"),
        (#"{"csv": {"region": "r"}}"#, "csv needs at least region and title"),
        (#"{"regions": {"27": {"tenant": "bfc"}}}"#, "regions.27 needs a tenant and a member"),
    ])
    func mapping_whenAFieldIsWrong_saysWhich(text: String, reason: String) {
        do {
            _ = try ImportMapping.read(Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix(reason), "\(error)")
        }
    }

    @Test(arguments: [
        ("Fri, 04 Feb 2011 20:20:00 GMT", "2011-02-04T20:20:00Z"),
        ("4 Dec 2026 08:00 +0100", "2026-12-04T08:00:00+01:00"),
        ("Sat, 10 May 14 02:19:38 PDT", "2014-05-10T02:19:38-07:00"),
    ])
    func rfc822_readsRSSDates(text: String, expected: String) {
        #expect(RFC822.rfc3339(text) == expected)
    }

    @Test func feed_rssAndAtomEntries_becomeSignalsOrSevereAlerts() throws {
        let rss = try Feed.read(Array("""
            <rss version="2.0"><channel><link>https://x.invalid</link><item><title>T</title><guid>g1</guid>
            <pubDate>Fri, 04 Feb 2011 20:20:00 GMT</pubDate></item></channel></rss>
            """.utf8))
        let atom = try Feed.read(Array("""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.1">
            <id>f</id><entry><id>e1</id><title>Storm</title><updated>2014-05-09T15:38:00-07:00</updated>
            <cap:severity>Extreme</cap:severity><cap:areaDesc>A; B</cap:areaDesc></entry></feed>
            """.utf8))
        let mapping = ImportMapping(defaultTheme: "veille")

        let signal = try rss.entries[0].item(feedKey: rss.id!, format: rss.format, mapping: mapping, source: "s")
        let alert = try atom.entries[0].item(feedKey: atom.id!, format: atom.format, mapping: mapping, source: "s")

        #expect(signal.header["kind"] == .string("signal"))
        #expect(signal.header["sent"] == .string("2011-02-04T20:20:00Z"))
        #expect(alert.header["kind"] == .string("alert"))
        #expect(alert.header["areas"] == .array([.string("A"), .string("B")]))
        #expect(String(decoding: alert.body, as: UTF8.self).hasPrefix("<entry>"))
    }

    @Test func feedState_roundTripsThroughItsFile() throws {
        var state = FeedState()
        state.insert("b")
        state.insert("a")
        state.insert("b")

        let read = try FeedState(state.encoded)

        #expect(read.sent == ["a", "b"])
        #expect(read.encoded == state.encoded)
        #expect(throws: IngestError.self) { try FeedState(Array("[]".utf8)) }
    }

    @Test(arguments: [
        (["tlp:white", "x"], TLP.clear), (["TLP:GREEN"], .green), (["tlp:amber+strict", "tlp:green"], .amberStrict),
        (["tlp:red", "tlp:clear"], .red), ([], .amber),
    ])
    func tlp_ofSeveralLabels_isTheStrictest(labels: [String], expected: TLP) {
        #expect(ThreatEvent.strictest(labels.compactMap(ThreatEvent.tlp(label:))) == expected)
    }

    @Test func stix_whenAnObjectReferencesATLP2Extension_takesItsLabelAndConfidence() throws {
        let bundle = Array("""
            {"type":"bundle","id":"bundle--1","objects":[
             {"type":"marking-definition","id":"marking-definition--x","extensions":{"extension-definition--y":
               {"extension_type":"property-extension","tlp_2_0":"amber+strict"}}},
             {"type":"report","id":"report--1","name":"R","confidence":60,
              "object_marking_refs":["marking-definition--x"]}]}
            """.utf8)

        let item = try ThreatEvent.stix(bundle, mapping: ImportMapping(defaultTheme: "cyber"), source: "s")

        #expect(item.header["tlp"] == .string("amber+strict"))
        #expect(item.header["severity"] == .string("Moderate"))
        #expect(item.header["kind"] == .string("signal"))
        #expect(item.body == bundle)
    }

    @Test func misp_threatLevelHigh_isASevereAlert() throws {
        let event = Array(#"{"Event":{"uuid":"u","info":"I","threat_level_id":"1","Tag":[{"name":"tlp:red"}]}}"#.utf8)

        let item = try ThreatEvent.misp(event, mapping: ImportMapping(defaultTheme: "cyber"), source: "s")

        #expect(item.header["severity"] == .string("Severe"))
        #expect(item.header["kind"] == .string("alert"))
        #expect(item.header["tlp"] == .string("red"))
        #expect(throws: IngestError.self) {
            try ThreatEvent.misp(Array("{}".utf8), mapping: ImportMapping(defaultTheme: "cyber"), source: "s")
        }
    }
}
