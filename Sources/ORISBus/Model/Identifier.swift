// SPDX-License-Identifier: Apache-2.0

/// Rules for the names that become topic segments: tenants, themes, members.
package enum Identifier {
    /// The longest name accepted.
    package static let maximumLength = 48

    /// Whether `text` is a valid name: 1 to 48 characters of lower-case ASCII letters, digits and
    /// `-`, starting with a letter or digit. No `/`, so a name can never reach into a sibling's
    /// topic subtree.
    package static func isValid(_ text: String) -> Bool {
        // Read in place: every publish checks its theme, so no copy of the bytes is made.
        Self.isValid(utf8: text.utf8)
    }

    /// ``isValid(_:)`` for a name's UTF-8 bytes, read where they are.
    static func isValid<C: Collection<UInt8>>(utf8 bytes: C) -> Bool {
        guard let first = bytes.first, bytes.count <= maximumLength, isLowerAlnum(first) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    /// The longest item id accepted.
    package static let maximumItemIDLength = 128

    /// Whether `text` is a valid item id: 1 to 128 printable ASCII characters other than space,
    /// `"`, `\`, `,` and `/`.
    package static func isValidItemID(_ text: String) -> Bool {
        Self.isItemID(text.utf8)
    }

    /// Whether a publisher may give an item this id: a valid item id without `~`, which marks
    /// the ids the daemon makes itself (`ID~crps` for an escalation, `…~reminder`), so that no
    /// member can take one first and keep the daemon's item from being stored.
    package static func isValidPublishedID(_ text: String) -> Bool {
        Self.isValidPublishedID(utf8: text.utf8)
    }

    /// ``isValidPublishedID(_:)`` for an id's UTF-8 bytes, read where they are.
    static func isValidPublishedID<C: Collection<UInt8>>(utf8 bytes: C) -> Bool {
        Self.isItemID(bytes) && !bytes.contains(UInt8(ascii: "~"))
    }

    private static func isItemID<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumItemIDLength else { return false }
        return bytes.allSatisfy { b in
            b > 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\")
                && b != UInt8(ascii: ",") && b != UInt8(ascii: "/")
        }
    }
}
