// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Who may do what, observed on a real daemon: tenants, strata, TLP, roles and quotas.
@Suite("access end to end", .serialized)
struct AccessEndToEndTests {
    /// Two tenants. bfc has a regional theme and a trans-regional one, a member of each stratum,
    /// an admin and an animateur; ara has an admin and the quota given.
    static func configuration(state: String, araQuota: String = "{}") -> String {
        """
        {
          "state_dir": "\(state)", "security": "none", "log_level": "debug",
          "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"], "ingest": ["tcp://127.0.0.1:*"]},
          "journal": {"fsync": "batch", "batch_ms": 5},
          "tenants": [
            {"id": "bfc",
             "themes": [
               {"id": "machine-speciale", "crps_severity": "Severe"},
               {"id": "micromeca", "crps_severity": "Severe", "trans_regional": true, "national_severity": "Severe"}
             ],
             "members": [
               {"id": "cci-belfort", "stratum": "capteur", "themes": ["machine-speciale", "micromeca"]},
               {"id": "gip-machine", "stratum": "gip", "themes": ["machine-speciale"]},
               {"id": "gip-micro", "stratum": "gip", "themes": ["micromeca"]},
               {"id": "crps-bfc", "stratum": "crps"},
               {"id": "relay-bfc", "stratum": "national", "themes": ["micromeca"]},
               {"id": "admin-bfc", "stratum": "crps", "admin": true},
               {"id": "anim-machine", "stratum": "gip", "themes": ["machine-speciale"],
                "animates": ["machine-speciale"]},
               {"id": "operator", "stratum": "operator"}
             ]},
            {"id": "ara",
             "themes": [{"id": "auto-rang3"}],
             "members": [
               {"id": "ara-capteur", "stratum": "capteur"},
               {"id": "ara-gip", "stratum": "gip"},
               {"id": "ara-admin", "stratum": "gip", "admin": true}
             ],
             "quota": \(araQuota)}
          ]
        }
        """
    }

    static func start(araQuota: String = "{}", folder: TemporaryFolder = TemporaryFolder()) throws -> RunningDaemon {
        try RunningDaemon(configText: Self.configuration(state: folder.path + "/state", araQuota: araQuota),
                          folder: folder)
    }

    static func item(_ kind: String, _ theme: String, _ title: String, severity: String = "Unknown",
                     tlp: String = "amber") -> Request {
        .publish(header: header([("kind", .string(kind)), ("theme", .string(theme)), ("title", .string(title)),
                                 ("severity", .string(severity)), ("tlp", .string(tlp))]), body: [])
    }

    static func member(_ action: String, _ fields: [(String, JSONValue)]) -> Request {
        .member(arguments: JSONWriter.encode(.object(JSONObject([("action", .string(action))] + fields))))
    }

    /// The NAK code of a reply, or its word when it is not a NAK.
    static func code(_ reply: Reply) -> String {
        reply.word == "NAK" ? (reply.body["code"]?.stringValue ?? "?") : reply.word
    }

    /// Everything a subscriber receives until it stays quiet for `quiet` milliseconds.
    static func drain(_ subscriber: FeedSubscriber, quiet: Int = 300) throws -> [ReceivedItem] {
        var out = [ReceivedItem]()
        while let item = try subscriber.next(timeoutMilliseconds: quiet) { out.append(item) }
        return out
    }

