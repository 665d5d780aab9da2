// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Opening a journal: reading every segment, cutting a torn tail, skipping damage, and
/// rebuilding the index and the numbers given.
extension Journal {
    /// Reads every segment in name order.
    func recoverAll(visit: (RecordSummary) -> Void) throws(JournalError) {
        let floors = self.readSequenceFloors()
        guard let names = FileBytes.list(self.directory) else {
            throw .io(call: "opendir", path: self.directory, errno: errno)
        }
        var found: [(first: UInt64, name: String)] = []
        for name in names where name.hasSuffix(".seg") {
            guard let first = Segment.position(fromName: name) else {
                self.note(.foreignFile, self.directory + "/" + name, 0, 0)
                continue
            }
            found.append((first, name))
        }
        found.sort { $0.first < $1.first }
        for (n, entry) in found.enumerated() {
            let isLast = n == found.count - 1
            let segment: Segment
            do {
                segment = try Segment(directory: self.directory, firstPosition: entry.first, create: false)
            } catch {
                self.note(.foreignFile, self.directory + "/" + entry.name, 0, 0)
                continue
            }
            let records = try self.recover(segment, isLast: isLast, visit: visit)
            if records == 0 && !isLast {
                // Nothing intact inside: leave the file alone, out of the journal.
                self.note(.emptySegment, segment.path, 0, segment.size)
                segment.close()
                continue
            }
            if records == 0 {
                segment.firstPosition = self.nextPosition
                segment.endPosition = self.nextPosition
            }
            self.segments.append(segment)
        }
        // Numbers already given stay given, even when the records that carried them are gone.
        self.nextPosition = max(self.nextPosition, floors.nextPosition)
        for (topic, floor) in floors.topics {
            if let recovered = self.index(of: topic)?.entries.last?.seq, floor > recovered {
                self.lostTails.append(topic)
            }
            let slot = self.slot(of: topic)
            self.indexes[slot].floor = max(self.indexes[slot].floor, floor)
        }
        self.lostTails.sort()
    }

    private func note(_ kind: RecoveryEvent.Kind, _ path: String, _ offset: Int, _ bytes: Int) {
        self.recoveryEvents.append(RecoveryEvent(kind: kind, segment: path, offset: offset, bytes: bytes))
    }

    /// Reads one segment; returns how many intact records it holds.
    private func recover(
        _ segment: Segment,
        isLast: Bool,
        visit: (RecordSummary) -> Void
    ) throws(JournalError) -> Int {
        let bytes = try segment.read(at: 0, count: segment.size)
        let nonceChecksum = segment.nonceChecksum
        var offset = Segment.headerBytes
        var records = 0
        var firstRecord: UInt64?
        var outOfOrder: (offset: Int, bytes: Int)?
        var cutAt: Int?
        segment.endPosition = max(segment.firstPosition, self.nextPosition)
        bytes.withUnsafeBytes { raw in
            scan: while offset < raw.count {
                switch Self.frame(in: raw, at: offset, nonceChecksum: nonceChecksum) {
                case .record(let record, let next):
                    if record.position < self.nextPosition || record.position >= Segment.maximumPosition
                        || record.seq >= Segment.maximumPosition {
                        // A record from the past: a copied or misnamed segment.
                        outOfOrder = (outOfOrder?.offset ?? offset, (outOfOrder?.bytes ?? 0) + next - offset)
                    } else {
                        self.index(slot: self.slot(of: record.topic), seq: record.seq, position: record.position,
                                   received: record.received, offset: offset, in: segment)
                        firstRecord = firstRecord ?? record.position
                        records += 1
                        self.nextPosition = record.position + 1
                        visit(RecordSummary(position: record.position, received: record.received, topic: record.topic,
                                            seq: record.seq, id: record.id, sender: record.sender))
                    }
                    offset = next
                case .torn:
                    // A record that runs past the end: the write a crash interrupted.
                    cutAt = offset
                    break scan
                case .badChecksum(let next):
                    if next == raw.count {
                        cutAt = offset
                        break scan
                    }
                    if case .record = Self.frame(in: raw, at: next, nonceChecksum: nonceChecksum) {
                        // Its frame is whole and the next record follows: skip exactly this one.
                        self.note(.corruptRecord, segment.path, offset, next - offset)
                        offset = next
                        continue scan
                    }
                    fallthrough
                case .badMagic:
                    guard let resume = self.nextIntactRecord(in: raw, after: offset, nonceChecksum: nonceChecksum)
                    else {
                        cutAt = offset
                        break scan
                    }
                    self.note(.corruptRecord, segment.path, offset, resume - offset)
                    offset = resume
                }
            }
        }
        if let outOfOrder {
            self.note(.outOfOrder, segment.path, outOfOrder.offset, outOfOrder.bytes)
        }
        if let cutAt {
            if isLast {
                self.note(.tornTail, segment.path, cutAt, segment.size - cutAt)
                try segment.truncate(to: cutAt)
            } else {
                self.note(.corruptRecord, segment.path, cutAt, segment.size - cutAt)
            }
        }
        if let firstRecord, firstRecord != segment.firstPosition {
            self.note(.misnamed, segment.path, 0, 0)
            segment.firstPosition = firstRecord
        }
        return records
    }

