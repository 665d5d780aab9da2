// SPDX-License-Identifier: Apache-2.0

/// Where a delivered item is published: `<tenant>/<theme>/<tier>/<kind>`.
///
/// Subscribing to a prefix that ends in `/` takes a whole subtree, and because names cannot
/// contain `/`, the prefix `bfc/` never matches another tenant such as `bfc2`.
package struct Topic: Sendable, Hashable, CustomStringConvertible {
    package var tenant: String
    package var theme: String
    package var tier: Tier
    package var kind: Kind

    package init(tenant: String, theme: String, tier: Tier, kind: Kind) {
        self.tenant = tenant
        self.theme = theme
        self.tier = tier
        self.kind = kind
    }

    /// Reads a topic written as `<tenant>/<theme>/<tier>/<kind>`; nil when it is not one.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4,
              Identifier.isValid(parts[0]), Identifier.isValid(parts[1]),
              let tier = Tier(rawValue: parts[2]), let kind = Kind(rawValue: parts[3])
        else { return nil }
        self.init(tenant: parts[0], theme: parts[1], tier: tier, kind: kind)
    }

    package var description: String {
        "\(self.tenant)/\(self.theme)/\(self.tier.rawValue)/\(self.kind.rawValue)"
    }

    /// The topic as the bytes of a frame.
    package var bytes: [UInt8] { Array(self.description.utf8) }

    /// The prefix that takes a whole tenant: `<tenant>/`.
    package static func prefix(tenant: String) -> String { "\(tenant)/" }

    /// The prefix that takes a theme of a tenant, or one of its tiers.
    package static func prefix(tenant: String, theme: String, tier: Tier? = nil) -> String {
        if let tier {
            return "\(tenant)/\(theme)/\(tier.rawValue)/"
        }
        return "\(tenant)/\(theme)/"
    }
}
