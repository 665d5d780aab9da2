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
        var out: [Delivery] = []
        Self.add(for: input.header, into: &out)
        return out
    }

    /// The tier an item is published for: its route's first.
    static func home(of header: ItemHeader) -> Tier {
        switch header.kind {
        case .signal, .alert, .decision, .reminder: return .gip
        case .diagnostic: return .crps
        case .tasking: return header.axis == nil ? .gip : .axis
        }
    }

    /// Passes each delivery of the route to `add`, in order (no array made for them).
    static func add(for header: ItemHeader, into out: inout [Delivery]) {
        switch header.kind {
        case .signal, .alert, .reminder: Router.merge(Delivery(tier: .gip), into: &out)
        case .diagnostic: Router.merge(Delivery(tier: .crps), into: &out)
        case .decision:
            Router.merge(Delivery(tier: .gip), into: &out)
            Router.merge(Delivery(tier: .capteur), into: &out)
        case .tasking:
            if let axis = header.axis { Router.merge(Delivery(tier: .axis, axis: axis), into: &out) }
            Router.merge(Delivery(tier: .gip), into: &out)
        }
    }
}

/// An alert at or above its theme's severity threshold, and at least as urgent and as certain
/// as the theme asks when it sets those, also reaches the CRPS.
package struct SeverityEscalation: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        Self.delivery(for: input.header, theme: input.theme).map { [$0] } ?? []
    }

    /// The rule's one delivery, if it adds one.
    static func delivery(for header: ItemHeader, theme: ThemeConfiguration) -> Delivery? {
        guard header.kind == .alert, header.severity >= theme.crpsSeverity else { return nil }
        var reason = "severity \(header.severity.word) at or above the theme's threshold \(theme.crpsSeverity.word)"
        if let urgency = theme.crpsUrgency {
            guard header.urgency >= urgency else { return nil }
            reason += ", urgency \(header.urgency.word) at or above \(urgency.word)"
        }
        if let certainty = theme.crpsCertainty {
            guard header.certainty >= certainty else { return nil }
            reason += ", certainty \(header.certainty.word) at or above \(certainty.word)"
        }
        return Delivery(tier: .crps, reason: reason)
    }
}

/// An update or a cancel (CAP `msgType`) goes wherever the items it names went, so that whoever
/// received an alert also learns that it changed or was called off.
package struct FollowOriginal: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        var out: [Delivery] = []
        Self.add(for: input.header, originals: input.originals) { out.append($0) }
        return out
    }

    /// Passes each delivery the rule adds to `add`, in order.
    static func add(for header: ItemHeader, originals: [OriginalRoute], _ add: (Delivery) -> Void) {
        guard let type = header.messageType, type == .update || type == .cancel, !originals.isEmpty else { return }
        let word = type == .update ? "update" : "cancel"
        let names = header.references.prefix(3).joined(separator: ", ")
        for original in originals {
            add(Delivery(tier: original.tier, reason: "\(word) of \(names): delivered where the original went",
                         theme: original.theme == header.theme ? nil : original.theme, axis: original.axis))
        }
    }
}

/// On a trans-regional theme, a field item or diagnostic at or above the theme's national
/// severity is offered to the national level (the relay reads the `national` tier). TLP may
/// still hold it back (``TLPConfinement``).
package struct NationalOffer: RoutingRule {
    package init() {}

    package func deliveries(for input: RoutingInput) -> [Delivery] {
        Self.delivery(for: input.header, theme: input.theme).map { [$0] } ?? []
    }

    /// The rule's one delivery, if it adds one.
    static func delivery(for header: ItemHeader, theme: ThemeConfiguration) -> Delivery? {
        guard theme.isTransRegional, header.kind.isFieldOrDiagnostic, header.severity >= theme.nationalSeverity
        else { return nil }
        let reason = "trans-regional theme: severity \(header.severity.word) at or above the national "
            + "threshold \(theme.nationalSeverity.word)"
        return Delivery(tier: .national, reason: reason)
    }
}

