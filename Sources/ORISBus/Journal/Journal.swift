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
    package var sender: String
}

/// One tenant's journal: append-only segment files of checksummed records, with an index in
/// memory by topic, so that a read from the middle goes straight to its records.
///
/// Owned by the daemon's loop. Appends go to the page cache; ``sync()`` (or a sync thread with
/// ``syncDescriptor()``) makes them durable.
package final class Journal {
    package let directory: String
    let segmentBytes: Int
    var segments: [Segment] = []
    /// Each topic's index, by slot: a slot is given once per topic and never taken back, so that
    /// a writer may keep it (``slot(of:)``) instead of hashing the topic's name for every record.
    var indexes: [TopicIndex] = []
    /// Slot numbers, each placed at its topic name's hash (modulo the size, a power of two) or
    /// just after, -1 for an empty place; at most half full, so that a run of places stays
    /// short. Four bytes a place, where a dictionary keyed by name took twenty-four.
    private var slotTable = [Int32](repeating: -1, count: 16)
    /// The bytes of the records being appended, kept between appends for its capacity; while
    /// writes are deferred, every record not yet written (``deferWrites()``).
    private var writeBuffer: [UInt8] = []
    /// Appends wait in ``writeBuffer`` until ``flush()``, in blocks reserved for them.
    private var deferring = false
    /// Set when a deferred write failed, whichever call wrote (a flush, a read, a segment roll,
    /// a sync): records that were numbered and indexed are not in the file. From then on the
    /// journal takes no append and every flush throws it, so that the daemon refuses what it
    /// held for the run, until a restart reads back what the disk holds.
    package private(set) var writeFailure: JournalError?
    /// The bytes appended and not yet written to the current segment.
    private var pendingBytes: Int { self.deferring ? self.writeBuffer.count : 0 }
    /// The position the next record takes.
    package internal(set) var nextPosition: UInt64 = 1
    /// What recovery cut, skipped or found odd when the journal was opened.
    package internal(set) var recoveryEvents: [RecoveryEvent] = []
    /// Topics whose stored records end before numbers the journal had already given (their
    /// newest records were lost outside the daemon's control).
    package internal(set) var lostTails: [String] = []

    /// Where one record of a topic is: its sequence number, journal position, received time and
    /// offset in its segment.
    struct IndexEntry {
        var seq: UInt64
        var position: UInt64
        var time: Int64
        var offset: UInt32
    }

    /// Where a topic's records are, in position order, numbered from the topic's first record
    /// since the journal was opened. In a ``ChunkQueue``: a topic holding few records costs one
    /// small block; one holding millions grows a block at a time, never copying what it holds;
    /// retention lets whole blocks go instead of moving every entry left.
    ///
    /// Copies share the entries (a class): only `Journal.indexes` changes them.
    struct TopicIndex {
        var name: String
        let entries = ChunkQueue<IndexEntry>(firstCapacity: 1)
        /// The last sequence number known given, even when its records are gone.
        var floor: UInt64 = 0

        init(name: String) {
            self.name = name
        }

        var last: UInt64 { max(self.entries.last?.seq ?? 0, self.floor) }

        /// Lets the entries numbered before `number` go.
        mutating func trim(before number: Int) {
            self.floor = max(self.floor, self.last)
            self.entries.removeFirst(upTo: number)
        }

        func append(seq: UInt64, position: UInt64, received: Timestamp, offset: Int) {
            self.entries.append(IndexEntry(seq: seq, position: position, time: received.milliseconds,
                                           offset: UInt32(offset)))
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
        self.segmentBytes = max(4096, min(segmentBytes, 1 << 30))
        if let problem = FileBytes.makeDirectory(directory) {
            throw .io(call: "mkdir", path: directory + " (" + problem + ")", errno: errno)
        }
        try self.recoverAll(visit: visit)
    }

    // MARK: - Writing

    /// The last sequence number given on a topic (0 when none).
    package func lastSequence(of topic: String) -> UInt64 {
        self.index(of: topic)?.last ?? 0
    }

    /// Every topic with its last sequence number given.
    package var lastSequences: [String: UInt64] {
        var out: [String: UInt64] = [:]
        for entry in self.indexes where entry.last > 0 {
            out[entry.name] = entry.last
        }
        return out
    }

    /// The slot of a topic's index, made when the topic has none yet.
    ///
    /// The index keeps the name it was last asked with: a caller that keeps the name too (the
    /// bus, which asks once the journal is open) then shares its storage, and the copy read back
    /// from the records at recovery is let go.
    package func slot(of topic: String) -> Int {
        let (found, place) = self.find(topic)
        if let found {
            self.indexes[found].name = topic
            return found
        }
        precondition(self.indexes.count < Int(Int32.max), "a journal holds fewer than 2^31 topics")
        let slot = self.indexes.count
        self.indexes.append(TopicIndex(name: topic))
        if self.indexes.count * 2 > self.slotTable.count {
            self.growSlotTable()
        } else {
            self.slotTable[place] = Int32(slot)
        }
        return slot
    }

    func index(of topic: String) -> TopicIndex? {
        self.find(topic).slot.map { self.indexes[$0] }
    }

    /// The slot of a topic's index, or nil with the empty place where it would go.
    private func find(_ topic: String) -> (slot: Int?, place: Int) {
        let mask = self.slotTable.count - 1
        var place = topic.hashValue & mask
        while self.slotTable[place] >= 0 {
            let slot = Int(self.slotTable[place])
            if self.indexes[slot].name == topic { return (slot, place) }
            place = (place + 1) & mask
        }
        return (nil, place)
    }

    /// Doubles the slot table and places every slot again.
    private func growSlotTable() {
        self.slotTable = [Int32](repeating: -1, count: self.slotTable.count * 2)
        let mask = self.slotTable.count - 1
        for slot in self.indexes.indices {
            var place = self.indexes[slot].name.hashValue & mask
            while self.slotTable[place] >= 0 {
                place = (place + 1) & mask
            }
            self.slotTable[place] = Int32(slot)
        }
    }

    /// Appends records in one write; their positions must follow ``nextPosition``. Either all of
    /// them are appended or none.
    ///
    /// - Throws: ``JournalError``: `diskFull` leaves the journal as it was.
    package func append(_ records: [JournalRecord]) throws(JournalError) {
        guard !records.isEmpty else { return }
        let segment = try self.writableSegment(position: records[0].position)
        let start = self.startOfAppend()
        for (n, record) in records.enumerated() {
            precondition(record.position == self.nextPosition + UInt64(n), "journal positions are consecutive")
            record.encode(into: &self.writeBuffer, nonceChecksum: segment.nonceChecksum)
        }
        try self.write(segment, from: start, count: records.count) { n in
            (self.slot(of: records[n].topic), records[n].seq, records[n].received)
        }
    }

    /// One delivery of an item for ``appendItem(_:id:sender:body:received:)``: the slot of its
    /// topic (``slot(of:)``), its sequence number and its header.
    package struct Delivery {
        package var slot: Int
        package var seq: UInt64
        package var header: [UInt8]

        package init(slot: Int, seq: UInt64, header: [UInt8]) {
            self.slot = slot
            self.seq = seq
            self.header = header
        }
    }

    /// Appends the records of one item, one per delivery, at the next positions, in one write:
    /// ``append(_:)`` for the publish path, encoding each record once, straight into the write
    /// buffer. Either all of them are appended or none.
    ///
    /// - Throws: ``JournalError``: `diskFull` leaves the journal as it was.
    package func appendItem(
        _ deliveries: [Delivery],
        id: String,
        sender: String,
        body: [UInt8],
        received: Timestamp
    ) throws(JournalError) {
        guard !deliveries.isEmpty else { return }
        let segment = try self.writableSegment(position: self.nextPosition)
        let start = self.startOfAppend()
        for (n, delivery) in deliveries.enumerated() {
            JournalRecord.encode(
                position: self.nextPosition + UInt64(n), received: received, topic: self.indexes[delivery.slot].name,
                seq: delivery.seq, id: id, sender: sender, header: delivery.header, body: body,
                into: &self.writeBuffer, nonceChecksum: segment.nonceChecksum
            )
        }
        try self.write(segment, from: start, count: deliveries.count) { n in
            (deliveries[n].slot, deliveries[n].seq, received)
        }
    }

    /// ``appendItem(_:id:sender:body:received:)`` from the fields' bytes where they are: the
    /// plain publish path (``Bus/publishPlain``) writes an item's headers into the run it holds
    /// for the feed, and its records are encoded from there.
    ///
    /// - Parameter delivery: the journal slot, sequence number and header of delivery `n`.
    func appendItem(
        count: Int,
        delivery: (Int) -> (slot: Int, seq: UInt64, header: UnsafeRawBufferPointer),
        id: UnsafeRawBufferPointer,
        sender: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer,
        received: Timestamp
    ) throws(JournalError) {
        guard count > 0 else { return }
        let segment = try self.writableSegment(position: self.nextPosition)
        let start = self.startOfAppend()
        for n in 0..<count {
            let (slot, seq, header) = delivery(n)
            var topic = self.indexes[slot].name
            topic.withUTF8 { topic in
                JournalRecord.encode(
                    position: self.nextPosition + UInt64(n), received: received, topic: UnsafeRawBufferPointer(topic),
                    seq: seq, id: id, sender: sender, header: header, body: body, into: &self.writeBuffer,
                    nonceChecksum: segment.nonceChecksum
                )
            }
        }
        try self.write(segment, from: start, count: count) { n in
            let (slot, seq, _) = delivery(n)
            return (slot, seq, received)
        }
    }

    /// Where the records of an append start in the write buffer: after those still waiting while
    /// writes are deferred, at its start otherwise.
    private func startOfAppend() -> Int {
        if !self.deferring { self.writeBuffer.removeAll(keepingCapacity: true) }
        return self.writeBuffer.count
    }

    /// Writes the write buffer's `count` records from `start`, at the next positions (or, while
    /// writes are deferred, reserves room for them), and indexes them: `entry` gives the slot of
    /// each one's topic, its sequence number and its received time. On failure the records are
    /// neither written nor indexed.
    private func write(
        _ segment: Segment,
        from start: Int,
        count: Int,
        entry: (Int) -> (slot: Int, seq: UInt64, received: Timestamp)
    ) throws(JournalError) {
        // The file offset of the write buffer's first byte.
        let base = segment.size
        if self.deferring {
            do {
                try segment.reserve(upTo: base + self.writeBuffer.count)
            } catch {
                self.writeBuffer.removeSubrange(start...)
                throw error
            }
        } else {
            try segment.append(self.writeBuffer)
        }
        // The records' offsets are found again from their lengths, so none is kept while encoding.
        var offset = start
        for n in 0..<count {
            let (slot, seq, received) = entry(n)
            self.index(slot: slot, seq: seq, position: self.nextPosition, received: received,
                       offset: base + offset, in: segment)
            offset += JournalRecord.prefixBytes + Int(JournalRecord.payloadLength(in: self.writeBuffer, at: offset))
            self.nextPosition += 1
        }
    }

    /// From now until ``flush()``, appends are not written one by one: their records wait in
    /// memory, in blocks of the segment reserved for them (so that a full disk still refuses the
    /// item that does not fit, before it is numbered), and ``flush()`` writes them in one call.
    ///
    /// The daemon defers the appends of a run of ingest items and sends their deliveries after
    /// the flush: a record reaches the page cache before anyone sees its item, as when each is
    /// written at once, for a tenth of the system calls. Reading, syncing and closing flush first.
    package func deferWrites() {
        guard !self.deferring else { return }
        self.writeBuffer.removeAll(keepingCapacity: true)
        self.deferring = true
    }

    /// Writes the records deferred since ``deferWrites()`` in one call, and goes back to writing
    /// each append at once.
    ///
    /// - Throws: ``JournalError`` when the write fails, now or earlier in the run (a read, a
    ///   segment roll or a sync wrote what waited): the deferred records are then not in the
    ///   file (the file is cut back), though they were numbered and indexed; every flush after
    ///   it throws the same (``writeFailure``), and the daemon refuses the tenant's publishes
    ///   until a restart reads back what the disk holds.
    package func flush() throws(JournalError) {
        try self.writePending()
        self.deferring = false
    }

    /// Writes what waits, staying in deferred mode; a failure is kept (``writeFailure``).
    private func writePending() throws(JournalError) {
        if let failure = self.writeFailure { throw failure }
        guard self.pendingBytes > 0, let segment = self.segments.last else { return }
        defer { self.writeBuffer.removeAll(keepingCapacity: true) }
        do {
            try segment.append(self.writeBuffer)
        } catch {
            self.writeFailure = error
            throw error
        }
    }

    func index(slot: Int, seq: UInt64, position: UInt64, received: Timestamp, offset: Int, in segment: Segment) {
        self.indexes[slot].append(seq: seq, position: position, received: received, offset: offset)
        segment.endPosition = position + 1
        segment.lastTime = received
    }

    /// The segment the next records go to; none after a failed deferred write (``writeFailure``).
    private func writableSegment(position: UInt64) throws(JournalError) -> Segment {
        if let failure = self.writeFailure { throw failure }
        if let current = self.segments.last, !current.sealed, current.size + self.pendingBytes < self.segmentBytes {
            return current
        }
        // What waits belongs to the full segment: written there before it is closed for writes.
        try self.writePending()
        self.segments.last?.releaseReservation()
        // The full segment is made durable before the new one takes writes, so that a sync of
        // the current segment covers everything before it; the numbers given so far are saved
        // with it, so that losing the newest segment cannot make them be given again.
        if let full = self.segments.last {
            try full.sync()
            try self.writeSequenceFloors()
        }
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
        try self.writePending()
        try self.segments.last?.sync()
    }

    /// A duplicate of the current segment's descriptor, for a thread that runs `fdatasync` while
    /// this one appends; the caller closes it. Nil when nothing was written yet. Records whose
    /// writes are deferred are not covered: ``flush()`` first.
    package func syncDescriptor() -> Int32? {
        assert(self.pendingBytes == 0, "a sync must not be asked for records not yet written")
        return self.segments.last.map { $0.duplicateDescriptor() }
    }

    // MARK: - Reading

    /// The first position still stored (the start of history), or ``nextPosition`` when empty.
    package var firstPosition: UInt64 {
        self.segments.first { $0.endPosition > $0.firstPosition }?.firstPosition ?? self.nextPosition
    }

    /// Topics whose names start with `prefix`.
    package func topics(withPrefix prefix: String) -> [String] {
        // A slot taken for an append that then failed has nothing in it, and no topic yet.
        self.indexes.filter { $0.last > 0 && $0.name.hasPrefix(prefix) }.map(\.name).sorted()
    }

    /// The first sequence number still stored on a topic, or nil when none.
    package func firstSequence(of topic: String) -> UInt64? {
        self.index(of: topic)?.entries.first?.seq
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
    /// - Throws: ``JournalError`` when a record cannot be read back intact.
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
        var cursors: [(entries: ChunkQueue<IndexEntry>, index: Int)] = []
        for topic in self.topics(withPrefix: prefix) {
            guard let entries = self.index(of: topic)?.entries else { continue }
            var start = Self.lowerBound(entries) { $0.position < fromPosition }
            start = max(start, Self.lowerBound(entries) { $0.seq < fromSeq })
            if let fromTime {
                start = max(start, Self.lowerBound(entries) { $0.time < fromTime.milliseconds })
            }
            if start < entries.end && entries[start].seq <= toSeq {
                cursors.append((entries, start))
            }
        }
        var out = [JournalRecord]()
        var bytes = 0
        while out.count < limit && bytes < byteLimit {
            guard let chosen = cursors.indices.min(by: {
                cursors[$0].entries[cursors[$0].index].position < cursors[$1].entries[cursors[$1].index].position
            }) else { return (out, false) }
            let (entries, index) = cursors[chosen]
            guard entries[index].position < beforePosition else { return (out, false) }
            let record = try self.load(position: entries[index].position, offset: Int(entries[index].offset))
            bytes += record.header.count + record.body.count + record.topic.utf8.count
            out.append(record)
            if index + 1 < entries.end && entries[index + 1].seq <= toSeq {
                cursors[chosen].index = index + 1
            } else {
                cursors.remove(at: chosen)
            }
        }
        let more = cursors.contains { $0.entries[$0.index].position < beforePosition }
        return (out, more)
    }

    /// Reads one record back, checking its frame and checksum again: the disk may have changed
    /// under the daemon since recovery.
    private func load(position: UInt64, offset: Int) throws(JournalError) -> JournalRecord {
        try self.writePending()
        let segment = self.segment(holding: position)
        let prefix = try segment.read(at: offset, count: JournalRecord.prefixBytes)
        guard prefix.count == JournalRecord.prefixBytes, Array(prefix.prefix(4)) == JournalRecord.magic else {
            throw .corrupt(path: segment.path, offset: offset)
        }
        let (length, crc) = prefix.withUnsafeBytes { raw -> (Int, UInt32) in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[4...]))
            return (Int(reader.u32() ?? 0), reader.u32() ?? 0)
        }
        let payload = try segment.read(at: offset + JournalRecord.prefixBytes, count: length)
        guard payload.count == length,
              payload.withUnsafeBytes({
                  JournalRecord.checksum(nonceChecksum: segment.nonceChecksum, payload: $0)
              }) == crc,
              let record = payload.withUnsafeBytes({ JournalRecord.decode(payload: $0) }),
              record.position == position
        else {
            throw .corrupt(path: segment.path, offset: offset)
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

    /// The first number in `entries` (sorted by the field `isBefore` looks at) where `isBefore`
    /// is false; `entries.end` when it is true everywhere.
    static func lowerBound(_ entries: ChunkQueue<IndexEntry>, _ isBefore: (IndexEntry) -> Bool) -> Int {
        var low = entries.start
        var high = entries.end
        while low < high {
            let mid = (low + high) / 2
            if isBefore(entries[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: - Retention

    /// The bytes the journal's segment files hold.
    package var storedBytes: Int {
        self.segments.reduce(self.pendingBytes) { $0 + $1.size }
    }

    /// How many segment files there are.
    package var segmentCount: Int { self.segments.count }

    /// Removes whole segments from the start of history: those whose newest record is older than
    /// `maximumAge`, then more while the journal is over `maximumBytes`. The segment being
    /// written is never removed. The last numbers given are saved first, so that a topic whose
    /// every record goes never gives a number twice, even after a crash in the middle.
    ///
    /// - Returns: the paths removed.
    package func applyRetention(
        now: Timestamp,
        maximumAgeSeconds: Int,
        maximumBytes: Int
    ) throws(JournalError) -> [String] {
        var doomed = 0
        var total = self.storedBytes
        while doomed < self.segments.count - 1 {
            let oldest = self.segments[doomed]
            let tooOld = maximumAgeSeconds > 0
                && (oldest.lastTime?.milliseconds ?? 0) < now.milliseconds - Int64(maximumAgeSeconds) * 1000
            let tooBig = maximumBytes > 0 && total > maximumBytes
            guard tooOld || tooBig else { break }
            total -= oldest.size
            doomed += 1
        }
        guard doomed > 0 else { return [] }
        // Saved with where history will start, so that recovery tells these removals from a
        // segment deleted by hand.
        try self.writeSequenceFloors(firstPosition: self.segments[doomed].firstPosition)
        var removed = [String]()
        for _ in 0..<doomed {
            let oldest = self.segments[0]
            oldest.close()
            guard unlink(oldest.path) == 0 || errno == ENOENT else {
                throw .io(call: "unlink", path: oldest.path, errno: errno)
            }
            self.segments.removeFirst()
            removed.append(oldest.path)
        }
        if let number = FileBytes.syncDirectory(self.directory) {
            throw .io(call: "fsync", path: self.directory, errno: number)
        }
        let first = self.segments.first?.firstPosition ?? self.nextPosition
        for slot in self.indexes.indices {
            let cut = Self.lowerBound(self.indexes[slot].entries) { $0.position < first }
            if cut > self.indexes[slot].entries.start {
                self.indexes[slot].trim(before: cut)
            }
        }
        return removed
    }

    /// Saves the sequence floors and closes every segment.
    package func close() {
        // A failed write here leaves the records out, as a crash before the flush would.
        try? self.flush()
        self.segments.last?.releaseReservation()
        if !self.segments.isEmpty {
            try? self.writeSequenceFloors(cleanStop: true)
        }
        for segment in self.segments { segment.close() }
    }
}
