// SPDX-License-Identifier: Apache-2.0

/// Watches weak signals for convergence: when signals on one theme that share a tag (or an
/// axis) come from at least K independent capteurs within a window, it says so, once per
/// cluster and window.
///
/// Independent means distinct members, and distinct organisations where members carry one
/// (two members of one CCI count once). Its state is rebuilt at start from the journal
/// (``Bus`` feeds it the stored signals and the alerts already raised), so it survives a restart.
package struct Corroborator: Sendable {
    /// One signal as the corroborator remembers it.
    package struct Signal: Sendable, Equatable {
        package var id: String
        package var time: Int64
        /// The organisation when the member has one, else the member: what must differ.
        package var source: String
        package var severity: Severity
        package var tlp: TLP
    }

    /// A cluster that reached its threshold.
    package struct Finding: Sendable, Equatable {
        package var tenant: String
        package var theme: String
        package var match: CorroborationRule.Match
        /// The tag or axis the signals share.
        package var value: String
        /// The signals of the window, oldest first.
        package var signals: [Signal]
        /// How many independent sources they come from.
        package var sources: Int
        package var rule: CorroborationRule
    }

    private var clusters: [String: [Signal]] = [:]
    /// When each cluster last raised an alert (milliseconds).
    private var raised: [String: Int64] = [:]

    package init() {}

    /// The tags of one signal that count for corroboration (its first ones), so that a signal
    /// with many tags cannot raise alerts in as many clusters.
    package static let maximumTags = 4

    static func key(_ tenant: String, _ theme: String, _ match: CorroborationRule.Match, _ value: String) -> String {
        "\(tenant)/\(theme)/\(match.word)/\(value)"
    }

    /// The values an item's header brings to a rule: its tags, or its axis.
    static func values(of header: ItemHeader, for rule: CorroborationRule) -> [String] {
        switch rule.match {
        case .tag: return Array(Set(header.tags.prefix(Self.maximumTags))).sorted()
        case .axis: return header.axis.map { [$0] } ?? []
        }
    }

    /// Records that an alert was raised for a cluster at `time` (also when rebuilding).
    package mutating func noteRaised(tenant: String, theme: String, match: CorroborationRule.Match, value: String,
                                     at time: Int64) {
        let key = Self.key(tenant, theme, match, value)
        self.raised[key] = max(self.raised[key] ?? time, time)
    }

    /// Takes one weak signal; returns the clusters it makes reach the threshold, each at most
    /// once per window.
    ///
    /// - Parameters:
    ///   - rebuilding: true while reading the journal at start: the state is rebuilt, nothing
    ///     is reported (alerts raised before the restart were noted with ``noteRaised``).
    package mutating func take(
        _ header: ItemHeader,
        tenant: String,
        source: String,
        rule: CorroborationRule,
        at time: Int64,
        rebuilding: Bool = false
    ) -> [Finding] {
        var found = [Finding]()
        let window = Int64(rule.windowSeconds) * 1000
        let signal = Signal(id: header.id, time: time, source: source, severity: header.severity, tlp: header.tlp)
        for value in Self.values(of: header, for: rule) {
            let key = Self.key(tenant, header.theme, rule.match, value)
            var signals = self.clusters[key, default: []].filter { $0.time > time - window }
            signals.append(signal)
            self.clusters[key] = signals
            let sources = Set(signals.map(\.source)).count
            guard !rebuilding, sources >= rule.sources else { continue }
            if let last = self.raised[key], last > time - window { continue }
            self.raised[key] = time
            found.append(Finding(tenant: tenant, theme: header.theme, match: rule.match, value: value,
                                 signals: signals, sources: sources, rule: rule))
        }
        return found
    }
}
