// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The plain publish path of the ingest endpoint (``Bus/publishPlain``) through a real orisd: a
/// stream that alternates between headers the plain path takes and headers it hands back to
/// the general path must come out stored, numbered and delivered as the general path alone
/// would; and a change of a member's rights or of a theme's rules must apply to the items that
/// follow it, never a route worked out before the change.
///
/// The daemon runs at log level `info` with fsync `never`: at `debug` every ingest item takes
/// the general path and the plain one would not be tested. (Under `always` the plain path's
/// deliveries wait for the syncs: FailedSyncEndToEndTests, PlainAPIEndToEndTests.)
@Suite("plain ingest end to end", .serialized)
struct PlainIngestEndToEndTests {
    static func configuration(state: String) -> String {
        """
        {"state_dir": "\(state)", "security": "none", "log_level": "info",
         "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"], "ingest": ["tcp://127.0.0.1:*"]},
         "journal": {"fsync": "never"},
         "feed_high_water_mark": 100000,
         "tenants": [{"id": "bfc",
           "themes": [{"id": "machine-speciale", "crps_severity": "Severe"},
                      {"id": "auto-rang3", "crps_severity": "Moderate"}],
           "members": [{"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3", "machine-speciale"]},
                       {"id": "operator", "stratum": "operator"}]}]}
        """
    }

    static func start() throws -> RunningDaemon {
        let folder = TemporaryFolder()
        return try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
    }

    static func ingestFrames(_ header: String, body: String = "corps") -> [[UInt8]] {
        [Array("ORIS01".utf8), Array("PUBLISH".utf8), Array(header.utf8), Array(body.utf8)]
    }

    /// Waits until the daemon has answered `count` ingest items in all (accepted, refused or
    /// found to be retries); returns the counters.
    static func waitForIngest(_ session: Session, _ count: Int64) throws -> JSONObject {
        let deadline = Date().addingTimeInterval(20)
        var stats = JSONObject()
        while Date() < deadline {
            stats = try session.stats()
            let accepted = stats["accepted"]?.objectValue?["ingest"]?.intValue ?? 0
            let refused = (stats["rejected"]?.objectValue?["ingest"]?.objectValue?.pairs ?? [])
                .reduce(Int64(0)) { $0 + ($1.value.intValue ?? 0) }
            let duplicates = stats["duplicates"]?.intValue ?? 0
            if accepted + refused + duplicates >= count { return stats }
            usleep(20_000)
        }
        return stats
    }

    /// A publisher on the ingest endpoint, connected before anything is sent (a PUB drops what
    /// it sends before its connection is complete).
    static func publisher(_ session: Session, as member: String) throws -> Socket {
        let pub = try session.socket(.pub, as: member, connect: session.daemon.ingest)
        usleep(500_000)
        return pub
    }

    /// Publishes severe alerts `a-N` on auto-rang3, one for each N of `range`.
    static func sendSevereAlerts(_ range: Range<Int>, by pub: Socket) throws {
        for n in range {
            let item = #"{"id":"a-\#(n)","kind":"alert","theme":"auto-rang3","title":"t","severity":"Severe"}"#
            #expect(try pub.send(Self.ingestFrames(item), wait: true))
        }
    }

