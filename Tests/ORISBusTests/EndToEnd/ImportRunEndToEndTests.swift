// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// An import goes on past an item the daemon cannot take: a body over its limit is refused
/// before it is sent, and a daemon that stops answering stops that member's items, with a
/// summary either way.
@Suite("import runs end to end", .serialized)
struct ImportRunEndToEndTests {
    /// The largest real CAP file (879,528 bytes) against a daemon taking bodies of 64 KiB: far
    /// over the frame size libzmq lets through (2 × 64 KiB + 64 KiB), which the daemon drops
    /// unanswered. The import refuses it itself and publishes the next file.
    @Test func publishCAP_aBodyOverTheDaemonsLimit_isRefusedUnsent_andTheNextFileGoesIn() throws {
        let big = RealData.folder + "/cap/bf-anam_2024-07-02_thunderstorms_alert_fr.xml"
        let small = RealData.folder + "/cap/au-bom_2019-01-16_thunderstorm_alert.xml"
        let bigBytes = try #require(FileManager.default.attributesOfItem(atPath: big)[.size] as? Int)
        try #require(bigBytes > 2 * 65536 + 65536)
        let folder = TemporaryFolder()
        let config = TestConfiguration.text(state: folder.path + "/state", maxBody: 65536,
                                            journal: #"{"fsync": "batch"}"#)
        let daemon = try RunningDaemon(configText: config, folder: folder)

        let result = try runCommand(Binaries.orisctl, ["publish", "--cap", big, small, "--theme", "machine-speciale",
                                                       "--as", "cci-doubs", "--api", daemon.api], seconds: 60)

        #expect(result.status == ExitCode.refused, "\(result.stderr)")
        #expect(result.stdout.contains("published 1, already present 0, rejected 1"), "\(result.stdout)")
        #expect(result.stderr.contains("rejected \(big): NAK body-too-large: the body has "))
        #expect(result.stderr.contains("over the daemon's max_body_bytes 65536 (not sent)"))
    }

    /// `orisctl publish` holds a large body to WELCOME's limit before sending it: over, it is
    /// refused with the daemon's code instead of a timeout; within, it goes.
    @Test func publish_aLargeBodyOverTheLimit_isRefusedUnsent_andOneWithinItGoes() throws {
        let big = RealData.folder + "/cap/bf-anam_2024-07-02_thunderstorms_alert_fr.xml"
        let folder = TemporaryFolder()
        let within = folder.write("within.txt", String(repeating: "x", count: 65_000))
        let config = TestConfiguration.text(state: folder.path + "/state", maxBody: 65536,
                                            journal: #"{"fsync": "batch"}"#)
        let daemon = try RunningDaemon(configText: config, folder: folder)
        func publish(_ file: String) throws -> CommandResult {
            try runCommand(Binaries.orisctl, ["publish", "--kind", "signal", "--theme", "machine-speciale",
                                              "--title", "gros", "--body-file", file, "--as", "cci-doubs",
                                              "--api", daemon.api], seconds: 60)
        }

        let over = try publish(big)
        let fits = try publish(within)

        #expect(over.status == ExitCode.refused, "\(over.stderr)")
        let size = try #require(FileManager.default.attributesOfItem(atPath: big)[.size] as? Int)
        #expect(over.stderr.contains("NAK body-too-large: the body has \(size) bytes, over the daemon's "
                                     + "max_body_bytes 65536 (not sent)"), "\(over.stderr)")
        #expect(fits.status == ExitCode.success, "\(fits.stderr)")
    }

    /// A stand-in daemon on ipc that welcomes and then answers nothing: the first item times
    /// out, the others are not sent, and the run ends with its summary and exit 69.
    @Test func publishCAP_whenTheDaemonStopsAnswering_endsWithASummary_sendingNothingMore() throws {
        let folder = TemporaryFolder()
        let endpoint = "ipc://" + folder.path + "/silent.sock"
        let context = try Context()
        defer { context.terminate() }
        let router = try Socket(context: context, type: .router)
        defer { router.close() }
        try router.set(.receiveTimeout(milliseconds: 100))
        try router.bind(endpoint)
        let publishes = Counter()
        let done = Counter()
        let shared = SocketBox(router)
        let exited = DispatchSemaphore(value: 0)
        let server = Thread {
            let router = shared.socket
            defer { exited.signal() }
            while done.value == 0 {
                guard let message = try? router.receive(), message.frames.count >= 4 else { continue }
                let word = String(decoding: message.frames[3], as: UTF8.self)
                if word == "HELLO" {
                    let welcome = Reply(word: "WELCOME", body: JSONObject([
                        ("protocol", .string("ORIS01")), ("member", .string("cci-doubs")), ("tenant", .string("bfc")),
                    ]))
                    _ = try? router.send(Array(message.frames.prefix(2)) + welcome.frames)
                } else if word == "PUBLISH" {
                    publishes.add()
                }
            }
        }
        server.start()
        // The thread is done with the socket before the socket closes.
        defer {
            done.add()
            exited.wait()
        }
        let files = RealData.files("cap", endings: [".xml"]).filter { !$0.contains("bf-anam") }.prefix(3).map { $0 }

        let result = try runCommand(Binaries.orisctl, ["publish", "--cap"] + files + ["--theme", "machine-speciale",
                                                       "--control", endpoint, "--timeout", "300"], seconds: 60)

        #expect(result.status == ExitCode.unavailable, "\(result.stderr)")
        #expect(result.stdout.contains("published 0, already present 0, rejected 3"), "\(result.stdout)")
        #expect(result.stderr.contains("rejected \(files[0]): "))
        #expect(result.stderr.contains("it may or may not be stored"))
        #expect(publishes.value == 1)
    }
}

/// The stand-in daemon's socket, used by its thread alone once the test has bound it.
private final class SocketBox: @unchecked Sendable {
    let socket: Socket
    init(_ socket: Socket) { self.socket = socket }
}

/// A count shared with the stand-in daemon's thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { self.lock.withLock { self.count } }
    func add() { self.lock.withLock { self.count += 1 } }
}
