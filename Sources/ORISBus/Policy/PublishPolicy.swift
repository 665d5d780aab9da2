// SPDX-License-Identifier: Apache-2.0

/// Which kinds each stratum may publish, and on which themes.
///
/// Capteurs report signals and alerts; a GIP interprets (diagnostics), hands axes to capteurs
/// (taskings) and may relay field items of its own; the CRPS decides and tasks; the national
/// level shares signals, alerts and diagnostics; the operator may publish anything.
package enum PublishPolicy {
    /// Whether a member of `stratum` may publish `kind`: the table itself, asked on every
    /// publish without building a set. Reminders are raised by the daemon alone.
    package static func allows(_ stratum: Stratum, kind: Kind) -> Bool {
        switch stratum {
        case .capteur: return kind == .signal || kind == .alert
        case .gip: return kind == .signal || kind == .alert || kind == .diagnostic || kind == .tasking
        case .crps: return kind == .decision || kind == .tasking
        case .national: return kind == .signal || kind == .alert || kind == .diagnostic
        case .operator: return kind != .reminder
        }
    }

    /// Checks that `member` may publish `kind` on `theme`, and that a tasking names one of the
    /// theme's research axes (its collectors are whom it reaches).
    ///
    /// - Throws: ``Rejection`` with ``NAKCode/forbidden``, or ``NAKCode/unknownAxis``.
    package static func check(
        member: Member,
        kind: Kind,
        theme: ThemeConfiguration,
        axis: String?,
        id: String?
    ) throws(Rejection) {
        guard self.allows(member.stratum, kind: kind) else {
            if kind == .reminder {
                throw Rejection(.forbidden, "reminders are raised by the daemon from a theme's back-planning", id: id)
            }
            throw Rejection(.forbidden, "a \(member.stratum.word) member may not publish a \(kind.word)", id: id)
        }
        guard member.worksOn(theme.id) else {
            throw Rejection(.forbidden, "member '\(member.id)' does not work on theme '\(theme.id)'", id: id)
        }
        if kind == .tasking {
            let axes = theme.dashboard.axes.map(\.id)
            let known = axes.isEmpty ? "it has none: add one with 'orisctl theme axis add'"
                : "its axes: " + axes.joined(separator: ", ")
            guard let axis else {
                throw Rejection(.unknownAxis, "a tasking names the research axis it hands out ('axis'); theme "
                                + "'\(theme.id)': \(known)", id: id)
            }
            guard theme.dashboard.axis(axis) != nil else {
                throw Rejection(.unknownAxis, "theme '\(theme.id)' has no axis '\(axis)' (\(known))", id: id)
            }
        }
    }
}
