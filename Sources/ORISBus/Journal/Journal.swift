// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// What recovery and readers learn about a record without its payload.
package struct RecordSummary: Sendable, Equatable {
    package var position: UInt64
    package var received: Timestamp
    package var topic: String
    package var seq: UInt64
    package var id: String
}

/// One tenant's journal: append-only segment files of checksummed records, with an index in
/// memory by topic, so that a read from the middle goes straight to its records.
///
/// Owned by the daemon's loop. Appends go to the page cache; ``sync()`` (or a sync thread with
/// ``syncDescriptor()``) makes them durable.
package final class Journal {
    package let directory: String
    private let segmentBytes: Int
    private var segments: [Segment] = []
    private var topics: [String: TopicIndex] = [:]
    /// The position the next record takes.
    package private(set) var nextPosition: UInt64 = 1
    /// What recovery cut or skipped when the journal was opened.
    package private(set) var recoveryEvents: [RecoveryEvent] = []

    /// Where a topic's records are: parallel arrays in position order.
    private struct TopicIndex {
        var seqs: [UInt64] = []
        var positions: [UInt64] = []
        var times: [Int64] = []
        var offsets: [UInt32] = []
        /// The last sequence number of the topic when its records were all removed.
        var floor: UInt64 = 0

        var last: UInt64 { self.seqs.last ?? self.floor }

        mutating func trim(upTo count: Int) {
            self.floor = max(self.floor, self.last)
            self.seqs.removeFirst(count)
            self.positions.removeFirst(count)
            self.times.removeFirst(count)
            self.offsets.removeFirst(count)
        }

        mutating func append(_ record: JournalRecord, offset: Int) {
            self.seqs.append(record.seq)
            self.positions.append(record.position)
            self.times.append(record.received.milliseconds)
            self.offsets.append(UInt32(offset))
        }
    }

    /// Opens the journal in `directory` (creating it), recovering what is there.
    ///
    /// - Parameters:
    ///   - directory: the tenant's journal folder.
    ///   - segmentBytes: the size past which a new segment is started.
    ///   - visit: called for every intact record in order, for callers that rebuild state.
    /// - Throws: ``JournalError`` when a file cannot be read or repaired.
    package init(
        directory: String,
        segmentBytes: Int = 64 * 1024 * 1024,
        visit: (RecordSummary) -> Void = { _ in }
    ) throws(JournalError) {
        self.directory = directory
        self.segmentBytes = max(4096, segmentBytes)
        if let problem = FileBytes.makeDirectory(directory) {
            throw .io(call: "mkdir", path: directory + " (" + problem + ")", errno: errno)
        }
        guard let names = FileBytes.list(directory) else {
            throw .io(call: "opendir", path: directory, errno: errno)
        }
        self.readSequenceFloors()
        let firsts = names.compactMap { name -> UInt64? in
            guard name.hasSuffix(".seg"), name.count == 24 else { return nil }
            return UInt64(name.dropLast(4))
        }.sorted()
        for (n, first) in firsts.enumerated() {
            let segment = try Segment(directory: directory, firstPosition: first, create: false)
            try self.recover(segment, isLast: n == firsts.count - 1, visit: visit)
            self.segments.append(segment)
        }
        if let last = self.segments.last {
            self.nextPosition = max(self.nextPosition, last.endPosition)
        }
    }

    // MARK: - Recovery

    private func recover(_ segment: Segment, isLast: Bool, visit: (RecordSummary) -> Void) throws(JournalError) {
        let bytes = try segment.read(at: 0, count: segment.size)
        var offset = 0
        var goodEnd = 0
        segment.endPosition = max(segment.firstPosition, self.nextPosition)
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                switch Self.frame(in: raw, at: offset) {
                case .record(let record, let next):
                    if record.position >= segment.endPosition {
                        self.index(record, offset: offset, in: segment)
                        visit(RecordSummary(position: record.position, received: record.received,
                                            topic: record.topic, seq: record.seq, id: record.id))
                    } else {
                        self.recoveryEvents.append(RecoveryEvent(kind: .corruptRecord, segment: segment.path,
                                                                 offset: offset, bytes: next - offset))
                    }
                    offset = next
                    goodEnd = next
                case .damaged:
                    // Look for the next intact record; what lies between is skipped or, at the
                    // end of the last segment, cut as a torn tail.
                    guard let resume = Self.nextIntactRecord(in: raw, after: offset) else {
                        offset = raw.count
                        break
                    }
                    self.recoveryEvents.append(RecoveryEvent(kind: .corruptRecord, segment: segment.path,
                                                             offset: offset, bytes: resume - offset))
                    offset = resume
                }
            }
        }
        if goodEnd < segment.size {
            self.recoveryEvents.append(RecoveryEvent(kind: .tornTail, segment: segment.path, offset: goodEnd,
                                                     bytes: segment.size - goodEnd))
            if isLast {
                try segment.truncate(to: goodEnd)
            }
        }
        self.nextPosition = segment.endPosition
    }

    private enum Frame {
        case record(JournalRecord, next: Int)
        case damaged
    }

    private static func frame(in raw: UnsafeRawBufferPointer, at offset: Int) -> Frame {
        guard offset + JournalRecord.prefixBytes <= raw.count,
              raw[offset] == JournalRecord.magic[0], raw[offset + 1] == JournalRecord.magic[1],
              raw[offset + 2] == JournalRecord.magic[2], raw[offset + 3] == JournalRecord.magic[3]
        else { return .damaged }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[(offset + 4)...]))
        guard let length = reader.u32(), let crc = reader.u32() else { return .damaged }
        let start = offset + JournalRecord.prefixBytes
        let end = start + Int(length)
        guard Int(length) >= JournalRecord.fixedPayloadBytes, end <= raw.count else { return .damaged }
        let payload = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        guard CRC32C.checksum(payload) == crc, let record = JournalRecord.decode(payload: payload) else {
            return .damaged
        }
        return .record(record, next: end)
    }

    private static func nextIntactRecord(in raw: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var candidate = offset + 1
        while candidate + JournalRecord.prefixBytes <= raw.count {
            if raw[candidate] == JournalRecord.magic[0], case .record = self.frame(in: raw, at: candidate) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    private func index(_ record: JournalRecord, offset: Int, in segment: Segment) {
        self.topics[record.topic, default: TopicIndex()].append(record, offset: offset)
        segment.endPosition = record.position + 1
        if segment.firstTime == nil { segment.firstTime = record.received }
        segment.lastTime = record.received
    }

    // MARK: - Writing

    /// The last sequence number stored on a topic (0 when none).
    package func lastSequence(of topic: String) -> UInt64 {
        self.topics[topic]?.last ?? 0
    }

    /// Every topic with its last stored sequence number.
    package var lastSequences: [String: UInt64] {
        self.topics.compactMapValues { $0.last > 0 ? $0.last : nil }
    }

    /// Appends records in one write; their positions must follow ``nextPosition``. Either all of
    /// them are appended or none.
    ///
    /// - Throws: ``JournalError``: `diskFull` leaves the journal as it was.
    package func append(_ records: [JournalRecord]) throws(JournalError) {
        guard !records.isEmpty else { return }
        var bytes = [UInt8]()
        var starts = [Int]()
        for (n, record) in records.enumerated() {
            precondition(record.position == self.nextPosition + UInt64(n), "journal positions are consecutive")
            starts.append(bytes.count)
            bytes.append(contentsOf: record.encoded)
        }
        let segment = try self.writableSegment(for: bytes.count, position: records[0].position)
        let base = segment.size
        try segment.append(bytes)
        for (record, start) in zip(records, starts) {
            self.index(record, offset: base + start, in: segment)
        }
        self.nextPosition = records[records.count - 1].position + 1
    }

    private func writableSegment(for count: Int, position: UInt64) throws(JournalError) -> Segment {
        if let current = self.segments.last, current.size == 0 || current.size + count <= self.segmentBytes {
            return current
        }
        // The full segment is made durable before the new one takes writes, so that a sync of
        // the current segment covers everything before it.
        try self.segments.last?.sync()
        let segment = try Segment(directory: self.directory, firstPosition: position, create: true)
        if let number = FileBytes.syncDirectory(self.directory) {
            segment.close()
            unlink(segment.path)
            throw .io(call: "fsync", path: self.directory, errno: number)
        }
        self.segments.append(segment)
        return segment
    }

    /// Flushes appended records to the disk.
    package func sync() throws(JournalError) {
        try self.segments.last?.sync()
    }

    /// A duplicate of the current segment's descriptor, for a thread that runs `fdatasync` while
    /// this one appends; the caller closes it. Nil when nothing was written yet.
    package func syncDescriptor() -> Int32? {
        self.segments.last.map { $0.duplicateDescriptor() }
    }

    // MARK: - Reading

    /// The first position still stored (the start of history), or ``nextPosition`` when empty.
    package var firstPosition: UInt64 {
        self.segments.first?.firstPosition ?? self.nextPosition
    }

    /// Topics whose names start with `prefix`.
    package func topics(withPrefix prefix: String) -> [String] {
        self.topics.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The first sequence number still stored on a topic, or nil when none.
    package func firstSequence(of topic: String) -> UInt64? {
        self.topics[topic]?.seqs.first
    }

    /// Reads records in position order.
    ///
    /// - Parameters:
    ///   - prefix: topics starting with this.
    ///   - fromPosition: the first position to consider.
    ///   - fromSeq: on each topic, the first sequence number to return.
    ///   - toSeq: on each topic, the last sequence number to return.
    ///   - fromTime: the earliest received time to return.
    ///   - beforePosition: positions from this one on are not returned (not yet durable).
    ///   - limit: the most records to return.
    ///   - byteLimit: stop once the records returned hold this many bytes.
    /// - Returns: the records, and whether more would match.
    package func read(
        prefix: String,
        fromPosition: UInt64 = 0,
        fromSeq: UInt64 = 0,
        toSeq: UInt64 = .max,
        fromTime: Timestamp? = nil,
        beforePosition: UInt64 = .max,
        limit: Int,
        byteLimit: Int = .max
    ) throws(JournalError) -> (records: [JournalRecord], more: Bool) {
        // Each matching topic contributes the index range it needs; the ranges are merged by
        // position so the answer is in journal order.
        var cursors: [(topic: String, index: Int)] = []
        for topic in self.topics(withPrefix: prefix) {
            guard let entry = self.topics[topic] else { continue }
            var start = Self.lowerBound(entry.positions, fromPosition)
            start = max(start, Self.lowerBound(entry.seqs, fromSeq))
            if let fromTime {
                start = max(start, Self.lowerBound(entry.times, fromTime.milliseconds))
            }
            if start < entry.positions.count && entry.seqs[start] <= toSeq {
                cursors.append((topic, start))
            }
        }
        var out = [JournalRecord]()
        var bytes = 0
        while out.count < limit && bytes < byteLimit {
            var best: Int?
            for (n, cursor) in cursors.enumerated() {
                let position = self.topics[cursor.topic]!.positions[cursor.index]  // cursor is in range
                if best == nil || position < self.topics[cursors[best!].topic]!.positions[cursors[best!].index] {
                    best = n
                }
            }
            guard let chosen = best else { return (out, false) }
            let cursor = cursors[chosen]
            let entry = self.topics[cursor.topic]!
            guard entry.positions[cursor.index] < beforePosition else { return (out, false) }
            let offset = Int(entry.offsets[cursor.index])
            let record = try self.load(position: entry.positions[cursor.index], offset: offset)
            bytes += record.header.count + record.body.count + record.topic.utf8.count
            out.append(record)
            let next = cursor.index + 1
            if next < entry.positions.count && entry.seqs[next] <= toSeq {
                cursors[chosen].index = next
            } else {
                cursors.remove(at: chosen)
            }
        }
        let more = cursors.contains { self.topics[$0.topic]!.positions[$0.index] < beforePosition }
        return (out, more)
    }

    private func load(position: UInt64, offset: Int) throws(JournalError) -> JournalRecord {
        let segment = self.segment(holding: position)
        let prefix = try segment.read(at: offset, count: JournalRecord.prefixBytes)
        let length = prefix.withUnsafeBytes { raw -> Int in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[4...]))
            return Int(reader.u32() ?? 0)
        }
        let payload = try segment.read(at: offset + JournalRecord.prefixBytes, count: length)
        guard let record = payload.withUnsafeBytes({ JournalRecord.decode(payload: $0) }) else {
            throw .io(call: "decode", path: segment.path, errno: EIO)
        }
        return record
    }

    private func segment(holding position: UInt64) -> Segment {
        var low = 0
        var high = self.segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if self.segments[mid].firstPosition <= position { low = mid } else { high = mid - 1 }
        }
        return self.segments[low]
    }

    private static func lowerBound<T: Comparable>(_ values: [T], _ key: T) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: - Retention

    /// The bytes the journal's segment files hold.
    package var storedBytes: Int {
        self.segments.reduce(0) { $0 + $1.size }
    }

    /// How many segment files there are.
    package var segmentCount: Int { self.segments.count }

    /// Removes whole segments from the start of history: those whose newest record is older than
    /// `maximumAge`, then more while the journal is over `maximumBytes`. The segment being
    /// written is never removed.
    ///
    /// - Parameters:
    ///   - now: the current time.
    ///   - maximumAgeSeconds: 0 keeps every age.
    ///   - maximumBytes: 0 keeps every size.
    /// - Returns: the paths removed.
    package func applyRetention(
        now: Timestamp,
        maximumAgeSeconds: Int,
        maximumBytes: Int
    ) throws(JournalError) -> [String] {
        var removed = [String]()
        var total = self.storedBytes
        while self.segments.count > 1 {
            let oldest = self.segments[0]
            let tooOld = maximumAgeSeconds > 0
                && (oldest.lastTime?.milliseconds ?? 0) < now.milliseconds - Int64(maximumAgeSeconds) * 1000
            let tooBig = maximumBytes > 0 && total > maximumBytes
            guard tooOld || tooBig else { break }
            oldest.close()
            guard unlink(oldest.path) == 0 || errno == ENOENT else {
                throw .io(call: "unlink", path: oldest.path, errno: errno)
            }
            total -= oldest.size
            self.segments.removeFirst()
            removed.append(oldest.path)
        }
        guard !removed.isEmpty else { return [] }
        if let number = FileBytes.syncDirectory(self.directory) {
            throw .io(call: "fsync", path: self.directory, errno: number)
        }
        let first = self.firstPosition
        for topic in Array(self.topics.keys) {
            let cut = Self.lowerBound(self.topics[topic]!.positions, first)
            if cut > 0 {
                self.topics[topic]!.trim(upTo: cut)
            }
        }
        // Sequence numbers must never be given twice, even for a topic whose every record is
        // gone: the last ones are kept in a small file that recovery reads first.
        try self.writeSequenceFloors()
        return removed
    }

    /// The file keeping each topic's last sequence number across retention.
    private var floorsPath: String { self.directory + "/sequences.json" }

    private func writeSequenceFloors() throws(JournalError) {
        var o = JSONObject()
        for (topic, last) in self.lastSequences.sorted(by: { $0.key < $1.key }) {
            o[topic] = .int(Int64(last))
        }
        let bytes = JSONWriter.encode(.object(o))
        let temporary = self.floorsPath + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(call: "open", path: temporary, errno: errno) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        Glibc.close(fd)
        guard written == bytes.count, synced, rename(temporary, self.floorsPath) == 0 else {
            throw .io(call: "write", path: self.floorsPath, errno: errno)
        }
        if let number = FileBytes.syncDirectory(self.directory) {
            throw .io(call: "fsync", path: self.directory, errno: number)
        }
    }

    private func readSequenceFloors() {
        guard let bytes = FileBytes.read(path: self.floorsPath),
              let object = (try? JSONParser.parse(bytes))?.objectValue else { return }
        for (topic, value) in object.pairs {
            if let last = value.intValue, last > 0 {
                self.topics[topic, default: TopicIndex()].floor = UInt64(last)
            }
        }
    }

    /// Closes every segment.
    package func close() {
        for segment in self.segments { segment.close() }
    }
}