    static func waitForCounters(_ session: Session, subscriptions: Int64, refused: Int64) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let stats = try session.stats()
            if (stats["subscriptions"]?.intValue ?? 0) >= subscriptions
                && (stats["refused_subscriptions"]?.intValue ?? 0) >= refused {
                return
            }
            usleep(20_000)
        }
        throw RunningDaemon.StartFailure(description: "subscriptions did not reach \(subscriptions)/\(refused)")
    }

    // MARK: - Tenants

    @Test func aMemberOfOneTenant_triesEverythingOnTheOther_andEachAttemptIsRefusedAndCounted() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let attempts = try ["", "bfc/", "bf", "bfc/machine-speciale/gip/"].map {
            try session.subscriber(as: "ara-gip", [$0])
        }
        let own = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        try Self.waitForCounters(session, subscriptions: 1, refused: 4)
        let araGIP = try session.client(as: "ara-gip")
        let araAdmin = try session.client(as: "ara-admin")

        let replays = try ["bfc/machine-speciale/gip/", "bfc/", "bf", "ara/../bfc/machine-speciale/gip/"].map {
            Self.code(try araGIP.request(.replay(arguments: ReplayRequest(prefix: $0).encoded)))
        }
        // The tenant comes from the sender: naming another one in the header changes nothing.
        var claim = JSONObject([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                ("title", .string("intrusion")), ("tenant", .string("bfc"))])
        let published = Self.code(try araGIP.request(.publish(header: JSONWriter.encode(.object(claim)),
                                                                body: [])))
        claim["theme"] = .string("auto-rang3")
        let ownTheme = try araGIP.request(.publish(header: JSONWriter.encode(.object(claim)), body: []))
        let control = try [
            Self.member("add", [("member", .object(JSONObject([("id", .string("taupe")), ("tenant", .string("bfc")),
                                                               ("stratum", .string("gip"))])))]),
            Self.member("remove", [("id", .string("gip-machine"))]),
            Self.member("list", [("tenant", .string("bfc"))]),
            Self.member("show", [("id", .string("gip-machine"))]),
            .audit(arguments: Array(#"{"tenant": "bfc"}"#.utf8)),
            .stats,
        ].map { Self.code(try araAdmin.request($0)) }
        let legit = try session.client(as: "cci-belfort").request(Self.item("alert", "machine-speciale", "chez nous"))

        #expect(replays == ["forbidden", "forbidden", "forbidden", "forbidden"])
        #expect(published == "unknown-theme")
        #expect(ownTheme.word == "ACK")
        #expect(ownTheme.body["deliveries"]?.arrayValue?.first?.objectValue?["topic"]
                == .string("ara/auto-rang3/gip/signal"))
        // Another tenant's members are "not found" (remove, show): their names are not revealed.
        #expect(control == ["forbidden", "not-found", "forbidden", "not-found", "forbidden", "forbidden"])
        #expect(legit.word == "ACK")
        #expect(try Self.drain(own).map(\.topic) == ["bfc/machine-speciale/gip/alert"])
        for subscriber in attempts {
            #expect(try subscriber.next(timeoutMilliseconds: 100) == nil)
        }
        let stats = try session.stats()
        #expect(stats["refused_subscriptions"]?.intValue == 4)
        #expect(stats["rejected"]?.objectValue?["api"]?.objectValue?["forbidden"] == .int(8))
        #expect(stats["rejected"]?.objectValue?["api"]?.objectValue?["not-found"] == .int(2))
        #expect(stats["rejected"]?.objectValue?["api"]?.objectValue?["unknown-theme"] == .int(1))
        let members = try session.client(as: "operator").request(Self.member("list", [("tenant", .string("bfc"))]))
        #expect(members.body["members"]?.arrayValue?.count == 8)
        #expect(daemon.stderr.lines.contains { $0.contains(#"msg="subscription refused" member=ara-gip prefix=bfc/"#) })
    }

    // MARK: - Strata

    @Test func eachStratum_readsItsOwnTierOnItsThemes_andNothingElse() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let capteurOnCRPS = try session.subscriber(as: "cci-belfort", ["bfc/machine-speciale/crps/"])
        let otherThemesGIP = try session.subscriber(as: "gip-micro", ["bfc/machine-speciale/gip/"])
        let gip = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        let crps = try session.subscriber(as: "crps-bfc", ["bfc/machine-speciale/crps/"])
        let capteur = try session.subscriber(as: "cci-belfort", ["bfc/machine-speciale/capteur/"])
        try Self.waitForCounters(session, subscriptions: 3, refused: 2)

        let alert = try session.client(as: "cci-belfort")
            .request(Self.item("alert", "machine-speciale", "rupture", severity: "Severe"))
        let decision = try session.client(as: "crps-bfc")
            .request(Self.item("decision", "machine-speciale", "cellule de crise"))
        let capteurReplay = try session.client(as: "cci-belfort")
            .request(.replay(arguments: ReplayRequest(prefix: "bfc/machine-speciale/crps/").encoded))
        let otherThemeReplay = try session.client(as: "gip-micro")
            .request(.replay(arguments: ReplayRequest(prefix: "bfc/machine-speciale/gip/").encoded))

        #expect(alert.word == "ACK" && decision.word == "ACK")
        #expect(try Self.drain(gip).map(\.topic)
                == ["bfc/machine-speciale/gip/alert", "bfc/machine-speciale/gip/decision"])
        #expect(try Self.drain(crps).map(\.topic) == ["bfc/machine-speciale/crps/alert"])
        #expect(try Self.drain(capteur).map(\.topic) == ["bfc/machine-speciale/capteur/decision"])
        #expect(try capteurOnCRPS.next(timeoutMilliseconds: 100) == nil)
        #expect(try otherThemesGIP.next(timeoutMilliseconds: 100) == nil)
        #expect(Self.code(capteurReplay) == "forbidden")
        #expect(Self.code(otherThemeReplay) == "forbidden")
        let hello = try session.client(as: "gip-machine").request(.hello)
        #expect(hello.body["readable"] == .array(["gip", "test", "archive"].map {
            .string("bfc/machine-speciale/\($0)/")
        }))
    }

    // MARK: - TLP

    @Test func tlp_red_staysOnItsTier_amberStrictNeverReachesTheNationalTier_greenDoes() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let everything = try session.subscriber(as: "operator", ["bfc/micromeca/"])
        let relay = try session.subscriber(as: "relay-bfc", ["bfc/micromeca/national/"])
        try session.waitForSubscriptions(2)
        let capteur = try session.client(as: "cci-belfort")

        var acks = [String: [String]]()
        for label in ["red", "amber+strict", "amber", "green"] {
            let reply = try capteur.request(Self.item("alert", "micromeca", label, severity: "Extreme", tlp: label))
            #expect(reply.word == "ACK")
            acks[label] = reply.body["tiers"]?.arrayValue?.compactMap(\.stringValue)
        }

        // By hand from the rules: an Extreme alert reaches gip, the CRPS (threshold Severe) and,
        // on this trans-regional theme (national threshold Severe), the national tier; TLP cuts.
        #expect(acks["red"] == ["gip"])
        #expect(acks["amber+strict"] == ["gip", "crps"])
        #expect(acks["amber"] == ["gip", "crps"])
        #expect(acks["green"] == ["gip", "crps", "national"])
        let seen = try Self.drain(everything).map { "\($0.header?["title"]?.stringValue ?? "") \($0.topic)" }
        #expect(seen == [
            "red bfc/micromeca/gip/alert",
            "amber+strict bfc/micromeca/gip/alert", "amber+strict bfc/micromeca/crps/alert",
            "amber bfc/micromeca/gip/alert", "amber bfc/micromeca/crps/alert",
            "green bfc/micromeca/gip/alert", "green bfc/micromeca/crps/alert", "green bfc/micromeca/national/alert",
        ])
        #expect(try Self.drain(relay).map { $0.header?["tlp"] } == [.string("green")])
        let stored = try session.client(as: "relay-bfc").replay(ReplayRequest(prefix: "bfc/micromeca/national/"))
        #expect(stored.items.map { $0.header?["tlp"] } == [.string("green")])
    }

    // MARK: - Roles and members

    @Test func tenantAdmin_managesItsTenantsMembers_otherRolesCannot_andChangesOutliveARestart() throws {
        let folder = TemporaryFolder()
        var daemon: RunningDaemon? = try Self.start(folder: folder)
        var session = try Session(daemon!)
        let admin = try session.client(as: "admin-bfc")
        let dole = JSONObject([("id", .string("cci-dole")), ("stratum", .string("capteur")),
                               ("themes", .array([.string("machine-speciale")])), ("organisation", .string("CCI"))])

        let added = try admin.request(Self.member("add", [("member", .object(dole))]))
        let newcomer = try session.client(as: "cci-dole")
        let welcome = try newcomer.request(.hello)
        let publish = try newcomer.request(Self.item("signal", "machine-speciale", "premier signal"))
        var twice = dole
        twice["stratum"] = .string("gip")
        var anOperator = dole
        anOperator["id"] = .string("root-bis")
        anOperator["stratum"] = .string("operator")
        var badTheme = dole
        badTheme["id"] = .string("cci-vesoul")
        badTheme["themes"] = .array([.string("aeronautique")])
        var elsewhere = dole
        elsewhere["id"] = .string("cci-lyon")
        elsewhere["tenant"] = .string("ara")
        var longName = dole
        longName["id"] = .string("cci-gray")
        longName["name"] = .string(String(repeating: "n", count: 201))
        var controlName = longName
        controlName["name"] = .string("CCI\u{1B}[31m")
        let refusals = try [twice, anOperator, badTheme, elsewhere, longName, controlName].map {
            Self.code(try admin.request(Self.member("add", [("member", .object($0))])))
        }
        let removeOperator = try admin.request(Self.member("remove", [("id", .string("operator"))]))
        let showElsewhere = try admin.request(Self.member("show", [("id", .string("ara-gip"))]))
        let animateurList = try session.client(as: "anim-machine").request(Self.member("list", []))
        let animateurAdd = try session.client(as: "anim-machine")
            .request(Self.member("add", [("member", .object(badTheme))]))
        let plainList = try session.client(as: "gip-machine").request(Self.member("list", []))
        let ownAudit = try admin.request(.audit(arguments: Array("{}".utf8)))
        let otherAudit = try admin.request(.audit(arguments: Array(#"{"tenant": "ara"}"#.utf8)))
        let belfort = try session.client(as: "cci-belfort")
        #expect(try belfort.request(.hello).body["member"] == .string("cci-belfort"))
        let removed = try admin.request(Self.member("remove", [("id", .string("cci-belfort"))]))
        // Its open connection is answered, as nobody; a new one does not get through ZAP.
        let stillOpen = try belfort.request(Self.item("signal", "machine-speciale", "après"))
        let reconnect = try session.client(as: "cci-belfort", timeout: 500)

        #expect(added.body["member"]?.objectValue?["tenant"] == .string("bfc"))
        #expect(added.body["member"]?.objectValue?["organisation"] == .string("CCI"))
        #expect(welcome.body["member"] == .string("cci-dole"))
        #expect(publish.word == "ACK")
        #expect(refusals == ["conflict", "forbidden", "bad-request", "forbidden", "bad-request", "bad-request"])
        #expect(Self.code(removeOperator) == "forbidden")
        // Another tenant's member is "not found" for an admin, as a name nobody has would be.
        #expect(Self.code(showElsewhere) == "not-found")
        #expect(animateurList.body["members"]?.arrayValue?.count == 9)
        #expect(Self.code(animateurAdd) == "forbidden")
        #expect(Self.code(plainList) == "forbidden")
        let entries = ownAudit.body["entries"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(entries.allSatisfy { $0["tenant"] == .string("bfc") })
        let addition = entries.first { $0["subject"] == .string("cci-dole") }
        #expect(addition?["actor"] == .string("admin-bfc") && addition?["action"] == .string("member.add"))
        #expect(Self.code(otherAudit) == "forbidden")
        #expect(removed.body["removed"]?.objectValue?["id"] == .string("cci-belfort"))
        #expect(Self.code(stillOpen) == "unknown-member")
        #expect(throws: ClientError.self) { try reconnect.request(.hello) }
        session.close()
        daemon?.stop()
        daemon = nil

        // Both changes outlive a restart with the same configuration file.
        let again = try RunningDaemon(configText: Self.configuration(state: folder.path + "/state"), folder: folder)
        session = try Session(again)
        defer { session.close() }
        let back = try session.client(as: "cci-dole").request(.hello)
        let gone = try session.client(as: "cci-belfort", timeout: 500)
        #expect(back.body["member"] == .string("cci-dole"))
        #expect(throws: ClientError.self) { try gone.request(.hello) }
        let audit = try session.client(as: "operator").request(.audit(arguments: Array("{}".utf8)))
        let actions = audit.body["entries"]?.arrayValue?.compactMap(\.objectValue)
            .filter { $0["actor"] != .string("config:" + folder.path + "/orisd.json") }
            .map { e in ["actor", "action", "subject"].map { e[$0]?.stringValue ?? "" }.joined(separator: " ") }
        #expect(actions == ["admin-bfc member.add cci-dole", "admin-bfc member.remove cci-belfort"])
    }

    @Test func controlSocket_isTheOperatorsForWhoeverMayOpenIt_andOnlyThem() throws {
        let daemon = try Self.start()
        let state = daemon.folder.path + "/state"
        let socket = state + "/control/orisd.sock"

        let listed = try runCommand(Binaries.orisctl, ["member", "list", "--control", socket, "--tenant", "ara"])
        let added = try runCommand(Binaries.orisctl, [
            "member", "add", "ara-crps", "--stratum", "crps", "--tenant", "ara", "--control", socket, "--json",
        ])
        let stats = try runCommand(Binaries.orisctl, ["stats", "--control", socket])
        let withoutTenant = try runCommand(Binaries.orisctl, [
            "member", "add", "x-y", "--stratum", "crps", "--control", socket,
        ])
        var folderInfo = stat()
        var socketInfo = stat()
        #expect(stat(state + "/control", &folderInfo) == 0 && stat(socket, &socketInfo) == 0)

        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
                == ["ara-admin", "ara-capteur", "ara-gip"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect((try? JSONParser.parse(added.stdout))?.objectValue?["tenant"] == .string("ara"))
        #expect(stats.status == 0 && stats.stdout.contains("accepted"))
        // The control socket acts for no tenant: orisctl asks for one before sending anything.
        #expect(withoutTenant.status == 64 && withoutTenant.stderr.contains("name one with --tenant"))
        #expect(folderInfo.st_mode & 0o777 == 0o700)
        #expect(socketInfo.st_mode & 0o777 == 0o600)
        let audit = try runCommand(Binaries.orisctl, ["audit", "--control", socket, "--tenant", "ara", "--json"])
        #expect(audit.stdout.contains(#""actor":"@control","action":"member.add""#))
    }

    // MARK: - Quotas

    @Test func quota_aTenantFloodingPastItsRateGetsOverQuota_whileTheOtherTenantIsServedInFull() throws {
        let daemon = try Self.start(araQuota: #"{"rate": 50, "burst": 50, "max_body_bytes": 100, "members": 4}"#)
        let session = try Session(daemon)
        defer { session.close() }
        let flooder = try session.client(as: "ara-capteur", timeout: 20000)
        let neighbour = try session.client(as: "cci-belfort", timeout: 20000)
        let count = 400

        let started = Date()
        for n in 0..<count {
            try flooder.send(Self.item("signal", "auto-rang3", "flot \(n)"))
            try neighbour.send(Self.item("signal", "machine-speciale", "voisin \(n)"))
        }
        var flooded = [String: Int]()
        var served = [String: Int]()
        for _ in 0..<count {
            flooded[Self.code(try flooder.receive()), default: 0] += 1
            served[Self.code(try neighbour.receive()), default: 0] += 1
        }
        let seconds = Date().timeIntervalSince(started)
        let bigBody = [UInt8](repeating: 0x61, count: 101)
        let tooBig = try flooder.request(.publish(header: header([
            ("kind", .string("signal")), ("theme", .string("auto-rang3")), ("title", .string("gros")),
        ]), body: bigBody))
        let fineNextDoor = try neighbour.request(.publish(header: header([
            ("kind", .string("signal")), ("theme", .string("machine-speciale")), ("title", .string("gros")),
        ]), body: bigBody))
        let fourth = try session.client(as: "ara-admin").request(Self.member("add", [("member", .object(JSONObject([
            ("id", .string("ara-crps")), ("stratum", .string("crps")),
        ])))]))
        let fifth = try session.client(as: "ara-admin").request(Self.member("add", [("member", .object(JSONObject([
            ("id", .string("ara-crps-2")), ("stratum", .string("crps")),
        ])))]))

        #expect(served == ["ACK": count])
        let accepted = flooded["ACK", default: 0]
        // A bucket of 50 filled at 50 a second: at most 50 + 50 per elapsed second.
        #expect(accepted >= 50 && Double(accepted) <= 50 + 50 * seconds + 1, "\(accepted) in \(seconds) s")
        #expect(flooded["over-quota", default: 0] == count - accepted)
        #expect(flooded["over-quota", default: 0] > 0)
        #expect(Self.code(tooBig) == "over-quota")
        #expect(fineNextDoor.word == "ACK")
        #expect(fourth.word == "MEMBER")
        #expect(Self.code(fifth) == "over-quota")
        #expect(try session.stats()["rejected"]?.objectValue?["api"]?.objectValue?["over-quota"]
                == .int(Int64(count - accepted + 2)))
    }
}
