// SPDX-License-Identifier: Apache-2.0

extension Bus {
    /// The sender of the items the daemon itself raises. Not a valid member name, so no member
    /// can be mistaken for it.
    package static let daemonSender = "@oris"

    /// The extension field that marks a corroboration alert and says what it groups.
    static let corroborationField = "x-corroboration"

    /// Raises the corroboration alert of a cluster: an alert to the GIP and the CRPS listing the
    /// contributing signals, as severe as the most severe of them and labelled with the strictest
    /// of their TLP labels (so `red` signals make an alert that stays with the GIP).
    func raise(
        _ finding: Corroborator.Finding,
        theme: ThemeConfiguration,
        now: Timestamp
    ) throws(Rejection) -> Accepted {
        let hours = Double(finding.rule.windowSeconds) / 3600
        let span = hours >= 1 && hours == hours.rounded() ? "\(Int(hours)) h" : "\(finding.rule.windowSeconds) s"
        let what = "\(finding.match.word) '\(finding.value)'"
        let title = "Corroboration: \(finding.sources) independent capteurs on \(what) within \(span)"
        var header = ItemHeader(id: self.ids.next(at: now), kind: .alert, theme: finding.theme, title: title)
        header.severity = finding.signals.map(\.severity).max() ?? .unknown
        // TLP.allCases runs from the strictest label to the loosest.
        let strictness = { (label: TLP) in TLP.allCases.firstIndex(of: label) ?? 0 }
        header.tlp = finding.signals.map(\.tlp).min { strictness($0) < strictness($1) } ?? .amber
        switch finding.match {
        case .tag: header.tags = [finding.value]
        case .axis: header.axis = finding.value
        }
        header.references = finding.signals.map(\.id)
        header.extensions = [(Self.corroborationField, .object(JSONObject([
            ("match", .string(finding.match.word)), ("value", .string(finding.value)),
            ("sources", .int(Int64(finding.sources))), ("window_seconds", .int(Int64(finding.rule.windowSeconds))),
        ])))]
        header.tenant = finding.tenant
        header.sender = Self.daemonSender
        header.received = now
        header.origin = finding.tenant
        let reason = "corroboration: \(finding.signals.count) weak signals from \(finding.sources) independent "
            + "capteurs on \(what) within \(span) (threshold \(finding.rule.sources))"
        let both = [Delivery(tier: .gip, reason: reason), Delivery(tier: .crps, reason: reason)]
        let routes = TLPConfinement.confine(both, label: header.tlp, theme: theme, home: .gip)
        return try self.store(header, routes: routes, body: [], sender: Self.daemonSender, tenant: finding.tenant,
                              quota: nil, claimed: nil, now: now)
    }

    /// Rebuilds the corroborator's clusters of a tenant from its journal at start: the signals
    /// still inside their theme's window, and the alerts already raised, which mark their
    /// cluster as done for the window.
    func rebuildCorroboration(from journal: Journal, tenant: String, now: Timestamp) throws(JournalError) {
        for theme in self.registry.themes(of: tenant) {
            guard let rule = theme.corroboration else { continue }
            let since = Timestamp(milliseconds: now.milliseconds - Int64(rule.windowSeconds) * 1000)
            var after: UInt64 = 0
            while true {
                let page = try journal.read(prefix: "\(tenant)/\(theme.id)/gip/", fromPosition: after + 1,
                                            fromTime: since, limit: 1000)
                for record in page.records {
                    self.rebuildCorroboration(record, tenant: tenant)
                }
                guard page.more, let last = page.records.last else { break }
                after = last.position
            }
        }
    }

    private func rebuildCorroboration(_ record: JournalRecord, tenant: String) {
        guard let topic = Topic(record.topic), topic.tier == .gip,
              let theme = self.registry.theme(topic.theme, tenant: tenant), let rule = theme.corroboration,
              case .object(let o)? = try? JSONParser.parse(record.header)
        else { return }
        if record.sender == Self.daemonSender {
            if let mark = o[Self.corroborationField]?.objectValue, let value = mark["value"]?.stringValue,
               let match = mark["match"]?.stringValue.flatMap(CorroborationRule.Match.init(word:)) {
                self.corroborator.noteRaised(tenant: tenant, theme: topic.theme, match: match, value: value,
                                             at: record.received.milliseconds)
            }
            return
        }
        guard topic.kind == .signal else { return }
        var header = ItemHeader(id: record.id, kind: .signal, theme: topic.theme, title: "")
        header.tags = o["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        header.axis = o["axis"]?.stringValue
        header.severity = o["severity"]?.stringValue.flatMap(Severity.init(word:)) ?? .unknown
        header.tlp = o["tlp"]?.stringValue.flatMap(TLP.init(word:)) ?? .amber
        let member = self.registry.member(record.sender)
        _ = self.corroborator.take(header, tenant: tenant, source: member?.organisation ?? record.sender, rule: rule,
                                   at: record.received.milliseconds, rebuilding: true)
    }
}
