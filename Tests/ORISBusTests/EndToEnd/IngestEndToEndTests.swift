// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Real public data through the real orisctl into a real orisd, observed on real SUB sockets
/// and by replay. Expected values come from the files themselves, counted here with plain
/// regular expressions and splits, never from the importer's own output.
@Suite("import end to end", .serialized, .enabled(if: RealData.isPresent, RealData.absent))
struct IngestEndToEndTests {
    /// Tenants for the BODACC regions 27 (bfc) and 84 (ara); 11, 32, … are served by nobody.
    static func configuration(state: String) -> String {
        let themes = #"[{"id": "veille", "crps_severity": "Extreme"}, {"id": "industrie"}, {"id": "commerce"},"#
            + #" {"id": "services"}, {"id": "cyber"}]"#
        return """
        {
          "state_dir": "\(state)", "security": "none", "log_level": "debug",
          "endpoints": {"api": ["tcp://127.0.0.1:*", "ipc://api.sock"], "feed": ["tcp://127.0.0.1:*"]},
          "limits": {"max_body_bytes": 1048576, "max_header_bytes": 16384, "max_title_length": 200},
          "journal": {"fsync": "never"},
          "tenants": [
            {"id": "bfc", "themes": \(themes), "members": [
              {"id": "cap-import", "stratum": "capteur"}, {"id": "greffe-bfc", "stratum": "capteur"},
              {"id": "gip-all", "stratum": "gip"}, {"id": "crps-bfc", "stratum": "crps"},
              {"id": "operator", "stratum": "operator"}]},
            {"id": "ara", "themes": \(themes), "members": [
              {"id": "greffe-ara", "stratum": "capteur"}, {"id": "crps-ara", "stratum": "crps"}]}
          ]
        }
        """
    }

    static func start() throws -> RunningDaemon {
        let folder = TemporaryFolder()
        return try RunningDaemon(configText: self.configuration(state: folder.path + "/state"), folder: folder)
    }

    /// Every item a subscriber receives until the feed is quiet for `quiet` milliseconds.
    static func drain(_ subscriber: FeedSubscriber, quiet: Int = 1500) throws -> [ReceivedItem] {
        var items: [ReceivedItem] = []
        while let item = try subscriber.next(timeoutMilliseconds: quiet) { items.append(item) }
        return items
    }

    static func orisctl(_ daemon: RunningDaemon, _ arguments: [String]) throws -> CommandResult {
        try runCommand(Binaries.orisctl, arguments + ["--api", daemon.api], seconds: 120)
    }

    // MARK: - CAP

    /// What the test reads in a CAP file by itself: the triple that identifies the alert, its
    /// msgType, and the highest severity of its info blocks (Unknown when it has none).
    struct CAPFacts: Hashable {
        var triple: String
        var msgType: String
        var severity: String
        var status: String
        var references: [String]
        /// The tier the rules send it to: `test` for a status other than Actual, `archive` when
        /// its first `expires` has passed, `gip` otherwise.
        var tier: String

        init(_ path: String) {
            let text = RealData.text(path)
            func first(_ element: String) -> String {
                RealData.matches("<(?:[A-Za-z]+:)?\(element)>\\s*([^<]*?)\\s*</", in: text).first ?? ""
            }
            self.triple = [first("sender"), first("identifier"), first("sent")].joined(separator: ",")
            self.msgType = first("msgType")
            let scale = ["Unknown", "Minor", "Moderate", "Severe", "Extreme"]
            let found = RealData.matches("<(?:[A-Za-z]+:)?severity>\\s*([A-Za-z]+)", in: text)
            self.severity = found.max { (scale.firstIndex(of: $0) ?? 0) < (scale.firstIndex(of: $1) ?? 0) } ?? "Unknown"
            self.status = first("status")
            self.references = first("references").split(separator: " ").map(String.init)
            let expires = first("expires")
            if self.status != "Actual" {
                self.tier = "test"
            } else if !expires.isEmpty, let date = Self.date(expires), date < Date() {
                self.tier = "archive"
            } else {
                self.tier = "gip"
            }
        }

        /// An ISO 8601 date and time, read with Foundation (not the daemon's own reader).
        static func date(_ text: String) -> Date? {
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return plain.date(from: text) ?? fractional.date(from: text)
        }
    }

