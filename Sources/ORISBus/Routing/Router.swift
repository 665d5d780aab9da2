// SPDX-License-Identifier: Apache-2.0

/// One tier an item goes to, and why when it is more than the kind's usual route.
package struct Delivery: Sendable, Equatable {
    package var tier: Tier
    package var reason: String?

    package init(tier: Tier, reason: String? = nil) {
        self.tier = tier
        self.reason = reason
    }
}

/// What a routing rule looks at.
package struct RoutingInput: Sendable {
    package var header: ItemHeader
    package var theme: ThemeConfiguration
    package var sender: Member
}

/// A rule that adds deliveries for an item. Rules are independent; the router merges them.
package protocol RoutingRule: Sendable {
    func deliveries(for input: RoutingInput) -> [Delivery]
}

/// The route each kind takes through the strata (DESIGN.md §2): field items up to the GIP,
/// diagnostics up to the CRPS, decisions back down to the GIP and the capteurs, taskings to the
/// capteurs.
package struct KindRoute: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        switch input.header.kind {
        case .signal, .alert: return [Delivery(tier: .gip)]
        case .diagnostic: return [Delivery(tier: .crps)]
        case .decision: return [Delivery(tier: .gip), Delivery(tier: .capteur)]
        case .tasking: return [Delivery(tier: .capteur)]
        }
    }
}

/// An alert at or above its theme's threshold also reaches the CRPS.
package struct SeverityEscalation: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        guard input.header.kind == .alert, input.header.severity >= input.theme.crpsSeverity else {
            return []
        }
        let reason = "severity \(input.header.severity.word) at or above the theme's "
            + "threshold \(input.theme.crpsSeverity.word)"
        return [Delivery(tier: .crps, reason: reason)]
    }
}

/// On a trans-regional theme, a field item or diagnostic at or above the theme's national
/// severity is offered to the national level (the relay reads the `national` tier). TLP may
/// still hold it back (``TLPConfinement``).
package struct NationalOffer: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        let theme = input.theme
        guard theme.isTransRegional, [.signal, .alert, .diagnostic].contains(input.header.kind),
              input.header.severity >= theme.nationalSeverity
        else { return [] }
        let reason = "trans-regional theme: severity \(input.header.severity.word) at or above the national "
            + "threshold \(theme.nationalSeverity.word)"
        return [Delivery(tier: .national, reason: reason)]
    }
}

/// Runs the rules and merges their deliveries: one per tier, the first reason kept, tiers in
/// the order capteur, gip, crps, national; then TLP confines the result.
package struct Router: Sendable {
    package var rules: [any RoutingRule]

    /// The router with the rules of the bus today: ``KindRoute``, ``SeverityEscalation`` and
    /// ``NationalOffer``.
    package static let standard = Router(rules: [KindRoute(), SeverityEscalation(), NationalOffer()])

    package init(rules: [any RoutingRule]) {
        self.rules = rules
    }

    package func route(_ input: RoutingInput) -> [Delivery] {
        var byTier: [Tier: Delivery] = [:]
        for rule in self.rules {
            for delivery in rule.deliveries(for: input) where byTier[delivery.tier]?.reason == nil {
                if let existing = byTier[delivery.tier], delivery.reason == nil {
                    byTier[delivery.tier] = existing
                } else {
                    byTier[delivery.tier] = delivery
                }
            }
        }
        let merged = Tier.allCases.compactMap { byTier[$0] }
        return TLPConfinement.confine(merged, label: input.header.tlp, theme: input.theme,
                                      home: KindRoute().deliveries(for: input).first?.tier)
    }
}
