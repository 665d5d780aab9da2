// SPDX-License-Identifier: Apache-2.0

extension Bus {
    /// Reads one page of stored items for a member.
    ///
    /// A member reads what ``ReadPolicy`` lets it read on the feed. The reply's body
    /// says how many items came, whether more match (`more`), the `cursor` to pass as `after`
    /// for the next page, where the tenant's stored history starts (`history_start`), for
    /// each matching topic the first and last stored sequence numbers, and under
    /// `removed_before` the topics whose asked-for history was removed by retention.
    ///
    /// - Parameters:
    ///   - member: the connection's member.
    ///   - request: what to read.
    ///   - durableBefore: for each tenant, the first position not yet durable (not returned).
    /// - Throws: ``Rejection``: `forbidden` outside what the member may read, `bad-request`.
    package func replay(
        member: Member,
        request: ReplayRequest,
        durableBefore: (String) -> UInt64
    ) throws(Rejection) -> Reply {
        let tenant = String(request.prefix.prefix { $0 != "/" })
        guard request.prefix.contains("/"), self.registry.tenant(tenant) != nil,
              ReadPolicy.allows(member, request.prefix, in: self.registry)
        else {
            let readable = ReadPolicy.readable(by: member, in: self.registry).joined(separator: " ")
            throw Rejection(.forbidden, "member '\(member.id)' may not read '\(request.prefix)' "
                            + "(readable: \(readable.isEmpty ? "nothing" : readable))")
        }
        guard let journal = self.journal(of: tenant) else {
            throw Rejection(.internal, "tenant '\(tenant)' keeps no journal")
        }
        let page: (records: [JournalRecord], more: Bool)
        do {
            page = try journal.read(prefix: request.prefix, fromPosition: request.after + 1, fromSeq: request.fromSeq,
                                    toSeq: request.toSeq, fromTime: request.fromTime,
                                    beforePosition: durableBefore(tenant), limit: request.limit,
                                    byteLimit: ReplayRequest.pageBytes)
        } catch {
            throw Rejection(.internal, "the journal could not be read: \(error)")
        }
        var body = JSONObject()
        body["count"] = .int(Int64(page.records.count))
        body["more"] = .bool(page.more)
        body["cursor"] = .int(Int64(page.records.last?.position ?? request.after))
        body["history_start"] = .int(Int64(journal.firstPosition))
        var topics = JSONObject()
        var removed = JSONObject()
        for topic in journal.topics(withPrefix: request.prefix) {
            let last = journal.lastSequence(of: topic)
            let first = journal.firstSequence(of: topic) ?? (last + 1)
            topics[topic] = .object(JSONObject([
                ("first_seq", .int(Int64(first))), ("last_seq", .int(Int64(last))),
            ]))
            if first > max(request.fromSeq, 1) && request.fromSeq <= last {
                removed[topic] = .int(Int64(first))
            }
        }
        body["topics"] = .object(topics)
        // Where the request reaches into history that retention removed: the first number kept.
        if removed.count > 0 {
            body["removed_before"] = .object(removed)
        }
        var items = [[UInt8]]()
        items.reserveCapacity(page.records.count * 3)
        for record in page.records {
            items.append(Array(record.topic.utf8))
            items.append(record.header)
            items.append(record.body)
        }
        return Reply(word: "REPLAY", body: body, items: items)
    }
}
