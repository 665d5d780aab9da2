// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Key themes with their dashboard on a real daemon: taskings reach only their axis's
/// collectors, collectors and rules change at run time by role and survive a restart, and the
/// back-planning raises each reminder once across restarts. Deliveries are read on real SUB
/// sockets subscribed to what each member's HELLO says it reads.
@Suite("Themes, taskings and reminders end to end", .serialized)
struct ThemeEndToEndTests {
    /// Theme `auto`: axis a1 collected by c1, axis a2 by c2; c3 collects nothing. `anim` is the
    /// dashboard's animateur, `admin` a tenant admin.
    static func configuration(state: String, fsync: String = "always") -> String {
        """
        {
          "state_dir": "\(state)", "security": "none", "log_level": "debug",
          "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"]},
          "journal": {"fsync": "\(fsync)"},
          "tenants": [{"id": "bfc",
            "themes": [
              {"id": "auto", "crps_severity": "Severe", "animateur": "anim",
               "axes": [{"id": "a1", "collectors": ["c1"]}, {"id": "a2", "collectors": ["c2"]}]},
              {"id": "machine"}
            ],
            "members": [
              {"id": "c1", "stratum": "capteur", "themes": ["auto"]},
              {"id": "c2", "stratum": "capteur", "themes": ["auto"]},
              {"id": "c3", "stratum": "capteur", "themes": ["auto"]},
              {"id": "c4", "stratum": "capteur"},
              {"id": "gip", "stratum": "gip", "themes": ["auto"]},
              {"id": "crps", "stratum": "crps"},
              {"id": "anim", "stratum": "crps"},
              {"id": "admin", "stratum": "gip", "admin": true},
              {"id": "operator", "stratum": "operator"}
            ]}]
        }
        """
    }

    static func tasking(_ id: String, axis: String?) -> Request {
        var fields: [(String, JSONValue)] = [("id", .string(id)), ("kind", .string("tasking")),
                                             ("theme", .string("auto")), ("title", .string(id))]
        if let axis { fields.append(("axis", .string(axis))) }
        return .publish(header: header(fields), body: Array("consigne".utf8))
    }

