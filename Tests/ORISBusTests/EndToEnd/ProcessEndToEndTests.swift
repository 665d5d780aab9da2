// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The ORIS process on a real daemon, observed on real SUB sockets: escalation thresholds,
/// corroboration of weak signals, explicit escalation, CAP updates, expiry and test status.
@Suite("ORIS process end to end", .serialized)
struct ProcessEndToEndTests {
    static func configuration(state: String) -> String {
        """
        {
          "state_dir": "\(state)", "security": "none", "log_level": "debug",
          "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"]},
          "journal": {"fsync": "always"},
          "tenants": [{"id": "bfc",
            "defaults": {"crps_severity": "Severe", "crps_urgency": "Expected"},
            "themes": [
              {"id": "machine"},
              {"id": "veille", "corroboration": {"sources": 3, "window_seconds": 3600, "match": "tag"}}
            ],
            "members": [
              {"id": "c1", "stratum": "capteur", "organisation": "CCI 90"},
              {"id": "c2", "stratum": "capteur", "organisation": "CCI 25"},
              {"id": "c3", "stratum": "capteur", "organisation": "UTBM"},
              {"id": "c4", "stratum": "capteur", "organisation": "CCI 90"},
              {"id": "c5", "stratum": "capteur"},
              {"id": "gip-machine", "stratum": "gip", "themes": ["machine"]},
              {"id": "gip-veille", "stratum": "gip", "themes": ["veille"]},
              {"id": "crps", "stratum": "crps"},
              {"id": "operator", "stratum": "operator"}
            ]}]
        }
        """
    }

    static func item(_ fields: [(String, JSONValue)]) -> Request {
        .publish(header: header(fields), body: Array("corps".utf8))
    }

    static func alert(_ id: String, severity: String, urgency: String, extra: [(String, JSONValue)] = []) -> Request {
        Self.item([("id", .string(id)), ("kind", .string("alert")), ("theme", .string("machine")),
                   ("title", .string(id)), ("severity", .string(severity)), ("urgency", .string(urgency))] + extra)
    }

    static func signal(_ id: String, tag: String) -> Request {
        Self.item([("id", .string(id)), ("kind", .string("signal")), ("theme", .string("veille")),
                   ("title", .string(id)), ("tags", .array([.string(tag)]))])
    }

    static func titles(_ items: [ReceivedItem]) -> [String] {
        items.map { $0.header?["title"]?.stringValue ?? "?" }
    }

    @Test func escalation_atTheThresholdsReachesTheCRPS_justBelowEitherDoesNot() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-machine", ["bfc/machine/gip/"])
        let crps = try session.subscriber(as: "crps", ["bfc/machine/crps/"])
        try session.waitForSubscriptions(2)
        let capteur = try session.client(as: "c1")

        for (id, severity, urgency) in [("at-both", "Severe", "Expected"), ("urgency-below", "Severe", "Future"),
                                        ("severity-below", "Moderate", "Immediate")] {
            #expect(try capteur.request(Self.alert(id, severity: severity, urgency: urgency)).word == "ACK")
        }

