// SPDX-License-Identifier: Apache-2.0

/// Item ids made from what identifies a source document, so that importing it again gives the
/// same id and the daemon stores nothing new (a publish of a known id is answered with its
/// first ACK).
///
/// The id has the ULID layout the daemon uses for its own ids: ten characters of the source's
/// own time (CAP `sent`, a feed entry's `updated`), so ids still sort by time, then 80 bits of
/// the SHA-256 of the identifying text.
package enum StableID {
    /// The id of the document identified by `parts` (joined with a separator no part contains),
    /// dated `time` (the epoch when the source has no date).
    package static func make(_ parts: [String], time: Timestamp?) -> String {
        let digest = SHA256.hash(Array(parts.joined(separator: "\u{1F}").utf8))
        let high = UInt16(digest[0]) << 8 | UInt16(digest[1])
        let low = digest[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return ItemIDGenerator.encode(milliseconds: max(0, time?.milliseconds ?? 0), random: (high, low))
    }

    /// The id of a CAP alert: its sender, identifier and sent time, as CAP's `references` names
    /// an earlier alert ("sender,identifier,sent").
    package static func cap(sender: String, identifier: String, sent: String) -> String {
        self.make(["cap", sender, identifier, sent], time: Timestamp(rfc3339: sent))
    }
}
