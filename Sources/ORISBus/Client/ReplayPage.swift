// SPDX-License-Identifier: Apache-2.0

/// One page of a `REPLAY` answer, read.
package struct ReplayPage: Sendable {
    package var items: [ReceivedItem]
    /// Whether more items match after this page.
    package var more: Bool
    /// The position to pass as `after` for the next page.
    package var cursor: UInt64
    /// The first position the tenant still stores.
    package var historyStart: UInt64
    /// For each matching topic, the first and last sequence numbers stored.
    package var topics: [String: (first: UInt64, last: UInt64)]

    /// Reads a reply; nil when it is not a REPLAY page.
    package init?(_ reply: Reply) {
        guard reply.word == "REPLAY", reply.items.count % 3 == 0 else { return nil }
        var items = [ReceivedItem]()
        var index = 0
        while index < reply.items.count {
            let headerBytes = reply.items[index + 1]
            items.append(ReceivedItem(topic: String(decoding: reply.items[index], as: UTF8.self),
                                      header: (try? JSONParser.parse(headerBytes))?.objectValue,
                                      rawHeader: headerBytes, body: reply.items[index + 2]))
            index += 3
        }
        self.items = items
        self.more = reply.body["more"]?.boolValue ?? false
        self.cursor = UInt64(max(0, reply.body["cursor"]?.intValue ?? 0))
        self.historyStart = UInt64(max(0, reply.body["history_start"]?.intValue ?? 0))
        var topics: [String: (UInt64, UInt64)] = [:]
        for (topic, value) in reply.body["topics"]?.objectValue?.pairs ?? [] {
            let first = UInt64(max(0, value.objectValue?["first_seq"]?.intValue ?? 0))
            let last = UInt64(max(0, value.objectValue?["last_seq"]?.intValue ?? 0))
            topics[topic] = (first, last)
        }
        self.topics = topics
    }
}

extension APIClient {
    /// Asks for one page of stored items.
    ///
    /// - Throws: ``ClientError``; a NAK comes back as ``ReplayRefused``.
    package func replay(_ request: ReplayRequest) throws -> ReplayPage {
        let reply = try self.request(.replay(arguments: request.encoded))
        guard let page = ReplayPage(reply) else {
            throw ReplayRefused(reply: reply)
        }
        return page
    }
}

/// The daemon refused a replay (its NAK).
package struct ReplayRefused: Error, CustomStringConvertible {
    package let reply: Reply

    package var description: String {
        let code = self.reply.body["code"]?.stringValue ?? self.reply.word
        return "NAK \(code): \(self.reply.body["message"]?.stringValue ?? "")"
    }
}
