// SPDX-License-Identifier: Apache-2.0

/// When appended records are flushed to the disk, and so what an ACK promises.
package enum FsyncPolicy: Sendable, Equatable {
    /// The ACK (and the live delivery) wait for an `fdatasync` that covers the item; many items
    /// share one sync (group commit). An acknowledged item survives a crash of the machine.
    case always
    /// ACK and deliver at once; sync every `milliseconds`. A crash of the machine may lose what
    /// was acknowledged in the last interval; a crash of the daemon alone loses nothing.
    case batch(milliseconds: Int)
    /// ACK and deliver at once; the kernel writes when it likes. A crash of the daemon alone
    /// loses nothing; a crash of the machine may lose anything not yet written back.
    case never

    package var word: String {
        switch self {
        case .always: return "always"
        case .batch: return "batch"
        case .never: return "never"
        }
    }
}

/// A tenant's journal settings.
package struct DurabilityPolicy: Sendable, Equatable {
    package var fsync: FsyncPolicy = .always
    /// A new segment file is started past this size.
    package var segmentBytes: Int = 64 * 1024 * 1024
    /// How long a publish id is remembered for idempotent retries, in seconds.
    package var dedupeWindowSeconds: Int = 24 * 3600
    /// The most ids remembered per tenant (the oldest are forgotten first).
    package var dedupeMaxItems: Int = 1_000_000
    /// Segments whose newest item is older than this many seconds are removed (0: keep).
    package var retentionSeconds: Int = 0
    /// Old segments are removed while the journal holds more than this many bytes (0: keep).
    package var retentionBytes: Int = 0

    /// Whether any retention limit is set.
    package var hasRetention: Bool { self.retentionSeconds > 0 || self.retentionBytes > 0 }

    package init() {}
}
