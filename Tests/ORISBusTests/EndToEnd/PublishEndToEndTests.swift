// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The real daemon: acknowledged publish, live delivery by tier, stamping.
@Suite("publish end to end", .serialized)
struct PublishEndToEndTests {
    @Test func publish_whenAlertIsAtThemeThreshold_acksAndDeliversToGIPAndCRPS() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-machine", ["bfc/machine-speciale/gip/"])
        let crps = try session.subscriber(as: "crps-bfc", ["bfc/machine-speciale/crps/"])
        try session.waitForSubscriptions(2)

        let reply = try session.client(as: "cci-belfort").request(.publish(
            header: header([("kind", .string("alert")), ("theme", .string("machine-speciale")),
                            ("title", .string("Départ annoncé d'un donneur d'ordre")),
                            ("severity", .string("Severe")), ("id", .string("e2e-1"))]),
            body: Array("corps".utf8)))

        #expect(reply.word == "ACK")
        #expect(reply.body["id"] == .string("e2e-1"))
        #expect(reply.body["seq"] == .int(1))
        #expect(reply.body["tiers"] == .array([.string("gip"), .string("crps")]))
        let atGIP = try #require(try gip.next(timeoutMilliseconds: 5000))
        #expect(atGIP.topic == "bfc/machine-speciale/gip/alert")
        #expect(atGIP.header?["sender"] == .string("cci-belfort"))
        #expect(atGIP.header?["tenant"] == .string("bfc"))
        #expect(atGIP.header?["seq"] == .int(1))
        #expect(atGIP.header?["reason"] == nil)
        #expect(atGIP.body == Array("corps".utf8))
        let atCRPS = try #require(try crps.next(timeoutMilliseconds: 5000))
        #expect(atCRPS.topic == "bfc/machine-speciale/crps/alert")
        #expect(atCRPS.header?["reason"]?.stringValue?.contains("Severe") == true)
        #expect(atCRPS.header?["id"] == .string("e2e-1"))
    }

    @Test func publish_whenAlertIsJustBelowThreshold_reachesOnlyGIP() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let all = try session.subscriber(as: "operator", ["bfc/"])
        try session.waitForSubscriptions(1)

        // machine-speciale's threshold is Severe; Moderate is one step below.
        let reply = try session.client(as: "cci-belfort").request(.publish(
            header: header([("kind", .string("alert")), ("theme", .string("machine-speciale")),
                            ("title", .string("Retard de paiement")), ("severity", .string("Moderate"))]),
            body: []))

        #expect(reply.word == "ACK")
        #expect(reply.body["tiers"] == .array([.string("gip")]))
        let first = try #require(try all.next(timeoutMilliseconds: 5000))
        #expect(first.topic == "bfc/machine-speciale/gip/alert")
        #expect(try all.next(timeoutMilliseconds: 300) == nil)
    }

    @Test func publish_whenHeaderClaimsAnotherSender_stampsTheAuthenticatedMember() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let gip = try session.subscriber(as: "gip-auto", ["bfc/auto-rang3/gip/"])
        try session.waitForSubscriptions(1)

        let reply = try session.client(as: "cci-doubs").request(.publish(
            header: header([("kind", .string("signal")), ("theme", .string("auto-rang3")),
                            ("title", .string("Déréférencement par une centrale d'achat")),
                            ("sender", .string("crps-bfc")), ("tenant", .string("ara")), ("seq", .int(99))]),
            body: []))

        #expect(reply.word == "ACK")
        let item = try #require(try gip.next(timeoutMilliseconds: 5000))
        #expect(item.header?["sender"] == .string("cci-doubs"))
        #expect(item.header?["tenant"] == .string("bfc"))
        #expect(item.header?["seq"] == .int(1))
    }

    @Test func publish_sequenceNumbersCountPerTopic() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let client = try session.client(as: "cci-doubs")
        func publish(_ theme: String, _ kind: String) throws -> Int64? {
            let reply = try client.request(.publish(
                header: header([("kind", .string(kind)), ("theme", .string(theme)), ("title", .string("t"))]),
                body: []))
            return reply.body["seq"]?.intValue
        }

        let seqs = [try publish("auto-rang3", "signal"), try publish("auto-rang3", "signal"),
                    try publish("machine-speciale", "signal"), try publish("auto-rang3", "alert"),
                    try publish("auto-rang3", "signal")]

        #expect(seqs == [1, 2, 1, 1, 3])
    }

    @Test func hello_overIPC_namesMemberTenantAndFeed() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }

        let reply = try session.client(as: "gip-auto", endpoint: daemon.apiIPC).request(.hello)

        #expect(reply.word == "WELCOME")
        #expect(reply.body["member"] == .string("gip-auto"))
        #expect(reply.body["tenant"] == .string("bfc"))
        #expect(reply.body["stratum"] == .string("gip"))
        #expect(reply.body["themes"] == .array([.string("auto-rang3")]))
        let feeds = reply.body["feed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(feeds.contains(daemon.feed))
        #expect(feeds.contains(daemon.feedIPC))
    }

    @Test func stats_whenAskedByNonOperator_answersForbidden() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }

        let reply = try session.client(as: "cci-belfort").request(.stats)

        #expect(reply.word == "NAK")
        #expect(reply.body["code"] == .string("forbidden"))
    }

    @Test func connect_whenMemberIsUnknown_isRefusedAtHandshakeAndCounted() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }

        #expect(throws: ClientError.self) {
            _ = try session.client(as: "mallory", timeout: 500).request(.hello)
        }
        let anonymous = try session.client(as: nil, timeout: 500)
        #expect(throws: ClientError.self) { _ = try anonymous.request(.hello) }

        let refused = try session.stats()["refused_connections"]?.intValue ?? 0
        #expect(refused >= 1)
    }
}
