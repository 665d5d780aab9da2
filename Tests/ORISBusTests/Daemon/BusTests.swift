// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Publishing without sockets: who may send what, stamping, routing and topic sequences.
@Suite struct BusTests {
    private static let configuration = Configuration(
        stateDirectory: "/tmp/oris-bus-test",
        security: .none,
        endpoints: Endpoints(api: ["ipc:///tmp/oris-bus-test/api.sock"], feed: [], ingest: []),
        limits: ItemLimits(),
        feedHighWaterMark: 1000,
        logLevel: .info,
        tenants: [
            TenantConfiguration(
                id: "bfc", name: "Bourgogne-Franche-Comté",
                themes: [
                    ThemeConfiguration(id: "auto-rang3", title: "", crpsSeverity: .moderate),
                    ThemeConfiguration(id: "machine-speciale", title: "", crpsSeverity: .severe),
                ],
                members: [
                    Member(id: "cci-doubs", tenant: "bfc", stratum: .capteur, themes: ["auto-rang3"]),
                    Member(id: "gip-auto", tenant: "bfc", stratum: .gip, themes: ["auto-rang3"]),
                    Member(id: "crps-bfc", tenant: "bfc", stratum: .crps),
                    Member(id: "operator", tenant: "bfc", stratum: .operator),
                ]
            ),
            TenantConfiguration(
                id: "ara", name: "Auvergne-Rhône-Alpes",
                themes: [ThemeConfiguration(id: "textile", title: "")],
                members: [Member(id: "cci-lyon", tenant: "ara", stratum: .capteur)]
            ),
        ]
    )

    private static let now = Timestamp(milliseconds: 1_796_401_800_123)

    private static func makeBus(limits: ItemLimits = ItemLimits()) throws -> Bus {
        try Bus(registry: Registry(configuration: configuration), limits: limits)
    }

    private static func header(
        kind: String = "signal",
        theme: String = "auto-rang3",
        severity: String? = nil,
        extra: String = ""
    ) -> [UInt8] {
        var text = "{\"v\":1,\"kind\":\"\(kind)\",\"theme\":\"\(theme)\",\"title\":\"Plant closes\""
        if let severity { text += ",\"severity\":\"\(severity)\"" }
        text += extra + "}"
        return Array(text.utf8)
    }

    private static func topic(_ theme: String, _ tier: Tier, _ kind: Kind, tenant: String = "bfc") -> Topic {
        Topic(tenant: tenant, theme: theme, tier: tier, kind: kind)
    }

    /// The code a publish is refused with, or nil when it is accepted.
    private static func code(
        _ bus: Bus,
        sender: String?,
        header: [UInt8],
        body: [UInt8] = []
    ) -> NAKCode? {
        do {
            _ = try bus.publish(senderID: sender, header: header, body: body, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    // MARK: - Sequences

    @Test func publish_onANewTopic_startsItsSequenceAtOne() throws {
        let bus = try Self.makeBus()

        let accepted = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)

        #expect(accepted.outbound.map(\.topic) == [Self.topic("auto-rang3", .gip, .signal)])
        #expect(accepted.outbound.map(\.seq) == [1])
        #expect(accepted.outbound.first?.header.seq == 1)
        #expect(accepted.outbound.first?.header.tier == .gip)
        #expect(bus.lastSequence(of: Self.topic("auto-rang3", .gip, .signal)) == 1)
    }

    @Test func publish_repeatedlyOnOneTopic_increasesItsSequenceByOne() throws {
        let bus = try Self.makeBus()
        var seen = [UInt64]()

        for _ in 0..<5 {
            let accepted = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)
            seen.append(contentsOf: accepted.outbound.map(\.seq))
        }

        #expect(seen == [1, 2, 3, 4, 5])
    }

    @Test func publish_onDifferentTopics_numbersEachTopicIndependently() throws {
        let bus = try Self.makeBus()

        let signal1 = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)
        let signal2 = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)
        let alert = try bus.publish(senderID: "cci-doubs", header: Self.header(kind: "alert"), body: [], now: Self.now)
        // Moderate is auto-rang3's threshold, so this alert reaches the CRPS as well.
        let escalated = try bus.publish(senderID: "cci-doubs",
                                        header: Self.header(kind: "alert", severity: "Moderate"),
                                        body: [], now: Self.now)

