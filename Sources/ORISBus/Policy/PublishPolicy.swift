// SPDX-License-Identifier: Apache-2.0

/// Which kinds each stratum may publish, and on which themes.
///
/// Capteurs report signals and alerts; a GIP interprets (diagnostics), hands axes to capteurs
/// (taskings) and may relay field items of its own; the CRPS decides and tasks; the national
/// level shares signals, alerts and diagnostics; the operator may publish anything.
package enum PublishPolicy {
    /// The kinds a stratum may publish.
    package static func kinds(for stratum: Stratum) -> Set<Kind> {
        switch stratum {
        case .capteur: return [.signal, .alert]
        case .gip: return [.signal, .alert, .diagnostic, .tasking]
        case .crps: return [.decision, .tasking]
        case .national: return [.signal, .alert, .diagnostic]
        case .operator: return Set(Kind.allCases)
        }
    }

    /// Checks that `member` may publish `kind` on `theme`.
    ///
    /// - Throws: ``Rejection`` with ``NAKCode/forbidden``.
    package static func check(member: Member, kind: Kind, theme: String, id: String?) throws(Rejection) {
        guard self.kinds(for: member.stratum).contains(kind) else {
            throw Rejection(.forbidden, "a \(member.stratum.word) member may not publish a \(kind.word)", id: id)
        }
        guard member.worksOn(theme) else {
            throw Rejection(.forbidden, "member '\(member.id)' does not work on theme '\(theme)'", id: id)
        }
    }
}
