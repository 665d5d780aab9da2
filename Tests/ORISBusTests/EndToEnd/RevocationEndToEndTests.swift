// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Security `curve` on every endpoint: a key that is not enrolled gets nowhere, and a member
/// removed at run time stops receiving within a second and cannot come back.
@Suite("revocation end to end", .serialized)
struct RevocationEndToEndTests {
    static func configuration(_ keys: CurveEndToEndTests.Keys) -> String {
        func member(_ id: String, _ stratum: String) -> String {
            #"{"id": "\#(id)", "stratum": "\#(stratum)", "public_key": "\#(keys.members[id]!.publicKey)"}"#
        }
        return """
        {"state_dir": "\(keys.folder.path)/state", "security": "curve",
         "server_certificate": "\(keys.folder.path)/server_secret", "log_level": "debug",
         "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*", "ipc://feed.sock"],
                       "ingest": ["tcp://127.0.0.1:*"]},
         "journal": {"fsync": "batch", "batch_ms": 5},
         "tenants": [{"id": "bfc", "themes": [{"id": "machine-speciale"}],
           "members": [\(member("cci-belfort", "capteur")), \(member("gip-machine", "gip")),
                       \(member("operator", "operator"))]}]}
        """
    }

    /// A client of the daemon with a member's keys from `keys`.
    static func client(_ id: String, _ keys: CurveEndToEndTests.Keys, _ daemon: RunningDaemon, _ context: Context,
                       timeout: Int = 5000) throws -> APIClient {
        try APIClient(context: context, endpoint: daemon.api, member: nil,
                      curve: CurveClientKeys(keys: keys.members[id]!, serverKey: keys.server.publicKey),
                      timeoutMilliseconds: timeout)
    }

