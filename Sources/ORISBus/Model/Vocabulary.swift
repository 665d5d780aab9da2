// SPDX-License-Identifier: Apache-2.0

/// A word of a closed vocabulary: parsed without regard to case, written in one spelling.
package protocol Vocabulary: CaseIterable, Sendable, Hashable {
    /// The spelling on the wire.
    var word: String { get }

    /// The case whose word matches `text`, ignoring the case of ASCII letters only (so that,
    /// say, the Kelvin sign is not taken for a `k`).
    init?(word text: String)
}

extension Vocabulary {
    package init?(word text: String) {
        guard let match = Self.matching(text) else { return nil }
        self = match
    }

    /// The first case whose word equals `text` once ASCII letters are folded.
    static func matching(_ text: String) -> Self? {
        Self.allCases.first(where: { ASCII.equalIgnoringCase($0.word, text) })
    }

    /// ``matching(_:)`` for a word's UTF-8 bytes, read where they are.
    static func matching(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Self? {
        Self.allCases.first { word in
            word.word.utf8.withContiguousStorageIfAvailable { ASCII.equalIgnoringCase($0, bytes) } ?? false
        }
    }

    /// Every word, comma-separated, for error messages.
    package static var wordList: String {
        Self.allCases.map(\.word).joined(separator: ", ")
    }
}

extension Vocabulary where Self: RawRepresentable, Self.RawValue == String {
    /// Words come spelled as written far more often than not: those are found by the raw value,
    /// without a list of every case and a folded comparison with each.
    package init?(word text: String) {
        if let exact = Self(rawValue: text), exact.word == text {
            self = exact
            return
        }
        guard let match = Self.matching(text) else { return nil }
        self = match
    }
}

/// Case folding of ASCII letters alone.
package enum ASCII {
    /// `text` with A–Z turned into a–z and every other byte kept.
    package static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map(Self.lowercased(_:)), as: UTF8.self)
    }

    /// Whether `a` and `b` are equal once their ASCII letters are folded to lower case, compared
    /// in place: every publish reads its vocabulary words this way.
    package static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // Native strings keep their UTF-8 contiguous: compared through pointers, not by
        // iterating two views together (about 110 instructions a byte).
        let inPlace = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in Self.equalIgnoringCase(x, y) }
        }
        if let inPlace, let inPlace {
            return inPlace
        }
        return a.utf8.elementsEqual(b.utf8) { Self.lowercased($0) == Self.lowercased($1) }
    }

    /// ``equalIgnoringCase(_:_:)`` for two runs of bytes of the same length.
    static func equalIgnoringCase(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        for i in 0..<x.count where Self.lowercased(x[i]) != Self.lowercased(y[i]) {
            return false
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}

/// What an item is (DESIGN.md §1).
package enum Kind: String, Vocabulary {
    /// A weak signal from the field (signal faible).
    case signal
    /// An alert from the field.
    case alert
    /// A GIP's interpretation for the CRPS.
    case diagnostic
    /// A CRPS decision, sent back down.
    case decision
    /// A research axis handed to capteurs: delivered to that axis's collectors only.
    case tasking
    /// A back-planning date of a theme that is near or past: raised by the daemon alone.
    case reminder

    package var word: String { self.rawValue }

    /// The kind's place in the order above (for hashing without its raw string).
    var rank: Int {
        switch self {
        case .signal: 0
        case .alert: 1
        case .diagnostic: 2
        case .decision: 3
        case .tasking: 4
        case .reminder: 5
        }
    }

    /// Signals, alerts and diagnostics: the items that are news from the field or about it.
    var isFieldOrDiagnostic: Bool {
        switch self {
        case .signal, .alert, .diagnostic: true
        case .decision, .tasking, .reminder: false
        }
    }
}

/// Where an item is delivered.
package enum Tier: String, Vocabulary {
    case capteur
    /// The collectors of one research axis of a theme: the topic names the axis
    /// (`<tenant>/<theme>/axis/<axis>/<kind>`), and only its collectors read it.
    case axis
    case gip, crps, national
    /// Items whose status is Test, Exercise, System or Draft: kept apart, never escalated.
    case test
    /// Items already expired when they arrived: stored for the record, never sent live.
    case archive

    package var word: String { self.rawValue }

    /// The tier's place in the order above, which deliveries follow (without making
    /// `allCases`, an array, to find it).
    var rank: Int {
        switch self {
        case .capteur: 0
        case .axis: 1
        case .gip: 2
        case .crps: 3
        case .national: 4
        case .test: 5
        case .archive: 6
        }
    }
}

/// The layer of the network a member belongs to (strate).
package enum Stratum: String, Vocabulary {
    case capteur, gip, crps, national, `operator`

    package var word: String { self.rawValue }
}

/// OASIS CAP 1.2 severity, ordered from least to most severe (Unknown lowest).
package enum Severity: Int, Vocabulary, Comparable {
    case unknown = 0, minor, moderate, severe, extreme

    package var word: String {
        switch self {
        case .unknown: return "Unknown"
        case .minor: return "Minor"
        case .moderate: return "Moderate"
        case .severe: return "Severe"
        case .extreme: return "Extreme"
        }
    }

    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// OASIS CAP 1.2 urgency, ordered from Unknown (lowest) to Immediate.
package enum Urgency: String, Vocabulary, Comparable {
    case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"

    package var word: String { self.rawValue }

    var rank: Int {
        switch self {
        case .unknown: return 0
        case .past: return 1
        case .future: return 2
        case .expected: return 3
        case .immediate: return 4
        }
    }

    package static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rank < rhs.rank }
}

/// OASIS CAP 1.2 certainty.
package enum Certainty: String, Vocabulary, Comparable {
    case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely"
    case unknown = "Unknown"

    package var word: String { self.rawValue }

    var rank: Int {
        switch self {
        case .unknown: return 0
        case .unlikely: return 1
        case .possible: return 2
        case .likely: return 3
        case .observed: return 4
        }
    }

    package static func < (lhs: Certainty, rhs: Certainty) -> Bool { lhs.rank < rhs.rank }
}

/// FIRST Traffic Light Protocol 2.0, from most to least restricted.
package enum TLP: String, Vocabulary {
    case red, amberStrict = "amber+strict", amber, green, clear

    package var word: String { self.rawValue }
}

/// The posture an item was produced in (Fiche 1.2 of the founding document).
package enum Posture: String, Vocabulary {
    case prospective, proactive, reactive

    package var word: String { self.rawValue }
}

/// OASIS CAP 1.2 `status`: whom an item is for. Only `Actual` is real; the others are kept
/// apart (issue 5 routes them to their own tier).
package enum ItemStatus: String, Vocabulary {
    case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft"

    package var word: String { self.rawValue }
}

/// OASIS CAP 1.2 `msgType`: whether an item is new or updates, cancels or answers earlier ones
/// (named in `references`).
package enum MessageType: String, Vocabulary {
    case alert = "Alert", update = "Update", cancel = "Cancel", ack = "Ack", error = "Error"

    package var word: String { self.rawValue }
}
