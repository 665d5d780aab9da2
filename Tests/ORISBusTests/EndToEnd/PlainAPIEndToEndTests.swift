// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The plain publish path of the api endpoint (``Bus/publishPlain``, its ACK written beside the
/// deliveries) through real daemons: one at log level `info`, where a topic's items after its
/// first take the plain path, and one at `debug`, where every item takes the general path, get
/// the same pipelined stream and must answer it with the same replies, byte for byte, in the
/// same order, and deliver the same items, under each fsync policy.
@Suite("plain api end to end", .serialized)
struct PlainAPIEndToEndTests {
    static func configuration(state: String, logLevel: String, fsync: String) -> String {
        """
        {"state_dir": "\(state)", "security": "none", "log_level": "\(logLevel)",
         "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"], "ingest": []},
         "journal": {"fsync": "\(fsync)", "batch_ms": 5},
         "limits": {"max_body_bytes": 4096, "max_header_bytes": 4096, "max_title_length": 200},
         "feed_high_water_mark": 100000,
         "tenants": [{"id": "bfc",
           "themes": [{"id": "machine-speciale", "crps_severity": "Severe"},
                      {"id": "auto-rang3", "crps_severity": "Moderate"}],
           "members": [{"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3", "machine-speciale"]},
                       {"id": "operator", "stratum": "operator"}]}]}
        """
    }

    /// The stream: alerts and signals on two themes with every severity (one or two
    /// deliveries each), now and then a retry of an earlier id, a header the daemon refuses, an
    /// item that names no id, and a HELLO between publishes. Each request as a DEALER sends it,
    /// with an empty delimiter.
    static func requests() -> [[[UInt8]]] {
        var out: [[[UInt8]]] = []
        let severities = ["Minor", "Moderate", "Severe", "Extreme", "Unknown"]
        for n in 0..<400 {
            var fields: [(String, JSONValue)] = [
                ("kind", .string(n % 3 == 0 ? "signal" : "alert")),
                ("theme", .string(n % 4 == 0 ? "auto-rang3" : "machine-speciale")),
                ("title", .string("item \(n)")),
                ("severity", .string(severities[n % severities.count])),
            ]
            switch n % 23 {
            case 5: fields.append(("id", .string("p-\(n - 5)")))  // a retry, when n − 5 had an id
            case 9: fields[3] = ("severity", .string("Huge"))  // refused
            case 13: break  // the daemon makes the id
            default: fields.append(("id", .string("p-\(n)")))
            }
            let body = Array("body \(n)".utf8)
            out.append([[], Array("ORIS01".utf8), Array("PUBLISH".utf8), header(fields), body])
            if n % 50 == 25 { out.append([[], Array("ORIS01".utf8), Array("HELLO".utf8)]) }
        }
        return out
    }

    /// What one daemon made of the stream: its replies' frames in order (a made id and the
    /// WELCOME's body blanked) and its deliveries (the received time blanked).
    struct Answers: Equatable {
        var replies: [[[UInt8]]] = []
        var deliveries: [String] = []
    }

    static func answers(logLevel: String, fsync: String) throws -> Answers {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(
            configText: Self.configuration(state: folder.path + "/state", logLevel: logLevel, fsync: fsync),
            folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let feed = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)
        let dealer = try session.socket(.dealer, as: "cci-doubs", connect: daemon.api)
        let requests = Self.requests()
        // All sent before the first reply is read: the daemon reads them in runs.
        for request in requests { try dealer.send(request) }
        var answers = Answers()
        var poller = Poller()
        poller.add(dealer)
        while answers.replies.count < requests.count {
            try #require(try poller.poll(timeoutMilliseconds: 10_000)[0], "reply \(answers.replies.count) missing")
            var frames = try #require(try dealer.receive()).frames
            if frames.count == 4, frames[2] == Array("WELCOME".utf8) { frames[3] = [] }
            if frames.count == 4, case .object(var body)? = try? JSONParser.parse(frames[3]),
               let id = body["id"]?.stringValue, !id.hasPrefix("p-") {
                body["id"] = .string("made")
                frames[3] = JSONWriter.encode(.object(body))
            }
            answers.replies.append(frames)
        }
        while let item = try feed.next(timeoutMilliseconds: 1000) {
            var header = try #require(item.header)
            #expect(header["received"] != nil)
            header["received"] = .null
            if let id = header["id"]?.stringValue, !id.hasPrefix("p-") { header["id"] = .string("made") }
            answers.deliveries.append(item.topic + " " + String(decoding: JSONWriter.encode(.object(header)),
                                                                as: UTF8.self) + " " + String(decoding: item.body,
                                                                                             as: UTF8.self))
        }
        return answers
    }

