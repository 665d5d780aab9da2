// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Bad input on the api and ingest endpoints: each gets its own NAK code (or a counted refusal
/// on ingest), nothing is delivered, and the daemon keeps serving.
@Suite("bad input end to end", .serialized)
struct BadInputEndToEndTests {
    /// One malformed request and the code it must get.
    struct Case: CustomStringConvertible {
        let name: String
        let frames: [[UInt8]]
        let code: String
        var description: String { self.name }
    }

    static let signature = Array("ORIS01".utf8)
    static let publish = Array("PUBLISH".utf8)

    static func publishFrames(_ headerText: String, body: [UInt8] = []) -> [[UInt8]] {
        [signature, publish, Array(headerText.utf8), body]
    }

    static func publishFrames(rawHeader: [UInt8]) -> [[UInt8]] {
        [signature, publish, rawHeader, []]
    }

    static let good = #""kind":"signal","theme":"machine-speciale""#

    // The configuration of these tests allows 4096-byte bodies and 200-character titles.
    static let cases: [Case] = [
        Case(name: "three frames", frames: [signature, publish, Array("{}".utf8)], code: "bad-frames"),
        Case(name: "five frames", frames: publishFrames(#"{\#(good),"title":"t"}"#) + [[]], code: "bad-frames"),
        Case(name: "wrong signature", frames: [Array("ORIS02".utf8), publish, [], []], code: "bad-protocol"),
        Case(name: "unknown command", frames: [signature, Array("PUBLISHX".utf8)], code: "bad-command"),
        Case(name: "header not JSON", frames: publishFrames("kind=alert"), code: "bad-json"),
        Case(name: "header truncated", frames: publishFrames(#"{"kind":"alert""#), code: "bad-json"),
        Case(name: "JSON array", frames: publishFrames(#"["kind","alert"]"#), code: "not-object"),
        Case(name: "JSON string", frames: publishFrames(#""alert""#), code: "not-object"),
        Case(name: "missing kind", frames: publishFrames(#"{"theme":"machine-speciale","title":"t"}"#),
             code: "missing-kind"),
        Case(name: "unknown kind", frames: publishFrames(#"{"kind":"rumour","theme":"machine-speciale","title":"t"}"#),
             code: "unknown-kind"),
        Case(name: "kind not a string", frames: publishFrames(#"{"kind":3,"theme":"machine-speciale","title":"t"}"#),
             code: "unknown-kind"),
        Case(name: "unknown theme", frames: publishFrames(#"{"kind":"signal","theme":"nucleaire","title":"t"}"#),
             code: "unknown-theme"),
        Case(name: "another tenant's theme name",
             frames: publishFrames(#"{"kind":"signal","theme":"ara","title":"t"}"#),
             code: "unknown-theme"),
        Case(name: "severity off the CAP scale",
             frames: publishFrames(#"{\#(good),"title":"t","severity":"Catastrophic"}"#), code: "bad-severity"),
        Case(name: "severity as a number", frames: publishFrames(#"{\#(good),"title":"t","severity":4}"#),
             code: "bad-severity"),
        Case(name: "empty title", frames: publishFrames(#"{\#(good),"title":""}"#), code: "bad-title"),
        Case(name: "blank title", frames: publishFrames(#"{\#(good),"title":"   "}"#), code: "bad-title"),
        Case(name: "title over 200 characters",
             frames: publishFrames(#"{\#(good),"title":"\#(String(repeating: "é", count: 201))"}"#),
             code: "bad-title"),
        Case(name: "body over the limit", frames: publishFrames(#"{\#(good),"title":"t"}"#,
                                                                 body: [UInt8](repeating: 65, count: 4097)),
             code: "body-too-large"),
        Case(name: "invalid UTF-8 in the title",
             frames: publishFrames(rawHeader: Array(#"{\#(good),"title":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)),
             code: "bad-utf8"),
        Case(name: "raw NUL byte in the title",
             frames: publishFrames(rawHeader: Array(#"{\#(good),"title":"a"#.utf8) + [0] + Array(#"b"}"#.utf8)),
             code: "nul-byte"),
        Case(name: "escaped NUL in the title", frames: publishFrames(#"{\#(good),"title":"a\u0000b"}"#),
             code: "nul-byte"),
        Case(name: "unknown field", frames: publishFrames(#"{\#(good),"title":"t","severty":"Minor"}"#),
             code: "bad-field"),
        Case(name: "capteur publishing a decision",
             frames: publishFrames(#"{"kind":"decision","theme":"machine-speciale","title":"t"}"#), code: "forbidden"),
    ]

    @Test func publish_withEachKindOfBadInput_answersItsOwnNAKCodeAndDeliversNothing() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let watcher = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)

        for testCase in Self.cases {
            try dealer.send([[]] + testCase.frames)
            var poller = Poller()
            poller.add(dealer)
            let ready = try poller.poll(timeoutMilliseconds: 5000)
            try #require(ready[0], "no reply for \(testCase.name)")
            let message = try #require(try dealer.receive())
            let reply = try #require(Reply(frames: Array(message.frames.dropFirst())), "\(testCase.name)")
            #expect(reply.word == "NAK", "\(testCase.name)")
            #expect(reply.body["code"] == .string(testCase.code), "\(testCase.name)")
            #expect(reply.body["message"]?.stringValue?.isEmpty == false, "\(testCase.name)")
        }

        // Still serving, and the only thing ever delivered is this good item.
        let ok = try session.client(as: "cci-belfort").request(.publish(
            header: Array(#"{\#(Self.good),"title":"après les erreurs"}"#.utf8), body: []))
        #expect(ok.word == "ACK")
        let item = try #require(try watcher.next(timeoutMilliseconds: 5000))
        #expect(item.header?["title"] == .string("après les erreurs"))
        #expect(item.seq == 1)
        #expect(try watcher.next(timeoutMilliseconds: 300) == nil)
        let codes = Set(Self.cases.map(\.code))
        let rejected = try session.stats()["rejected"]?.objectValue?["api"]?.objectValue
        for code in codes {
            let expected = Int64(Self.cases.filter { $0.code == code }.count)
            #expect(rejected?[code]?.intValue == expected, "counter for \(code)")
        }
    }

    @Test func publish_whenAFrameExceedsTheTransportCeiling_dropsThatPeerAndKeepsServing() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)

        // The ceiling is 2 × max(body, header) + 64 KiB = 73,728 bytes here; this is far above.
        try dealer.send([[]] + Self.publishFrames(#"{\#(Self.good),"title":"t"}"#,
                                                  body: [UInt8](repeating: 0x41, count: 1_000_000)))
        var poller = Poller()
        poller.add(dealer)
        #expect(try poller.poll(timeoutMilliseconds: 500) == [false])

        let ok = try session.client(as: "cci-belfort").request(.publish(
            header: Array(#"{\#(Self.good),"title":"t"}"#.utf8), body: []))
        #expect(ok.word == "ACK")
    }

    @Test func publish_withManyFrames_answersBadFramesAndKeepsServing() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let client = try session.client(as: "cci-belfort")
        let dealer = try session.socket(.dealer, as: "cci-belfort", connect: daemon.api)

        try dealer.send([[]] + Self.publishFrames(#"{\#(Self.good),"title":"t"}"#)
                        + Array(repeating: [UInt8](repeating: 0x42, count: 1000), count: 40))
        var poller = Poller()
        poller.add(dealer)
        #expect(try poller.poll(timeoutMilliseconds: 5000) == [true])
        let message = try #require(try dealer.receive())
        let reply = try #require(Reply(frames: Array(message.frames.dropFirst())))

        #expect(reply.body["code"] == .string("bad-frames"))
        // The daemon keeps eight frames of a request and drops the rest unread; the NAK still
        // counts them all: the signature, the command, the header, the body and 40 more.
        #expect(reply.body["message"]?.stringValue?.hasSuffix("not 44") == true, "\(reply.body)")
        #expect(try client.request(.hello).word == "WELCOME")
    }

    @Test func subscribe_withAnOversizedPrefix_dropsThatSubscriberAndServesOthers() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let good = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        try session.waitForSubscriptions(1)

        // A prefix far above the feed's 1 KiB subscription ceiling: libzmq drops that peer.
        let bomb = try session.socket(.sub, as: "gip-machine", connect: daemon.feed)
        try bomb.set(.subscribe([UInt8](repeating: 0x61, count: 64 * 1024)))
        usleep(300_000)

        let ack = try session.client(as: "cci-belfort").request(.publish(
            header: Array(#"{\#(Self.good),"title":"après"}"#.utf8), body: []))
        #expect(ack.word == "ACK")
        #expect(try good.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("après"))
        #expect(try session.stats()["subscriptions"]?.intValue == 1)
    }

    @Test func ingest_badItemsAreCountedPerCauseAndLoggedOnce_goodOnesAreDelivered() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let watcher = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)
        let pub = try session.socket(.pub, as: "cci-belfort", connect: daemon.ingest)
        // A PUB drops what it sends before the connection completes; wait for the handshake.
        usleep(300_000)

        try pub.send(Self.publishFrames("not json"))
        try pub.send(Self.publishFrames("still not json"))
        try pub.send(Self.publishFrames(#"{\#(Self.good),"title":"t","severity":"Huge"}"#))
        try pub.send(Self.publishFrames(#"{\#(Self.good),"title":"par ingest"}"#, body: Array("b".utf8)))

        let item = try #require(try watcher.next(timeoutMilliseconds: 5000))
        #expect(item.header?["title"] == .string("par ingest"))
        #expect(item.header?["sender"] == .string("cci-belfort"))
        #expect(try watcher.next(timeoutMilliseconds: 300) == nil)
        let stats = try session.stats()
        #expect(stats["accepted"]?.objectValue?["ingest"] == .int(1))
        let rejected = stats["rejected"]?.objectValue?["ingest"]?.objectValue
        #expect(rejected?["bad-json"] == .int(2))
        #expect(rejected?["bad-severity"] == .int(1))
        let notices = daemon.stderr.lines.filter {
            $0.contains("level=notice") && $0.contains("endpoint=ingest") && $0.contains("msg=\"publish refused\"")
        }
        #expect(notices.count == 2, "one notice per cause: \(notices)")
        #expect(notices.contains { $0.contains("code=bad-json") })
        #expect(notices.contains { $0.contains("code=bad-severity") })
    }
}