    @Test func publishCAP_realFolder_GIPSeesEachAlertOnceByItsSeverityAndMsgType_andASecondImportNothing()
    throws {
        let files = RealData.files("cap", endings: [".xml"])
        try #require(files.count == 37, "PROVENANCE.md lists 33 CAP 1.2 and 4 CAP 1.1 files")
        var expected: [String: CAPFacts] = [:]
        for file in files {
            let facts = CAPFacts(file)
            if expected[facts.triple] == nil { expected[facts.triple] = facts }
        }
        let bad = TemporaryFolder()
        _ = bad.write("mismatched.xml", "<?xml version=\"1.0\"?>\n<alert><identifier>x</identifier>\n</alrt>")
        _ = bad.write("not-cap.xml", "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"/>")
        _ = bad.write("entity.xml", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">&nbsp;</alert>")
        _ = bad.write("no-sent.xml", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>a"
                      + "</identifier><sender>b</sender><status>Actual</status><msgType>Alert</msgType></alert>")
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-all", ["bfc/veille/gip/", "bfc/veille/test/"])
        try session.waitForSubscriptions(2)

        let first = try Self.orisctl(daemon, ["publish", "--cap", RealData.folder + "/cap", bad.path,
                                              "--theme", "veille", "--as", "cap-import"])
        let live = try Self.drain(gip)
        // Expired alerts are stored on the archive tier for the record, never sent live.
        let archived = try session.replayAll("bfc/veille/archive/", as: "gip-all")
        let seen = live + archived

        #expect(first.status == 65, "\(first.stderr)")
        let repeats = files.count - expected.count
        #expect(first.stdout.contains("published \(expected.count), already present \(repeats), rejected 4"),
                "\(first.stdout)")
        #expect(first.stderr.contains("mismatched.xml: not well-formed XML: line 3: closing tag </alrt>"))
        #expect(first.stderr.contains("not-cap.xml: no CAP alert"))
        #expect(first.stderr.contains("entity.xml: not well-formed XML: line 1: unknown entity &nbsp;"))
        #expect(first.stderr.contains("no-sent.xml: the alert has no <sent>"))
        func tally(_ values: [String]) -> [String: Int] { values.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
        #expect(seen.count == expected.count)
        func field(_ name: String) -> [String: Int] { tally(seen.compactMap { $0.header?[name]?.stringValue }) }
        // A delivered header leaves severity out when it is Unknown (docs/PROTOCOL.md, section 6).
        #expect(tally(seen.map { $0.header?["severity"]?.stringValue ?? "Unknown" })
            == tally(expected.values.map(\.severity)))
        #expect(!seen.contains { $0.header?["severity"] == .string("Unknown") })
        #expect(field("msg_type") == tally(expected.values.map(\.msgType)))
        #expect(Set(seen.compactMap { $0.header?["id"]?.stringValue }).count == expected.count)
        #expect(seen.allSatisfy { $0.header?["content_type"] == .string("application/cap+xml") })
        #expect(field("status") == tally(expected.values.map(\.status)))
        #expect(tally(seen.compactMap { Topic($0.topic)?.tier.word }) == tally(expected.values.map(\.tier)))
        #expect(live.allSatisfy { $0.topic.hasPrefix("bfc/veille/gip/") || $0.topic.hasPrefix("bfc/veille/test/") })

        let second = try Self.orisctl(daemon, ["publish", "--cap", RealData.folder + "/cap", "--theme", "veille",
                                               "--as", "cap-import"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("published 0, already present \(files.count), rejected 0"), "\(second.stdout)")
        #expect(try gip.next(timeoutMilliseconds: 800) == nil)
    }

    @Test func publishCAP_updatesAndCancels_referToTheItemsOfTheirOriginals() throws {
        let files = RealData.files("cap", endings: [".xml"])
        let followers = files.map(CAPFacts.init).filter { $0.msgType == "Update" || $0.msgType == "Cancel" }
        try #require(followers.count >= 5, "the folder holds updates and a cancel")
        // The originals are not in the folder: write one minimal alert for each reference.
        let originals = TemporaryFolder()
        for (n, reference) in Set(followers.flatMap(\.references)).sorted().enumerated() {
            let parts = reference.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            _ = originals.write("original-\(n).xml", """
                <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>\(parts[1])</identifier>
                <sender>\(parts[0])</sender><sent>\(parts[2])</sent><status>Actual</status>
                <msgType>Alert</msgType><scope>Public</scope></alert>
                """)
        }
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }

        let run = try Self.orisctl(daemon, ["publish", "--cap", originals.path, RealData.folder + "/cap",
                                            "--theme", "veille", "--as", "cap-import"])
        let stored = try session.replayAll("bfc/veille/", as: "operator")

        #expect(run.status == 0, "\(run.stderr)")
        var idOf: [String: String] = [:]
        for item in stored {
            let cap = item.header?["x-cap"]?.objectValue
            let triple = [cap?["sender"]?.stringValue, cap?["identifier"]?.stringValue,
                          item.header?["sent"]?.stringValue].compactMap { $0 }.joined(separator: ",")
            idOf[triple] = item.header?["id"]?.stringValue
        }
        for follower in followers {
            let item = try #require(stored.first { $0.header?["id"]?.stringValue == idOf[follower.triple] })
            let references = item.header?["references"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let wanted = follower.references.suffix(32).compactMap { idOf[$0] }
            #expect(wanted.count == min(32, follower.references.count), "every original was imported")
            #expect(references == wanted, "\(follower.triple)")
        }
    }

    // MARK: - Feeds

    @Test func feed_realFeeds_publishEveryEntryOnce_andASecondRunNothing() throws {
        let files = RealData.files("feeds", endings: [".atom", ".rss", ".xml"])
        try #require(files.count == 8)
        let entries = files.map { RealData.matches("(<(?:entry|item)[\\s>])", in: RealData.text($0)).count }
            .reduce(0, +)
        let state = TemporaryFolder()
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-all", ["bfc/veille/gip/", "bfc/veille/test/"])
        try session.waitForSubscriptions(2)
        let arguments = ["feed", RealData.folder + "/feeds", "--theme", "veille", "--as", "cap-import"]

        let first = try Self.orisctl(daemon, arguments + ["--state", state.path + "/state.json"])
        let seen = try Self.drain(gip) + session.replayAll("bfc/veille/archive/", as: "gip-all")
        let second = try Self.orisctl(daemon, arguments + ["--state", state.path + "/state.json"])
        let fresh = try Self.orisctl(daemon, arguments + ["--state", state.path + "/other.json"])

        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("published \(entries), already present 0, rejected 0"), "\(first.stdout)")
        #expect(seen.count == entries)
        #expect(Set(seen.compactMap { $0.header?["id"]?.stringValue }).count == entries)
        #expect(second.stdout.contains("published 0, already present 0, rejected 0, sent by an earlier run \(entries)"),
                "\(second.stdout)")
        // Without the state file the daemon still stores nothing new: ids are stable.
        #expect(fresh.stdout.contains("published 0, already present \(entries)"), "\(fresh.stdout)")
        #expect(try gip.next(timeoutMilliseconds: 800) == nil)
    }

    // MARK: - MISP and STIX

    /// The TLP a file's markings state, read here with a regular expression: MISP `tlp:` tag
    /// names, STIX marking definitions named `TLP:…` that an object references; unmarked is amber.
    static func statedTLP(_ path: String) -> String {
        let text = RealData.text(path)
        var labels = RealData.matches("\"name\"\\s*:\\s*\"tlp:([a-z+]+)\"", in: text)
        let referenced = Set(RealData.matches("\"object_marking_refs\"\\s*:\\s*\\[\\s*\"([^\"]+)\"", in: text))
        for id in referenced {
            labels += RealData.matches("\"id\"\\s*:\\s*\"\(id)\"[^}]*\"name\"\\s*:\\s*\"TLP:([A-Z+]+)\"", in: text)
                .map { $0.lowercased() }
        }
        let order = ["red", "amber+strict", "amber", "green", "clear"]
        return labels.map { $0 == "white" ? "clear" : $0 }.min {
            (order.firstIndex(of: $0) ?? 9) < (order.firstIndex(of: $1) ?? 9)
        } ?? "amber"
    }

    @Test func importMISPAndSTIX_realAndSampleEvents_carryTheTLPTheirMarkingsState() throws {
        let samples = Binaries.packageRoot + "/samples/events"
        let misp = RealData.files("events/misp", endings: [".json"]) + [samples + "/misp-demo.json"]
        let stix = RealData.files("events/stix", endings: [".json"]) + [samples + "/stix-demo.json"]
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }

        let mispRun = try Self.orisctl(daemon, ["import", "--misp"] + misp + ["--theme", "cyber", "--as", "cap-import"])
        let stixRun = try Self.orisctl(daemon, ["import", "--stix"] + stix + ["--theme", "cyber", "--as", "cap-import"])
        let stored = try session.replayAll("bfc/cyber/gip/", as: "operator")

        #expect(mispRun.status == 0, "\(mispRun.stderr)")
        #expect(stixRun.status == 0, "\(stixRun.stderr)")
        #expect(stored.count == misp.count + stix.count)
        let expected = (misp + stix).map(Self.statedTLP).sorted()
        #expect(stored.compactMap { $0.header?["tlp"]?.stringValue }.sorted() == expected)
        #expect(expected.contains("green") && expected.contains("amber") && expected.contains("clear"))
        let bodies = Set(stored.map(\.body))
        #expect((misp + stix).allSatisfy { bodies.contains(RealData.bytes($0)) }, "the body is the original file")
    }

    // MARK: - Tables

    @Test func importCSV_bodacc_itemsPerTenantAndThemeEqualRowsPerRegionAndSector() throws {
        let table = try #require(RealData.files("events/bodacc", endings: [".csv"]).first)
        // The test's own reading: a plain split (the file has no quoted commas in these columns).
        let lines = RealData.text(table).split(separator: "\n").map(String.init)
        let columns = lines[0].split(separator: ",").map(String.init)
        let regionAt = try #require(columns.firstIndex(of: "region_code"))
        let nafAt = try #require(columns.firstIndex(of: "code_ape_naf"))
        let tenants = ["27": "bfc", "84": "ara"]
        var expected: [String: Int] = [:]
        // Region 32 is mapped to a member this daemon does not know: its rows get no answer.
        var elsewhere = 0
        var unanswered = 0
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let tenant = tenants[fields[regionAt]] else {
                if fields[regionAt] == "32" { unanswered += 1 } else { elsewhere += 1 }
                continue
            }
            let division = Int(fields[nafAt].prefix(2)) ?? 0
            let theme = (10...33).contains(division) ? "industrie"
                : (45...47).contains(division) ? "commerce" : "services"
            expected["\(tenant)/\(theme)", default: 0] += 1
        }
        try #require(expected.values.reduce(0, +) > 0 && elsewhere > 0 && unanswered > 0)
        let mappingFolder = TemporaryFolder()
        var rules = (10...33).map { #"{"sector_prefix": "\#($0)", "theme": "industrie"}"# }
        rules += (45...47).map { #"{"sector_prefix": "\#($0)", "theme": "commerce"}"# }
        let mapping = mappingFolder.write("mapping.json", """
            {"default_theme": "services", "themes": [\(rules.joined(separator: ","))],
             "csv": {"region": "region_code", "sector": "code_ape_naf", "title": "{libelle_naf} ({departement})",
                     "date": "date_publication"},
             "regions": {"27": {"tenant": "bfc", "member": "greffe-bfc"},
                         "84": {"tenant": "ara", "member": "greffe-ara"},
                         "32": {"tenant": "hdf", "member": "greffe-hdf"}}}
            """)
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }

        let run = try Self.orisctl(daemon, ["import", "--csv", table, "--map", mapping, "--timeout", "1500"])
        let again = try Self.orisctl(daemon, ["import", "--csv", table, "--map", mapping, "--timeout", "1500"])
        var stored: [String: Int] = [:]
        for tenant in ["bfc", "ara"] {
            for item in try session.replayAll(tenant + "/", as: "operator") {
                let parts = item.topic.split(separator: "/")
                stored["\(parts[0])/\(parts[1])", default: 0] += 1
            }
        }

        #expect(run.status == 0, "\(run.stderr)")
        #expect(stored == expected)
        #expect(run.stdout.contains("published \(expected.values.reduce(0, +)), already present 0, rejected 0, "
                                    + "rows of regions no tenant here takes \(elsewhere), "
                                    + "rows whose member got no answer \(unanswered)"), "\(run.stdout)")
        #expect(run.stderr.contains("member 'greffe-hdf' (tenant hdf) cannot publish"))
        #expect(again.stdout.contains("published 0, already present \(expected.values.reduce(0, +))"),
                "\(again.stdout)")
    }
}
