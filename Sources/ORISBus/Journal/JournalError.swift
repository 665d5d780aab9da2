// SPDX-License-Identifier: Apache-2.0

/// Why the journal could not do what was asked.
package enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The disk (or the file system's quota) is full; nothing was written.
    case diskFull(path: String)
    /// A system call failed.
    case io(call: String, path: String, errno: Int32)

    package var description: String {
        switch self {
        case .diskFull(let path):
            return "no space left for '\(path)'"
        case .io(let call, let path, let number):
            return "\(call) '\(path)' failed: \(FileBytes.errorText(number)) (errno \(number))"
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
    }

    package var kind: Kind
    package var segment: String
    package var offset: Int
    package var bytes: Int

    package var description: String {
        "\(self.kind.rawValue) in \(self.segment) at byte \(self.offset) (\(self.bytes) bytes)"
    }
}
