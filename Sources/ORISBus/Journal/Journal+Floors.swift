// SPDX-License-Identifier: Apache-2.0

/// sequences.json: the numbers a journal has given, saved so that none is given twice when the
/// records that carried them are lost.
extension Journal {
    /// The file keeping the next position, where history starts and each topic's last sequence
    /// number, written at each segment roll, before retention and at close.
    var floorsPath: String { self.directory + "/sequences.json" }

    /// Saves the numbers given so far, and where history starts: `firstPosition` when retention
    /// is about to remove the segments before it, ``firstPosition`` otherwise. `cleanStop` says
    /// that no record follows (``close()``): recovery then takes nothing past the saved position
    /// for a record; the file saved when the journal opens says the opposite.
    func writeSequenceFloors(firstPosition: UInt64? = nil, cleanStop: Bool = false) throws(JournalError) {
        var topics = JSONObject()
        for (topic, last) in self.lastSequences.sorted(by: { $0.key < $1.key }) {
            topics[topic] = .int(Int64(last))
        }
        let start = firstPosition ?? self.firstPosition
        // At a clean stop, also the last number each topic's records hold: numbers recovery
        // skipped are given but never a record's, and only these tell a lost tail.
        var stored = JSONObject()
        for index in cleanStop ? self.indexes.sorted(by: { $0.name < $1.name }) : [] {
            if let seq = index.entries.last?.seq { stored[index.name] = .int(Int64(seq)) }
        }
        let document = JSONObject([
            ("next_position", .int(Int64(self.nextPosition))),
            ("first_position", .int(Int64(start))), ("topics", .object(topics)),
        ] + (cleanStop ? [("clean_stop", .bool(true)), ("stored", .object(stored))] : []))
        try AtomicFile.replace(self.floorsPath, with: JSONWriter.encode(.object(document)))
    }

    /// What sequences.json says (``writeSequenceFloors(firstPosition:cleanStop:)``).
    struct Floors {
        var nextPosition: UInt64 = 0
        var firstPosition: UInt64?
        var topics: [String: UInt64] = [:]
        var cleanStop = false
        /// At a clean stop, the last number each topic's records held (nil in older files).
        var stored: [String: UInt64]?
    }

    /// The numbers saved by ``writeSequenceFloors()``; empty when there is no file, with a
    /// warning event when the file is unreadable.
    func readSequenceFloors() -> Floors {
        guard let bytes = FileBytes.read(path: self.floorsPath) else { return Floors() }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue,
              let topics = object["topics"]?.objectValue
        else {
            self.note(.foreignFile, self.floorsPath, 0, bytes.count)
            return Floors()
        }
        // A number the file holds that no journal could have written is said, and not used.
        var unusable = false
        func number(_ value: JSONValue?) -> UInt64? {
            guard let value else { return nil }
            guard let n = value.intValue, n >= 0, UInt64(n) < Segment.maximumPosition else {
                unusable = true
                return nil
            }
            return UInt64(n)
        }
        var out: [String: UInt64] = [:]
        for (topic, value) in topics.pairs {
            if let last = number(value), last > 0 { out[topic] = last }
        }
        let next = number(object["next_position"]) ?? 0
        let first = number(object["first_position"])
        if unusable { self.note(.implausibleNumbers, self.floorsPath, 0, 0) }
        let stored = object["stored"]?.objectValue.map { stored in
            Dictionary(stored.pairs.compactMap { pair in number(pair.1).map { (pair.0, $0) } }) { $1 }
        }
        return Floors(nextPosition: next, firstPosition: first, topics: out,
                      cleanStop: object["clean_stop"] == .bool(true), stored: stored)
    }
}