    @Test(arguments: ["always", "batch", "never"])
    func api_pipelinedStream_isAnsweredAndDeliveredAsTheGeneralPathAloneDoes(fsync: String) throws {
        let plain = try Self.answers(logLevel: "info", fsync: fsync)
        let general = try Self.answers(logLevel: "debug", fsync: fsync)

        #expect(plain.replies.count == Self.requests().count)
        for (n, (mine, theirs)) in zip(plain.replies, general.replies).enumerated() {
            #expect(mine == theirs, "reply \(n): \(mine.map { String(decoding: $0, as: UTF8.self) })")
        }
        #expect(plain.deliveries == general.deliveries)
        // Worked out from the stream: the refused items are those of a bad severity; the retries
        // of an earlier id are answered with its first ACK, flagged; every other item is new.
        let words = plain.replies.map { String(decoding: $0[2], as: UTF8.self) }
        let refused = (0..<400).filter { $0 % 23 == 9 }.count
        let retries = (0..<400).filter { $0 % 23 == 5 }.count
        #expect(words.filter { $0 == "NAK" }.count == refused)
        #expect(words.filter { $0 == "WELCOME" }.count == 8)
        let duplicates = plain.replies.filter { String(decoding: $0[3], as: UTF8.self).contains("\"duplicate\":true") }
        #expect(duplicates.count == retries)
        // A fresh item's ACK numbers its gip delivery one past the topic's last.
        var last: [String: Int64] = [:]
        for reply in plain.replies where reply[2] == Array("ACK".utf8) {
            let body = try #require(try JSONParser.parse(reply[3]).objectValue)
            guard body["duplicate"] == nil else { continue }
            let deliveries = try #require(body["deliveries"]?.arrayValue)
            for delivery in deliveries {
                let topic = try #require(delivery.objectValue?["topic"]?.stringValue)
                let seq = try #require(delivery.objectValue?["seq"]?.intValue)
                #expect(seq == (last[topic] ?? 0) + 1, "\(topic) #\(seq)")
                last[topic] = seq
            }
        }
        #expect(plain.deliveries.count == last.values.reduce(0, +))
    }
}

/// Under fsync `always` the plain path's deliveries and ACKs wait for the sync that covers their
/// items, on the ingest endpoint and on the api alike. The daemon's every `fdatasync` is made to
/// last a second longer (strace); nothing may show up in the first half of it.
@Suite("plain path waits for the sync", .serialized)
struct PlainPathSyncEndToEndTests {
    /// A daemon under fsync `always` (the test configuration's) whose every `fdatasync` strace
    /// makes last longer, and a session with it.
    private static func start(
        in folder: TemporaryFolder, logLevel: String, syncDelayMicroseconds: Int
    ) throws -> (RunningDaemon, Session) {
        let daemon = try RunningDaemon(
            configText: TestConfiguration.text(state: folder.path + "/state", logLevel: logLevel), folder: folder,
            wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fdatasync",
                      "-e", "inject=fdatasync:delay_exit=\(syncDelayMicroseconds)"])
        do {
            return (daemon, try Session(daemon))
        } catch {
            _ = daemon.stop()
            throw error
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"))
    func underFsyncAlways_nothingIsDeliveredOrAcknowledgedBeforeItsSync() throws {
        let folder = TemporaryFolder()
        let (daemon, session) = try Self.start(in: folder, logLevel: "info", syncDelayMicroseconds: 1_000_000)
        // Stopped by its own pid: a SIGKILL to strace would leave it running, holding the pipe.
        defer {
            session.close()
            _ = daemon.stop()
        }
        let feed = try session.subscriber(as: "operator", ["bfc/machine-speciale/"])
        try session.waitForSubscriptions(1)
        func item(_ id: String) -> [UInt8] {
            header([("kind", .string("signal")), ("theme", .string("machine-speciale")), ("title", .string(id)),
                    ("id", .string(id))])
        }
        // The topic's first item goes the general way; its ACK comes after its sync.
        let first = try session.client(as: "cci-belfort", timeout: 10_000)
            .request(.publish(header: item("first"), body: []))
        #expect(first.word == "ACK")
        #expect(try feed.next(timeoutMilliseconds: 5000)?.header?["id"] == .string("first"))

        // The next ones take the plain path: one on ingest, one on the api.
        let pub = try session.socket(.pub, as: "cci-belfort", connect: daemon.ingest)
        usleep(500_000)  // a PUB drops what it sends before its connection is complete
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)
        try pub.send([Array("ORIS01".utf8), Array("PUBLISH".utf8), item("by-ingest"), []])
        try dealer.send([[], Array("ORIS01".utf8), Array("PUBLISH".utf8), item("by-api"), []])

        // Half the sync's second: neither delivered nor acknowledged.
        var poller = Poller()
        poller.add(dealer)
        #expect(try feed.next(timeoutMilliseconds: 500) == nil, "delivered before its sync")
        #expect(try !poller.poll(timeoutMilliseconds: 0)[0], "acknowledged before its sync")
        // Then both, once the sync is done.
        var delivered: Set<String> = []
        while delivered.count < 2, let next = try feed.next(timeoutMilliseconds: 10_000) {
            if let id = next.header?["id"]?.stringValue { delivered.insert(id) }
        }
        #expect(delivered == ["by-ingest", "by-api"])
        #expect(try poller.poll(timeoutMilliseconds: 10_000)[0])
        let reply = try #require(try dealer.receive()).frames
        #expect(reply.count == 4 && reply[2] == Array("ACK".utf8))
    }

