// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Attacks on the feed and on member identity that an earlier attack run found, kept as
/// regression tests.
@Suite("feed attacks end to end", .serialized)
struct FeedAttackEndToEndTests {
    static func start() throws -> RunningDaemon {
        let folder = TemporaryFolder()
        return try RunningDaemon(configText: AccessEndToEndTests.configuration(state: folder.path + "/state"),
                                 folder: folder)
    }

    /// An XSUB may send the XPUB messages that are not subscriptions; libzmq's manual mode would
    /// then apply later subscriptions to the wrong peers. The daemon replaces the feed at the
    /// first such message and keeps its sender off the feed.
    @Test func aPeerSendingANonSubscription_isCutOffAndTheFeedIsReset_othersGoOn() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let victim = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        try session.waitForSubscriptions(1)
        let attacker = try session.socket(.xsub, as: "ara-gip", connect: daemon.feed)
        let second = try session.socket(.xsub, as: "ara-gip", connect: daemon.feed)

        _ = try attacker.send([[0x02] + Array("junk".utf8)], wait: false)
        _ = try second.send([[0x01] + Array("bfc/machine-speciale/gip/".utf8)], wait: false)
        let deadline = Date().addingTimeInterval(10)
        while (try session.stats()["feed_rebinds"]?.intValue ?? 0) < 1 && Date() < deadline { usleep(20_000) }
        // The victim reconnects by itself; let it resubscribe, then publish.
        while (try session.stats()["subscriptions"]?.intValue ?? 0) < 2 && Date() < deadline {
            _ = try victim.next(timeoutMilliseconds: 20)
        }
        let ack = try session.client(as: "cci-belfort")
            .request(AccessEndToEndTests.item("alert", "machine-speciale", "après la remise à zéro"))

        #expect(ack.word == "ACK")
        #expect(try victim.next(timeoutMilliseconds: 5000)?.header?["title"] == .string("après la remise à zéro"))
        for socket in [attacker, second] {
            #expect(try socket.receive(wait: false) == nil)
        }
        // The attackers' sockets retry on their own schedule; under load the first refusal can come
        // late.
        let refusals = Date().addingTimeInterval(10)
        while (try session.stats()["refused_connections"]?.intValue ?? 0) < 1 && Date() < refusals {
            usleep(50_000)
        }
        let stats = try session.stats()
        #expect(stats["feed_rebinds"] == .int(1))
        #expect((stats["refused_connections"]?.intValue ?? 0) >= 1, "the attacker's reconnections are refused")
        #expect(daemon.stderr.lines.contains { $0.contains("feed peer broke the subscription protocol")
            && $0.contains("member=ara-gip") })
    }

    /// Refused prefixes by the thousand would grow libzmq's memory: past a bound, the member is
    /// cut off and its prefixes dropped with the old feed socket.
    @Test func aMemberFloodingRefusedSubscriptions_isCutOff() throws {
        let daemon = try Self.start()
        let session = try Session(daemon)
        defer { session.close() }
        let flooder = try session.socket(.sub, as: "ara-gip", connect: daemon.feed)
        for n in 0..<400 {
            try flooder.set(.subscribe(Array("bfc/\(n)/".utf8)))
        }
        let deadline = Date().addingTimeInterval(10)
        while (try session.stats()["feed_rebinds"]?.intValue ?? 0) < 1 && Date() < deadline { usleep(20_000) }

        let stats = try session.stats()
        #expect(stats["feed_rebinds"] == .int(1))
        // Each refusal up to the bound, and the one past it that cut the member off.
        #expect(stats["refused_subscriptions"]?.intValue == 257)
        // The log reaches the test through a pipe: under load its last lines come a little later.
        let logged = Date().addingTimeInterval(10)
        var notices = [String]()
        repeat {
            notices = daemon.stderr.lines.filter { $0.contains("subscription refused") }
            if notices.count >= 257 { break }
            usleep(50_000)
        } while Date() < logged
        #expect(notices.count == 257)
    }
}
