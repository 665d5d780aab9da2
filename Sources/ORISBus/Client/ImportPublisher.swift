// SPDX-License-Identifier: Apache-2.0

/// Publishes imported items as one member and tells, for each, whether it was new.
///
/// The daemon answers a known id with its first ACK marked `"duplicate": true` (PROTOCOL.md
/// section 5.2), so each ACK says whether anything was stored.
package final class ImportPublisher {
    /// What became of one item.
    package enum Outcome: Sendable, Equatable {
        /// Stored and delivered now.
        case published(tiers: [String])
        /// Its id was already stored (by an earlier import or earlier in this one).
        case alreadyPresent
        /// The daemon refused it: NAK code and sentence.
        case refused(code: String, message: String)
    }

    package let client: APIClient
    /// The member's tenant, from WELCOME.
    package let tenant: String
    package let member: String
    /// From WELCOME: the limits headers are fitted to, and bodies checked against.
    package let maximumHeaderBytes: Int
    package let maximumTitleLength: Int
    package let maximumBodyBytes: Int
    /// Says hello.
    ///
    /// - Throws: ``ClientError`` when the daemon does not answer (an unknown member is refused
    ///   during the handshake, which also looks like no answer).
    package init(client: APIClient) throws(ClientError) {
        self.client = client
        let welcome = try client.request(.hello)
        guard welcome.word == "WELCOME", let tenant = welcome.body["tenant"]?.stringValue else {
            throw ClientError.badReply("HELLO answered \(welcome.word)")
        }
        self.tenant = tenant
        self.member = welcome.body["member"]?.stringValue ?? client.member ?? ""
        let limits = welcome.body["limits"]?.objectValue
        self.maximumHeaderBytes = Int(limits?["max_header_bytes"]?.intValue ?? 16384)
        self.maximumTitleLength = Int(limits?["max_title_length"]?.intValue ?? 200)
        self.maximumBodyBytes = Int(limits?["max_body_bytes"]?.intValue ?? 1_048_576)
    }

    /// Publishes one item. A body over the daemon's `max_body_bytes` is refused here, with the
    /// code the daemon would give, and not sent: far enough over, the daemon drops the
    /// connection unanswered (PROTOCOL.md section 8), which would stop the import.
    ///
    /// - Throws: ``ClientError`` when the daemon does not answer.
    package func publish(_ item: ImportItem) throws(ClientError) -> Outcome {
        guard item.body.count <= self.maximumBodyBytes else {
            return .refused(code: "body-too-large",
                            message: Self.bodyTooLarge(item.body.count, limit: self.maximumBodyBytes))
        }
        let header = self.fitted(item.header)
        let reply = try self.client.request(.publish(header: header, body: item.body))
        guard reply.word == "ACK" else {
            return .refused(code: reply.body["code"]?.stringValue ?? reply.word,
                            message: reply.body["message"]?.stringValue ?? "")
        }
        if reply.body["duplicate"]?.boolValue == true {
            return .alreadyPresent
        }
        return .published(tiers: (reply.body["tiers"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// Why a body of `count` bytes is refused before it is sent, when the daemon's WELCOME says
    /// it takes at most `limit`.
    package static func bodyTooLarge(_ count: Int, limit: Int) -> String {
        "the body has \(count) bytes, over the daemon's max_body_bytes \(limit) (not sent)"
    }

    /// The header as bytes within the daemon's limits: the title cut to its length, then areas
    /// dropped from the end (they stay in the body) until the header fits.
    private func fitted(_ header: JSONObject) -> [UInt8] {
        var header = header
        if let title = header["title"]?.stringValue {
            header["title"] = .string(ImportText.title(title, limit: self.maximumTitleLength))
        }
        var bytes = JSONWriter.encode(.object(header))
        while bytes.count > self.maximumHeaderBytes, var areas = header["areas"]?.arrayValue, !areas.isEmpty {
            areas.removeLast(max(1, areas.count / 4))
            header["areas"] = areas.isEmpty ? nil : .array(areas)
            bytes = JSONWriter.encode(.object(header))
        }
        return bytes
    }
}

/// What an import did, for its summary line.
package struct ImportReport: Sendable {
    package var published = 0
    package var alreadyPresent = 0
    /// Source and reason of each item or file not imported.
    package var rejected: [(source: String, reason: String)] = []
    /// Items left out on purpose, by reason (rows of a region no tenant takes, entries sent before).
    package var skipped: [(reason: String, count: Int)] = []
    package init() {}

    /// Counts one outcome.
    package mutating func record(_ outcome: ImportPublisher.Outcome, source: String) {
        switch outcome {
        case .published: self.published += 1
        case .alreadyPresent: self.alreadyPresent += 1
        case .refused(let code, let message): self.rejected.append((source, "NAK \(code): \(message)"))
        }
    }

    /// One line: `published 30, already present 3, rejected 1`, and what was skipped.
    package var summary: String {
        var parts = ["published \(self.published)", "already present \(self.alreadyPresent)"]
        parts.append("rejected \(self.rejected.count)")
        for (reason, count) in self.skipped where count > 0 {
            parts.append("\(reason) \(count)")
        }
        return parts.joined(separator: ", ")
    }
}
