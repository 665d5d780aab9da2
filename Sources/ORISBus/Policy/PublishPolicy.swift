// SPDX-License-Identifier: Apache-2.0

/// Which kinds each stratum may publish, and on which themes.
///
/// Capteurs report signals and alerts; a GIP interprets (diagnostics), hands axes to capteurs
/// (taskings) and may relay field items of its own; the CRPS decides and tasks; the national
/// level shares signals, alerts and diagnostics; the operator may publish anything.
package enum PublishPolicy {
    /// The kinds a stratum may publish.
    package static func kinds(for stratum: Stratum) -> Set<Kind> {
        Set(Kind.allCases.filter { self.allows(stratum, kind: $0) })
    }

    /// Whether a member of `stratum` may publish `kind`: the table itself, asked on every
    /// publish without building a set.
    package static func allows(_ stratum: Stratum, kind: Kind) -> Bool {
        switch stratum {
        case .capteur: return kind == .signal || kind == .alert
        case .gip: return kind == .signal || kind == .alert || kind == .diagnostic || kind == .tasking
        case .crps: return kind == .decision || kind == .tasking
        case .national: return kind == .signal || kind == .alert || kind == .diagnostic
        case .operator: return true
        }
    }

    /// Checks that `member` may publish `kind` on `theme`.
    ///
    /// - Throws: ``Rejection`` with ``NAKCode/forbidden``.
    package static func check(member: Member, kind: Kind, theme: String, id: String?) throws(Rejection) {
        guard self.allows(member.stratum, kind: kind) else {
            throw Rejection(.forbidden, "a \(member.stratum.word) member may not publish a \(kind.word)", id: id)
        }
        guard member.worksOn(theme) else {
            throw Rejection(.forbidden, "member '\(member.id)' does not work on theme '\(theme)'", id: id)
        }
    }
}
