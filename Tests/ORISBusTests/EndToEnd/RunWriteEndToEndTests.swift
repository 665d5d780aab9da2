// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The api's run writes (``Journal/deferWrites()``): a write that fails in the middle of a run,
/// when a read of the same run writes what waits, must refuse what it held, as a failed flush
/// at the end of the run does (README "Nothing acknowledged is lost", docs/PROTOCOL.md 5.2).
@Suite("run writes end to end", .serialized)
struct RunWriteEndToEndTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"))
    func publish_whenAReplayInTheSameRunFailsToWriteWhatWaits_theHeldAcksAreRefused() throws {
        let folder = TemporaryFolder()
        let config = TestConfiguration.text(state: folder.path + "/state", extraTenant: false,
                                            journal: #"{"fsync": "batch"}"#)
        // pwrite64: the pid file, the segment's header, then the journal's records: the third
        // (the first write of records) fails with EIO, once; the writes after it succeed.
        let daemon = try RunningDaemon(configText: config, folder: folder, wrapper: [
            "/usr/bin/strace", "-f", "-qq", "-o", "/dev/null",
            "-e", "trace=pwrite64", "-e", "inject=pwrite64:error=EIO:when=3",
        ])
        let session = try Session(daemon)
        let dealer = try session.socket(.dealer, as: "operator", connect: daemon.api)
        func publish(_ id: String) -> [[UInt8]] {
            [[], Array("ORIS01".utf8), Array("PUBLISH".utf8),
             header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                     ("title", .string(id)), ("id", .string(id))]), []]
        }
        let replay: [[UInt8]] = [[], Array("ORIS01".utf8), Array("REPLAY".utf8),
                                 Array(#"{"prefix":"bfc/machine-speciale/gip/"}"#.utf8)]

        // One run: the REPLAY reads the journal, which writes the first item's waiting record
        // (and fails); the run's flush then has only the second item's record to write.
        for request in [publish("run-a"), replay, publish("run-b")] {
            try dealer.send(request)
        }
        var replies: [Reply] = []
        for _ in 0..<3 {
            var poller = Poller()
            poller.add(dealer)
            try #require(try poller.poll(timeoutMilliseconds: 5000)[0], "no reply")
            let message = try #require(try dealer.receive())
            replies.append(try #require(Reply(frames: Array(message.frames.dropFirst()))))
        }
        let acked = replies.filter { $0.word == "ACK" }.compactMap { $0.body["id"]?.stringValue }
        let (stored, repaired) = try storedAfterRestart(daemon, session: session, config: config, folder: folder)
        // Every acknowledged item is in the journal (before the fix run-a was acknowledged, never
        // written, and run-b written at the offset indexed for run-a).
        for id in acked {
            #expect(stored.contains(id), "\(id) was acknowledged but is not in the journal: \(replies)")
        }
        #expect(!repaired)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"),
                   "needs strace (make test installs it)"))
    func publish_whenASegmentRollInARunFailsToWriteWhatWaits_theHeldAcksAreRefused() throws {
        let folder = TemporaryFolder()
        // The smallest segments (64 KiB): a record of a 4,000-byte body fills one in ~15 items.
        let config = TestConfiguration.text(state: folder.path + "/state", extraTenant: false,
                                            journal: #"{"fsync": "batch", "segment_bytes": 65536}"#)
        // As above: the first write of records fails once. When the first run reaches the roll,
        // that write is the roll's (the full segment's waiting records).
        let daemon = try RunningDaemon(configText: config, folder: folder, wrapper: [
            "/usr/bin/strace", "-f", "-qq", "-o", "/dev/null",
            "-e", "trace=pwrite64", "-e", "inject=pwrite64:error=EIO:when=3",
        ])
        let session = try Session(daemon)
        let dealer = try session.socket(.dealer, as: "operator", connect: daemon.api)
        let count = 40
        for n in 0..<count {
            try dealer.send([[], Array("ORIS01".utf8), Array("PUBLISH".utf8),
                             header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                     ("title", .string("roll \(n)")), ("id", .string("roll-\(n)"))]),
                             [UInt8](repeating: 0x41, count: 4000)])
        }
        var replies: [Reply] = []
        for _ in 0..<count {
            var poller = Poller()
            poller.add(dealer)
            guard try poller.poll(timeoutMilliseconds: 5000)[0], let message = try dealer.receive() else { break }
            replies.append(try #require(Reply(frames: Array(message.frames.dropFirst()))))
        }
        let acked = replies.filter { $0.word == "ACK" }.compactMap { $0.body["id"]?.stringValue }
        let stored = Set(try storedAfterRestart(daemon, session: session, config: config, folder: folder).ids)
        // Before the fix the roll's write of the full segment's waiting records failed, only the
        // item that asked for the roll was refused, and the records before it were acknowledged,
        // never written.
        let lost = acked.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but not in the journal: \(lost)")
    }
}

