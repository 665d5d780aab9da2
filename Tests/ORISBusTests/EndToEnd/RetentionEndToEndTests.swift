// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// Retention: whole old segments go, the live one stays, replay says where history starts, and
/// sequence numbers are never given twice.
@Suite("retention end to end", .serialized)
struct RetentionEndToEndTests {
    static func config(_ folder: TemporaryFolder, _ retention: String) -> String {
        TestConfiguration.text(state: folder.path + "/state",
                               journal: #"{"fsync": "always", "segment_bytes": 65536, \#(retention)}"#)
    }

    @Test func retentionBySize_removesOldSegmentsAndReplaySaysWhereHistoryStarts() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.config(folder, #""retention_bytes": 200000"#), folder: folder)
        var session = try Session(daemon)
        // 20 items on auto-rang3 first, then 100 items of 4 KB on machine-speciale: about 450 KB.
        _ = try session.publishMany(20, as: "cci-doubs", theme: "auto-rang3")
        _ = try session.publishMany(100, padding: 4000)
        #expect(daemon.stderr.wait(for: "msg=\"journal segments removed\"", seconds: 5) != nil)

        let stored = try session.replayAll("bfc/machine-speciale/gip/signal")
        let page = try session.client(as: "operator").replay(ReplayRequest(prefix: "bfc/"))
        let sizes: [Int] = segmentFiles(daemon).map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return (attributes?[.size] as? Int) ?? 0
        }

        let first = try #require(stored.first?.seq)
        #expect(first > 1)
        #expect(stored.compactMap(\.seq) == (first...100).map { $0 })
        let total: Int = sizes.reduce(0, +)
        let ceiling: Int = 200_000 + 65_536 + 8_192
        #expect(total <= ceiling)
        #expect(page.historyStart > 1)
        #expect(page.topics["bfc/auto-rang3/gip/signal"]?.first == 21)  // nothing of it is left
        #expect(page.topics["bfc/auto-rang3/gip/signal"]?.last == 20)
        let arguments = ReplayRequest(prefix: "bfc/").encoded
        let removed = try session.client(as: "operator").request(.replay(arguments: arguments))
        #expect(removed.body["removed_before"]?.objectValue?["bfc/machine-speciale/gip/signal"] == .int(first))

        // Numbers go on after the removal, and after a restart, even for the emptied topic.
        session.close()
        daemon.stop()
        let restarted = try RunningDaemon(configText: Self.config(folder, #""retention_bytes": 200000"#),
                                          folder: folder)
        session = try Session(restarted)
        defer { session.close() }
        #expect(try session.publishMany(1, as: "cci-doubs", theme: "auto-rang3").first?.body["seq"] == .int(21))
        #expect(try session.publishMany(1).first?.body["seq"] == .int(101))
    }

    @Test func retentionByAge_removesSealedSegmentsButNeverTheLiveOne() throws {
        let folder = TemporaryFolder()
        let daemon = try RunningDaemon(configText: Self.config(folder, #""retention_seconds": 2"#), folder: folder)
        let session = try Session(daemon)
        defer { session.close() }
        _ = try session.publishMany(60, padding: 4000)
        let before = segmentFiles(daemon).count

        #expect(daemon.stderr.wait(for: "msg=\"journal segments removed\"", seconds: 8) != nil)
        let after = segmentFiles(daemon)
        let stored = try session.replayAll("bfc/machine-speciale/")

        #expect(before >= 3)
        #expect(after.count == 1)
        #expect(stored.last?.seq == 60)
        #expect((stored.first?.seq ?? 0) > 1)
    }
}
