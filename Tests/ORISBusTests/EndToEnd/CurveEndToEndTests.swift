// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Security `curve`: members prove themselves with their key pairs; unknown keys never connect.
@Suite("curve end to end", .serialized)
struct CurveEndToEndTests {
    /// Keys for the daemon and three members, as certificates in `folder` made by
    /// `orisctl keygen`, as an operator would make them.
    struct Keys {
        let folder: TemporaryFolder
        let server: CurveKeyPair
        let members: [String: CurveKeyPair]

        init(_ folder: TemporaryFolder) throws {
            self.folder = folder
            func keygen(_ name: String) throws -> CurveKeyPair {
                let made = try runCommand(Binaries.orisctl, ["keygen", folder.path + "/" + name, "--member", name])
                guard made.status == 0 else {
                    throw RunningDaemon.StartFailure(description: "keygen failed: \(made.stderr)")
                }
                let certificate = try CurveCertificate.read(path: folder.path + "/" + name + "_secret")
                return CurveKeyPair(publicKey: certificate.publicKey, secretKey: certificate.secretKey ?? "")
            }
            self.server = try keygen("server")
            var members: [String: CurveKeyPair] = [:]
            for name in ["cci-belfort", "gip-machine", "operator"] {
                members[name] = try keygen(name)
            }
            self.members = members
        }

        func config(withoutServer: Bool = false, withoutKeyFor: String? = nil) -> String {
            func member(_ id: String, _ stratum: String) -> String {
                let key = id == withoutKeyFor ? "" : #", "public_key": "\#(self.members[id]!.publicKey)""#
                return #"{"id": "\#(id)", "stratum": "\#(stratum)"\#(key)}"#
            }
            let server = withoutServer ? "" : #""server_certificate": "\#(self.folder.path)/server_secret","#
            return """
            {"state_dir": "\(self.folder.path)/state", "security": "curve", \(server)
             "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"]},
             "tenants": [{"id": "bfc", "themes": [{"id": "machine-speciale"}],
               "members": [\(member("cci-belfort", "capteur")), \(member("gip-machine", "gip")),
                           \(member("operator", "operator"))]}]}
            """
        }
    }

    @Test func curveMembers_publishAndReceive_andUnknownKeysNeverConnect() throws {
        let folder = TemporaryFolder()
        let keys = try Keys(folder)
        let daemon = try RunningDaemon(configText: keys.config(), folder: folder)
        let context = try Context()
        defer { context.terminate() }
        let serverKey = keys.server.publicKey
        let gipKeys = CurveClientKeys(keys: keys.members["gip-machine"]!, serverKey: serverKey)
        let gip = try FeedSubscriber(context: context, endpoint: daemon.feed, member: nil, curve: gipKeys,
                                     prefixes: ["bfc/machine-speciale/gip/"])
        defer { gip.close() }
        let operatorKeys = CurveClientKeys(keys: keys.members["operator"]!, serverKey: serverKey)
        let operatorClient = try APIClient(context: context, endpoint: daemon.api, member: nil, curve: operatorKeys,
                                           timeoutMilliseconds: 5000)
        defer { operatorClient.close() }
        let deadline = Date().addingTimeInterval(10)
        while (try operatorClient.request(.stats).body["subscriptions"]?.intValue ?? 0) < 1 && Date() < deadline {
            usleep(20_000)
        }

        let published = try runCommand(Binaries.orisctl, [
            "publish", "--api", daemon.api, "--key", folder.path + "/cci-belfort_secret",
            "--server-key", folder.path + "/server", "--theme", "machine-speciale", "--title", "par CURVE",
            "--as", "gip-machine",  // a label only: the key says who publishes
        ])
        let stranger = try CurveKeyPair.generate()
        try CurveCertificate(publicKey: stranger.publicKey, secretKey: stranger.secretKey)
            .write(path: folder.path + "/stranger")
        let refused = try runCommand(Binaries.orisctl, [
            "hello", "--api", daemon.api, "--key", folder.path + "/stranger_secret", "--server-key", serverKey,
            "--timeout", "500",
        ])
        let plain = try runCommand(Binaries.orisctl, ["hello", "--api", daemon.api, "--as", "cci-belfort",
                                                      "--timeout", "500"])

        #expect(published.status == 0, "\(published.stderr)")
        let item = try #require(try gip.next(timeoutMilliseconds: 5000))
        #expect(item.header?["sender"] == .string("cci-belfort"))
        #expect(refused.status == 69)
        #expect(plain.status == 69)
        #expect((try operatorClient.request(.stats).body["refused_connections"]?.intValue ?? 0) >= 1)
    }