/// Stops the daemon run under strace (killing it should strace have left it behind), starts it
/// again on the same folder, and reads back the ids stored on `bfc/machine-speciale/gip/signal`,
/// and whether the restart repaired journal damage.
private func storedAfterRestart(
    _ daemon: RunningDaemon,
    session: Session,
    config: String,
    folder: TemporaryFolder
) throws -> (ids: [String], repaired: Bool) {
    session.close()
    daemon.stop()
    if daemon.daemonPID > 0 { Glibc.kill(daemon.daemonPID, SIGKILL) }
    let restarted = try RunningDaemon(configText: config, folder: folder)
    let again = try Session(restarted)
    defer { again.close() }
    let ids = try again.replayAll("bfc/machine-speciale/gip/signal").compactMap { $0.header?["id"]?.stringValue }
    return (ids, restarted.stderr.lines.contains { $0.contains("journal damage repaired") })
}

/// The blocks a journal reserves ahead for its deferred writes belong to no record: on a small
/// shared disk, they must not make another tenant's items "not fit".
@Suite("run write reservations end to end", .serialized)
struct RunWriteReservationEndToEndTests {
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func publish_aQuietTenantsReservation_doesNotTakeTheDiskFromAnother() throws {
        try Self.onATwoMebibyteDisk { session, state in
            // Tenant bfc publishes one small item, then stays quiet.
            let quiet = try session.client(as: "cci-belfort").request(.publish(
                header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                ("title", .string("seul")), ("id", .string("quiet-1"))]), body: []))
            #expect(quiet.word == "ACK")
            // Tenant ara publishes until the disk is full.
            let busy = try session.client(as: "ara-capteur")
            var stored = 0
            for n in 0..<1000 {
                let reply = try busy.request(.publish(
                    header: header([("kind", .string("signal")), ("theme", .string("auto-rang3")),
                                    ("title", .string("plein \(n)")), ("id", .string("busy-\(n)"))]),
                    body: [UInt8](repeating: 0x41, count: 4000)))
                if reply.word != "ACK" {
                    #expect(reply.body["code"] == .string("storage-full"))
                    break
                }
                stored += 1
            }
            let du = try runCommand("/usr/bin/du", ["-sk", state + "/journal/bfc"])
            let quietKiB = Int(du.stdout.split(whereSeparator: { $0 == "\t" || $0 == " " }).first ?? "") ?? -1
            // With a mebibyte reserved ahead, bfc's one record of a few hundred bytes held 1,028 KiB
            // of the 2 MiB (a reservation is given back only at a segment roll or a stop), and ara
            // was refused storage-full after about 1 MiB of items.
            #expect(quietKiB >= 0 && quietKiB <= 64, "the quiet tenant's journal holds \(quietKiB) KiB on disk")
            #expect(stored * 4000 >= 1_500_000, "ara stored only \(stored) items of 4,000 bytes on a 2 MiB disk")
        }
    }

    /// A burst from one tenant, then another filling a small disk: a busy journal reserves
    /// further ahead (doubling up to 1 MiB), but never more than a 64th of the free space, so
    /// the second is not refused while the first holds room it has not used.
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func publish_afterAnotherTenantsBurst_fillsTheDiskBeforeItIsRefused() throws {
        try Self.onATwoMebibyteDisk { session, _ in
            func publish(_ client: APIClient, _ theme: String, _ n: Int) throws -> Reply {
                try client.request(.publish(
                    header: header([("kind", .string("signal")), ("theme", .string(theme)),
                                    ("title", .string("plein \(n)")), ("id", .string("\(theme)-\(n)"))]),
                    body: [UInt8](repeating: 0x41, count: 4000)))
            }

            // bfc: 120 records of 4,310 bytes in well under a second. Uncapped, its reservations
            // reach 32, 64, 128, 256 and 512 KiB ahead, the last made at its 118th record: some
            // 500 KiB of the disk reserved and unused once the burst ends (strace showed it).
            let burst = try session.client(as: "cci-belfort")
            for n in 0..<120 {
                #expect(try publish(burst, "machine-speciale", n).word == "ACK")
            }
            // ara: until the disk is full.
            let busy = try session.client(as: "ara-capteur")
            var stored = 120
            for n in 0..<1000 {
                let reply = try publish(busy, "auto-rang3", n)
                if reply.word != "ACK" {
                    #expect(reply.body["code"] == .string("storage-full"))
                    break
                }
                stored += 1
            }
            #expect(stored * 4000 >= 1_750_000, "the two stored only \(stored) items of 4,000 bytes on a 2 MiB disk")
        }
    }

    /// Runs `body` beside an orisd (fsync batch) whose state folder is a 2 MiB tmpfs, given
    /// its session and the folder.
    private static func onATwoMebibyteDisk(_ body: (Session, String) throws -> Void) throws {
        let folder = TemporaryFolder()
        let state = folder.path + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mount = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", state])
        try #require(mount.status == 0, "cannot mount a tmpfs: \(mount.stderr)")
        defer { _ = try? runCommand("/bin/umount", ["-l", state]) }
        let config = TestConfiguration.text(state: state, journal: #"{"fsync": "batch"}"#)
        let daemon = try RunningDaemon(configText: config, folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        try body(session, state)
    }
}