/// Runs the rules and merges their deliveries: one per tier, the first reason kept, tiers in
/// the order capteur, gip, crps, national; then TLP confines the result.
package struct Router: Sendable {
    package var rules: [any RoutingRule] {
        didSet { self.isStandard = false }
    }
    /// The rules are the standard ones, in their order: ``route(_:theme:sender:originals:)`` then
    /// runs them as one fixed function, with no call through the protocol and no array per rule
    /// (a tenth of a publish before).
    package private(set) var isStandard = false

    /// The router with the rules of the bus today: ``KindRoute``, ``SeverityEscalation``,
    /// ``NationalOffer`` and ``FollowOriginal``.
    package static let standard: Router = {
        var router = Router(rules: [KindRoute(), SeverityEscalation(), NationalOffer(), FollowOriginal()])
        router.isStandard = true
        return router
    }()

    package init(rules: [any RoutingRule]) {
        self.rules = rules
    }

    package func route(_ input: RoutingInput) -> [Delivery] {
        self.route(input.header, theme: input.theme, sender: input.sender, originals: input.originals)
    }

    /// ``route(_:)`` without the ``RoutingInput`` (and its copy of the header) for the standard
    /// rules.
    package func route(
        _ header: ItemHeader,
        theme: ThemeConfiguration,
        sender: Member,
        originals: [OriginalRoute]
    ) -> [Delivery] {
        // Items that are not live news go to a tier of their own, and nowhere else.
        if let apart = Self.apart(header) {
            return TLPConfinement.confine([apart], label: header.tlp, theme: theme, home: apart.tier)
        }
        var byTopic: [Delivery] = []
        if self.isStandard {
            byTopic.reserveCapacity(4)
            KindRoute.add(for: header, into: &byTopic)
            if let delivery = SeverityEscalation.delivery(for: header, theme: theme) {
                Self.merge(delivery, into: &byTopic)
            }
            if let delivery = NationalOffer.delivery(for: header, theme: theme) {
                Self.merge(delivery, into: &byTopic)
            }
            FollowOriginal.add(for: header, originals: originals) { Self.merge($0, into: &byTopic) }
        } else {
            let input = RoutingInput(header: header, theme: theme, sender: sender, originals: originals)
            for rule in self.rules {
                for delivery in rule.deliveries(for: input) {
                    Self.merge(delivery, into: &byTopic)
                }
            }
        }
        // Tiers in order, the item's own theme first within a tier.
        byTopic.removeAll { $0.tier == .test || $0.tier == .archive }
        if byTopic.count > 1 {
            byTopic.sort {
                let (l, r) = ($0.tier.rank, $1.tier.rank)
                return l != r ? l < r : ($0.theme ?? "", $0.axis ?? "") < ($1.theme ?? "", $1.axis ?? "")
            }
        }
        let home = KindRoute.home(of: header)
        byTopic.removeAll { !TLPConfinement.allows(header.tlp, tier: $0.tier, theme: theme, home: home) }
        return byTopic
    }

    /// Adds a delivery unless one on its topic (theme, tier, axis) is there already; the first
    /// reason given is kept. An item has a handful of deliveries at most, so a list searched in
    /// turn beats hashing a key for each.
    static func merge(_ delivery: Delivery, into byTopic: inout [Delivery]) {
        guard let n = byTopic.firstIndex(where: {
            $0.tier == delivery.tier && ($0.theme ?? "") == (delivery.theme ?? "") && $0.axis == delivery.axis
        }) else {
            byTopic.append(delivery)
            return
        }
        if byTopic[n].reason == nil && delivery.reason != nil {
            byTopic[n] = delivery
        }
    }

    /// The tier an item goes to instead of its route: `test` for a signal, an alert or a
    /// diagnostic of status Test, Exercise, System or Draft (never the CRPS, never the national
    /// level; only the GIP reads it); `archive` for an item whose `expires` had passed when it
    /// arrived (stored for the record, never sent live). Decisions and taskings never reach the
    /// CRPS or the national level anyway: whatever their status they keep their route, so that
    /// an exercise tasking still reaches its axis's collectors alone.
    static func apart(_ header: ItemHeader) -> Delivery? {
        if let status = header.status, status != .actual, header.kind.isFieldOrDiagnostic {
            return Delivery(tier: .test, reason: "status \(status.word): kept apart from live items")
        }
        if let text = header.expires, let expires = Timestamp(rfc3339: text), let received = header.received,
           expires.milliseconds <= received.milliseconds {
            return Delivery(tier: .archive, reason: "expired at \(text): stored, not delivered")
        }
        return nil
    }
}