    private enum Frame {
        case record(JournalRecord, next: Int)
        /// The frame runs past the end of the file.
        case torn
        /// The frame is whole but its checksum or contents are wrong.
        case badChecksum(next: Int)
        /// No record starts here.
        case badMagic
    }

    private static func frame(in raw: UnsafeRawBufferPointer, at offset: Int, nonceChecksum: UInt32) -> Frame {
        guard offset + JournalRecord.prefixBytes <= raw.count else {
            return Self.startsWithMagic(raw, offset) ? .torn : .badMagic
        }
        guard Self.startsWithMagic(raw, offset) else { return .badMagic }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(offset + 4)...]))
        guard let length = reader.u32(), let crc = reader.u32() else { return .torn }
        guard Int(length) >= JournalRecord.fixedPayloadBytes else { return .badMagic }
        let start = offset + JournalRecord.prefixBytes
        let end = start + Int(length)
        guard end <= raw.count else { return .torn }
        let payload = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        guard JournalRecord.checksum(nonceChecksum: nonceChecksum, payload: payload) == crc,
              let record = JournalRecord.decode(payload: payload)
        else { return .badChecksum(next: end) }
        return .record(record, next: end)
    }

    private static func startsWithMagic(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
        guard offset + 4 <= raw.count else {
            // A prefix of the magic at the very end still counts as a torn start.
            let left = raw.count - offset
            return left > 0 && (0..<left).allSatisfy { raw[offset + $0] == JournalRecord.magic[$0] }
        }
        return (0..<4).allSatisfy { raw[offset + $0] == JournalRecord.magic[$0] }
    }

    /// The next offset after `offset` where an intact record with a plausible position starts.
    ///
    /// The position is checked before the checksum, which keeps the search cheap through
    /// data that merely looks like record prefixes.
    private func nextIntactRecord(in raw: UnsafeRawBufferPointer, after offset: Int, nonceChecksum: UInt32) -> Int? {
        let low = self.nextPosition
        let high = self.nextPosition + (1 << 24)
        var candidate = offset + 1
        while candidate + JournalRecord.prefixBytes + 8 <= raw.count {
            defer { candidate += 1 }
            guard raw[candidate] == JournalRecord.magic[0], Self.startsWithMagic(raw, candidate) else { continue }
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(candidate + JournalRecord.prefixBytes)...]))
            guard let position = reader.u64(), position >= low, position < high else { continue }
            if case .record = Self.frame(in: raw, at: candidate, nonceChecksum: nonceChecksum) {
                return candidate
            }
        }
        return nil
    }

    /// The numbers saved by ``writeSequenceFloors()``; empty when there is no file, with a
    /// warning event when the file is unreadable.
    private func readSequenceFloors() -> (nextPosition: UInt64, topics: [String: UInt64]) {
        guard let bytes = FileBytes.read(path: self.floorsPath) else { return (0, [:]) }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue,
              let topics = object["topics"]?.objectValue
        else {
            self.note(.foreignFile, self.floorsPath, 0, bytes.count)
            return (0, [:])
        }
        var out: [String: UInt64] = [:]
        for (topic, value) in topics.pairs {
            if let last = value.intValue, last > 0, UInt64(last) < Segment.maximumPosition {
                out[topic] = UInt64(last)
            }
        }
        let next = object["next_position"]?.intValue.map { UInt64(max(0, $0)) } ?? 0
        return (min(next, Segment.maximumPosition - 1), out)
    }
}
