// SPDX-License-Identifier: Apache-2.0

/// The arguments of a `REPLAY` request: which stored items, from where, how many.
package struct ReplayRequest: Sendable, Equatable {
    /// Topics starting with this (a whole topic, or a prefix ending in `/`).
    package var prefix: String
    /// On each topic, the first sequence number wanted.
    package var fromSeq: UInt64 = 0
    /// On each topic, the last sequence number wanted.
    package var toSeq: UInt64 = .max
    /// The earliest received time wanted.
    package var fromTime: Timestamp?
    /// The cursor of the previous page: only positions after it.
    package var after: UInt64 = 0
    /// The most items in this page.
    package var limit: Int = 100
    /// True when the replay fills a gap the subscriber saw in its live feed: the daemon counts
    /// these per member, which is how it learns what the feed dropped for whom.
    package var isRepair = false

    /// The most items one page may hold.
    package static let maximumLimit = 1000
    /// A page stops growing past this many bytes.
    package static let pageBytes = 256 * 1024

    package init(prefix: String) {
        self.prefix = prefix
    }

    /// Reads the arguments frame.
    ///
    /// - Throws: ``Rejection`` with `bad-json`, `not-object` or `bad-request`.
    package init(_ bytes: [UInt8]) throws(Rejection) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw Rejection(.badJSON, "the REPLAY arguments are not JSON: \(error)")
        }
        guard case .object(let o) = value else {
            throw Rejection(.notObject, "the REPLAY arguments are \(value.typeName), not a JSON object")
        }
        let known = ["prefix", "from_seq", "to_seq", "from_time", "after", "limit", "repair"]
        for key in o.keys where !known.contains(key) {
            throw Rejection(.badRequest, "unknown REPLAY argument '\(key)' (known: \(known.joined(separator: ", ")))")
        }
        guard let prefix = o["prefix"]?.stringValue, !prefix.isEmpty, !prefix.utf8.contains(0) else {
            throw Rejection(.badRequest, "REPLAY needs a non-empty 'prefix', such as \"bfc/auto-rang3/gip/\"")
        }
        self.prefix = prefix
        func count(_ key: String) throws(Rejection) -> UInt64? {
            guard let v = o[key] else { return nil }
            guard let n = v.intValue, n >= 0 else {
                throw Rejection(.badRequest, "'\(key)' must be a whole number of 0 or more")
            }
            return UInt64(n)
        }
        self.fromSeq = try count("from_seq") ?? 0
        self.toSeq = try count("to_seq") ?? .max
        self.after = try count("after") ?? 0
        if let value = o["limit"] {
            guard let limit = value.intValue, limit >= 1 && limit <= Self.maximumLimit else {
                throw Rejection(.badRequest, "'limit' must be a whole number from 1 to \(Self.maximumLimit)")
            }
            self.limit = Int(limit)
        }
        if let repair = o["repair"] {
            guard let flag = repair.boolValue else {
                throw Rejection(.badRequest, "'repair' must be true or false")
            }
            self.isRepair = flag
        }
        if let t = o["from_time"] {
            guard let text = t.stringValue, let time = Timestamp(rfc3339: text) else {
                throw Rejection(.badTime, "'from_time' is not an RFC 3339 date and time")
            }
            self.fromTime = time
        }
    }

    /// The arguments frame, for clients.
    package var encoded: [UInt8] {
        var o = JSONObject()
        o["prefix"] = .string(self.prefix)
        if self.fromSeq > 0 { o["from_seq"] = .int(Int64(self.fromSeq)) }
        if self.toSeq != .max { o["to_seq"] = .int(Int64(clamping: self.toSeq)) }
        if let fromTime { o["from_time"] = .string(fromTime.description) }
        if self.after > 0 { o["after"] = .int(Int64(self.after)) }
        o["limit"] = .int(Int64(self.limit))
        if self.isRepair { o["repair"] = .bool(true) }
        return JSONWriter.encode(.object(o))
    }
}
