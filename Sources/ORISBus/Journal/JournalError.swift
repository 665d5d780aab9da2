// SPDX-License-Identifier: Apache-2.0

/// Why the journal could not do what was asked.
package enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The disk (or the file system's quota) is full; nothing was written.
    case diskFull(path: String)
    /// A system call failed.
    case io(call: String, path: String, errno: Int32)
    /// A stored record no longer reads back intact.
    case corrupt(path: String, offset: Int)
    /// A small state file does not hold what it should.
    case damaged(path: String, problem: String)

    package var description: String {
        switch self {
        case .diskFull(let path):
            return "no space left for '\(path)'"
        case .io(let call, let path, let number):
            return "\(call) '\(path)' failed: \(FileBytes.errorText(number)) (errno \(number))"
        case .corrupt(let path, let offset):
            return "the record at byte \(offset) of '\(path)' no longer reads back intact"
        case .damaged(let path, let problem):
            return "'\(path)' is damaged: \(problem)"
        }
    }
}

/// Something recovery found and dealt with, for the log.
package struct RecoveryEvent: Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// An incomplete last record was cut off (a write the crash interrupted).
        case tornTail = "torn-tail"
        /// A record whose checksum or framing failed was skipped; later records were kept.
        case corruptRecord = "corrupt-record"
        /// Records whose positions go backwards (a copied or misnamed segment) were skipped.
        case outOfOrder = "out-of-order"
        /// A segment's name does not match its first record; the record is believed.
        case misnamed = "misnamed-segment"
        /// A file in the journal folder that is not a readable segment was left alone.
        case foreignFile = "foreign-file"
        /// A segment without any intact record was left out.
        case emptySegment = "empty-segment"
        /// Whole records that do not verify run to the end of the newest segment: damage, not a
        /// torn write, so they were kept in the file, and new records go to a new segment.
        case damagedTail = "damaged-tail"
        /// Positions between two segments are in neither (a segment deleted or lost): `offset`
        /// is the first missing position, `bytes` how many are missing.
        case missingRecords = "missing-records"
        /// A number in sequences.json lies too far past the journal's records to be believed
        /// (`offset`: the journal's next position), or is no position or sequence number at all
        /// (negative, fractional, past 2^62; `offset` 0), and was not used; `bytes` 0.
        case implausibleNumbers = "implausible-numbers"
        /// Records given numbers since sequences.json was last saved were lost, so every topic
        /// skips that many sequence numbers: `offset` is the position the file was saved at,
        /// `bytes` how many records were lost.
        case skippedNumbers = "skipped-numbers"
    }

    package var kind: Kind
    package var segment: String
    package var offset: Int
    package var bytes: Int

    package var description: String {
        "\(self.kind.rawValue) in \(self.segment) at byte \(self.offset) (\(self.bytes) bytes)"
    }
}
