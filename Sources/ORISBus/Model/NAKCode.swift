// SPDX-License-Identifier: Apache-2.0

/// Why the daemon refused a request: a stable code on the wire.
///
/// The words never change meaning and are never reused; the sentence sent beside a code may
/// improve. docs/PROTOCOL.md lists them all.
package enum NAKCode: String, Sendable, CaseIterable, Error {
    /// The message does not have the number of frames its command takes.
    case badFrames = "bad-frames"
    /// The first frame is not the protocol signature this daemon speaks.
    case badProtocol = "bad-protocol"
    /// The command word is not one the daemon knows.
    case badCommand = "bad-command"
    /// The header frame is not valid JSON.
    case badJSON = "bad-json"
    /// The header is JSON but not an object.
    case notObject = "not-object"
    /// The header's `v` is not a version this daemon reads.
    case badVersion = "bad-version"
    /// A text frame or header is not valid UTF-8.
    case badUTF8 = "bad-utf8"
    /// A text field contains a NUL character.
    case nulByte = "nul-byte"
    /// The header has no `kind`.
    case missingKind = "missing-kind"
    /// The `kind` is not one of signal, alert, diagnostic, decision, tasking.
    case unknownKind = "unknown-kind"
    /// The header has no `theme`.
    case missingTheme = "missing-theme"
    /// The theme is not one of the sender's tenant.
    case unknownTheme = "unknown-theme"
    /// A tasking names no research axis, or one its theme does not have.
    case unknownAxis = "unknown-axis"
    /// The `severity` is not on the CAP scale.
    case badSeverity = "bad-severity"
    /// The `urgency` is not on the CAP scale.
    case badUrgency = "bad-urgency"
    /// The `certainty` is not on the CAP scale.
    case badCertainty = "bad-certainty"
    /// The `tlp` is not a TLP 2.0 label.
    case badTLP = "bad-tlp"
    /// The `posture` is not prospective, proactive or reactive.
    case badPosture = "bad-posture"
    /// The `title` is missing, empty or longer than the limit.
    case badTitle = "bad-title"
    /// The `id` is not a valid item id.
    case badID = "bad-id"
    /// The `id` was already used by another member of the tenant.
    case idInUse = "id-in-use"
    /// A time field is not RFC 3339.
    case badTime = "bad-time"
    /// Another field has the wrong type or value, or the header names a field this version
    /// does not define.
    case badField = "bad-field"
    /// The header is larger than the configured limit.
    case headerTooLarge = "header-too-large"
    /// The body is larger than the configured limit.
    case bodyTooLarge = "body-too-large"
    /// The connection carries no member identity the daemon knows.
    case unknownMember = "unknown-member"
    /// The member may not do this: its stratum may not publish this kind or on this theme, may
    /// not read this prefix, or its role does not allow this control command.
    case forbidden = "forbidden"
    /// The tenant's journal has no space left: nothing was stored; retry later.
    case storageFull = "storage-full"
    /// A request's arguments are wrong (REPLAY, AUDIT, MEMBER).
    case badRequest = "bad-request"
    /// The tenant is over one of its quotas (rate, body size, topics, members, storage): nothing
    /// was stored; the message says which. A rate refusal clears within a second.
    case overQuota = "over-quota"
    /// A control command would take a name or key that is already in use.
    case conflict = "conflict"
    /// A control command names a member, theme or axis that does not exist.
    case notFound = "not-found"
    /// The daemon could not do what was asked for a reason of its own.
    case `internal` = "internal"

    /// The word on the wire.
    package var word: String { self.rawValue }
}

/// A refused request: the code, a sentence for people, and the item id when known.
package struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: NAKCode
    package var message: String
    package var id: String?

    package init(_ code: NAKCode, _ message: String, id: String? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    package var description: String { "\(self.code.word): \(self.message)" }
}
