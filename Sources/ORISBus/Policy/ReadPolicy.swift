// SPDX-License-Identifier: Apache-2.0

/// What a member may read, on the feed and by REPLAY: the same rule for both.
///
/// Each stratum reads its own tier, on the themes it works on, in its own tenant:
///
/// | stratum  | reads                                   |
/// |----------|-----------------------------------------|
/// | capteur  | `<tenant>/<theme>/capteur/…`            |
/// | gip      | `<tenant>/<theme>/gip/…`                |
/// | crps     | `<tenant>/<theme>/crps/…`               |
/// | national | `<tenant>/<theme>/national/…`           |
/// | operator | everything, every tenant                |
///
/// A prefix is allowed only when every topic it can match lies inside one of those subtrees,
/// so it must name the tenant, the theme and the tier, each followed by `/` (more may follow:
/// `bfc/auto-rang3/gip/alert`). `""`, `bfc/`, `bfc/auto-rang3/` and look-alikes such as `bf`
/// or `bfc/auto-rang3/gi` are refused. Tiers are the boundary of what a member sees: that is
/// what lets TLP `red` stay on the tier it was published for.
package enum ReadPolicy {
    /// The tier a stratum reads; nil for the operator, who reads every tier.
    package static func tier(of stratum: Stratum) -> Tier? {
        switch stratum {
        case .capteur: return .capteur
        case .gip: return .gip
        case .crps: return .crps
        case .national: return .national
        case .operator: return nil
        }
    }

    /// Whether `member` may read everything `prefix` matches.
    package static func allows(_ member: Member, _ prefix: String, in registry: Registry) -> Bool {
        if member.stratum == .operator { return true }
        guard let tier = self.tier(of: member.stratum) else { return false }
        let parts = prefix.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // Three named segments, each closed by a '/': tenant, theme, tier.
        guard parts.count >= 4 else { return false }
        let (tenant, theme, tierName) = (String(parts[0]), String(parts[1]), String(parts[2]))
        return tenant == member.tenant && tierName == tier.word && registry.theme(theme, tenant: tenant) != nil
            && member.worksOn(theme)
    }

    /// The subtrees `member` may read, one per theme; `[""]` for the operator.
    package static func readable(by member: Member, in registry: Registry) -> [String] {
        guard let tier = self.tier(of: member.stratum) else { return [""] }
        return registry.themes(of: member.tenant).filter { member.worksOn($0.id) }.map {
            "\(member.tenant)/\($0.id)/\(tier.word)/"
        }
    }
}
