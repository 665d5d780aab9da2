// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A full disk, on a small tmpfs of the test's own: refusals with their own code, nothing stored
/// damaged, reads go on, writes resume once space is back.
@Suite("full disk end to end", .serialized)
struct FullDiskEndToEndTests {
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func publish_whenTheDiskIsFull_answersStorageFullAndResumesWhenSpaceIsBack() throws {
        let folder = TemporaryFolder()
        let state = folder.path + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mount = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", state])
        try #require(mount.status == 0, "cannot mount a tmpfs: \(mount.stderr)")
        defer { _ = try? runCommand("/bin/umount", ["-l", state]) }
        // Ballast to free later, so that space can come back.
        let ballast = state + "/ballast"
        #expect(FileManager.default.createFile(atPath: ballast, contents: Data(count: 128 * 1024)))

        let daemon = try RunningDaemon(folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let client = try session.client(as: "cci-belfort")
        func publish(_ n: Int) throws -> Reply {
            try client.request(.publish(
                header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                ("title", .string("plein \(n)")), ("id", .string("full-\(n)"))]),
                body: [UInt8](repeating: 0x41, count: 4000)))
        }
        var acked = [Int64]()
        var refusal: Reply?
        for n in 0..<500 {
            let reply = try publish(n)
            if reply.word == "ACK" {
                acked.append(reply.body["seq"]?.intValue ?? -1)
            } else {
                refusal = reply
                break
            }
        }

        let nak = try #require(refusal, "the disk never filled")
        #expect(nak.body["code"] == .string("storage-full"))
        #expect(try publish(9999).body["code"] == .string("storage-full"))
        #expect(acked == (1...Int64(acked.count)).map { $0 })
        // Reads go on, and every acknowledged item is intact.
        #expect(try session.replayAll("bfc/machine-speciale/gip/signal").compactMap(\.seq) == acked)
        #expect(try client.request(.hello).word == "WELCOME")
        // One warning for the two refusals: a full disk warns once a minute at most.
        #expect(daemon.stderr.lines.filter { $0.contains("level=warning") && $0.contains("code=storage-full") }
            .count == 1)

        try FileManager.default.removeItem(atPath: ballast)
        let resumed = try publish(acked.count + 1)

        #expect(resumed.word == "ACK")
        #expect(resumed.body["seq"] == .int(Int64(acked.count) + 1))
        daemon.stop()
        let restarted = try RunningDaemon(folder: folder)
        let again = try Session(restarted)
        defer { again.close() }
        let stored = try again.replayAll("bfc/machine-speciale/gip/signal").compactMap(\.seq)
        #expect(stored == (1...Int64(acked.count) + 1).map { $0 })
        #expect(!restarted.stderr.lines.contains { $0.contains("journal damage repaired") },
                "\(restarted.stderr.lines.filter { $0.contains("journal") })")
    }
}

/// A disk that fails a sync: what waited is refused, nothing more is promised until a restart.
///
/// Each case runs at log level `debug`, where every publish takes the general path, and at
/// `info`, where a topic's items after its first take the api's plain path (README
/// "Benchmarks"): the ACKs it holds must wait and be refused the same way.
@Suite("failed sync end to end", .serialized)
struct FailedSyncEndToEndTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"), arguments: ["debug", "info"])
    func publish_afterAFailedFdatasync_naksInternalUntilRestartAndTheRetryIsAnsweredOnce(logLevel: String) throws {
        let folder = TemporaryFolder()
        // The third fdatasync of the daemon's sync thread fails with EIO.
        let daemon = try daemonFailing("fdatasync", when: "3", folder: folder, logLevel: logLevel)
        var session = try Session(daemon)
        let client = try session.client(as: "cci-belfort")

        let replies = try (1...4).map { try publishSignal("sync-\($0)", by: client) }

        #expect(replies[0].word == "ACK" && replies[1].word == "ACK")
        #expect(replies[2].body["code"] == .string("internal"))
        #expect(replies[2].body["id"] == .string("sync-3"))
        #expect(replies[3].body["code"] == .string("internal"))
        // Refused before it is read any further, it still names its id (PROTOCOL.md section 4).
        #expect(replies[3].body["id"] == .string("sync-4"))
        #expect(daemon.stderr.lines.contains { $0.contains("level=error") && $0.contains("journal sync failed") })
        session.close()
        daemon.stop()

        // After a restart the disk says what it holds; retrying the refused id is answered once.
        let restarted = try RunningDaemon(folder: folder)
        session = try Session(restarted)
        defer { session.close() }
        let retry = try publishSignal("sync-3", by: session.client(as: "cci-belfort"))
        #expect(retry.word == "ACK")
        let stored = try session.replayAll("bfc/machine-speciale/gip/signal")
        let ids = stored.compactMap { $0.header?["id"]?.stringValue }
        #expect(ids.filter { $0 == "sync-3" }.count == 1)
        #expect(!ids.contains("sync-4"))  // refused before it was stored
    }
}