    @Test func ingest_mixedStream_deliveredEqualsReplayed_seqWithoutGap_retriesStoredOnce() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let feed = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)
        // The first item on a topic is the general path's (the topic quota counts it).
        let capteur = try session.client(as: "cci-doubs")
        for kind in ["signal", "alert"] {
            let fields: [(String, JSONValue)] = [("kind", .string(kind)), ("theme", .string("auto-rang3")),
                                                 ("title", .string("premier")), ("severity", .string("Severe"))]
            #expect(try capteur.request(.publish(header: header(fields), body: [])).word == "ACK")
        }
        let pub = try Self.publisher(session, as: "cci-doubs")

        let rounds = 40
        let theme = #""theme":"auto-rang3""#
        for n in 0..<rounds {
            let items = [
                // Plain: an id, an alert the CRPS gets too.
                #"{"id":"p-\#(n)","kind":"alert",\#(theme),"title":"alerte \#(n)","severity":"Severe"}"#,
                // Plain: no id, words in other cases, a title that is not ASCII.
                #"{"kind":"Signal",\#(theme),"title":"Équipementier ☃ \#(n)","tlp":"GREEN","urgency":"IMMEDIATE"}"#,
                // Handed back: tags, an x- field, an escape.
                #"{"id":"t-\#(n)","kind":"alert",\#(theme),"title":"tags \#(n)","severity":"SEVERE","tags":["a"]}"#,
                #"{"kind":"signal",\#(theme),"title":"x \#(n)","x-note":{"n":\#(n)}}"#,
                #"{"kind":"signal",\#(theme),"title":"\u00e9chappe \#(n)","severity":"minor"}"#,
                // Retries: as sent first, then spelled differently and with a field the plain
                // path does not take.
                #"{"id":"p-\#(n)","kind":"alert",\#(theme),"title":"alerte \#(n)","severity":"Severe"}"#,
                #"{"id":"t-\#(n)","kind":"ALERT",\#(theme),"title":"autre","severity":"Severe","x-retry":true}"#,
                // Refused: a theme the tenant lacks, a kind a capteur may not publish.
                #"{"kind":"signal","theme":"nope","title":"nulle part"}"#,
                #"{"kind":"diagnostic",\#(theme),"title":"pas pour un capteur"}"#,
            ]
            for item in items {
                #expect(try pub.send(Self.ingestFrames(item, body: "corps \(n)"), wait: true))
            }
        }
        let stats = try Self.waitForIngest(session, Int64(rounds * 9))
        let delivered = try IngestEndToEndTests.drain(feed)
        let replayed = try session.replayAll("bfc/")

        #expect(stats["accepted"]?.objectValue?["ingest"] == .int(Int64(rounds * 5)))
        #expect(stats["duplicates"] == .int(Int64(rounds * 2)))
        let refused = stats["rejected"]?.objectValue?["ingest"]?.objectValue
        #expect(refused?["unknown-theme"] == .int(Int64(rounds)))
        #expect(refused?["forbidden"] == .int(Int64(rounds)))
        // The seeds (a signal to the GIP, an alert to the GIP and the CRPS), then per round two
        // deliveries for each of the two alerts, one for each of the three signals.
        #expect(replayed.count == 3 + rounds * 7)
        var byTopic: [String: [Int64]] = [:]
        var ids: [String: Int] = [:]
        for item in replayed {
            byTopic[item.topic, default: []].append(item.seq ?? -1)
            ids[item.topic + " " + (item.header?["id"]?.stringValue ?? ""), default: 0] += 1
        }
        for (topic, seqs) in byTopic {
            #expect(seqs == Array(1...Int64(seqs.count)), "\(topic)")
        }
        #expect(ids.values.allSatisfy { $0 == 1 }, "an id stored twice on a topic")
        #expect(delivered.count == replayed.count)
        let stored = Dictionary(replayed.map { ("\($0.topic)#\($0.seq ?? -1)", $0) }) { first, _ in first }
        for item in delivered {
            let twin = stored["\(item.topic)#\(item.seq ?? -1)"]
            #expect(twin?.rawHeader == item.rawHeader, "\(item.topic)#\(item.seq ?? -1)")
            #expect(twin?.body == item.body)
        }
    }

    /// Publishes severe alerts a-0 to a-49 over ingest as cci-doubs, lets `change` act through
    /// the operator's api client while the ingest connection stays open, then publishes a-50 to
    /// a-99; `check` reads the outcome with the session still open.
    private static func aroundAChange(
        _ change: (APIClient) throws -> Void,
        then check: (Session, JSONObject) throws -> Void
    ) throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let operatorClient = try session.client(as: "operator")
        let pub = try Self.publisher(session, as: "cci-doubs")
        try Self.sendSevereAlerts(0..<50, by: pub)
        _ = try Self.waitForIngest(session, 50)
        try change(operatorClient)
        try Self.sendSevereAlerts(50..<100, by: pub)
        try check(session, try Self.waitForIngest(session, 100))
    }

    @Test func ingest_memberRightsNarrowedMidStream_laterItemsRefused_notPublishedOnARouteWorkedOutBefore() throws {
        try Self.aroundAChange({ operatorClient in
            // Taken off auto-rang3: removed, then enrolled again on machine-speciale alone.
            let removed = try operatorClient.request(.member(arguments: Array(
                #"{"action":"remove","id":"cci-doubs"}"#.utf8)))
            #expect(removed.word == "MEMBER")
            let member = #"{"id":"cci-doubs","stratum":"capteur","themes":["machine-speciale"]}"#
            let added = try operatorClient.request(.member(arguments: Array(
                #"{"action":"add","member":\#(member)}"#.utf8)))
            #expect(added.word == "MEMBER")
        }, then: { session, stats in
            let stored = try session.replayAll("bfc/auto-rang3/")

            #expect(stats["accepted"]?.objectValue?["ingest"] == .int(50))
            #expect(stats["rejected"]?.objectValue?["ingest"]?.objectValue?["forbidden"] == .int(50))
            let late = stored.filter { ($0.header?["id"]?.stringValue).flatMap { Int($0.dropFirst(2)) } ?? 0 >= 50 }
            #expect(late.count == 0, "published after the member lost the theme")
        })
    }

    @Test func ingest_themeThresholdRaisedMidStream_laterAlertsStayOffTheCRPS() throws {
        try Self.aroundAChange({ operatorClient in
            let raised = try operatorClient.request(.theme(arguments: Array(
                #"{"action":"update","theme":{"id":"auto-rang3","crps_severity":"Extreme"}}"#.utf8)))
            #expect(raised.word == "THEME", "\(raised.body)")
        }, then: { session, _ in
            let gip = try session.replayAll("bfc/auto-rang3/gip/")
            let crps = try session.replayAll("bfc/auto-rang3/crps/")

            #expect(gip.count == 100)
            #expect(crps.count == 50, "Severe alerts sent to the CRPS after its threshold became Extreme")
            #expect(crps.allSatisfy { (Int($0.header?["id"]?.stringValue?.dropFirst(2) ?? "") ?? 99) < 50 })
        })
    }
}
