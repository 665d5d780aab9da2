// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// The journal on its own: append, read back by topic, sequence and time, recover, retain.
@Suite struct JournalTests {
    static func record(_ position: UInt64, _ topic: String, _ seq: UInt64, ms: Int64 = 1_000, id: String? = nil,
                       body: Int = 10) -> JournalRecord {
        JournalRecord(position: position, received: Timestamp(milliseconds: ms), topic: topic, seq: seq,
                      id: id ?? "id-\(position)", header: Array("{\"seq\":\(seq)}".utf8),
                      body: [UInt8](repeating: UInt8(position % 251), count: body))
    }

    static let nonce = [UInt8](repeating: 7, count: 16)
    static let header = Array("ORISSEG1".utf8) + nonce

    @Test func append_thenRead_returnsTheSameRecordsInPositionOrder() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        let records = [Self.record(1, "a/t/gip/signal", 1), Self.record(2, "a/t/crps/alert", 1),
                       Self.record(3, "a/t/gip/signal", 2)]

        try journal.append(Array(records[0...1]))
        try journal.append([records[2]])
        let all = try journal.read(prefix: "a/", limit: 10)

        #expect(all.records == records)
        #expect(all.more == false)
        #expect(journal.nextPosition == 4)
        #expect(journal.lastSequence(of: "a/t/gip/signal") == 2)
    }

    @Test func encoded_layTheRecordOutFieldByField() {
        // The layout written out by hand: magic, payload length and CRC-32C (of the segment's
        // nonce, then the payload), then position, received time and seq as 64-bit little-endian
        // numbers, topic, id and sender each after a 16-bit length, the header after a 32-bit one,
        // and the body to the end. A sender of 0 bytes and a topic long enough to take two of
        // the stack runs' words are in it.
        func le(_ value: UInt64, _ count: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        }
        let topic = "region-longue/theme-longue/gip/alert"
        let record = JournalRecord(position: 0x0102_0304_0506_0708, received: Timestamp(milliseconds: 0x11_2233_4455),
                                   topic: topic, seq: 258, id: "id-1", sender: "", header: [0x7B, 0x7D],
                                   body: [0, 1, 2])
        var payload = le(0x0102_0304_0506_0708, 8) + le(0x11_2233_4455, 8) + le(258, 8)
        payload += le(UInt64(topic.utf8.count), 2) + Array(topic.utf8) + le(4, 2) + Array("id-1".utf8) + le(0, 2)
        payload += le(2, 4) + [0x7B, 0x7D] + [0, 1, 2]
        let crc = CRC32C.checksum(Self.nonce + payload)

        #expect(record.encoded(nonce: Self.nonce)
                == Array("ORJ1".utf8) + le(UInt64(payload.count), 4) + le(UInt64(crc), 4) + payload)
    }

    @Test func appendItem_writesTheRecordsAppendWouldWrite_andReopensToThem() throws {
        let dir = try TemporaryDirectory()
        let byRecords = try Journal(directory: dir.file("records"))
        let byItem = try Journal(directory: dir.file("item"))
        let body: [UInt8] = Array("body \u{0}\u{1}".utf8)
        let received = Timestamp(milliseconds: 1_796_401_800_123)
        let records = [
            JournalRecord(position: 1, received: received, topic: "a/t/gip/alert", seq: 4, id: "id-1", sender: "m",
                          header: Array("{\"tier\":\"gip\"}".utf8), body: body),
            JournalRecord(position: 2, received: received, topic: "a/t/crps/alert", seq: 1, id: "id-1", sender: "m",
                          header: Array("{\"tier\":\"crps\"}".utf8), body: body),
        ]

        try byRecords.append(records)
        try byItem.appendItem(records.map { Journal.Delivery(slot: byItem.slot(of: $0.topic), seq: $0.seq,
                                                             header: $0.header) },
                              id: "id-1", sender: "m", body: body, received: received)
        let read = try byItem.read(prefix: "a/", limit: 10).records
        byItem.close()
        let reopened = try Journal(directory: dir.file("item"))

        #expect(read == records)
        #expect(try byRecords.read(prefix: "a/", limit: 10).records == records)
        #expect(try reopened.read(prefix: "a/", limit: 10).records == records)
        #expect(reopened.recoveryEvents.isEmpty)
        #expect(reopened.lastSequence(of: "a/t/gip/alert") == 4)
        #expect(reopened.nextPosition == 3)
    }

    @Test func topics_whenAnAppendFailedAfterTakingASlot_leaveItsTopicOut() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))

        _ = journal.slot(of: "a/t/gip/signal")

        #expect(journal.topics(withPrefix: "a/").isEmpty)
        #expect(journal.lastSequences.isEmpty)
    }

    @Test func slot_forManyTopics_isGivenOnceAndFoundAgainAfterTheTableGrows() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        let topics = (0..<1_000).map { "a/t\($0)/gip/signal" }

        let given = topics.map { journal.slot(of: $0) }
        try journal.append(topics.enumerated().map { Self.record(UInt64($0.offset + 1), $0.element, 7) })
        let again = topics.map { journal.slot(of: $0) }

        #expect(given == Array(0..<1_000))
        #expect(again == given)
        #expect(topics.allSatisfy { journal.lastSequence(of: $0) == 7 })
        #expect(journal.lastSequence(of: "a/t1000/gip/signal") == 0)
        #expect(journal.slot(of: "a/t1000/gip/signal") == 1_000)
    }

    @Test func slot_askedAfterRecovery_keepsTheCallersNameInsteadOfTheOneReadBack() throws {
        let dir = try TemporaryDirectory()
        let topic = "a/theme-with-a-long-name/gip/signal"
        do {
            let journal = try Journal(directory: dir.file("j"))
            try journal.append([Self.record(1, topic, 1)])
            journal.close()
        }
        let reopened = try Journal(directory: dir.file("j"))
        var callers = String(decoding: Array(topic.utf8), as: UTF8.self)

        let slot = reopened.slot(of: callers)

        var kept = reopened.indexes[slot].name
        let shared = kept.withUTF8 { kept in callers.withUTF8 { $0.baseAddress == kept.baseAddress } }
        #expect(shared)
        #expect(reopened.lastSequence(of: topic) == 1)
    }

    @Test func read_bySequenceTimeCursorAndLimit_selectsExactly() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"))
        // Positions 1..10 alternate between two topics; times grow by 100 ms.
        var records = [JournalRecord]()
        for n in 1...10 {
            let topic = n % 2 == 1 ? "a/t/gip/signal" : "a/u/gip/signal"
            let seq = UInt64((n + 1) / 2)
            records.append(Self.record(UInt64(n), topic, seq, ms: Int64(n) * 100))
        }
        try journal.append(records)

        let fromSeq = try journal.read(prefix: "a/t/", fromSeq: 3, limit: 10).records.map(\.position)
        let window = try journal.read(prefix: "a/", fromSeq: 2, toSeq: 3, limit: 10).records.map(\.position)
        let byTime = try journal.read(prefix: "a/", fromTime: Timestamp(milliseconds: 750), limit: 10).records
        let page = try journal.read(prefix: "a/", limit: 4)
        let next = try journal.read(prefix: "a/", fromPosition: 5, limit: 4)
        let held = try journal.read(prefix: "a/", beforePosition: 3, limit: 10).records.map(\.position)

        #expect(fromSeq == [5, 7, 9])
        #expect(window == [3, 4, 5, 6])
        #expect(byTime.map(\.position) == [8, 9, 10])
        #expect(page.records.map(\.position) == [1, 2, 3, 4])
        #expect(page.more)
        #expect(next.records.map(\.position) == [5, 6, 7, 8])
        #expect(held == [1, 2])
    }

    @Test func reopen_rebuildsIndexSequencesAndNextPosition() throws {
        let dir = try TemporaryDirectory()
        var seen = [RecordSummary]()
        do {
            let journal = try Journal(directory: dir.file("j"))
            try journal.append([Self.record(1, "a/t/gip/signal", 1), Self.record(2, "a/t/gip/signal", 2)])
            journal.close()
        }

        let reopened = try Journal(directory: dir.file("j")) { seen.append($0) }

        #expect(seen.map(\.position) == [1, 2])
        #expect(seen.map(\.id) == ["id-1", "id-2"])
        #expect(reopened.nextPosition == 3)
        #expect(reopened.lastSequence(of: "a/t/gip/signal") == 2)
        #expect(reopened.recoveryEvents.isEmpty)
    }

    @Test func reopen_whenTailIsTorn_cutsItAndReportsItsOffset() throws {
        let dir = try TemporaryDirectory()
        let whole = Self.record(1, "a/t/gip/signal", 1).encoded(nonce: Self.nonce)
        let torn = Self.record(2, "a/t/gip/signal", 2).encoded(nonce: Self.nonce)
        try FileManager.default.createDirectory(atPath: dir.file("j"), withIntermediateDirectories: true)
        let path = dir.file("j/00000000000000000001.seg")
        try Data(Self.header + whole + torn.prefix(torn.count - 3)).write(to: URL(fileURLWithPath: path))

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .tornTail, segment: path,
                                                         offset: Self.header.count + whole.count,
                                                         bytes: torn.count - 3)])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1])
        // A write cut short was never acknowledged nor delivered (both wait for it): its numbers
        // are given again.
        #expect(journal.nextPosition == 2)
        #expect(journal.lastSequence(of: "a/t/gip/signal") == 1)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == Self.header.count + whole.count)
    }

    @Test func reopen_whenAMiddleRecordsChecksumFails_skipsOnlyIt() throws {
        let dir = try TemporaryDirectory()
        let first = Self.record(1, "a/t/gip/signal", 1).encoded(nonce: Self.nonce)
        var second = Self.record(2, "a/t/gip/signal", 2).encoded(nonce: Self.nonce)
        let third = Self.record(3, "a/t/gip/signal", 3).encoded(nonce: Self.nonce)
        second[second.count - 1] ^= 0x01  // a body byte: the CRC no longer matches
        try FileManager.default.createDirectory(atPath: dir.file("j"), withIntermediateDirectories: true)
        let path = dir.file("j/00000000000000000001.seg")
        try Data(Self.header + first + second + third).write(to: URL(fileURLWithPath: path))

        let journal = try Journal(directory: dir.file("j"))

        #expect(journal.recoveryEvents == [RecoveryEvent(kind: .corruptRecord, segment: path,
                                                         offset: Self.header.count + first.count,
                                                         bytes: second.count),
                                           RecoveryEvent(kind: .skippedNumbers, segment: dir.file("j/sequences.json"),
                                                         offset: 1, bytes: 1)])
        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1, 3])
        #expect(journal.nextPosition == 4)
        #expect(journal.lastSequence(of: "a/t/gip/signal") == 4)
    }

    @Test func append_pastTheSegmentSize_startsANewSegmentNamedByItsFirstPosition() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        for n in 1...10 {
            try journal.append([Self.record(UInt64(n), "a/t/gip/signal", UInt64(n), body: 1000)])
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("j")).sorted()

        #expect(names.count > 1)
        #expect(names.first == "00000000000000000001.seg")
        #expect(try journal.read(prefix: "a/", limit: 20).records.map(\.position) == (1...10).map { UInt64($0) })
    }

    @Test func retention_removesOldSegmentsKeepsTheLiveOneAndRemembersSequences() throws {
        let dir = try TemporaryDirectory()
        var journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        // Topic "old" only in the first records; "new" after.
        for n in 1...12 {
            let topic = n <= 3 ? "a/old/gip/signal" : "a/new/gip/signal"
            try journal.append([Self.record(UInt64(n), topic, UInt64(n <= 3 ? n : n - 3), ms: Int64(n) * 1000,
                                            body: 1000)])
        }
        let segmentsBefore = journal.segmentCount

        let removed = try journal.applyRetention(now: Timestamp(milliseconds: 100_000), maximumAgeSeconds: 0,
                                                 maximumBytes: 5000)

        #expect(segmentsBefore >= 3)
        #expect(!removed.isEmpty)
        #expect(journal.segmentCount >= 1)
        #expect(journal.storedBytes <= 5000 || journal.segmentCount == 1)
        #expect(journal.firstPosition > 1)
        #expect(journal.lastSequence(of: "a/old/gip/signal") == 3)
        #expect(journal.firstSequence(of: "a/old/gip/signal") == nil)
        journal.close()

        journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        #expect(journal.lastSequence(of: "a/old/gip/signal") == 3)
        #expect(journal.lastSequence(of: "a/new/gip/signal") == 9)
    }

    /// A topic whose index spans several of its blocks (2,048 entries each) beside one that
    /// holds few, trimmed by retention in the middle of a block: what is left reads back by
    /// position, sequence number and time as the records appended say.
    @Test func retention_trimmingALargeIndex_leavesEveryKeptRecordFoundByPositionSeqAndTime() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 65536)
        var seq: [String: UInt64] = [:]
        var appended: [JournalRecord] = []
        for n in 1...9_000 {
            // Every 97th record on a second topic; time steps by 10 ms.
            let topic = n % 97 == 0 ? "a/rare/gip/signal" : "a/busy/gip/signal"
            seq[topic, default: 0] += 1
            let record = Self.record(UInt64(n), topic, seq[topic]!, ms: Int64(n) * 10, body: 40)
            try journal.append([record])
            appended.append(record)
        }

        _ = try journal.applyRetention(now: Timestamp(milliseconds: 1_000_000), maximumAgeSeconds: 0,
                                       maximumBytes: 500_000)

        let first = journal.firstPosition
        let kept = appended.filter { $0.position >= first }
        // Retention took whole segments, thousands of records, and kept thousands.
        #expect(first > 3_000 && kept.count > 2_000, "first position \(first)")
        #expect(try journal.read(prefix: "a/", limit: 100_000).records == kept)
        let busy = kept.filter { $0.topic == "a/busy/gip/signal" }
        #expect(journal.firstSequence(of: "a/busy/gip/signal") == busy.first?.seq)
        for probe in [busy[0], busy[busy.count / 3], busy[busy.count - 1]] {
            let bySeq = try journal.read(prefix: "a/busy/", fromSeq: probe.seq, limit: 3).records
            #expect(bySeq == Array(busy.drop { $0.seq < probe.seq }.prefix(3)))
            let byPosition = try journal.read(prefix: "a/", fromPosition: probe.position, limit: 2).records
            #expect(byPosition == Array(kept.drop { $0.position < probe.position }.prefix(2)))
            let byTime = try journal.read(prefix: "a/rare/", fromTime: probe.received, limit: 1).records
            #expect(byTime == Array(kept.filter { $0.topic == "a/rare/gip/signal" && $0.received >= probe.received }
                                        .prefix(1)))
        }
        // Appending goes on after the trim, numbered after the last.
        try journal.append([Self.record(9_001, "a/busy/gip/signal", seq["a/busy/gip/signal"]! + 1, ms: 90_010)])
        #expect(try journal.read(prefix: "a/busy/", fromSeq: seq["a/busy/gip/signal"]!, limit: 5).records
            .map(\.position) == [busy.last!.position, 9_001])
    }

    @Test func retention_byAge_neverRemovesTheLiveSegment() throws {
        let dir = try TemporaryDirectory()
        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        for n in 1...8 {
            try journal.append([Self.record(UInt64(n), "a/t/gip/signal", UInt64(n), ms: 1000, body: 1000)])
        }

        _ = try journal.applyRetention(now: Timestamp(milliseconds: 10_000_000), maximumAgeSeconds: 1,
                                       maximumBytes: 0)

        #expect(journal.segmentCount == 1)
        #expect(try journal.read(prefix: "a/", limit: 20).records.last?.position == 8)
    }

    @Test func crc32c_matchesTheStandardCheckValue() {
        // The CRC-32C check value: the checksum of "123456789" is 0xE3069283 (RFC 3720, B.4).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func crc32c_atEveryLengthAndAlignment_matchesTheBitwiseDefinition() {
        // The table-driven checksum against one bit at a time, over lengths around the 8-byte
        // steps and every start alignment, whole or continued from a split point.
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            }
            return ~c
        }
        let data = (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 13) }

        for start in 0..<8 {
            for end in start...data.count {
                let slice = data[start..<end]
                let split = start + (end - start) / 3
                let whole = slice.withUnsafeBytes { CRC32C.checksum($0) }
                let first = data[start..<split].withUnsafeBytes { CRC32C.checksum($0) }
                let continued = data[split..<end].withUnsafeBytes { CRC32C.checksum($0, continuing: first) }

                #expect(whole == bitwise(slice), "bytes \(start)..<\(end)")
                #expect(continued == whole, "bytes \(start)..<\(end) split at \(split)")
            }
        }
    }

    @Test func reopen_whenABodyHidesARecordAfterDamage_neverTakesItForAReal() throws {
        let dir = try TemporaryDirectory()
        // A forged record as a member could put in a body: right magic, a checksum without the
        // segment's nonce (the member cannot know it).
        let forged = Self.record(3, "a/t/crps/decision", 7).encoded(nonce: [])
        var carrier = Self.record(2, "a/t/gip/signal", 2)
        carrier.body = forged
        let first = Self.record(1, "a/t/gip/signal", 1).encoded(nonce: Self.nonce)
        var second = carrier.encoded(nonce: Self.nonce)
        second[5] ^= 0x40  // its length field: the frame no longer says where it ends
        try FileManager.default.createDirectory(atPath: dir.file("j"), withIntermediateDirectories: true)
        let path = dir.file("j/00000000000000000001.seg")
        try Data(Self.header + first + second).write(to: URL(fileURLWithPath: path))

        let journal = try Journal(directory: dir.file("j"))

        #expect(try journal.read(prefix: "a/", limit: 10).records.map(\.position) == [1])
        #expect(journal.topics(withPrefix: "a/t/crps/").isEmpty)
    }

    @Test func reopen_whenASegmentIsMisnamedOrCopied_readsEveryRecordFromItsOwnFileOnce() throws {
        let dir = try TemporaryDirectory()
        do {
            let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
            for n in 1...10 {
                try journal.append([Self.record(UInt64(n), "a/t/gip/signal", UInt64(n), body: 1000)])
            }
            journal.close()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("j")).filter { $0.hasSuffix(".seg") }
            .sorted()
        try #require(names.count >= 3)
        // The second segment renamed lower, the third copied under a later name.
        let second = dir.file("j/" + names[1])
        let renamed = dir.file("j/" + String(repeating: "0", count: 19) + "2.seg")
        try FileManager.default.moveItem(atPath: second, toPath: renamed)
        try FileManager.default.copyItem(atPath: dir.file("j/" + names[2]),
                                         toPath: dir.file("j/00000000000000099999.seg"))

        let journal = try Journal(directory: dir.file("j"), segmentBytes: 4096)
        let records = try journal.read(prefix: "a/", limit: 50).records

        #expect(records.map(\.seq) == (1...10).map { UInt64($0) })
        #expect(records.allSatisfy { $0.body.first == UInt8($0.position % 251) })
        #expect(journal.recoveryEvents.contains { $0.kind == .misnamed })
        #expect(journal.recoveryEvents.filter { $0.kind == .outOfOrder }.count == 1)
        #expect(journal.nextPosition == 11)
    }
}
