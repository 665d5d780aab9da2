// SPDX-License-Identifier: Apache-2.0

/// Who may run which control command.
///
/// - operator (stratum `operator`, or whoever reaches the local control socket): everything, on
///   every tenant, including the daemon's counters (STATS), which span every tenant;
/// - tenant admin (a member with `admin: true`): add, remove, list and show the members of its
///   tenant, and read its tenant's audit trail;
/// - animateur (a member with `animates: [themes]`, or named `animateur` in a theme's
///   dashboard): list and show the members of its tenant; change the dashboard of its themes
///   (axes, collectors, back-planning), not their escalation rules;
/// - every member: HELLO, the themes it works on (THEME list and show), and publishing and
///   reading as its stratum allows. Creating a theme or changing its rules is for admins.
package enum ControlPolicy {
    /// A control action.
    package enum Action: Sendable, Equatable {
        case addMember
        case removeMember
        case readMembers
        case readAudit
        case readStats
        /// Create a theme, or change its escalation rules.
        case createTheme
        /// Change a theme's dashboard; `animateur` is the one its dashboard names.
        case changeDashboard(theme: String, animateur: String?)
        /// Read a theme and its dashboard.
        case readTheme(String, animateur: String?)

        /// How the action reads in a refusal.
        var phrase: String {
            switch self {
            case .addMember: return "add members to"
            case .removeMember: return "remove members from"
            case .readMembers: return "see the members of"
            case .readAudit: return "read the audit trail of"
            case .readStats: return "read the counters of"
            case .createTheme: return "create themes or change their rules in"
            case .changeDashboard(let theme, _): return "change the dashboard of theme '\(theme)' in"
            case .readTheme(let theme, _): return "read theme '\(theme)' of"
            }
        }
    }

    /// Whether `actor` may do `action` on `tenant` (nil: the whole daemon).
    package static func allows(_ actor: Member, _ action: Action, tenant: String?) -> Bool {
        if actor.stratum == .operator { return true }
        guard let tenant, tenant == actor.tenant else { return false }
        switch action {
        case .addMember, .removeMember, .readAudit: return actor.isAdmin
        case .readMembers: return actor.isAdmin || !actor.animates.isEmpty
        case .readStats: return false
        case .createTheme: return actor.isAdmin
        case .changeDashboard(let theme, let animateur):
            // Only a CRPS or GIP member animates, whatever a dashboard edited by hand may say.
            let mayAnimate = actor.stratum == .crps || actor.stratum == .gip
            return actor.isAdmin || (mayAnimate && (actor.animates.contains(theme) || animateur == actor.id))
        case .readTheme(let theme, let animateur):
            // Its animateur reads what it may change, whether or not it works on the theme.
            return actor.isAdmin || actor.worksOn(theme)
                || self.allows(actor, .changeDashboard(theme: theme, animateur: animateur), tenant: tenant)
        }
    }

    /// Checks `allows`, with a refusal naming who, what and where.
    ///
    /// - Throws: ``Rejection`` with `forbidden`.
    package static func check(_ actor: Member, _ action: Action, tenant: String?) throws(Rejection) {
        guard self.allows(actor, action, tenant: tenant) else {
            let place = tenant.map { "tenant '\($0)'" } ?? "the daemon"
            // MEMBER list, MEMBER show and EXPLAIN about another member are all answered by
            // this one rule, so the refusal names the three.
            let uses = action == .readMembers ? " (list or show them, or explain what one of them receives)" : ""
            throw Rejection(.forbidden, "member '\(actor.id)' may not \(action.phrase) \(place)\(uses)")
        }
    }

    /// What `actor` may give or take: only an operator adds or removes an operator.
    ///
    /// - Throws: ``Rejection`` with `forbidden`.
    package static func checkGrant(_ actor: Member, to member: Member) throws(Rejection) {
        if member.stratum == .operator && actor.stratum != .operator {
            throw Rejection(.forbidden, "only an operator may add or remove a member of stratum 'operator'")
        }
    }
}
