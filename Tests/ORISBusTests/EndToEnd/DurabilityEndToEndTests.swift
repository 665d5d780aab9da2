// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The journal seen from outside: restarts, retries, damage, replay.
@Suite("durability end to end", .serialized)
struct DurabilityEndToEndTests {
    @Test func restart_keepsSequenceNumbersAndHistory() throws {
        let folder = TemporaryFolder()
        let first = try RunningDaemon(folder: folder)
        var session = try Session(first)
        let before = try session.publishMany(5)
        session.close()
        #expect(first.stop().status == 0)

        let second = try RunningDaemon(folder: folder)
        session = try Session(second)
        defer { session.close() }
        let after = try session.publishMany(2)
        let stored = try session.replayAll("bfc/machine-speciale/gip/")

        #expect(before.map { $0.body["seq"]?.intValue } == [1, 2, 3, 4, 5])
        #expect(after.map { $0.body["seq"]?.intValue } == [6, 7])
        #expect(stored.map(\.seq) == [1, 2, 3, 4, 5, 6, 7])
        #expect(stored.first?.header?["title"] == .string("élément 0"))
        #expect(stored.first?.body == Array("corps 0".utf8))
    }

    @Test func publish_whenIdWasPublishedBeforeARestart_answersTheFirstACKAndStoresNothing() throws {
        let folder = TemporaryFolder()
        let first = try RunningDaemon(folder: folder)
        var session = try Session(first)
        let original = try session.client(as: "cci-doubs").request(.publish(
            header: header([("kind", .string("alert")), ("theme", .string("auto-rang3")), ("id", .string("retry-1")),
                            ("title", .string("Premier envoi")), ("severity", .string("Severe"))]),
            body: []))
        session.close()
        first.stop()

        let second = try RunningDaemon(folder: folder)
        session = try Session(second)
        defer { session.close() }
        let watcher = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)
        let retry = try session.client(as: "cci-doubs").request(.publish(
            header: header([("kind", .string("alert")), ("theme", .string("auto-rang3")), ("id", .string("retry-1")),
                            ("title", .string("Second envoi, même id")), ("severity", .string("Severe"))]),
            body: []))