        #expect(signal1.outbound.map(\.seq) == [1])
        #expect(signal2.outbound.map(\.seq) == [2])
        #expect(alert.outbound.map(\.topic) == [Self.topic("auto-rang3", .gip, .alert)])
        #expect(alert.outbound.map(\.seq) == [1])
        #expect(escalated.outbound.map(\.topic)
                == [Self.topic("auto-rang3", .gip, .alert), Self.topic("auto-rang3", .crps, .alert)])
        #expect(escalated.outbound.map(\.seq) == [2, 1])
        #expect(escalated.outbound.last?.header.reason != nil)
        #expect(bus.lastSequence(of: Self.topic("auto-rang3", .gip, .signal)) == 2)
        #expect(bus.lastSequence(of: Self.topic("auto-rang3", .crps, .alert)) == 1)
        #expect(bus.lastSequence(of: Self.topic("machine-speciale", .gip, .signal)) == 0)
    }

    @Test func publish_whenRejected_consumesNoSequenceNumber() throws {
        let bus = try Self.makeBus()
        let topic = Self.topic("auto-rang3", .gip, .signal)
        _ = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)

        let refusals: [NAKCode?] = [
            Self.code(bus, sender: "mallory", header: Self.header()),
            Self.code(bus, sender: "cci-doubs", header: Self.header(extra: ",\"tlp\":\"white\"")),
            Self.code(bus, sender: "cci-doubs", header: Self.header(theme: "textile")),
            Self.code(bus, sender: "cci-doubs", header: Self.header(theme: "machine-speciale")),
            Self.code(bus, sender: "cci-doubs", header: Self.header(kind: "decision")),
            Self.code(bus, sender: "cci-doubs", header: Self.header(), body: [UInt8](repeating: 0, count: 1 << 21)),
        ]
        let next = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)

        #expect(refusals.allSatisfy { $0 != nil })
        #expect(next.outbound.map(\.seq) == [2])
        #expect(bus.lastSequence(of: topic) == 2)
    }

    // MARK: - Stamps

    @Test func publish_stampsTheAuthenticatedMemberEvenWhenTheHeaderClaimsAnother() throws {
        let bus = try Self.makeBus()
        let claims = ",\"sender\":\"crps-bfc\",\"tenant\":\"ara\",\"origin\":\"ara\",\"seq\":99"

        let accepted = try bus.publish(senderID: "cci-doubs", header: Self.header(extra: claims), body: [],
                                       now: Self.now)

        let header = try #require(accepted.outbound.first?.header)
        #expect(header.sender == "cci-doubs")
        #expect(header.tenant == "bfc")
        #expect(header.origin == "bfc")
        #expect(header.seq == 1)
        #expect(header.received == Self.now)
        #expect(header.jsonObject["sender"] == .string("cci-doubs"))
    }

    @Test func publish_whenHeaderHasNoID_makesASortableIDAtTheReceivedTime() throws {
        let bus = try Self.makeBus()

        let first = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)
        let second = try bus.publish(senderID: "cci-doubs", header: Self.header(), body: [], now: Self.now)

        #expect(first.id.count == 26)
        #expect(second.id > first.id)
        #expect(first.outbound.first?.header.id == first.id)
    }

    @Test func publish_whenHeaderHasAnID_keepsIt() throws {
        let bus = try Self.makeBus()

        let accepted = try bus.publish(senderID: "cci-doubs", header: Self.header(extra: ",\"id\":\"mine-1\""),
                                       body: [], now: Self.now)

        #expect(accepted.id == "mine-1")
        #expect(accepted.outbound.allSatisfy { $0.header.id == "mine-1" })
    }

    @Test func ack_carriesTheIDTheFirstSequenceAndEveryTier() throws {
        let bus = try Self.makeBus()
        let header = Self.header(kind: "alert", severity: "Extreme", extra: ",\"id\":\"a-1\"")

        let accepted = try bus.publish(senderID: "cci-doubs", header: header, body: [], now: Self.now)

        #expect(accepted.ack.jsonObject["id"] == .string("a-1"))
        #expect(accepted.ack.jsonObject["seq"] == .int(1))
        #expect(accepted.ack.jsonObject["tiers"] == .array([.string("gip"), .string("crps")]))
        #expect(accepted.ack.jsonObject["deliveries"]?.arrayValue?.count == 2)
    }

    // MARK: - Refusals

    @Test func publish_whenMemberIsUnknown_rejectsWithUnknownMember() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "mallory", header: Self.header()) == .unknownMember)
        #expect(Self.code(bus, sender: nil, header: Self.header()) == .unknownMember)
        #expect(Self.code(bus, sender: "", header: Self.header()) == .unknownMember)
    }

    @Test func publish_whenBodyIsOverTheLimit_rejectsWithBodyTooLarge() throws {
        var limits = ItemLimits()
        limits.maximumBodyBytes = 10
        let bus = try Self.makeBus(limits: limits)

        let atLimit = Self.code(bus, sender: "cci-doubs", header: Self.header(), body: Array("0123456789".utf8))
        let overLimit = Self.code(bus, sender: "cci-doubs", header: Self.header(), body: Array("0123456789A".utf8))

        #expect(atLimit == nil)
        #expect(overLimit == .bodyTooLarge)
    }

    @Test func publish_whenThemeBelongsToAnotherTenant_rejectsWithUnknownTheme() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(theme: "textile")) == .unknownTheme)
        #expect(Self.code(bus, sender: "cci-lyon", header: Self.header(theme: "auto-rang3")) == .unknownTheme)
    }

    @Test func publish_whenThemeDoesNotExist_rejectsWithUnknownTheme() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "operator", header: Self.header(theme: "no-such-theme")) == .unknownTheme)
    }

    @Test func publish_whenCapteurPublishesADecision_rejectsWithForbidden() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(kind: "decision")) == .forbidden)
        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(kind: "diagnostic")) == .forbidden)
        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(kind: "tasking")) == .forbidden)
    }

    @Test func publish_whenMemberDoesNotWorkOnTheTheme_rejectsWithForbidden() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(theme: "machine-speciale")) == .forbidden)
        #expect(Self.code(bus, sender: "gip-auto", header: Self.header(kind: "diagnostic",
                                                                        theme: "machine-speciale")) == .forbidden)
    }

    @Test func publish_whenMemberHasNoThemeList_mayPublishOnEveryThemeOfItsTenant() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "crps-bfc", header: Self.header(kind: "decision")) == nil)
        #expect(Self.code(bus, sender: "crps-bfc", header: Self.header(kind: "decision",
                                                                        theme: "machine-speciale")) == nil)
    }

    @Test func publish_whenHeaderIsInvalid_rejectsWithTheReadersCode() throws {
        let bus = try Self.makeBus()

        #expect(Self.code(bus, sender: "cci-doubs", header: Array("[]".utf8)) == .notObject)
        #expect(Self.code(bus, sender: "cci-doubs", header: Self.header(kind: "rumour")) == .unknownKind)
    }

    @Test func publish_whenADecisionIsAccepted_reachesCapteursAndGIPOnTheirTopics() throws {
        let bus = try Self.makeBus()

        let accepted = try bus.publish(senderID: "crps-bfc", header: Self.header(kind: "decision"), body: [],
                                       now: Self.now)

        #expect(accepted.outbound.map(\.topic)
                == [Self.topic("auto-rang3", .capteur, .decision), Self.topic("auto-rang3", .gip, .decision)])
        #expect(accepted.outbound.map(\.seq) == [1, 1])
    }

    @Test func publish_refusedAfterTheHeaderIsRead_naksWithThePublishersOwnIdOnly() throws {
        let bus = try Self.makeBus()

        var withoutID: Rejection?
        var withID: Rejection?
        do {
            _ = try bus.publish(senderID: "cci-doubs", header: Self.header(theme: "nowhere"), body: [], now: Self.now)
        } catch { withoutID = error }
        do {
            _ = try bus.publish(senderID: "cci-doubs", header: Self.header(theme: "nowhere", extra: #","id":"mine""#),
                                body: [], now: Self.now)
        } catch { withID = error }

        #expect(withoutID?.code == .unknownTheme)
        #expect(withoutID?.id == nil)
        #expect(withID?.id == "mine")
    }

    @Test func publish_whenAnotherMemberOfTheTenantUsedTheId_naksIdInUseAndStoresNothing() throws {
        let bus = try Self.makeBus()
        let first = try bus.publish(senderID: "cci-doubs", header: Self.header(extra: #","id":"shared""#), body: [],
                                    now: Self.now)

        var refusal: Rejection?
        do {
            _ = try bus.publish(senderID: "gip-auto", header: Self.header(extra: #","id":"shared""#), body: [],
                                now: Self.now)
        } catch { refusal = error }
        let retry = try bus.publish(senderID: "cci-doubs", header: Self.header(extra: #","id":"shared""#), body: [],
                                    now: Self.now)

        #expect(refusal?.code == .idInUse)
        #expect(retry.isDuplicate)
        #expect(retry.ack == first.ack)
        #expect(bus.lastSequence(of: Self.topic("auto-rang3", .gip, .signal)) == 1)
    }
}