    /// A member removed while its ACKs wait for a sync: what its connection asks next is refused
    /// (`unknown-member`), and those answers come after the ACKs, in request order (a helper saw
    /// them overtake).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"))
    func aMemberRemovedWhileItsACKsWait_getsItsAnswersInRequestOrder() throws {
        let folder = TemporaryFolder()
        let (daemon, session) = try Self.start(in: folder, logLevel: "info", syncDelayMicroseconds: 300_000)
        defer {
            session.close()
            _ = daemon.stop()
        }
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)
        func publish(_ id: String) throws {
            let item = header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                               ("title", .string(id)), ("id", .string(id))])
            try dealer.send([[], Array("ORIS01".utf8), Array("PUBLISH".utf8), item, []])
        }
        for n in 0..<10 { try publish("a\(n)") }
        usleep(50_000)
        // Through the control socket, answered at once: the ACKs still wait for their sync.
        let controlSocket = "ipc://" + folder.path + "/state/control/orisd.sock"
        let control = try session.socket(.dealer, as: nil, connect: controlSocket)
        try control.send([[], Array("ORIS01".utf8), Array("MEMBER".utf8),
                          Array(#"{"action": "remove", "id": "cci-belfort"}"#.utf8)])
        var answered = Poller()
        answered.add(control)
        #expect(try answered.poll(timeoutMilliseconds: 5000)[0])
        #expect(try control.receive()?.frames.dropFirst(2).first == Array("MEMBER".utf8))
        try publish("b0")
        try dealer.send([[], Array("ORIS01".utf8), Array("HELLO".utf8)])

        var answers: [String] = []
        var poller = Poller()
        poller.add(dealer)
        while answers.count < 12, try poller.poll(timeoutMilliseconds: 10_000)[0] {
            let frames = try #require(try dealer.receive()).frames
            let body = try JSONParser.parse(frames[3]).objectValue
            let word = String(decoding: frames[2], as: UTF8.self)
            let what = body?["code"]?.stringValue ?? body?["id"]?.stringValue
            answers.append(what.map { word + " " + $0 } ?? word)
        }
        // HELLO still answers who the connection is, a removed member included.
        #expect(answers == (0..<10).map { "ACK a\($0)" } + ["NAK unknown-member", "WELCOME"])
    }

    /// While a sync is slow, runs of requests come and go and their deliveries wait behind it
    /// in the tenant's list; items of the same lengths put their bodies at the same offsets of
    /// the loop's run each time. Every delivery must carry its own item's body (a helper saw
    /// deliveries with the item before's body, at both log levels, the journal right).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"),
          arguments: ["info", "debug"])
    func underFsyncAlways_eachDeliveryCarriesItsOwnBody(logLevel: String) throws {
        let folder = TemporaryFolder()
        let (daemon, session) = try Self.start(in: folder, logLevel: logLevel, syncDelayMicroseconds: 40_000)
        defer {
            session.close()
            _ = daemon.stop()
        }
        let feed = try session.subscriber(as: "operator", ["bfc/machine-speciale/"])
        try session.waitForSubscriptions(1)
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)
        let count = 60
        func id(_ n: Int) -> String { "b-" + String(n + 100) }
        func body(_ n: Int) -> [UInt8] { Array("body-of-\(n + 100)".utf8) }
        for n in 0..<count {
            let item = header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                               ("title", .string("same length")), ("id", .string(id(n)))])
            try dealer.send([[], Array("ORIS01".utf8), Array("PUBLISH".utf8), item, body(n)])
            usleep(3000)  // a run of its own, mostly, while the sync of an earlier one lasts
        }
        var bodies: [String: [UInt8]] = [:]
        while bodies.count < count, let next = try feed.next(timeoutMilliseconds: 10_000) {
            if let id = next.header?["id"]?.stringValue { bodies[id] = next.body }
        }
        #expect(bodies.count == count)
        let wrong = (0..<count).filter { bodies[id($0)] != body($0) }.map(id)
        #expect(wrong.isEmpty, "deliveries with another item's body: \(wrong)")
    }
}
