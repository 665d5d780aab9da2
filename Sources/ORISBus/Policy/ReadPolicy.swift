// SPDX-License-Identifier: Apache-2.0

/// What a member may read, on the feed and by REPLAY: the same rule for both.
///
/// Each stratum reads its own tier, on the themes it works on, in its own tenant; the GIP also
/// reads the `test` tier (field items and diagnostics of status Test, Exercise, System, Draft)
/// and the `archive` tier (items that had expired when they arrived). Capteurs do not read the
/// `test` tier: it holds other capteurs' field items.
///
/// | stratum  | reads                                                  |
/// |----------|--------------------------------------------------------|
/// | capteur  | `<tenant>/<theme>/capteur/…`, and                       |
/// |          | `…/axis/<axis>/…` for each axis it collects for        |
/// | gip      | `<tenant>/<theme>/gip/…`, `…/test/…`, `…/archive/…`    |
/// | crps     | `<tenant>/<theme>/crps/…`                              |
/// | national | `<tenant>/<theme>/national/…`                          |
/// | operator | everything, every tenant                               |
///
/// A prefix is allowed only when every topic it can match lies inside one of those subtrees,
/// so it must name the tenant, the theme and the tier (and, on the axis tier, the axis), each
/// followed by `/`; what follows, if
/// anything, must be a kind or the start of one (`bfc/auto-rang3/gip/alert`, `…/gip/al`), so
/// that a member has only a few hundred distinct prefixes to send. `""`, `bfc/`,
/// `bfc/auto-rang3/` and look-alikes such as `bf` or `bfc/auto-rang3/gi` are refused. Tiers are
/// the boundary of what a member sees: that is what lets TLP `red` stay on the tier it was
/// published for.
package enum ReadPolicy {
    /// The tiers a stratum reads; nil for the operator, who reads every tier.
    package static func tiers(of stratum: Stratum) -> [Tier]? {
        switch stratum {
        case .capteur: return [.capteur]
        case .gip: return [.gip, .test, .archive]
        case .crps: return [.crps]
        case .national: return [.national]
        case .operator: return nil
        }
    }

    /// Whether `member` may read everything `prefix` matches.
    package static func allows(_ member: Member, _ prefix: String, in registry: Registry) -> Bool {
        if member.stratum == .operator { return true }
        guard let tiers = self.tiers(of: member.stratum) else { return false }
        let parts = prefix.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // Three named segments, each closed by a '/': tenant, theme, tier.
        guard parts.count >= 4 else { return false }
        let (tenant, theme, tierName) = (String(parts[0]), String(parts[1]), String(parts[2]))
        guard tenant == member.tenant, registry.theme(theme, tenant: tenant) != nil, member.worksOn(theme) else {
            return false
        }
        var rest = Substring(parts[3])
        if tierName == Tier.axis.word {
            // One axis, closed by '/', and only the axes the member collects for.
            guard let slash = rest.firstIndex(of: "/"),
                  registry.collection(of: member, theme: theme, axis: String(rest[..<slash])) != nil
            else { return false }
            rest = rest[rest.index(after: slash)...]
        } else if !tiers.contains(where: { $0.word == tierName }) {
            return false
        }
        // After the tier, at most a kind or the start of one: a prefix that can match no topic
        // would cost memory (libzmq keeps every prefix a peer sent) for nothing.
        return Kind.allCases.contains { $0.word.hasPrefix(rest) }
    }

    /// The subtrees `member` may read, one per theme and tier, and one per axis it collects for;
    /// `[""]` for the operator.
    package static func readable(by member: Member, in registry: Registry) -> [String] {
        guard let tiers = self.tiers(of: member.stratum) else { return [""] }
        return registry.themes(of: member.tenant).filter { member.worksOn($0.id) }.flatMap { theme in
            tiers.map { "\(member.tenant)/\(theme.id)/\($0.word)/" }
                + theme.dashboard.axes.filter { registry.collection(of: member, theme: theme.id, axis: $0.id) != nil }
                .map { Topic.prefix(tenant: member.tenant, theme: theme.id, axis: $0.id) }
        }
    }
}
