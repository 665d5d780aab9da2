// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Gap repair as pure logic, against a fake journal.
@Suite struct CatchUpTests {
    /// A stored topic 1...last, answering REPLAY like the daemon (pages of `pageSize`).
    final class FakeJournal {
        var stored: [String: UInt64]
        var requests: [ReplayRequest] = []
        let pageSize: Int

        init(_ stored: [String: UInt64], pageSize: Int = 1000) {
            self.stored = stored
            self.pageSize = pageSize
        }

        func item(_ topic: String, _ seq: UInt64) -> ReceivedItem {
            ReceivedItem(topic: topic, header: JSONObject([("seq", .int(Int64(seq)))]), rawHeader: [], body: [])
        }

        func fetch(_ request: ReplayRequest) throws -> ReplayPage {
            self.requests.append(request)
            var items = [[UInt8]]()
            var topics = JSONObject()
            var listed = [ReceivedItem]()
            for (topic, last) in self.stored.sorted(by: { $0.key < $1.key }) where topic.hasPrefix(request.prefix) {
                topics[topic] = .object(JSONObject([("first_seq", .int(1)), ("last_seq", .int(Int64(last)))]))
                guard last >= 1 else { continue }
                for seq in max(1, request.fromSeq)...last where seq <= request.toSeq {
                    listed.append(self.item(topic, seq))
                }
            }
            let start = Int(request.after)
            let page = listed.dropFirst(start).prefix(min(request.limit, self.pageSize))
            for item in page {
                items += [Array(item.topic.utf8), JSONWriter.encode(.object(item.header!)), []]
            }
            let more = start + page.count < listed.count
            let body = JSONObject([("count", .int(Int64(page.count))), ("more", .bool(more)),
                                   ("cursor", .int(Int64(start + page.count))), ("history_start", .int(1)),
                                   ("topics", .object(topics))])
            return ReplayPage(Reply(word: "REPLAY", body: body, items: items))!
        }
    }

    @Test func live_whenNumbersAreSkipped_fillsTheGapBeforeShowingTheItem() throws {
        let journal = FakeJournal(["a/t/gip/signal": 10])
        var catchUp = CatchUp(prefixes: ["a/"], fetch: journal.fetch)
        var shown = [UInt64]()

        for seq: UInt64 in [1, 2, 6, 7] {
            try catchUp.live(journal.item("a/t/gip/signal", seq)) { shown.append(UInt64($0.seq ?? 0)) }
        }

        #expect(shown == [1, 2, 3, 4, 5, 6, 7])
        #expect(catchUp.repaired == 3)
        #expect(catchUp.gaps == 1)
        #expect(journal.requests.last?.fromSeq == 3)
        #expect(journal.requests.last?.toSeq == 5)
    }

    @Test func live_dropsDuplicatesAndOlderNumbers() throws {
        let journal = FakeJournal(["a/t/gip/signal": 3])
        var catchUp = CatchUp(prefixes: ["a/"], fetch: journal.fetch)
        var shown = [UInt64]()

        for seq: UInt64 in [1, 2, 2, 1, 3] {
            try catchUp.live(journal.item("a/t/gip/signal", seq)) { shown.append(UInt64($0.seq ?? 0)) }
        }

        #expect(shown == [1, 2, 3])
        #expect(journal.requests.isEmpty)
    }

    @Test func history_thenLive_showsEachNumberOnceAcrossPages() throws {
        let journal = FakeJournal(["a/t/gip/signal": 25, "a/u/gip/alert": 4], pageSize: 7)
        var catchUp = CatchUp(prefixes: ["a/"], fetch: journal.fetch)
        var shown = [String]()
        let record: (ReceivedItem) -> Void = { shown.append("\($0.topic)#\($0.seq ?? 0)") }

        try catchUp.history(fromSeq: 0, show: record)
        try catchUp.live(journal.item("a/t/gip/signal", 24), show: record)  // already shown
        try catchUp.live(journal.item("a/t/gip/signal", 26), show: record)

        #expect(shown.count == 25 + 4 + 1)
        #expect(Set(shown).count == shown.count)
        #expect(shown.last == "a/t/gip/signal#26")
        #expect(catchUp.repaired == 0)
    }

    @Test func checkTails_whenTheStoredTailIsAhead_fillsIt() throws {
        let journal = FakeJournal(["a/t/gip/signal": 2])
        var catchUp = CatchUp(prefixes: ["a/"], fetch: journal.fetch)
        var shown = [UInt64]()
        try catchUp.live(journal.item("a/t/gip/signal", 1)) { shown.append(UInt64($0.seq ?? 0)) }
        try catchUp.live(journal.item("a/t/gip/signal", 2)) { shown.append(UInt64($0.seq ?? 0)) }
        journal.stored["a/t/gip/signal"] = 5  // three more published while the feed was cut

        try catchUp.checkTails { shown.append(UInt64($0.seq ?? 0)) }

        #expect(shown == [1, 2, 3, 4, 5])
        #expect(journal.requests.first?.toSeq == 0)  // the probe asks for no items
    }
}
