// SPDX-License-Identifier: Apache-2.0

/// Where a delivered item is published: `<tenant>/<theme>/<tier>/<kind>`, or
/// `<tenant>/<theme>/axis/<axis>/<kind>` for the collectors of one research axis.
///
/// Subscribing to a prefix that ends in `/` takes a whole subtree, and because names cannot
/// contain `/`, the prefix `bfc/` never matches another tenant such as `bfc2`, nor
/// `bfc/t/axis/a1/` another axis such as `a10`.
package struct Topic: Sendable, Hashable, CustomStringConvertible {
    package var tenant: String
    package var theme: String
    package var tier: Tier
    package var kind: Kind
    /// The research axis, when the tier is ``Tier/axis`` (nil otherwise).
    package var axis: String?

    package init(tenant: String, theme: String, tier: Tier, kind: Kind, axis: String? = nil) {
        self.tenant = tenant
        self.theme = theme
        self.tier = tier
        self.kind = kind
        self.axis = tier == .axis ? axis : nil
    }

    /// Reads a topic written as `<tenant>/<theme>/<tier>/<kind>` or
    /// `<tenant>/<theme>/axis/<axis>/<kind>`; nil when it is not one.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 || parts.count == 5,
              Identifier.isValid(parts[0]), Identifier.isValid(parts[1]),
              let tier = Tier(rawValue: parts[2]), (tier == .axis) == (parts.count == 5),
              let kind = Kind(rawValue: parts[parts.count - 1])
        else { return nil }
        if tier == .axis {
            guard Identifier.isValid(parts[3]) else { return nil }
            self.init(tenant: parts[0], theme: parts[1], tier: tier, kind: kind, axis: parts[3])
        } else {
            self.init(tenant: parts[0], theme: parts[1], tier: tier, kind: kind)
        }
    }

    /// Hashes the theme, the tier and kind by their places (not their raw strings), and the
    /// axis. The tenant is left to `==`: topics of tenants that share a theme's name share a
    /// hash, and the bus hashes a topic for every delivery of an item.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.theme)
        hasher.combine(self.tier.rank &* 8 &+ self.kind.rank)
        hasher.combine(self.axis)
    }

    package var description: String {
        if let axis = self.axis {
            return "\(self.tenant)/\(self.theme)/axis/\(axis)/\(self.kind.rawValue)"
        }
        return "\(self.tenant)/\(self.theme)/\(self.tier.rawValue)/\(self.kind.rawValue)"
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

    /// The prefix that takes what one research axis's collectors receive.
    package static func prefix(tenant: String, theme: String, axis: String) -> String {
        "\(tenant)/\(theme)/axis/\(axis)/"
    }
}
