// SPDX-License-Identifier: Apache-2.0
import CLinux

/// What an ACK says, kept so that a retry of the same id gets the same answer.
package struct AckRecord: Sendable, Equatable {
    package struct Delivery: Sendable, Equatable {
        package var topic: String
        package var seq: UInt64
        /// The topic's tier, kept so that writing an ACK never parses a topic.
        package var tier: Tier

        package init(topic: String, seq: UInt64, tier: Tier? = nil) {
            self.topic = topic
            self.seq = seq
            self.tier = tier ?? Topic(topic)?.tier ?? .gip
        }
    }

    package var id: String
    /// The member that published it: a retry must come from the same member.
    package var sender: String
    package var deliveries: [Delivery]
    /// The journal position of the item's last record (0 without a journal).
    package var position: UInt64
    package var received: Timestamp

    /// The ACK's JSON object: id, the first delivery's sequence, tiers, and every delivery.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["id"] = .string(self.id)
        o["seq"] = self.deliveries.first.map { .int(Int64($0.seq)) } ?? .null
        o["tiers"] = .array(self.deliveries.map { .string($0.tier.word) })
        o["deliveries"] = .array(self.deliveries.map { delivery in
            .object(JSONObject([("topic", .string(delivery.topic)), ("seq", .int(Int64(delivery.seq)))]))
        })
        return o
    }

    /// ``jsonObject``'s compact encoding, with `"duplicate":true` after it for a retry, written
    /// straight into storage sized beforehand: the api endpoint answers every publish with one,
    /// and building the object first cost allocations for each of its values.
    package func encoded(duplicate: Bool) -> [UInt8] {
        // The punctuation, field names and the first seq take under 96 bytes; each delivery's
        // under 48 besides its topic and tier.
        var size = 96 + ByteWriter.bound(ofString: self.id)
        for delivery in self.deliveries {
            size += 48 + ByteWriter.bound(ofString: delivery.topic) + ByteWriter.bound(ofString: delivery.tier.word)
        }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var w = ByteWriter(buffer)
            w.literal("{\"id\":")
            w.string(self.id)
            w.literal(",\"seq\":")
            if let first = self.deliveries.first {
                w.integer(Int64(first.seq))
            } else {
                w.literal("null")
            }
            w.literal(",\"tiers\":[")
            for (n, delivery) in self.deliveries.enumerated() {
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(delivery.tier.word)
            }
            w.literal("],\"deliveries\":[")
            for (n, delivery) in self.deliveries.enumerated() {
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                w.literal("{\"topic\":")
                w.string(delivery.topic)
                w.literal(",\"seq\":")
                w.integer(Int64(delivery.seq))
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
            if duplicate {
                w.literal(",\"duplicate\":true")
            }
            w.byte(UInt8(ascii: "}"))
            initialized = w.count
        }
    }
}

