// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// `orisctl subscribe` against a feed endpoint that is not there, or that refuses the handshake:
/// it says so within --timeout (exit 69) instead of waiting in silence.
@Suite("orisctl subscribe: the feed's handshake", .serialized)
struct SubscribeFeedEndToEndTests {
    /// A loopback endpoint where nothing listens: a port libzmq picked, then let go.
    private static func closedPort() throws -> String {
        let context = try Context()
        defer { context.terminate() }
        let socket = try Socket(context: context, type: .pub)
        defer { socket.close() }
        try socket.bind("tcp://127.0.0.1:*")
        return try socket.lastEndpoint()
    }

    @Test func subscribe_whenNothingListensAtTheFeed_saysSoWithinTheTimeoutAndExits69() throws {
        let daemon = try RunningDaemon()
        let feed = try Self.closedPort()
        let started = Date()

        let result = try runCommand(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--as", "gip-auto", "--feed", feed, "--timeout", "700",
        ], seconds: 20)

        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 69)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("feed at '\(feed)'"))
        #expect(result.stderr.contains("within 700 ms"))
        #expect(!result.stderr.contains("subscribed to"))
    }

    @Test func subscribe_whenTheFeedIsAnIPCPathWithNoSocket_saysSoAndExits69() throws {
        let daemon = try RunningDaemon()
        let feed = "ipc://\(daemon.folder.path)/no-feed.sock"

        let result = try runCommand(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--as", "gip-auto", "--feed", feed, "--timeout", "300",
        ], seconds: 20)

        #expect(result.status == 69)
        #expect(result.stderr.contains("feed at '\(feed)'"))
    }

    @Test func subscribe_whenTheFeedsDaemonDoesNotKnowTheMember_reportsTheRefusedHandshake() throws {
        // Two daemons: the first knows ara-gip, the second (one tenant only) does not.
        let knows = try RunningDaemon()
        let folder = TemporaryFolder()
        let other = try RunningDaemon(
            configText: TestConfiguration.text(state: folder.path + "/state", extraTenant: false),
            folder: folder
        )

        let result = try runCommand(Binaries.orisctl, [
            "subscribe", "--api", knows.api, "--as", "ara-gip", "--feed", other.feed, "--timeout", "5000",
        ], seconds: 20)

        #expect(result.status == 69)
        #expect(result.stderr.contains("feed at '\(other.feed)' refused the handshake"), "\(result.stderr)")
        #expect(result.stderr.contains("member 'ara-gip'"))
    }

    @Test func subscribe_whenTheFeedTakesNoPlainHandshake_reportsTheMechanismMismatch() throws {
        let daemon = try RunningDaemon()
        // A publisher of the test's own, with libzmq's NULL mechanism: no PLAIN, no CURVE.
        let context = try Context()
        defer { context.terminate() }
        let stranger = try Socket(context: context, type: .pub)
        defer { stranger.close() }
        try stranger.set(.linger(milliseconds: 0))
        try stranger.bind("tcp://127.0.0.1:*")
        let feed = try stranger.lastEndpoint()

        let result = try runCommand(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--as", "gip-auto", "--feed", feed, "--timeout", "5000",
        ], seconds: 20)

        // Which side sees the mismatch first is a race: orisctl's (it names it) or the
        // stranger's, which then closes the connection during the handshake (EPIPE or a reset).
        #expect(result.status == 69)
        let named = result.stderr.contains("feed at '\(feed)' refused the handshake")
            && result.stderr.contains("security mechanisms differ")
        let closed = result.stderr.contains("no answer from the feed at '\(feed)'")
            && result.stderr.contains("the connection closed during the handshake")
        #expect(named || closed, "\(result.stderr)")
    }
}
