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

    /// Theme `auto` has axes a1 and a10; c1 is listed as a1's collector, c3 collects nothing, g
    /// is a GIP member named as a collector (not a capteur).
    static let axes: Registry = {
        var theme = ThemeConfiguration(id: "auto", title: "")
        var a1 = ResearchAxis(id: "a1")
        a1.collectors = ["c1", "g"]
        theme.dashboard.axes = [a1, ResearchAxis(id: "a10")]
        var registry = Self.registry
        registry.upsert(theme, tenant: "bfc")
        return registry
    }()
    static let c1 = Member(id: "c1", tenant: "bfc", stratum: .capteur, themes: ["auto"])

    @Test(arguments: ["bfc/auto/axis/a1/", "bfc/auto/axis/a1/tasking", "bfc/auto/axis/a1/rem"])
    func allows_anAxisToItsCollector(prefix: String) {
        #expect(ReadPolicy.allows(Self.c1, prefix, in: Self.axes))
    }

    @Test(arguments: ["bfc/auto/axis/", "bfc/auto/axis/a1", "bfc/auto/axis/a10/", "bfc/auto/axis/a", "bfc/auto/axis",
                      "bfc/auto/axis/a1/x", "bfc/auto/axis/nope/", "bfc/machine/axis/a1/"])
    func refuses_otherAxesAndUnclosedNames(prefix: String) {
        #expect(!ReadPolicy.allows(Self.c1, prefix, in: Self.axes))
    }

    @Test func axes_onlyForListedCapteurs() {
        let listedGIP = Member(id: "g", tenant: "bfc", stratum: .gip, themes: ["auto"])
        #expect(!ReadPolicy.allows(listedGIP, "bfc/auto/axis/a1/", in: Self.axes))
        let c3 = Member(id: "c3", tenant: "bfc", stratum: .capteur)
        #expect(!ReadPolicy.allows(c3, "bfc/auto/axis/a1/", in: Self.axes))
        #expect(ReadPolicy.readable(by: Self.c1, in: Self.axes) == ["bfc/auto/capteur/", "bfc/auto/axis/a1/"])
        // A capteur does not read the test tier: other capteurs' exercise signals are there.
        #expect(!ReadPolicy.allows(Self.c1, "bfc/auto/test/", in: Self.axes))
    }

    @Test func readable_listsEachThemeAndTierOfTheMember() {
        #expect(ReadPolicy.readable(by: Self.gip, in: Self.registry)
                == ["bfc/auto/gip/", "bfc/auto/test/", "bfc/auto/archive/"])
        let op = Member(id: "o", tenant: "bfc", stratum: .operator)
        #expect(ReadPolicy.readable(by: op, in: Self.registry) == [""])
    }
}