    @Test func pyzmqClients_withKeysFromKeygen_publishAndSubscribeUnderCurve() throws {
        let folder = TemporaryFolder()
        let keys = try Keys(folder)
        let daemon = try RunningDaemon(configText: keys.config(), folder: folder)
        let script = """
            import json, sys, time, zmq, zmq.auth
            api, feed, mine, reader, server = sys.argv[1:6]
            ctx = zmq.Context()
            srv, _ = zmq.auth.load_certificate(server)
            def curve(kind, cert):
                pub, sec = zmq.auth.load_certificate(cert)
                s = ctx.socket(kind)
                s.curve_publickey, s.curve_secretkey, s.curve_serverkey = pub, sec, srv
                return s
            sub = curve(zmq.SUB, reader)
            sub.setsockopt(zmq.SUBSCRIBE, b"bfc/machine-speciale/gip/")
            sub.connect(feed)
            time.sleep(0.5)
            s = curve(zmq.REQ, mine)
            s.connect(api)
            s.send_multipart([b"ORIS01", b"PUBLISH", json.dumps({"kind": "signal", "theme": "machine-speciale",
                              "title": "depuis Python", "sender": "operator"}).encode(), b""])
            if not s.poll(5000): sys.exit("no reply")
            print(json.dumps([f.decode() for f in s.recv_multipart()]))
            if not sub.poll(5000): sys.exit("nothing on the feed")
            topic, header, body = sub.recv_multipart()
            print(json.dumps([topic.decode(), json.loads(header)["sender"]]))
            """

        let run = try runCommand("/usr/bin/env", ["python3", "-c", script, daemon.api, daemon.feed,
                                                  folder.path + "/cci-belfort_secret",
                                                  folder.path + "/gip-machine_secret", folder.path + "/server"])

        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let frames = try JSONParser.parse(lines.first ?? "").arrayValue?.compactMap(\.stringValue) ?? []
        #expect(frames.count == 3 && frames[1] == "ACK")
        // A pyzmq SUB with gip-machine's keys received it, stamped with the publisher's key.
        #expect(lines.dropFirst().first == #"["bfc/machine-speciale/gip/signal", "cci-belfort"]"#)
        // The stored item's sender is the key's member, whatever the header claimed.
        let context = try Context()
        defer { context.terminate() }
        let reader = try APIClient(context: context, endpoint: daemon.api, member: nil,
                                   curve: CurveClientKeys(keys: keys.members["operator"]!,
                                                          serverKey: keys.server.publicKey),
                                   timeoutMilliseconds: 5000)
        defer { reader.close() }
        let page = try reader.replay(ReplayRequest(prefix: "bfc/"))
        #expect(page.items.map { $0.header?["sender"] } == [.string("cci-belfort")])
    }

    @Test func curveConfiguration_withoutTheServerCertificateOrAMembersKey_exits78() throws {
        let folder = TemporaryFolder()
        let keys = try Keys(folder)

        let noServerFile = folder.write("a.json", keys.config(withoutServer: true))
        let noKeyFile = folder.write("b.json", keys.config(withoutKeyFor: "gip-machine"))
        let noServer = try runCommand(Binaries.orisd, ["--config", noServerFile])
        let noKey = try runCommand(Binaries.orisd, ["--config", noKeyFile])

        #expect(noServer.status == 78)
        #expect(noServer.stderr.contains("server_certificate"))
        #expect(noKey.status == 78)
        #expect(noKey.stderr.contains("tenants[0].members[1].public_key"))
    }
}