    /// What a member's HELLO says it reads.
    static func readable(_ session: Session, _ member: String) throws -> [String] {
        let reply = try session.client(as: member).request(.hello)
        return reply.body["readable"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Each item as `topic title`.
    static func seen(_ items: [ReceivedItem]) -> [String] {
        items.map { "\($0.topic) \($0.header?["title"]?.stringValue ?? "?")" }
    }

    static func orisctl(_ daemon: RunningDaemon, as member: String, _ words: [String]) throws -> CommandResult {
        try runCommand(Binaries.orisctl, words + ["--api", daemon.api, "--as", member])
    }

    @Test func tasking_reachesOnlyItsAxisCollectors_decisionReachesTheGIPAndEveryCapteur() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        #expect(try Self.readable(session, "c1") == ["bfc/auto/capteur/", "bfc/auto/axis/a1/"])
        var subscribers: [String: FeedSubscriber] = [:]
        for member in ["c1", "c2", "c3", "gip", "crps"] {
            subscribers[member] = try session.subscriber(as: member, try Self.readable(session, member))
        }
        // c2 also asks for a1's taskings, which it does not collect: refused.
        let prying = try session.subscriber(as: "c2", ["bfc/auto/axis/a1/"])
        try AccessEndToEndTests.waitForCounters(session, subscriptions: 9, refused: 1)

        let gip = try session.client(as: "gip")
        let crps = try session.client(as: "crps")
        #expect(try gip.request(Self.tasking("t-a1", axis: "a1")).word == "ACK")
        #expect(try crps.request(Self.tasking("t-a2", axis: "a2")).word == "ACK")
        let noAxis = try gip.request(Self.tasking("t-none", axis: nil))
        let badAxis = try gip.request(Self.tasking("t-bad", axis: "a3"))
        #expect(noAxis.body["code"] == .string("unknown-axis") && badAxis.body["code"] == .string("unknown-axis"))
        let decision = Request.publish(header: header([("kind", .string("decision")), ("theme", .string("auto")),
                                                       ("title", .string("d"))]), body: [])
        #expect(try crps.request(decision).word == "ACK")

        func got(_ member: String) throws -> [String] {
            Self.seen(try AccessEndToEndTests.drain(subscribers[member]!))
        }
        #expect(try got("c1") == ["bfc/auto/axis/a1/tasking t-a1", "bfc/auto/capteur/decision d"])
        #expect(try got("c2") == ["bfc/auto/axis/a2/tasking t-a2", "bfc/auto/capteur/decision d"])
        #expect(try got("c3") == ["bfc/auto/capteur/decision d"])
        #expect(try got("gip") == ["bfc/auto/gip/tasking t-a1", "bfc/auto/gip/tasking t-a2",
                                   "bfc/auto/gip/decision d"])
        #expect(try got("crps").isEmpty)
        #expect(try AccessEndToEndTests.drain(prying).isEmpty)
        // Replay follows the same rule.
        #expect(throws: ReplayRefused.self) {
            _ = try session.client(as: "c3").replay(ReplayRequest(prefix: "bfc/auto/axis/a1/"))
        }

        // An update follows only originals of its own kind: a tasking naming its author's
        // decision does not reach every capteur with it.
        let decided = Request.publish(header: header([("id", .string("dec-1")), ("kind", .string("decision")),
                                                      ("theme", .string("auto")), ("title", .string("d1"))]), body: [])
        #expect(try crps.request(decided).word == "ACK")
        let update = Request.publish(header: header([
            ("id", .string("t-upd")), ("kind", .string("tasking")), ("theme", .string("auto")),
            ("title", .string("t-upd")), ("axis", .string("a2")), ("msg_type", .string("Update")),
            ("references", .array([.string("dec-1")])),
        ]), body: [])
        let ack = try crps.request(update)
        #expect(ack.body["tiers"] == .array([.string("axis"), .string("gip")]))
        #expect(try got("c1") == ["bfc/auto/capteur/decision d1"])
        #expect(try got("c2") == ["bfc/auto/capteur/decision d1", "bfc/auto/axis/a2/tasking t-upd"])
        #expect(try got("c3") == ["bfc/auto/capteur/decision d1"])
        // TRACE shows a member only the followers it may read; an admin all of them.
        let asC3 = try session.client(as: "c3").request(.trace(arguments: Array(#"{"id": "dec-1"}"#.utf8)))
        let asAdmin = try session.client(as: "admin").request(.trace(arguments: Array(#"{"id": "dec-1"}"#.utf8)))
        #expect(asC3.body["referenced_by"] == .array([]))
        #expect(asAdmin.body["referenced_by"]?.arrayValue?.count == 2)
    }

    @Test func collectorsAndRules_changeByRole_atOnce_andSurviveARestart() throws {
        let folder = TemporaryFolder()
        let text = Self.configuration(state: folder.path + "/state")
        var daemon = try RunningDaemon(configText: text, folder: folder)
        var session = try Session(daemon)
        // The dashboard's animateur has the animateur's role, as `animates` would give it.
        let hello = try session.client(as: "anim").request(.hello).body
        #expect(hello["roles"] == .array([.string("animateur")]) && hello["animates"] == .array([.string("auto")]))
        #expect(try Self.orisctl(daemon, as: "anim", ["explain", "c1", "bfc/auto/axis/a1/tasking"]).status == 0)
        #expect(try Self.orisctl(daemon, as: "anim", ["hello"]).stdout.contains("roles: animateur of auto"))
        // Roles: a capteur and a GIP member may not change the axes; the animateur may.
        let add = ["theme", "collector", "add", "auto", "a1", "c3"]
        #expect(try Self.orisctl(daemon, as: "c3", add).status == 65)
        #expect(try Self.orisctl(daemon, as: "gip", add).status == 65)
        let added = try Self.orisctl(daemon, as: "anim", add)
        #expect(added.status == 0 && added.stdout == "changed theme auto")
        #expect(try Self.orisctl(daemon, as: "anim", add).stderr.contains("NAK conflict"))
        #expect(try Self.orisctl(daemon, as: "anim", ["theme", "collector", "add", "auto", "a1", "gip"])
            .stderr.contains("collectors are capteurs"))
        // The animateur changes the dashboard, not the rules; an admin changes both.
        let stricter = folder.write("auto.json", """
            {"id": "auto", "crps_severity": "Extreme", "animateur": "anim",
             "axes": [{"id": "a1", "collectors": ["c1", "c3"]}, {"id": "a2", "collectors": ["c2"]}]}
            """)
        let byAnimateur = try Self.orisctl(daemon, as: "anim", ["theme", "update", "--file", stricter])
        #expect(byAnimateur.status == 65 && byAnimateur.stderr.contains("NAK forbidden"))
        // Nor the title, nor who the animateur is; and an animateur is a CRPS or GIP member.
        let retitled = folder.write("retitled.json", #"{"id": "auto", "title": "Autre", "crps_severity": "Severe", "#
                                    + #""animateur": "anim", "axes": [{"id": "a1", "collectors": ["c1", "c3"]}, "#
                                    + #"{"id": "a2", "collectors": ["c2"]}]}"#)
        #expect(try Self.orisctl(daemon, as: "anim", ["theme", "update", "--file", retitled]).status == 65)
        let handedOver = folder.write("handed.json", #"{"id": "auto", "crps_severity": "Severe", "animateur": "crps", "#
                                      + #""axes": [{"id": "a1", "collectors": ["c1", "c3"]}, "#
                                      + #"{"id": "a2", "collectors": ["c2"]}]}"#)
        #expect(try Self.orisctl(daemon, as: "anim", ["theme", "update", "--file", handedOver]).status == 65)
        let toCapteur = folder.write("capteur.json", #"{"id": "auto", "crps_severity": "Severe", "animateur": "c3", "#
                                     + #""axes": [{"id": "a1", "collectors": ["c1", "c3"]}, "#
                                     + #"{"id": "a2", "collectors": ["c2"]}]}"#)
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "update", "--file", toCapteur]).stderr
            .contains("an animateur is a CRPS or GIP member"))
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "update", "--file", stricter]).status == 0)
        // A new theme by the admin; a second create of it is a conflict; list by who works on what.
        let veille = folder.write("veille.json", #"{"id": "veille", "title": "Veille"}"#)
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "create", "--file", veille]).status == 0)
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "create", "--file", veille]).stderr
            .contains("NAK conflict"))
        #expect(try Self.orisctl(daemon, as: "c1", ["theme", "create", "--file", veille]).status == 65)
        let listed = try Self.orisctl(daemon, as: "c1", ["theme", "list"]).stdout.split(separator: "\n")
        #expect(listed.count == 1 && listed[0].hasPrefix("auto "))
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "list"]).stdout.split(separator: "\n").count == 3)

        // At once: c3 now reads a1 and gets its tasking.
        #expect(try Self.readable(session, "c3").contains("bfc/auto/axis/a1/"))
        var c3 = try session.subscriber(as: "c3", try Self.readable(session, "c3"))
        try session.waitForSubscriptions(2)
        #expect(try session.client(as: "gip").request(Self.tasking("before-restart", axis: "a1")).word == "ACK")
        #expect(Self.seen(try AccessEndToEndTests.drain(c3)) == ["bfc/auto/axis/a1/tasking before-restart"])

        // Across a restart: the theme as changed, from themes.json.
        session.close()
        daemon.stop()
        daemon = try RunningDaemon(configText: text, folder: folder)
        session = try Session(daemon)
        defer { session.close() }
        let shown = try Self.orisctl(daemon, as: "gip", ["theme", "show", "auto", "--json"])
        let body = try #require(try JSONParser.parse(shown.stdout).objectValue)
        let theme = try #require(body["theme"]?.objectValue)
        #expect(theme["crps_severity"] == .string("Extreme"))
        let axes = theme["axes"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(axes.first?["collectors"] == .array([.string("c1"), .string("c3")]))
        #expect(body["axis_readers"]?.objectValue?["a1"] == .array([.string("c1"), .string("c3")]))
        #expect(try Self.orisctl(daemon, as: "admin", ["theme", "show", "veille"]).status == 0)

        // Removing c1 from a1 cuts its open subscription: nothing of a1 reaches it any more.
        let c1 = try session.subscriber(as: "c1", try Self.readable(session, "c1"))
        c3 = try session.subscriber(as: "c3", try Self.readable(session, "c3"))
        try session.waitForSubscriptions(4)
        #expect(try Self.orisctl(daemon, as: "anim", ["theme", "collector", "remove", "auto", "a1", "c1"]).status == 0)
        // The cut makes both reconnect (their sockets must turn for that, as a client's loop
        // does); c1's a1 subscription is then refused.
        let settle = Date().addingTimeInterval(10)
        while Date() < settle {
            _ = try c1.next(timeoutMilliseconds: 20)
            _ = try c3.next(timeoutMilliseconds: 20)
            let stats = try session.stats()
            if stats["subscriptions"] == .int(7) && stats["refused_subscriptions"] == .int(1) { break }
        }
        #expect(try session.stats()["refused_subscriptions"] == .int(1))
        #expect(try session.client(as: "gip").request(Self.tasking("after-removal", axis: "a1")).word == "ACK")
        #expect(try AccessEndToEndTests.drain(c1).isEmpty)
        #expect(Self.seen(try AccessEndToEndTests.drain(c3)) == ["bfc/auto/axis/a1/tasking after-removal"])

        // Every change is in the audit trail with its actor.
        let audit = try session.client(as: "operator").request(.audit(arguments: Array(#"{"tenant": "bfc"}"#.utf8)))
        let entries = audit.body["entries"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let themeChanges = entries.filter { $0["action"]?.stringValue?.hasPrefix("theme.") == true }
            .map { "\($0["action"]?.stringValue ?? "") \($0["subject"]?.stringValue ?? "") "
                + "\($0["actor"]?.stringValue ?? "")" }
        #expect(themeChanges.suffix(4) == ["theme.change auto anim", "theme.change auto admin",
                                           "theme.add veille admin", "theme.change auto anim"])
    }

    /// Under fsync batch an item is sent as soon as it is stored: a collector removed by one
    /// request must not receive the taskings of the requests right behind it in the same batch.
    @Test func aRemovedCollector_getsNoTaskingPipelinedBehindItsRemoval() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state", fsync: "batch"),
                                       folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let c1 = try session.subscriber(as: "c1", try Self.readable(session, "c1"))
        try session.waitForSubscriptions(2)
        let anim = try session.client(as: "anim")
        let removal = JSONObject([("action", .string("collector-remove")), ("id", .string("auto")),
                                  ("axis", .string("a1")), ("member", .string("c1"))])
        // The animateur is a CRPS member: it may task too. All in one go, before any reply.
        try anim.send(.theme(arguments: JSONWriter.encode(.object(removal))))
        for n in 1...5 {
            try anim.send(Self.tasking("behind-\(n)", axis: "a1"))
        }
        let replies = try (0...5).map { _ in try anim.receive().word }

        #expect(replies == ["THEME", "ACK", "ACK", "ACK", "ACK", "ACK"])
        var got = [String]()
        let until = Date().addingTimeInterval(1.5)
        while Date() < until {
            if let item = try c1.next(timeoutMilliseconds: 50) { got.append(item.topic) }
        }
        #expect(got.isEmpty)
    }

    /// A running `orisctl subscribe` that loses the only prefix it follows says so and exits 77.
    @Test func aGIPAnimateur_ofAThemeItDoesNotWorkOn_readsAndUpdatesItsDashboard() throws {
        let folder = TemporaryFolder()
        // gip-anim animates `machine` and works on `auto` only; gip works on `auto` only too.
        let text = Self.configuration(state: folder.path + "/state")
            .replacingOccurrences(of: #"{"id": "machine"}"#, with: #"{"id": "machine", "animateur": "gip-anim"}"#)
            .replacingOccurrences(of: #"{"id": "operator", "stratum": "operator"}"#, with: """
                {"id": "operator", "stratum": "operator"},
                {"id": "gip-anim", "stratum": "gip", "themes": ["auto"]}
                """)
        let daemon = try RunningDaemon(configText: text, folder: folder)
        let withAxis = folder.write("machine.json", #"{"id": "machine", "animateur": "gip-anim", "#
                                    + #""axes": [{"id": "m1", "collectors": ["c4"]}]}"#)

        let shown = try Self.orisctl(daemon, as: "gip-anim", ["theme", "show", "machine"])
        let listed = try Self.orisctl(daemon, as: "gip-anim", ["theme", "list"])
        let updated = try Self.orisctl(daemon, as: "gip-anim", ["theme", "update", "--file", withAxis])
        let after = try Self.orisctl(daemon, as: "admin", ["theme", "show", "machine"])
        // Another GIP member of the same themes neither sees the theme nor changes it.
        let notShown = try Self.orisctl(daemon, as: "gip", ["theme", "show", "machine"])
        let notUpdated = try Self.orisctl(daemon, as: "gip", ["theme", "update", "--file", withAxis])

        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("machine"))
        #expect(listed.status == 0 && listed.stdout.contains("machine"))
        #expect(updated.status == 0 && updated.stdout == "updated theme machine", "\(updated.stdout)")
        #expect(after.stdout.contains("m1"))
        #expect(notShown.status == 65 && notShown.stderr.contains("NAK forbidden"))
        #expect(notUpdated.status == 65 && notUpdated.stderr.contains("NAK not-found"))
    }

    @Test func subscribe_losingItsOnlyPrefix_exits77() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let subscriber = try BackgroundProcess(Binaries.orisctl, [
            "subscribe", "bfc/auto/axis/a1/", "--api", daemon.api, "--feed", daemon.feed, "--as", "c1",
        ], folder: folder, name: "sub")
        try session.waitForSubscriptions(1)
        #expect(try Self.orisctl(daemon, as: "anim", ["theme", "collector", "remove", "auto", "a1", "c1"]).status == 0)

        #expect(subscriber.waitForExit(seconds: 15))
        #expect(subscriber.process.terminationStatus == 77)
        let errors = String(decoding: FileManager.default.contents(atPath: folder.path + "/sub.err") ?? Data(),
                            as: UTF8.self)
        #expect(errors.contains("may no longer read bfc/auto/axis/a1/"))
    }

    @Test func reminders_fireOnceEach_acrossRestarts() throws {
        let folder = TemporaryFolder()
        let text = Self.configuration(state: folder.path + "/state")
        var daemon = try RunningDaemon(configText: text, folder: folder)
        var session = try Session(daemon)
        let admin = try session.client(as: "admin")
        func send(_ action: String, _ theme: String) throws -> Reply {
            let arguments = JSONObject([("action", .string(action)),
                                        ("theme", try JSONParser.parse(Array(theme.utf8)))])
            return try admin.request(.theme(arguments: JSONWriter.encode(.object(arguments))))
        }
        // The theme first, without dates, so that its readers can subscribe.
        #expect(try send("create", #"{"id": "plan", "axes": [{"id": "a1", "collectors": ["c4"]}]}"#).word == "THEME")
        let gip = try session.subscriber(as: "admin", ["bfc/plan/gip/"])
        let crps = try session.subscriber(as: "crps", ["bfc/plan/crps/"])
        let c4 = try session.subscriber(as: "c4", ["bfc/plan/axis/a1/"])
        try session.waitForSubscriptions(3)

        // a1's deadline in 12 s (due soon at once, overdue in 12 s: room for a slow machine to
        // finish the first part and restart before it); a checkpoint a day ago (overdue at once);
        // a consolidated diagnostic far ahead and a use already done: nothing.
        let now = Timestamp.now().milliseconds
        func at(_ offset: Int64) -> String { Timestamp(milliseconds: now + offset).description }
        let dated = """
            {"id": "plan",
             "axes": [{"id": "a1", "deadline": "\(at(12_000))", "collectors": ["c4"]}],
             "planning": {"start": "\(at(-86_400_000 * 30))",
                          "checkpoints": [{"label": "point", "date": "\(at(-86_400_000))"}],
                          "consolidated_diagnostic": "2099-01-01",
                          "crps_use": {"date": "\(at(-3_600_000))", "done": true}}}
            """
        #expect(try send("update", dated).word == "THEME")
        let first = try Self.collect(gip, count: 2, seconds: 5)
        #expect(Set(first.map(Self.reminderState)) == ["axis:a1 due-soon", "checkpoint:point overdue"])
        #expect(first.allSatisfy {
            $0.header?["sender"] == .string("@oris") && $0.header?["kind"] == .string("reminder")
        })
        #expect(try AccessEndToEndTests.drain(crps).map(Self.reminderState) == ["checkpoint:point overdue"])
        #expect(try AccessEndToEndTests.drain(c4).map(Self.reminderState) == ["axis:a1 due-soon"])
        session.close()
        daemon.stop()

        // Restarted before a1's deadline: nothing is raised again; the overdue one comes once.
        daemon = try RunningDaemon(configText: text, folder: folder)
        session = try Session(daemon)
        let again = try session.subscriber(as: "admin", ["bfc/plan/gip/"])
        let collector = try session.subscriber(as: "c4", ["bfc/plan/axis/a1/"])
        try session.waitForSubscriptions(2)
        let wait = Double(now + 16_000 - Timestamp.now().milliseconds) / 1000
        let late = try Self.collect(again, count: 1, seconds: wait)
        #expect(late.map(Self.reminderState) == ["axis:a1 overdue"])
        #expect(try AccessEndToEndTests.drain(collector).map(Self.reminderState) == ["axis:a1 overdue"])
        #expect(try AccessEndToEndTests.drain(again, quiet: 2000).isEmpty)
        let stored: [String: [String]] = [
            "bfc/plan/axis/a1/reminder": ["axis:a1 due-soon", "axis:a1 overdue"],
            "bfc/plan/crps/reminder": ["checkpoint:point overdue"],
            "bfc/plan/gip/reminder": ["checkpoint:point overdue", "axis:a1 due-soon", "axis:a1 overdue"],
        ]
        #expect(try Self.storedReminders(session) == stored)
        session.close()
        daemon.stop()

        // Even with reminders.json gone (a crash before it was written), nothing is raised twice:
        // the journal's ids tell.
        try FileManager.default.removeItem(atPath: folder.path + "/state/reminders.json")
        daemon = try RunningDaemon(configText: text, folder: folder)
        session = try Session(daemon)
        defer { session.close() }
        usleep(2_000_000)
        #expect(try session.stats()["reminders"] == .int(0))
        #expect(try Self.storedReminders(session) == stored)
    }

    /// Items until `count` came or `seconds` passed.
    static func collect(_ subscriber: FeedSubscriber, count: Int, seconds: Double) throws -> [ReceivedItem] {
        var out = [ReceivedItem]()
        let deadline = Date().addingTimeInterval(seconds)
        while out.count < count && Date() < deadline {
            if let item = try subscriber.next(timeoutMilliseconds: 200) { out.append(item) }
        }
        return out
    }

    /// `milestone state` from a reminder's `x-reminder` field.
    static func reminderState(_ item: ReceivedItem) -> String {
        let mark = item.header?["x-reminder"]?.objectValue
        return "\(mark?["milestone"]?.stringValue ?? "?") \(mark?["state"]?.stringValue ?? "?")"
    }

    /// Every reminder stored for theme `plan`, by topic, in journal order.
    static func storedReminders(_ session: Session) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for item in try session.replayAll("bfc/plan/") where item.topic.hasSuffix("/reminder") {
            out[item.topic, default: []].append(Self.reminderState(item))
        }
        return out
    }
}