    static func signal(_ title: String) -> Request {
        .publish(header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                 ("title", .string(title))]), body: [])
    }

    @Test func aKeyThatIsNotEnrolled_reachesNoEndpoint() throws {
        let folder = TemporaryFolder()
        let keys = try CurveEndToEndTests.Keys(folder)
        let daemon = try RunningDaemon(configText: Self.configuration(keys), folder: folder)
        let context = try Context()
        defer { context.terminate() }
        let server = keys.server.publicKey
        let stranger = CurveClientKeys(keys: try CurveKeyPair.generate(), serverKey: server)
        let operatorClient = try Self.client("operator", keys, daemon, context)
        defer { operatorClient.close() }

        let api = try APIClient(context: context, endpoint: daemon.api, member: nil, curve: stranger,
                                timeoutMilliseconds: 500)
        defer { api.close() }
        let feed = try FeedSubscriber(context: context, endpoint: daemon.feed, member: nil, curve: stranger,
                                      prefixes: ["bfc/machine-speciale/gip/"])
        defer { feed.close() }
        let ingest = try Socket.client(context: context, type: .pub, endpoint: daemon.ingest, member: nil,
                                       curve: stranger)
        defer { ingest.close() }
        usleep(500_000)
        _ = try ingest.send(Self.signal("par la porte de service").frames, wait: false)
        let capteur = try APIClient(context: context, endpoint: daemon.api, member: nil,
                                    curve: CurveClientKeys(keys: keys.members["cci-belfort"]!, serverKey: server),
                                    timeoutMilliseconds: 5000)
        defer { capteur.close() }
        let legit = try capteur.request(Self.signal("légitime"))

        #expect(throws: ClientError.self) { try api.request(.hello) }
        #expect(legit.word == "ACK")
        #expect(try feed.next(timeoutMilliseconds: 500) == nil)
        let stats = try operatorClient.request(.stats).body
        #expect(stats["subscriptions"] == .int(0))
        #expect(stats["accepted"]?.objectValue?["ingest"] == nil)
        // One refusal at least per endpoint tried (libzmq retries, so perhaps more).
        #expect((stats["refused_connections"]?.intValue ?? 0) >= 3)
    }

    @Test func aRemovedMember_stopsReceivingWithinASecond_cannotReconnect_andStaysRemovedAfterARestart() throws {
        let folder = TemporaryFolder()
        let keys = try CurveEndToEndTests.Keys(folder)
        var daemon: RunningDaemon? = try RunningDaemon(configText: Self.configuration(keys), folder: folder)
        let context = try Context()
        defer { context.terminate() }
        let server = keys.server.publicKey
        func curve(_ id: String) -> CurveClientKeys { CurveClientKeys(keys: keys.members[id]!, serverKey: server) }
        let operatorClient = try APIClient(context: context, endpoint: daemon!.api, member: nil,
                                           curve: curve("operator"), timeoutMilliseconds: 5000)
        defer { operatorClient.close() }
        let capteur = try APIClient(context: context, endpoint: daemon!.api, member: nil, curve: curve("cci-belfort"),
                                    timeoutMilliseconds: 5000)
        defer { capteur.close() }
        let prefix = "bfc/machine-speciale/gip/"
        // The member to revoke listens on tcp and on ipc; the operator stays.
        let revokedTCP = try FeedSubscriber(context: context, endpoint: daemon!.feed, member: nil,
                                            curve: curve("gip-machine"), prefixes: [prefix])
        defer { revokedTCP.close() }
        let revokedIPC = try FeedSubscriber(context: context, endpoint: daemon!.feedIPC, member: nil,
                                            curve: curve("gip-machine"), prefixes: [prefix])
        defer { revokedIPC.close() }
        let stays = try FeedSubscriber(context: context, endpoint: daemon!.feed, member: nil,
                                       curve: curve("operator"), prefixes: [prefix])
        defer { stays.close() }
        let deadline = Date().addingTimeInterval(10)
        while (try operatorClient.request(.stats).body["subscriptions"]?.intValue ?? 0) < 3 && Date() < deadline {
            usleep(20_000)
        }

        #expect(try capteur.request(Self.signal("avant")).word == "ACK")
        #expect(try revokedTCP.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("avant"))
        #expect(try revokedIPC.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("avant"))
        #expect(try stays.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("avant"))
        let removal = try operatorClient.request(.member(arguments: Array(
            #"{"action": "remove", "id": "gip-machine"}"#.utf8)))
        #expect(removal.word == "MEMBER")
        // Keep the subscribers' sockets turning for a second, as a client's loop would.
        let settle = Date().addingTimeInterval(1)
        while Date() < settle {
            _ = try revokedTCP.next(timeoutMilliseconds: 20)
            _ = try revokedIPC.next(timeoutMilliseconds: 20)
            _ = try stays.next(timeoutMilliseconds: 20)
        }
        for n in 1...3 {
            #expect(try capteur.request(Self.signal("après \(n)")).word == "ACK")
        }

        var afterwards = [String]()
        let listen = Date().addingTimeInterval(1.5)
        while Date() < listen {
            for subscriber in [revokedTCP, revokedIPC] {
                if let item = try subscriber.next(timeoutMilliseconds: 20) {
                    afterwards.append(item.header?["title"]?.stringValue ?? "?")
                }
            }
        }
        #expect(afterwards.isEmpty)
        // The member that stays reconnected by itself; it reads on, and its gap repair would
        // fill anything the cut made it miss (here nothing was published meanwhile).
        var kept = [String]()
        while kept.count < 3, let item = try stays.next(timeoutMilliseconds: 5000) {
            kept.append(item.header?["title"]?.stringValue ?? "?")
        }
        #expect(kept == ["après 1", "après 2", "après 3"])
        let again = try APIClient(context: context, endpoint: daemon!.api, member: nil, curve: curve("gip-machine"),
                                  timeoutMilliseconds: 500)
        defer { again.close() }
        #expect(throws: ClientError.self) { try again.request(.hello) }
        let stats = try operatorClient.request(.stats).body
        #expect(stats["feed_rebinds"] == .int(1))

        daemon?.stop()
        daemon = nil
        let restarted = try RunningDaemon(configText: Self.configuration(keys), folder: folder)
        let afterRestart = try APIClient(context: context, endpoint: restarted.api, member: nil,
                                         curve: curve("gip-machine"), timeoutMilliseconds: 500)
        defer { afterRestart.close() }
        #expect(throws: ClientError.self) { try afterRestart.request(.hello) }
        #expect(restarted.stderr.lines.contains { $0.contains("msg=\"registry changes recorded\"") } == false)
    }
}

extension RevocationEndToEndTests {
    /// An open connection is its key, not its name: enrolling the removed name again with a new
    /// key does not bring the old key's open connection back.
    @Test func aRemovedKey_staysRefusedOnItsOpenConnection_whenItsNameIsEnrolledAgainWithAnotherKey() throws {
        let folder = TemporaryFolder()
        let keys = try CurveEndToEndTests.Keys(folder)
        let daemon = try RunningDaemon(configText: Self.configuration(keys), folder: folder)
        let context = try Context()
        defer { context.terminate() }
        let server = keys.server.publicKey
        let operatorClient = try Self.client("operator", keys, daemon, context)
        defer { operatorClient.close() }
        let old = try Self.client("cci-belfort", keys, daemon, context)
        defer { old.close() }
        #expect(try old.request(.hello).body["member"] == .string("cci-belfort"))
        let fresh = try CurveKeyPair.generate()
        func member(_ text: String) throws -> Reply {
            try operatorClient.request(.member(arguments: Array(text.utf8)))
        }

        #expect(try member(#"{"action": "remove", "id": "cci-belfort"}"#).word == "MEMBER")
        #expect(try member(#"{"action": "add", "member": {"id": "cci-belfort", "stratum": "capteur", "#
                           + #""tenant": "bfc", "public_key": "\#(fresh.publicKey)"}}"#).word == "MEMBER")
        let oldHello = try old.request(.hello)
        let oldPublish = try old.request(Self.signal("avec l'ancienne clé"))
        let renewed = try APIClient(context: context, endpoint: daemon.api, member: nil,
                                    curve: CurveClientKeys(keys: fresh, serverKey: server), timeoutMilliseconds: 5000)
        defer { renewed.close() }

        #expect(oldHello.body["member"] == nil)
        #expect(AccessEndToEndTests.code(oldPublish) == "unknown-member")
        #expect(try renewed.request(.hello).body["member"] == .string("cci-belfort"))
        #expect(try renewed.request(Self.signal("avec la nouvelle clé")).word == "ACK")
    }
}
