// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Ids remembered for retries: by age and by count.
@Suite struct IdempotencyWindowTests {
    static func remember(_ id: String, at ms: Int64, in window: IdempotencyWindow, sender: String = "m",
                         deliveries: [IdempotencyWindow.Delivery] = [.init(slot: 0, seq: 1)]) {
        window.remember(id, sender: sender, deliveries: deliveries, position: 1, received: Timestamp(milliseconds: ms),
                        now: Timestamp(milliseconds: ms))
    }

    @Test func remember_keepsAnIdWithinTheWindow() {
        let window = IdempotencyWindow(seconds: 60, maximum: 10)
        Self.remember("x", at: 1_000, in: window)

        #expect(window.find("x") == IdempotencyWindow.Remembered(
            sender: "m", deliveries: [.init(slot: 0, seq: 1)], position: 1, received: Timestamp(milliseconds: 1_000)))
        #expect(window.find("y") == nil)
    }

    @Test func remember_forgetsIdsOlderThanTheWindow() {
        let window = IdempotencyWindow(seconds: 60, maximum: 10)
        Self.remember("old", at: 0, in: window)

        Self.remember("new", at: 61_000, in: window)

        #expect(window.find("old") == nil)
        #expect(window.find("new") != nil)
    }

    @Test func remember_pastTheMaximum_forgetsTheOldestFirst() {
        let window = IdempotencyWindow(seconds: 3600, maximum: 3)
        for n in 1...5 {
            Self.remember("id\(n)", at: Int64(n), in: window)
        }

        #expect(window.count == 3)
        #expect(window.find("id1") == nil && window.find("id2") == nil)
        #expect(window.find("id3") != nil && window.find("id5") != nil)
    }

    @Test func remember_anIdAgain_findsItsLatestACK() {
        let window = IdempotencyWindow(seconds: 3600, maximum: 10)
        Self.remember("x", at: 1, in: window, sender: "a")

        Self.remember("x", at: 2, in: window, sender: "b")

        #expect(window.find("x")?.sender == "b")
    }

    @Test func remember_manyIdsPastTheMaximum_keepsEachOneWithItsOwnSenderAndDeliveries() {
        // Enough to move every queue to its front several times, with one to three deliveries each.
        let window = IdempotencyWindow(seconds: 3600, maximum: 5_000)
        for n in 0..<20_000 {
            let deliveries = (0...(n % 3)).map { IdempotencyWindow.Delivery(slot: $0, seq: UInt64(n)) }
            Self.remember("item-\(n)", at: 1, in: window, sender: "member-\(n % 7)", deliveries: deliveries)
        }

        #expect(window.count == 5_000)
        #expect((0..<15_000).allSatisfy { window.find("item-\($0)") == nil })
        for n in 15_000..<20_000 {
            let found = window.find("item-\(n)")
            #expect(found?.sender == "member-\(n % 7)")
            #expect(found?.deliveries == (0...(n % 3)).map { .init(slot: $0, seq: UInt64(n)) })
        }
    }

    @Test func find_anIdSharingAPrefix_isNotTheSameId() {
        let window = IdempotencyWindow(seconds: 3600, maximum: 10)
        Self.remember("abc", at: 1, in: window)

        #expect(window.find("ab") == nil)
        #expect(window.find("abcd") == nil)
        #expect(window.find("abc") != nil)
    }

    @Test func ackJSON_listsTiersFromTopicsInOrder() {
        let ack = AckRecord(id: "a", sender: "m", deliveries: [.init(topic: "bfc/t/gip/alert", seq: 4),
                                                  .init(topic: "bfc/t/crps/alert", seq: 2)],
                            position: 9, received: Timestamp(milliseconds: 0))

        #expect(ack.jsonObject["seq"] == .int(4))
        #expect(ack.jsonObject["tiers"] == .array([.string("gip"), .string("crps")]))
    }

    @Test(arguments: [false, true])
    func ackEncoded_isTheJSONObjectsEncoding(duplicate: Bool) {
        let acks = [
            AckRecord(id: "a", sender: "m", deliveries: [.init(topic: "bfc/t/gip/alert", seq: 4),
                                                         .init(topic: "bfc/t/crps/alert", seq: 2)],
                      position: 9, received: Timestamp(milliseconds: 0)),
            AckRecord(id: "x\"é\u{1}", sender: "m", deliveries: [], position: 0, received: Timestamp(milliseconds: 0)),
            AckRecord(id: String(repeating: "z", count: 133), sender: "m",
                      deliveries: [.init(topic: "t/" + String(repeating: "\\", count: 40) + "/gip/signal",
                                         seq: UInt64(Int64.max))],
                      position: 1, received: Timestamp(milliseconds: 0)),
        ]
        for ack in acks {
            var object = ack.jsonObject
            if duplicate { object["duplicate"] = .bool(true) }

            #expect(ack.encoded(duplicate: duplicate) == JSONWriter.encode(.object(object)))
        }
    }

    /// Ids that differ in a byte or two (the way publishers number them) spread evenly over the
    /// table's places and its tags: both halves of the hash mix every byte.
    @Test func hash_spreadsNearIdsOverPlacesAndTags() {
        let count = 65_536
        var places = [Int](repeating: 0, count: 1024)
        var tags = Set<UInt32>()
        var hashes = Set<Int>()
        for n in 0..<count {
            var id = n % 2 == 0 ? "item-\(n)" : "01M90Y89KQ80RFF51KQGK\(String(n, radix: 32))"
            let hash = id.withUTF8 { IdempotencyWindow.hash($0) }
            places[hash & 1023] += 1
            tags.insert(UInt32(truncatingIfNeeded: hash >> 32))
            hashes.insert(hash)
        }
        // 64 per place on average; a binomial spread stays well within a factor of two.
        #expect(places.max()! < 2 * count / 1024 && places.min()! > count / 1024 / 2,
                "\(places.min()!)–\(places.max()!)")
        #expect(hashes.count == count)
        #expect(tags.count > count - 10)
        // Every byte counts, the length too.
        func hash(_ bytes: [UInt8]) -> Int { bytes.withUnsafeBufferPointer(IdempotencyWindow.hash) }
        let a = Array("abcdefghijklmnopq".utf8)
        for n in a.indices {
            var b = a
            b[n] ^= 1
            #expect(hash(a) != hash(b))
        }
        #expect(hash(a) != hash(a + [0]))
    }

    /// Look-ups, remembering (new ids and ids again) and forgetting past the maximum, in a random
    /// order over few ids, against a list of what was remembered: a look-up leaves the place it
    /// found free for the next remembering of the same hash (``IdempotencyWindow/place``), which
    /// must never be used once the table changed.
    @Test func lookUpsBetweenChanges_findWhatAListOfTheRememberedFinds() {
        var random = HeaderScannerTests.Generator(state: 23)
        let maximum = 40
        let window = IdempotencyWindow(seconds: 3600, maximum: maximum)
        // Oldest first, at most `maximum`: the newest entry of an id is the one found.
        var remembered: [(id: String, seq: UInt64)] = []
        var mismatches = 0
        for step in 0..<30_000 {
            let id = "id-\(random.below(90))"
            switch random.below(3) {
            case 0:
                let expected = remembered.last { $0.id == id }?.seq
                if window.find(id)?.deliveries.first?.seq != expected { mismatches += 1 }
            default:
                // Often right after a look-up of the same id, as the publish path does it.
                if random.below(2) == 0 { _ = window.find(id) }
                window.remember(id, sender: "m", deliveries: [.init(slot: 0, seq: UInt64(step))], position: 1,
                                received: Timestamp(milliseconds: 1), now: Timestamp(milliseconds: 1))
                remembered.append((id, UInt64(step)))
                if remembered.count > maximum { remembered.removeFirst() }
            }
        }
        #expect(mismatches == 0)
        #expect(window.count == maximum)
        for n in 0..<90 {
            #expect(window.find("id-\(n)")?.deliveries.first?.seq == remembered.last { $0.id == "id-\(n)" }?.seq)
        }
    }
}
