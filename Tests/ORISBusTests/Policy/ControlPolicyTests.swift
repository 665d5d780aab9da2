// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Who may change a theme's dashboard: written by hand from the rule (an admin, an operator,
/// or the theme's animateur, who is a CRPS or GIP member whatever a dashboard says).
@Suite struct ControlPolicyTests {
    static func member(_ stratum: Stratum, admin: Bool = false, animates: [String] = []) -> Member {
        var member = Member(id: "m", tenant: "bfc", stratum: stratum)
        member.isAdmin = admin
        member.animates = animates
        return member
    }

    @Test func changeDashboard_byRole() {
        let named = ControlPolicy.Action.changeDashboard(theme: "t", animateur: "m")
        let other = ControlPolicy.Action.changeDashboard(theme: "t", animateur: "someone")
        #expect(ControlPolicy.allows(Self.member(.crps), named, tenant: "bfc"))
        #expect(ControlPolicy.allows(Self.member(.gip, animates: ["t"]), other, tenant: "bfc"))
        #expect(ControlPolicy.allows(Self.member(.gip, admin: true), other, tenant: "bfc"))
        #expect(ControlPolicy.allows(Self.member(.operator), other, tenant: "ara"))
        // A capteur named animateur by a dashboard edited by hand gets nothing from it.
        #expect(!ControlPolicy.allows(Self.member(.capteur), named, tenant: "bfc"))
        #expect(!ControlPolicy.allows(Self.member(.capteur, animates: ["t"]), other, tenant: "bfc"))
        #expect(!ControlPolicy.allows(Self.member(.crps), other, tenant: "bfc"))
        #expect(!ControlPolicy.allows(Self.member(.crps), named, tenant: "ara"))
        #expect(!ControlPolicy.allows(Self.member(.crps), .createTheme, tenant: "bfc"))
    }

    /// Reading the members answers member list, member show and explain about another member:
    /// the refusal speaks of all three, not only of listing.
    @Test func check_readMembers_refusesWithASentenceThatCoversExplain() {
        #expect {
            try ControlPolicy.check(Self.member(.gip), .readMembers, tenant: "bfc")
        } throws: { error in
            guard let rejection = error as? Rejection else { return false }
            return rejection.code == .forbidden && rejection.message.contains("explain what one of them receives")
                && rejection.message.contains("tenant 'bfc'")
        }
    }
}