/// The ids a tenant published recently, each with what its ACK said, forgotten by age and by
/// count.
///
/// Up to `dedupe_max_items` (a million by default) are kept, so an entry is kept small and
/// flat: its id's bytes, its deliveries and the entry itself go to the ends of three queues in
/// publishing order, and the oldest leave from their fronts. Topics are the bus's topic slots,
/// senders numbers into a list of the senders seen. An id is found through an open-addressing
/// table of entry numbers placed by the id's hash, so that no id is kept as a `String` of its
/// own and no dictionary hashes the hash again.
///
/// A class: the bus reads it through its tenant's store on every publish, and a struct there was
/// copied out (its queues retained and released) for each look-up.
package final class IdempotencyWindow {
    /// One delivery of a remembered item: the topic's slot in the bus, and the sequence given.
    package struct Delivery: Sendable, Equatable, BitwiseCopyable {
        package var slot: UInt32
        package var seq: UInt64

        package init(slot: Int, seq: UInt64) {
            self.slot = UInt32(slot)
            self.seq = seq
        }
    }

    /// What the window knows of a remembered id.
    package struct Remembered: Sendable, Equatable {
        /// The member that published it: a retry must come from the same member.
        package var sender: String
        package var deliveries: [Delivery]
        /// The journal position of the item's last record (0 without a journal).
        package var position: UInt64
        package var received: Timestamp
    }

    private struct Entry: Sendable {
        /// The id's hash: where the entry's number goes in ``table``.
        var hash: Int
        /// Where its id's bytes and its deliveries end in their queues; they start where the
        /// entry before it ends them (or at the queue's front, for the oldest entry).
        var idEnd: Int
        var deliveriesEnd: Int
        var position: UInt64
        var received: Int64
        var sender: UInt32
    }

    private let entries = ChunkQueue<Entry>()
    private let idBytes = ChunkQueue<UInt8>()
    private let deliveries = ChunkQueue<Delivery>()
    /// Entry numbers, each placed at its hash (modulo the size, a power of two) or just after,
    /// 0 for an empty place; at most half full, so that a run of places stays short. Ids with
    /// the same hash each have their place: a collision costs a byte comparison, never a wrong
    /// answer.
    ///
    /// A place holds the entry's number modulo 2^32 and, above it, 32 other bits of its id's
    /// hash (``placed(_:hash:)``): a look-up passes over the other entries of its run without
    /// reading them, where reading each (at random in a window of a million entries) missed
    /// the processor's caches.
    private var table = [UInt64](repeating: 0, count: 16)
    /// The first empty place from a hash on, as the last look-up found it (place -1: none): until
    /// the table next changes, ``place(_:hash:)`` puts an entry of that hash there without
    /// reading the table again. Reading it again missed the caches as often as the look-up did,
    /// the journal's work for the item lying between (bench/RESULTS.md, the eleventh round).
    private var lastFree: (hash: Int, place: Int) = (0, -1)
    /// Never shrinks: a tenant has few members, and one that left may still have ids here.
    private var senders: [String] = []
    private var senderNumbers: [String: UInt32] = [:]
    private var lastSender: UInt32 = 0
    package let seconds: Int
    package let maximum: Int

    package init(seconds: Int, maximum: Int) {
        self.seconds = seconds
        // The table keeps entry numbers modulo 2^32: the window spans fewer.
        self.maximum = min(max(1, maximum), 1 << 30)
    }

    /// How many ids are remembered.
    package var count: Int { self.entries.count }

    /// What the window remembers of an id, if it is still there.
    package func find(_ id: String) -> Remembered? {
        var id = id
        guard let number = id.withUTF8({ self.number(of: $0) }) else { return nil }
        let entry = self.entries[number]
        let first = number == self.entries.start ? self.deliveries.start : self.entries[number - 1].deliveriesEnd
        return Remembered(sender: self.senders[Int(entry.sender)],
                          deliveries: (first..<entry.deliveriesEnd).map { self.deliveries[$0] },
                          position: entry.position, received: Timestamp(milliseconds: entry.received))
    }

    /// Whether the window remembers the id whose UTF-8 bytes are `id` and whose hash
    /// (``hash(_:)``) is `hash`.
    func contains(utf8 id: UnsafeBufferPointer<UInt8>, hash: Int) -> Bool {
        self.number(of: id, hash: hash) != nil
    }

    /// Starts bringing in the table's place for an id's hash, for ``contains(utf8:hash:)`` and
    /// ``remember(utf8:hash:sender:deliveries:position:received:now:)`` to find it in the
    /// processor's cache: the place is at random in a table of up to 16 MiB, and reading it
    /// missed the caches on most items (`perf`, bench/RESULTS.md's eleventh round). Harmless
    /// when the table grows or the look-up runs on past the place.
    func prefetch(hash: Int) {
        self.table.withUnsafeBufferPointer { table in
            // The table is never empty, so it has an address.
            oris_prefetch_for_write(table.baseAddress! + (hash & (table.count - 1)))
        }
    }

    /// Remembers an id and its ACK, forgetting what is too old or too many. An id remembered
    /// again is found with its latest ACK.
    package func remember(
        _ id: String,
        sender: String,
        deliveries: some Sequence<Delivery>,
        position: UInt64,
        received: Timestamp,
        now: Timestamp
    ) {
        var id = id
        id.withUTF8 { bytes in
            self.remember(utf8: bytes, hash: Self.hash(bytes), sender: sender, deliveries: deliveries,
                          position: position, received: received, now: now)
        }
    }

    /// ``remember(_:sender:deliveries:position:received:now:)`` for the id's UTF-8 bytes and
    /// their ``hash(_:)``.
    func remember(
        utf8 id: UnsafeBufferPointer<UInt8>,
        hash: Int,
        sender: String,
        deliveries: some Sequence<Delivery>,
        position: UInt64,
        received: Timestamp,
        now: Timestamp
    ) {
        self.idBytes.append(contentsOf: id)
        for delivery in deliveries {
            self.deliveries.append(delivery)
        }
        if (self.entries.count + 1) * 2 > self.table.count {
            self.grow()
        }
        self.place(self.entries.end, hash: hash)
        self.entries.append(Entry(hash: hash, idEnd: self.idBytes.end, deliveriesEnd: self.deliveries.end,
                                  position: position, received: received.milliseconds,
                                  sender: self.senderNumber(sender)))

        let oldest = now.milliseconds - Int64(self.seconds) * 1000
        while let first = self.entries.first, self.entries.count > self.maximum || first.received < oldest {
            self.unplace(self.entries.start, hash: first.hash)
            self.idBytes.removeFirst(upTo: first.idEnd)
            self.deliveries.removeFirst(upTo: first.deliveriesEnd)
            self.entries.removeFirst(upTo: self.entries.start + 1)
        }
    }

    /// The number of the newest entry holding the id `bytes`.
    private func number(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        self.number(of: bytes, hash: Self.hash(bytes))
    }

    private func number(of bytes: UnsafeBufferPointer<UInt8>, hash: Int) -> Int? {
        let tag = Self.tag(hash)
        let mask = self.table.count - 1
        var found: Int?
        var place = hash & mask
        // An id remembered twice has two entries in one run: the newer is the higher number.
        while self.table[place] != 0 {
            let value = self.table[place]
            if UInt32(truncatingIfNeeded: value >> 32) == tag {
                let number = self.number(in: value)
                if number > found ?? -1, self.holds(number, bytes) {
                    found = number
                }
            }
            place = (place + 1) & mask
        }
        self.lastFree = (hash, place)
        return found
    }

    /// Whether entry `number` holds the id `bytes`.
    private func holds(_ number: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let end = self.entries[number].idEnd
        let start = number == self.entries.start ? self.idBytes.start : self.entries[number - 1].idEnd
        guard end - start == bytes.count else { return false }
        for (n, byte) in bytes.enumerated() where self.idBytes[start + n] != byte {
            return false
        }
        return true
    }

    /// Puts an entry number at the first empty place from its hash on.
    private func place(_ number: Int, hash: Int) {
        let mask = self.table.count - 1
        var place = hash & mask
        if self.lastFree.place >= 0 && self.lastFree.hash == hash {
            place = self.lastFree.place
        } else {
            while self.table[place] != 0 {
                place = (place + 1) & mask
            }
        }
        self.lastFree.place = -1
        self.table[place] = Self.placed(number, hash: hash)
    }

    /// What a place holds for an entry: its hash's tag above its number modulo 2^32. Never 0,
    /// since a tag is odd.
    private static func placed(_ number: Int, hash: Int) -> UInt64 {
        UInt64(Self.tag(hash)) << 32 | UInt64(UInt32(truncatingIfNeeded: number))
    }

    /// 32 bits of a hash other than those that choose its place, made odd.
    private static func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: hash >> 32) | 1
    }

    /// The entry number a place holds: the live entries span fewer than 2^32 numbers from the
    /// oldest on, so the low 32 bits tell which.
    private func number(in value: UInt64) -> Int {
        let start = self.entries.start
        return start + Int(UInt32(truncatingIfNeeded: value) &- UInt32(truncatingIfNeeded: start))
    }

    /// Takes an entry number out of the table, moving back the ones after it that a search
    /// would otherwise no longer reach (linear probing's deletion, without markers).
    private func unplace(_ number: Int, hash: Int) {
        self.lastFree.place = -1
        let mask = self.table.count - 1
        let value = Self.placed(number, hash: hash)
        var hole = hash & mask
        while self.table[hole] != value {
            hole = (hole + 1) & mask
        }
        var next = (hole + 1) & mask
        while self.table[next] != 0 {
            let home = self.entries[self.number(in: self.table[next])].hash & mask
            // It may move back into the hole when the hole lies between its home and where it is.
            if (hole - home) & mask <= (next - home) & mask {
                self.table[hole] = self.table[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        self.table[hole] = 0
    }

    /// Doubles the table and places every entry again.
    private func grow() {
        self.lastFree.place = -1
        self.table = [UInt64](repeating: 0, count: self.table.count * 2)
        for number in self.entries.start..<self.entries.end {
            self.place(number, hash: self.entries[number].hash)
        }
    }

    private func senderNumber(_ sender: String) -> UInt32 {
        // Most publishes come from the sender before.
        if !self.senders.isEmpty, self.senders[Int(self.lastSender)] == sender { return self.lastSender }
        if let number = self.senderNumbers[sender] {
            self.lastSender = number
            return number
        }
        self.senders.append(sender)
        self.lastSender = UInt32(self.senders.count - 1)
        self.senderNumbers[sender] = self.lastSender
        return self.lastSender
    }

    /// The hash of an id's bytes, seeded per process like every `Hasher`, so that nobody can
    /// choose ids that collide.
    /// The hash of an id's bytes: eight bytes at a time, each word mixed in by a full 64 × 64-bit
    /// product folded to 64 bits, from a key drawn at random when the process starts, so that
    /// nobody outside can choose ids that all land on one place. (Swift's `Hasher` cost some
    /// 200 instructions for an id of 26 bytes, on every publish.)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let key = Self.hashKey
        var hash = key.0 ^ UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        guard let base = bytes.baseAddress else { return Int(bitPattern: UInt(Self.fold(hash, key.1))) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = Self.fold(hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self), key.1)
            offset += 8
        }
        if offset < bytes.count {
            var last: UInt64 = 0
            for n in offset..<bytes.count {
                last |= UInt64(base[n]) << (8 * UInt64(n - offset))
            }
            hash = Self.fold(hash ^ last, key.1)
        }
        return Int(bitPattern: UInt(Self.fold(hash, key.0 | 1)))
    }

    /// The full product of `a` and `b`, its two halves xored.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
    }

    /// The hash's random key, drawn once per process; the second word is odd.
    private static let hashKey: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next() | 1)
    }()
}