/// A disk that fails a deferred journal write: the ACK it held becomes a NAK, nothing more is
/// accepted until a restart, and nothing of the failed write is left in the journal.
@Suite("failed write end to end", .serialized)
struct FailedWriteEndToEndTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"), arguments: ["debug", "info"])
    func publish_afterAFailedJournalWrite_naksInternalUntilRestartAndTheRetryIsAnsweredOnce(logLevel: String) throws {
        let folder = TemporaryFolder()
        // Only the journal writes with pwrite (a new segment's header, then records); from the
        // third on, every write fails with EIO. Under the default fsync `always` the ACK waits
        // for a sync, which must not cover a record that was never written. At `info` the
        // items after the topic's first take the plain path (FailedSyncEndToEndTests).
        let daemon = try daemonFailing("pwrite64", when: "3+", folder: folder, logLevel: logLevel)
        var session = try Session(daemon)
        let client = try session.client(as: "cci-belfort")

        let replies = try (1...4).map { try publishSignal("write-\($0)", by: client) }
        let firstRefused = try #require(replies.firstIndex { $0.word != "ACK" }, "no write failed")
        let acked = (0..<firstRefused).map { "write-\($0 + 1)" }

        #expect(replies[firstRefused].body["code"] == .string("internal"))
        #expect(replies[firstRefused].body["id"] == .string("write-\(firstRefused + 1)"))
        #expect(replies[firstRefused...].allSatisfy { $0.body["code"] == .string("internal") })
        #expect(replies[firstRefused...].map { $0.body["id"] } == (firstRefused..<4).map { .string("write-\($0 + 1)") })
        // STATS counts what was acknowledged as accepted, what was refused as rejected.
        let stats = try session.stats()
        #expect((stats["accepted"]?.objectValue?["api"]?.intValue ?? 0) == firstRefused)
        #expect(stats["rejected"]?.objectValue?["api"]?.objectValue?["internal"] == .int(Int64(4 - firstRefused)))
        #expect(daemon.stderr.lines.contains { $0.contains("level=error") && $0.contains("journal write failed") })
        session.close()
        daemon.stop()

        let restarted = try RunningDaemon(folder: folder)
        session = try Session(restarted)
        defer { session.close() }
        let refusedID = "write-\(firstRefused + 1)"
        let retry = try publishSignal(refusedID, by: session.client(as: "cci-belfort"))
        #expect(retry.word == "ACK")
        #expect(retry.body["duplicate"] == nil)
        // Every acknowledged item is there, the refused one once (its retry), nothing after it.
        let stored = try session.replayAll("bfc/machine-speciale/gip/signal")
        #expect(stored.compactMap { $0.header?["id"]?.stringValue } == acked + [refusedID])
        #expect(!restarted.stderr.lines.contains { $0.contains("journal damage repaired") },
                "\(restarted.stderr.lines.filter { $0.contains("journal") })")
    }
}

/// The daemon run under strace, with `call` failing with EIO as strace's `when` says.
private func daemonFailing(_ call: String, when: String, folder: TemporaryFolder,
                           logLevel: String) throws -> RunningDaemon {
    try RunningDaemon(configText: TestConfiguration.text(state: folder.path + "/state", logLevel: logLevel),
                      folder: folder,
                      wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null",
                                "-e", "trace=\(call)", "-e", "inject=\(call):error=EIO:when=\(when)"])
}

/// Publishes a signal with this id (and as its title) on `machine-speciale`, with no body.
private func publishSignal(_ id: String, by client: APIClient) throws -> Reply {
    try client.request(.publish(
        header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                        ("title", .string(id)), ("id", .string(id))]),
        body: []))
}
