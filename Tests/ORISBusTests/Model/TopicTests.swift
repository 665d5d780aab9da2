// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Topics `<tenant>/<theme>/<tier>/<kind>` and the prefixes subscribers use.
@Suite struct TopicTests {
    @Test func init_whenTextHasFourValidSegments_readsEachPart() {
        let topic = Topic("bfc/auto-rang3/gip/alert")

        #expect(topic?.tenant == "bfc")
        #expect(topic?.theme == "auto-rang3")
        #expect(topic?.tier == .gip)
        #expect(topic?.kind == .alert)
    }

    @Test func description_writesTheFourSegmentsWithSlashes() {
        let topic = Topic(tenant: "bfc", theme: "micromeca-medical", tier: .crps, kind: .diagnostic)

        #expect(topic.description == "bfc/micromeca-medical/crps/diagnostic")
        #expect(topic.bytes == Array("bfc/micromeca-medical/crps/diagnostic".utf8))
    }

    @Test func init_ofDescription_givesBackTheSameTopic() {
        for tier in Tier.allCases {
            for kind in Kind.allCases {
                let topic = Topic(tenant: "ara", theme: "textile", tier: tier, kind: kind,
                                  axis: tier == .axis ? "sous-traitance" : nil)

                #expect(Topic(topic.description) == topic)
            }
        }
    }

    @Test func axisTopics_nameTheirAxisAfterTheTier() {
        let topic = Topic(tenant: "bfc", theme: "auto-rang3", tier: .axis, kind: .tasking, axis: "fournisseurs")

        #expect(topic.description == "bfc/auto-rang3/axis/fournisseurs/tasking")
        #expect(Topic("bfc/auto-rang3/axis/fournisseurs/tasking") == topic)
        #expect(Topic(tenant: "bfc", theme: "t", tier: .gip, kind: .alert, axis: "a").axis == nil)
    }

    static let invalidTexts: [String] = [
        "bfc/auto-rang3/axis/tasking",
        "bfc/auto-rang3/gip/fournisseurs/tasking",
        "bfc/auto-rang3/axis/Fournisseurs/tasking",
        "bfc/auto-rang3/axis/a/b/tasking",
        "",
        "bfc/auto-rang3/gip",
        "bfc/auto-rang3/gip/alert/extra",
        "bfc/auto-rang3/gip/alert/",
        "/bfc/auto-rang3/gip/alert",
        "bfc//gip/alert",
        "BFC/auto-rang3/gip/alert",
        "bfc/Auto/gip/alert",
        "bfc/auto-rang3/GIP/alert",
        "bfc/auto-rang3/regional/alert",
        "bfc/auto-rang3/gip/rumour",
        "bfc/auto rang3/gip/alert",
    ]

    @Test(arguments: invalidTexts)
    func init_whenTextIsNotATopic_isNil(text: String) {
        #expect(Topic(text) == nil)
    }

    @Test func prefixes_endWithASlashAtEachLevel() {
        #expect(Topic.prefix(tenant: "bfc") == "bfc/")
        #expect(Topic.prefix(tenant: "bfc", theme: "auto-rang3") == "bfc/auto-rang3/")
        #expect(Topic.prefix(tenant: "bfc", theme: "auto-rang3", tier: .gip) == "bfc/auto-rang3/gip/")
    }

    @Test func tenantPrefix_matchesItsOwnTopicsButNotATenantWithALongerName() {
        let own = Topic(tenant: "bfc", theme: "auto-rang3", tier: .gip, kind: .alert)
        let other = Topic(tenant: "bfc2", theme: "auto-rang3", tier: .gip, kind: .alert)
        let prefix = Topic.prefix(tenant: "bfc")

        #expect(own.description.hasPrefix(prefix))
        #expect(other.description.hasPrefix(prefix) == false)
    }

    @Test func themePrefix_doesNotMatchAThemeWhoseNameStartsTheSame() {
        let topic = Topic(tenant: "bfc", theme: "auto-rang3", tier: .gip, kind: .alert)

        #expect(topic.description.hasPrefix(Topic.prefix(tenant: "bfc", theme: "auto")) == false)
        #expect(topic.description.hasPrefix(Topic.prefix(tenant: "bfc", theme: "auto-rang3")))
    }

    @Test func tierPrefix_matchesOnlyThatTier() {
        let gip = Topic(tenant: "bfc", theme: "auto-rang3", tier: .gip, kind: .alert)
        let crps = Topic(tenant: "bfc", theme: "auto-rang3", tier: .crps, kind: .alert)
        let prefix = Topic.prefix(tenant: "bfc", theme: "auto-rang3", tier: .gip)

        #expect(gip.description.hasPrefix(prefix))
        #expect(crps.description.hasPrefix(prefix) == false)
    }
}