        #expect(Self.titles(try AccessEndToEndTests.drain(gip)) == ["at-both", "urgency-below", "severity-below"])
        let escalated = try AccessEndToEndTests.drain(crps)
        #expect(Self.titles(escalated) == ["at-both"])
        #expect(escalated.first?.header?["reason"] == .string(
            "severity Severe at or above the theme's threshold Severe, urgency Expected at or above Expected"))
    }

    @Test func corroboration_raisesOneAlertForKIndependentCapteurs_survivesARestart() throws {
        let folder = TemporaryFolder()
        let text = Self.configuration(state: folder.path + "/state")
        var daemon: RunningDaemon? = try RunningDaemon(configText: text, folder: folder)
        var session = try Session(daemon!)
        var gip = try session.subscriber(as: "gip-veille", ["bfc/veille/gip/alert"])
        var crps = try session.subscriber(as: "crps", ["bfc/veille/crps/"])
        try session.waitForSubscriptions(2)
        func send(_ member: String, _ id: String, _ tag: String) throws {
            #expect(try session.client(as: member).request(Self.signal(id, tag: tag)).word == "ACK")
        }

        // K signals from one member, and K-1 independent sources (c4 shares c1's organisation).
        try send("c1", "y1", "y"); try send("c1", "y2", "y"); try send("c1", "y3", "y")
        try send("c1", "x1", "x"); try send("c2", "x2", "x"); try send("c4", "x4", "x")
        let beforeK = try AccessEndToEndTests.drain(gip)
        // The K-th independent source, then three more signals on the same cluster.
        try send("c3", "x3", "x")
        try send("c5", "x5", "x"); try send("c2", "x6", "x"); try send("c3", "x7", "x")
        // Two sources of another cluster before the restart.
        try send("c1", "z1", "z"); try send("c2", "z2", "z")
        let atGIP = try AccessEndToEndTests.drain(gip)
        let atCRPS = try AccessEndToEndTests.drain(crps)

        #expect(beforeK.isEmpty)
        #expect(atGIP.count == 1 && atCRPS.count == 1)
        let alert = try #require(atGIP.first)
        #expect(alert.header?["sender"] == .string("@oris"))
        #expect(alert.header?["tags"] == .array([.string("x")]))
        #expect(alert.header?["references"] == .array(["x1", "x2", "x4", "x3"].map { .string($0) }))
        #expect(alert.header?["reason"]?.stringValue?.hasPrefix(
            "corroboration: 4 weak signals from 3 independent capteurs on tag 'x'") == true)
        #expect(atCRPS.first?.header?["id"] == alert.header?["id"])

        session.close()
        daemon?.stop()
        daemon = try RunningDaemon(configText: text, folder: folder)
        session = try Session(daemon!)
        defer { session.close() }
        gip = try session.subscriber(as: "gip-veille", ["bfc/veille/gip/alert"])
        crps = try session.subscriber(as: "crps", ["bfc/veille/crps/"])
        try session.waitForSubscriptions(2)
        // The x cluster already raised its alert in this window; z reaches its third source.
        try send("c4", "x8", "x")
        try send("c3", "z3", "z")
        let afterRestart = try AccessEndToEndTests.drain(gip)

        #expect(afterRestart.count == 1)
        #expect(afterRestart.first?.header?["references"] == .array(["z1", "z2", "z3"].map { .string($0) }))
        #expect(try AccessEndToEndTests.drain(crps).count == 1)
    }

    @Test func explicitEscalation_byAGIPMember_reachesTheCRPSWithItsNote_once() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let crps = try session.subscriber(as: "crps", ["bfc/machine/crps/"])
        try session.waitForSubscriptions(1)
        let capteur = try session.client(as: "c1")
        _ = try capteur.request(Self.item([("id", .string("s-1")), ("kind", .string("signal")),
                                           ("theme", .string("machine")), ("title", .string("rumeur"))]))
        _ = try capteur.request(Self.item([("id", .string("s-red")), ("kind", .string("signal")),
                                           ("theme", .string("machine")), ("title", .string("secret")),
                                           ("tlp", .string("red"))]))
        _ = try capteur.request(Self.alert("a-high", severity: "Extreme", urgency: "Immediate"))
        // Live when published, expired a second later: no longer worth the CRPS's attention.
        // Whole seconds on the wire: two seconds ahead stays at least one ahead once truncated.
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(2))
        let soon = ISO8601DateFormatter().date(from: stamp) ?? Date()
        _ = try capteur.request(Self.item([("id", .string("s-soon")), ("kind", .string("signal")),
                                           ("theme", .string("machine")), ("title", .string("bientôt périmé")),
                                           ("expires", .string(stamp))]))
        usleep(UInt32(max(0, soon.timeIntervalSinceNow + 0.3) * 1_000_000))
        func escalate(_ member: String, _ id: String) throws -> Reply {
            try session.client(as: member).request(.escalate(arguments: JSONWriter.encode(.object(JSONObject([
                ("id", .string(id)), ("note", .string("trois sources concordantes")),
            ])))))
        }

        let first = try escalate("gip-machine", "s-1")
        let again = try escalate("gip-machine", "s-1")
        let refusals = try [("gip-machine", "s-red"), ("gip-machine", "a-high"), ("gip-machine", "nope"),
                            ("gip-veille", "s-1"), ("c1", "s-1"), ("gip-machine", "s-soon")]
            .map { AccessEndToEndTests.code(try escalate($0, $1)) }
        let delivered = try AccessEndToEndTests.drain(crps)

        #expect(first.word == "ACK" && first.body["id"] == .string("s-1~crps"))
        #expect(again.body["duplicate"] == .bool(true) && again.body["id"] == .string("s-1~crps"))
        #expect(refusals == ["forbidden", "conflict", "not-found", "forbidden", "forbidden", "forbidden"])
        #expect(delivered.map(\.topic) == ["bfc/machine/crps/alert", "bfc/machine/crps/signal"])
        let escalated = try #require(delivered.last)
        #expect(escalated.header?["reason"] == .string("escalated by gip-machine: trois sources concordantes"))
        #expect(escalated.header?["references"] == .array([.string("s-1")]))
        #expect(escalated.header?["sender"] == .string("gip-machine"))
        #expect(escalated.body == Array("corps".utf8))

        // Where s-1 went, and what references it, as the operator sees it.
        let trace = try runCommand(Binaries.orisctl, ["trace", "s-1", "--api", daemon.api, "--as", "operator",
                                                      "--tenant", "bfc", "--json"])
        #expect(trace.status == 0, "\(trace.stderr)")
        let traced = try #require((try? JSONParser.parse(trace.stdout))?.objectValue)
        #expect(traced["deliveries"]?.arrayValue?.compactMap { $0.objectValue?["topic"]?.stringValue }
                == ["bfc/machine/gip/signal"])
        let follower = traced["referenced_by"]?.arrayValue?.first?.objectValue
        #expect(follower?["id"] == .string("s-1~crps"))
        #expect(follower?["reason"] == .string("escalated by gip-machine: trois sources concordantes"))
        // A capteur of another organisation does not read the GIP tier: to it, s-1 is not there.
        let hidden = try runCommand(Binaries.orisctl, ["trace", "s-1", "--api", daemon.api, "--as", "c2"])
        #expect(hidden.status == 65 && hidden.stderr.hasPrefix("NAK not-found:"))
    }

    @Test func explain_saysWhyAMemberReceivesATopicOrNot() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        func explain(_ who: String, _ member: String, _ topic: String) throws -> CommandResult {
            try runCommand(Binaries.orisctl, ["explain", member, topic, "--api", daemon.api, "--as", who])
        }

        let crps = try explain("crps", "crps", "bfc/machine/crps/alert")
        let gip = try explain("operator", "gip-machine", "bfc/machine/crps/alert")
        let otherTheme = try explain("gip-veille", "gip-veille", "bfc/machine/gip/alert")
        let nosy = try explain("c1", "gip-machine", "bfc/machine/gip/alert")

        #expect(crps.status == 0 && crps.stdout.hasPrefix("crps receives bfc/machine/crps/alert:"))
        #expect(crps.stdout.contains("a crps member reads tier 'crps'"))
        #expect(gip.status == 1)
        #expect(gip.stdout.contains("a gip member reads the tiers gip, test, archive, not 'crps'"))
        #expect(otherTheme.status == 1 && otherTheme.stdout.contains("does not work on theme 'machine'"))
        #expect(nosy.status == 65 && nosy.stderr.hasPrefix("NAK forbidden:"))
    }

    @Test func capSemantics_cancelFollowsItsOriginal_expiredIsArchived_testStatusStaysApart() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-machine", ["bfc/machine/gip/", "bfc/machine/test/"])
        let crps = try session.subscriber(as: "crps", ["bfc/machine/crps/"])
        try session.waitForSubscriptions(3)
        let capteur = try session.client(as: "c1")

        let original = try capteur.request(Self.alert("orig", severity: "Severe", urgency: "Immediate"))
        let cancel = try capteur.request(Self.alert("cancel", severity: "Minor", urgency: "Past", extra: [
            ("msg_type", .string("Cancel")), ("references", .array([.string("orig")])),
        ]))
        // Another capteur's "cancel" of c1's alert follows nothing: an update is its author's.
        let foreign = try session.client(as: "c2").request(Self.alert("foreign-cancel", severity: "Minor",
                                                                       urgency: "Past", extra: [
            ("msg_type", .string("Cancel")), ("references", .array([.string("orig")])),
        ]))
        // A cancel filed on another theme still reaches where the original went, in its theme.
        let elsewhere = try capteur.request(Self.item([
            ("id", .string("cancel-elsewhere")), ("kind", .string("alert")), ("theme", .string("veille")),
            ("title", .string("cancel-elsewhere")), ("msg_type", .string("Cancel")),
            ("references", .array([.string("orig")])),
        ]))
        let expired = try capteur.request(Self.alert("expired", severity: "Extreme", urgency: "Immediate", extra: [
            ("expires", .string("2020-01-01T00:00:00Z")),
        ]))
        let exercise = try capteur.request(Self.alert("exercise", severity: "Extreme", urgency: "Immediate", extra: [
            ("status", .string("Exercise")),
        ]))

        func tiers(_ reply: Reply) -> [String] { reply.body["tiers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        #expect(tiers(original) == ["gip", "crps"])
        #expect(tiers(cancel) == ["gip", "crps"])
        #expect(tiers(foreign) == ["gip"])
        #expect(elsewhere.body["deliveries"]?.arrayValue?.compactMap { $0.objectValue?["topic"]?.stringValue } == [
            "bfc/veille/gip/alert", "bfc/machine/gip/alert", "bfc/machine/crps/alert",
        ])
        #expect(tiers(expired) == ["archive"])
        #expect(tiers(exercise) == ["test"])
        let atGIP = try AccessEndToEndTests.drain(gip)
        #expect(atGIP.map { "\($0.header?["title"]?.stringValue ?? "") \($0.topic)" } == [
            "orig bfc/machine/gip/alert", "cancel bfc/machine/gip/alert", "foreign-cancel bfc/machine/gip/alert",
            "cancel-elsewhere bfc/machine/gip/alert",
            "exercise bfc/machine/test/alert",
        ])
        let atCRPS = try AccessEndToEndTests.drain(crps)
        #expect(Self.titles(atCRPS) == ["orig", "cancel", "cancel-elsewhere"])
        #expect(atCRPS.last?.header?["reason"] == .string("cancel of orig: delivered where the original went"))
        let archived = try session.client(as: "gip-machine").replay(ReplayRequest(prefix: "bfc/machine/archive/"))
        #expect(archived.items.map { $0.header?["title"] } == [.string("expired")])
    }
}
