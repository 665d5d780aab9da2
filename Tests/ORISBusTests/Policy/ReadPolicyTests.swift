// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// What a member may read: written by hand from the rule (each stratum its tier, its themes,
/// its tenant; after the tier only a kind or its start).
@Suite struct ReadPolicyTests {
    static let registry = Registry(configuration: Configuration(
        stateDirectory: "/nonexistent", security: .none, endpoints: Endpoints(api: [], feed: [], ingest: []),
        limits: ItemLimits(), feedHighWaterMark: 1, logLevel: .info,
        tenants: [TenantConfiguration(id: "bfc", name: "BFC",
                                      themes: [ThemeConfiguration(id: "auto", title: ""),
                                               ThemeConfiguration(id: "machine", title: "")],
                                      members: [])]))
    static let gip = Member(id: "g", tenant: "bfc", stratum: .gip, themes: ["auto"])

    @Test(arguments: ["bfc/auto/gip/", "bfc/auto/gip/alert", "bfc/auto/gip/al", "bfc/auto/test/",
                      "bfc/auto/archive/signal"])
    func allows_theMembersTiersOnItsTheme(prefix: String) {
        #expect(ReadPolicy.allows(Self.gip, prefix, in: Self.registry))
    }

    @Test(arguments: ["", "bfc/", "bf", "bfc/auto/", "bfc/auto/gi", "bfc/auto/gip", "bfc/auto/crps/",
                      "bfc/machine/gip/", "ara/auto/gip/", "bfc/auto/gip/alertx", "bfc/auto/gip/alert/x",
                      "bfc/auto/gip/" + String(repeating: "a", count: 900), "bfc/nope/gip/"])
    func refuses_anythingElse(prefix: String) {
        #expect(!ReadPolicy.allows(Self.gip, prefix, in: Self.registry))
    }

    @Test func readable_listsEachThemeAndTierOfTheMember() {
        #expect(ReadPolicy.readable(by: Self.gip, in: Self.registry)
                == ["bfc/auto/gip/", "bfc/auto/test/", "bfc/auto/archive/"])
        let op = Member(id: "o", tenant: "bfc", stratum: .operator)
        #expect(ReadPolicy.readable(by: op, in: Self.registry) == [""])
    }
}
