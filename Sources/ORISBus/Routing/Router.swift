// SPDX-License-Identifier: Apache-2.0

/// One tier an item goes to, and why when it is more than the kind's usual route.
package struct Delivery: Sendable, Equatable {
    package var tier: Tier
    package var reason: String?
    /// The theme of the topic, when it is not the item's own (an update delivered where its
    /// original went, in the original's theme).
    package var theme: String?
    /// The research axis, for the ``Tier/axis`` tier.
    package var axis: String?

    package init(tier: Tier, reason: String? = nil, theme: String? = nil, axis: String? = nil) {
        self.tier = tier
        self.reason = reason
        self.theme = theme
        self.axis = axis
    }
}

/// Where an item that an update or a cancel names was delivered.
package struct OriginalRoute: Sendable, Equatable {
    package var theme: String
    package var tier: Tier
    package var axis: String?

    package init(theme: String, tier: Tier, axis: String? = nil) {
        self.theme = theme
        self.tier = tier
        self.axis = axis
    }
}

/// What a routing rule looks at.
package struct RoutingInput: Sendable {
    package var header: ItemHeader
    package var theme: ThemeConfiguration
    package var sender: Member
    /// For an update or a cancel: where the items it names (`references`) were delivered, as
    /// far as the daemon still knows them.
    package var originals: [OriginalRoute] = []

    package init(header: ItemHeader, theme: ThemeConfiguration, sender: Member, originals: [OriginalRoute] = []) {
        self.header = header
        self.theme = theme
        self.sender = sender
        self.originals = originals
    }
}

/// A rule that adds deliveries for an item. Rules are independent; the router merges them.
package protocol RoutingRule: Sendable {
    func deliveries(for input: RoutingInput) -> [Delivery]
}

/// The route each kind takes through the strata (DESIGN.md §2): field items up to the GIP,
/// diagnostics up to the CRPS, decisions back down to the GIP and the capteurs, a tasking to
/// the collectors of its axis (and to the GIP, who hands axes out). Reminders are routed by the
/// daemon that raises them.
package struct KindRoute: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        switch input.header.kind {
        case .signal, .alert: return [Delivery(tier: .gip)]
        case .diagnostic: return [Delivery(tier: .crps)]
        case .decision: return [Delivery(tier: .gip), Delivery(tier: .capteur)]
        case .tasking:
            guard let axis = input.header.axis else { return [Delivery(tier: .gip)] }
            return [Delivery(tier: .axis, axis: axis), Delivery(tier: .gip)]
        case .reminder: return [Delivery(tier: .gip)]
        }
    }
}

/// An alert at or above its theme's severity threshold, and at least as urgent and as certain
/// as the theme asks when it sets those, also reaches the CRPS.
package struct SeverityEscalation: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        let (header, theme) = (input.header, input.theme)
        guard header.kind == .alert, header.severity >= theme.crpsSeverity else { return [] }
        var reason = "severity \(header.severity.word) at or above the theme's threshold \(theme.crpsSeverity.word)"
        if let urgency = theme.crpsUrgency {
            guard header.urgency >= urgency else { return [] }
            reason += ", urgency \(header.urgency.word) at or above \(urgency.word)"
        }
        if let certainty = theme.crpsCertainty {
            guard header.certainty >= certainty else { return [] }
            reason += ", certainty \(header.certainty.word) at or above \(certainty.word)"
        }
        return [Delivery(tier: .crps, reason: reason)]
    }
}

/// An update or a cancel (CAP `msgType`) goes wherever the items it names went, so that whoever
/// received an alert also learns that it changed or was called off.
package struct FollowOriginal: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        guard let type = input.header.messageType, type == .update || type == .cancel else { return [] }
        let word = type == .update ? "update" : "cancel"
        let names = input.header.references.prefix(3).joined(separator: ", ")
        return input.originals.map {
            Delivery(tier: $0.tier, reason: "\(word) of \(names): delivered where the original went",
                     theme: $0.theme == input.header.theme ? nil : $0.theme, axis: $0.axis)
        }
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

    /// The router with the rules of the bus today: ``KindRoute``, ``SeverityEscalation``,
    /// ``NationalOffer`` and ``FollowOriginal``.
    package static let standard = Router(rules: [KindRoute(), SeverityEscalation(), NationalOffer(),
                                                 FollowOriginal()])

    package init(rules: [any RoutingRule]) {
        self.rules = rules
    }

    package func route(_ input: RoutingInput) -> [Delivery] {
        // Items that are not live news go to a tier of their own, and nowhere else.
        if let apart = Self.apart(input.header) {
            return TLPConfinement.confine([apart], label: input.header.tlp, theme: input.theme, home: apart.tier)
        }
        // One delivery per topic (theme, tier, axis); the first reason given is kept. An item has a
        // handful of deliveries at most, so a list searched in turn beats hashing a key for each.
        var byTopic: [Delivery] = []
        for rule in self.rules {
            for delivery in rule.deliveries(for: input) {
                guard let n = byTopic.firstIndex(where: {
                    $0.tier == delivery.tier && ($0.theme ?? "") == (delivery.theme ?? "") && $0.axis == delivery.axis
                }) else {
                    byTopic.append(delivery)
                    continue
                }
                if byTopic[n].reason == nil && delivery.reason != nil {
                    byTopic[n] = delivery
                }
            }
        }
        // Tiers in order, the item's own theme first within a tier.
        let merged = byTopic.filter { $0.tier != .test && $0.tier != .archive }.sorted {
            let (l, r) = (Tier.allCases.firstIndex(of: $0.tier)!, Tier.allCases.firstIndex(of: $1.tier)!)
            return l != r ? l < r : ($0.theme ?? "", $0.axis ?? "") < ($1.theme ?? "", $1.axis ?? "")
        }
        return TLPConfinement.confine(merged, label: input.header.tlp, theme: input.theme,
                                      home: KindRoute().deliveries(for: input).first?.tier)
    }

    /// The tier an item goes to instead of its route: `test` for a signal, an alert or a
    /// diagnostic of status Test, Exercise, System or Draft (never the CRPS, never the national
    /// level; only the GIP reads it); `archive` for an item whose `expires` had passed when it
    /// arrived (stored for the record, never sent live). Decisions and taskings never reach the
    /// CRPS or the national level anyway: whatever their status they keep their route, so that
    /// an exercise tasking still reaches its axis's collectors alone.
    static func apart(_ header: ItemHeader) -> Delivery? {
        if let status = header.status, status != .actual, [.signal, .alert, .diagnostic].contains(header.kind) {
            return Delivery(tier: .test, reason: "status \(status.word): kept apart from live items")
        }
        if let text = header.expires, let expires = Timestamp(rfc3339: text), let received = header.received,
           expires.milliseconds <= received.milliseconds {
            return Delivery(tier: .archive, reason: "expired at \(text): stored, not delivered")
        }
        return nil
    }
}