        #expect(original.word == "ACK")
        var expected = original.body
        expected["duplicate"] = .bool(true)
        #expect(retry.word == "ACK" && retry.body == expected)
        #expect(original.body["duplicate"] == nil)
        #expect(try watcher.next(timeoutMilliseconds: 500) == nil)
        #expect(try session.replayAll("bfc/auto-rang3/").count == 2)  // gip and crps deliveries, once
        #expect(try session.stats()["duplicates"]?.intValue == 1)
    }

    @Test func start_whenTheLastRecordIsTorn_cutsItReportsItAndServesTheRest() throws {
        let folder = TemporaryFolder()
        let first = try RunningDaemon(folder: folder)
        var session = try Session(first)
        _ = try session.publishMany(20)
        session.close()
        first.stop()
        let segment = try #require(segmentFiles(first).last)
        let intactSize = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        // Half a record, as a crash in the middle of a write leaves it.
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data(JournalRecord.magic + [200, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 7, count: 50)))
        try handle.close()

        let second = try RunningDaemon(folder: folder)
        session = try Session(second)
        defer { session.close() }

        let warnings = second.stderr.lines.filter { $0.contains("journal damage repaired") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("kind=torn-tail") == true)
        #expect(warnings.first?.contains("offset=\(intactSize)") == true)
        #expect(try session.replayAll("bfc/machine-speciale/gip/").map(\.seq) == (1...20).map { Int64($0) })
        #expect(try session.publishMany(1).first?.body["seq"] == .int(21))
    }

    @Test func start_whenARecordInTheMiddleIsDamaged_reportsItAndServesEveryOtherRecord() throws {
        let folder = TemporaryFolder()
        let first = try RunningDaemon(folder: folder)
        var session = try Session(first)
        _ = try session.publishMany(21)
        session.close()
        first.stop()
        let segment = try #require(segmentFiles(first).last)
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        let middle = bytes.count / 2
        bytes[middle] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))

        let second = try RunningDaemon(folder: folder)
        session = try Session(second)
        defer { session.close() }

        let warnings = second.stderr.lines.filter { $0.contains("journal damage repaired") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("kind=corrupt-record") == true)
        #expect(warnings.first?.contains(segment) == true)
        let seqs = try session.replayAll("bfc/machine-speciale/gip/").compactMap(\.seq)
        #expect(seqs.count == 20)
        #expect(Set(seqs).count == 20)
        #expect(Set(seqs).isSubset(of: Set((1...21).map { Int64($0) })))
    }

    @Test func replay_pagesThroughHistoryInOrderWithinTheMembersTenantOnly() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        _ = try session.publishMany(2500)
        let client = try session.client(as: "gip-machine")

        let all = try session.replayAll("bfc/machine-speciale/gip/signal", as: "gip-machine")
        let fromSeq = try session.replayAll("bfc/machine-speciale/gip/", as: "gip-machine", fromSeq: 2400)
        var window = ReplayRequest(prefix: "bfc/machine-speciale/gip/signal")
        window.fromSeq = 10
        window.toSeq = 12
        let small = try client.replay(window)
        let otherTenant = try client.request(.replay(arguments: ReplayRequest(prefix: "ara/").encoded))
        let lookAlike = try client.request(.replay(arguments: ReplayRequest(prefix: "bf").encoded))
        let bad = try client.request(.replay(arguments: Array(#"{"prefix":"bfc/","limit":5000}"#.utf8)))

        #expect(all.compactMap(\.seq) == (1...2500).map { Int64($0) })
        #expect(fromSeq.compactMap(\.seq) == (2400...2500).map { Int64($0) })
        #expect(small.items.compactMap(\.seq) == [10, 11, 12])
        #expect(small.more == false)
        #expect(small.topics["bfc/machine-speciale/gip/signal"]?.first == 1)
        #expect(small.topics["bfc/machine-speciale/gip/signal"]?.last == 2500)
        #expect(otherTenant.body["code"] == .string("forbidden"))
        #expect(lookAlike.body["code"] == .string("forbidden"))
        #expect(bad.body["code"] == .string("bad-request"))
    }

    @Test func subscribe_fromStart_whenJoiningLate_showsEverySequenceNumberOnce() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        _ = try session.publishMany(1000)

        let result = try runCommand(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--as", "gip-machine", "--theme", "machine-speciale",
            "--tier", "gip", "--from-start", "--json", "--count", "1000",
        ], seconds: 60)

        #expect(result.status == 0, "\(result.stderr)")
        #expect(sequences(ofJSONLines: result.stdout.split(separator: "\n").map(String.init))
                == (1...1000).map { Int64($0) })
    }

    @Test func subscribe_whenDisconnectedWhileItemsArePublished_endsWithNoGapAndNoDuplicate() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let folder = TemporaryFolder()
        let feedPort = try #require(daemon.feed.split(separator: ":").last.map(String.init))
        let proxyScript = Binaries.packageRoot + "/Tests/interop/cut_proxy.py"
        let proxy = try BackgroundProcess("/usr/bin/env", ["python3", proxyScript,
                                                           feedPort], folder: folder, name: "proxy")
        #expect(proxy.waitForLines(1, seconds: 10))
        let proxyPort = try #require(proxy.lines.first)
        let before = try session.stats()["subscriptions"]?.intValue ?? 0
        let subscriber = try BackgroundProcess(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--feed", "tcp://127.0.0.1:\(proxyPort)", "--as", "gip-machine",
            "bfc/machine-speciale/gip/", "--json", "--count", "1010",
        ], folder: folder, name: "subscriber")
        try session.waitForSubscriptions(before + 1)

        _ = try session.publishMany(5)
        #expect(subscriber.waitForLines(5, seconds: 10))
        proxy.signal(SIGUSR1)  // cut the subscriber off
        usleep(200_000)
        _ = try session.publishMany(1000)
        proxy.signal(SIGUSR2)  // let it reconnect
        _ = try session.publishMany(5)

        #expect(subscriber.waitForExit(seconds: 30))
        #expect(sequences(ofJSONLines: subscriber.lines) == (1...1010).map { Int64($0) })
    }

    @Test func subscribe_whenTooSlowForTheHighWaterMark_othersLoseNothingAndItCatchesUp() throws {
        let folder = TemporaryFolder()
        let text = TestConfiguration.text(state: folder.path + "/state", feedHighWaterMark: 50)
        let daemon = try RunningDaemon(configText: text, folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        let fast = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        let slow = try BackgroundProcess(Binaries.orisctl, [
            "subscribe", "--api", daemon.api, "--as", "gip-machine", "bfc/machine-speciale/gip/", "--json",
            "--count", "3000",
        ], folder: folder, name: "slow")
        try session.waitForSubscriptions(2)
        slow.signal(SIGSTOP)

        // The fast subscriber reads as items come (in steps well under the high-water mark);
        // the stopped one reads nothing.
        var fastSeqs = [Int64]()
        for _ in 0..<150 {
            // 4 KB bodies: 12 MB in all, more than the kernel's and libzmq's buffers hold.
            _ = try session.publishMany(20, padding: 4000)
            for _ in 0..<20 {
                guard let item = try fast.next(timeoutMilliseconds: 2000) else { break }
                fastSeqs.append(item.seq ?? -1)
            }
        }
        slow.signal(SIGCONT)

        #expect(fastSeqs == (1...3000).map { Int64($0) })
        #expect(slow.waitForExit(seconds: 60))
        #expect(sequences(ofJSONLines: slow.lines) == (1...3000).map { Int64($0) })
        // The daemon did drop for it: what it shows came partly from the journal.
        let report = String(decoding: FileManager.default.contents(atPath: folder.path + "/slow.err") ?? Data(),
                            as: UTF8.self)
        #expect(report.contains("from the journal"), "\(report)")
        // And the daemon learnt, per member, what the feed had dropped for it.
        let repaired = try session.stats()["gap_repairs"]?.objectValue?["gip-machine"]?.intValue ?? 0
        #expect(repaired > 0)
        #expect(daemon.stderr.lines.contains { $0.contains("level=notice") && $0.contains("member=gip-machine")
            && $0.contains("filled a gap") })
    }

    /// At log level `debug` every publish takes the general path; at `info` the items after the
    /// topic's first take the api's plain path, whose ACKs wait for the same syncs.
    @Test(arguments: ["debug", "info"])
    func killDashNine_whilePublishingUnderFsyncAlways_losesNoACKedItemAndRetriesMakeNoDuplicate(
        logLevel: String
    ) throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(
            configText: TestConfiguration.text(state: folder.path + "/state", logLevel: logLevel), folder: folder)
        let script = Binaries.packageRoot + "/Tests/interop/crash_publisher.py"
        let ackFile = folder.path + "/acks.txt"
        let publisher = try BackgroundProcess("/usr/bin/env", ["python3", script, daemon.api, "10000", ackFile],
                                              folder: folder, name: "publisher")
        let deadline = Date().addingTimeInterval(60)
        func acked() -> [String] {
            String(decoding: FileManager.default.contents(atPath: ackFile) ?? Data(), as: UTF8.self)
                .split(separator: "\n").map(String.init)
        }
        while acked().count < 3000 && Date() < deadline { usleep(5_000) }
        daemon.kill()
        #expect(publisher.waitForExit(seconds: 30))
        let beforeCrash = acked()
        #expect(beforeCrash.count >= 3000 && beforeCrash.count < 10000, "crash came at \(beforeCrash.count)")

        let restarted = try RunningDaemon(folder: folder)
        try? FileManager.default.removeItem(atPath: ackFile)
        let retry = try runCommand("/usr/bin/env", ["python3", script, restarted.api, "10000", ackFile], seconds: 120)
        let session = try Session(restarted)
        defer { session.close() }
        let stored = try session.replayAll("bfc/machine-speciale/gip/signal")

        #expect(retry.status == 0, "\(retry.stderr)")
        let firstSeq = Dictionary(uniqueKeysWithValues: beforeCrash.map { line -> (String, Int64) in
            let parts = line.split(separator: " ")
            return (String(parts[0]), Int64(parts[1]) ?? -1)
        })
        let storedIDs = stored.compactMap { $0.header?["id"]?.stringValue }
        #expect(stored.count == 10000)
        #expect(Set(storedIDs).count == 10000)
        #expect(stored.compactMap(\.seq) == (1...10000).map { Int64($0) },
                "\(restarted.stderr.lines.filter { $0.contains("journal") || $0.contains("skipped") })")
        for item in stored {
            guard let id = item.header?["id"]?.stringValue, let seq = firstSeq[id] else { continue }
            #expect(item.seq == seq, "\(id) was acknowledged with #\(seq) before the crash")
        }
        let retryACKs = acked()
        #expect(retryACKs.count == 10000)
        for line in retryACKs {
            let parts = line.split(separator: " ")
            if let seq = firstSeq[String(parts[0])] {
                #expect(Int64(parts[1]) == seq)
            }
        }
    }
}
