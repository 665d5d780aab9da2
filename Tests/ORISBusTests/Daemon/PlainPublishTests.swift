// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// The plain publish path (``Bus/publishPlain(sender:header:body:now:into:tenant:)``) against
/// the general one: two buses with the same configuration and journals take the same stream of
/// items, one through the general path alone, the other as the daemon's ingest loop does (the
/// plain path first, the general path for what it does not take). Every outcome, delivery,
/// journal record and remembered ACK must be the same.
@Suite struct PlainPublishTests {
    private static let configuration: Configuration = {
        var corroborated = ThemeConfiguration(id: "t3", title: "")
        corroborated.corroboration = CorroborationRule(sources: 2)
        var national = ThemeConfiguration(id: "tr", title: "", crpsSeverity: .severe, isTransRegional: true)
        national.nationalSeverity = .moderate
        var urgent = ThemeConfiguration(id: "t2", title: "", crpsSeverity: .minor)
        urgent.crpsUrgency = .expected
        var ara = TenantConfiguration(
            id: "ara", name: "Auvergne-Rhône-Alpes",
            themes: [ThemeConfiguration(id: "t1", title: ""), ThemeConfiguration(id: "t2", title: ""),
                     ThemeConfiguration(id: "t4", title: "")],
            members: [Member(id: "cci-lyon", tenant: "ara", stratum: .capteur)]
        )
        ara.quota.ratePerSecond = 200
        ara.quota.burst = 20
        ara.quota.maximumTopics = 4
        var bfc = TenantConfiguration(
            id: "bfc", name: "Bourgogne-Franche-Comté",
            themes: [ThemeConfiguration(id: "t1", title: "", crpsSeverity: .moderate), urgent, corroborated,
                     national],
            members: [
                Member(id: "cci-doubs", tenant: "bfc", stratum: .capteur, themes: ["t1", "t2"]),
                Member(id: "lab-besancon", tenant: "bfc", stratum: .capteur, organisation: "lab"),
                Member(id: "gip-auto", tenant: "bfc", stratum: .gip),
                Member(id: "crps-bfc", tenant: "bfc", stratum: .crps),
                Member(id: "operator", tenant: "bfc", stratum: .operator),
            ]
        )
        bfc.quota.maximumBodyBytes = 150
        return Configuration(
            stateDirectory: "/tmp/oris-plain-test", security: .none,
            endpoints: Endpoints(api: ["ipc:///tmp/oris-plain-test/api.sock"], feed: [], ingest: []),
            limits: Self.limits, feedHighWaterMark: 1000, logLevel: .info, tenants: [bfc, ara]
        )
    }()

    private static let limits: ItemLimits = {
        var limits = ItemLimits()
        limits.maximumTitleLength = 24
        limits.maximumHeaderBytes = 400
        return limits
    }()

    private static func makeBus(journalRoot: String) throws -> Bus {
        try Bus(registry: Registry(configuration: Self.configuration), limits: Self.limits, journalRoot: journalRoot)
    }

    /// A delivery as the feed sends it.
    private struct Sent: Equatable, CustomStringConvertible {
        var topic: [UInt8]
        var header: [UInt8]
        var body: [UInt8]
        var tier: Tier

        var description: String {
            String(decoding: self.topic, as: UTF8.self) + " " + String(decoding: self.header, as: UTF8.self)
        }
    }

    /// What a publish came to, in terms both paths can give: an accepted item's deliveries,
    /// and the body of its ACK (with its journal position) when the ACK was asked for.
    private enum Outcome: Equatable {
        case accepted([Sent], ack: [UInt8]? = nil, position: UInt64? = nil)
        case duplicate(AckRecord)
        case refused(NAKCode, String)
    }

    private static func general(_ bus: Bus, _ sender: Member, _ header: [UInt8], _ body: [UInt8],
                                _ now: Timestamp, acknowledged: Bool = false) -> Outcome {
        do {
            let accepted = try bus.publish(sender: sender, header: header, body: body, now: now)
            if accepted.isDuplicate { return .duplicate(accepted.ack) }
            let sent = accepted.outbound.map {
                Sent(topic: $0.topicBytes, header: $0.encodedHeader, body: body, tier: $0.topic.tier)
            }
            // The api endpoint's ACK for a fresh item, as Daemon.outcome(of:) writes it.
            guard acknowledged else { return .accepted(sent) }
            return .accepted(sent, ack: accepted.ack.encoded(duplicate: false), position: accepted.position)
        } catch {
            return .refused(error.code, error.message)
        }
    }

    /// A small deterministic generator (xorshift), so that a failure can be run again.
    private struct Draw {
        var state: UInt64

        mutating func next(_ n: Int) -> Int {
            self.state ^= self.state << 13
            self.state ^= self.state >> 7
            self.state ^= self.state << 17
            return Int(self.state % UInt64(n))
        }

        mutating func pick<T>(_ choices: [T]) -> T { choices[self.next(choices.count)] }
    }

    /// One header from the draw: the fields the plain path reads, in any order, spelled right
    /// or not, and now and then something only the general path reads.
    private static func header(_ draw: inout Draw, ids: inout [String]) -> [UInt8] {
        var fields: [String] = []
        // Two headers in three keep to words each field takes.
        let clean = draw.next(3) != 0
        /// Adds the field with a good value, or a bad one, or leaves it out (when `optional`).
        func add(_ name: String, _ good: [String], bad: [String], optional: Bool = true) {
            if optional && draw.next(3) == 0 { return }
            let value = (clean || bad.isEmpty || draw.next(4) != 0) ? draw.pick(good) : draw.pick(bad)
            fields.append("\"\(name)\":\"\(value)\"")
        }
        add("kind", ["signal", "signal", "alert", "alert", "diagnostic", "decision", "Signal", "ALERT"],
            bad: ["tasking", "reminder", "rumour"], optional: !clean)
        add("theme", ["t1", "t1", "t2", "t3", "tr", "t4"], bad: ["T1", "absent"], optional: !clean)
        add("title", ["Plant closes", "Fermeture à Dole", "x", "Ünïcödé 工場"],
            bad: ["   ", "a title far too long for the limit"], optional: !clean)
        add("severity", ["Minor", "Moderate", "severe", "EXTREME", "Unknown"], bad: ["huge"])
        add("urgency", ["Immediate", "expected", "Past"], bad: ["now"])
        add("certainty", ["Observed", "likely"], bad: ["maybe"])
        add("tlp", ["green", "clear", "red", "amber+strict", "AMBER"], bad: ["white"])
        if draw.next(2) == 0 { add("posture", ["proactive", "Reactive"], bad: ["passive"]) }
        if draw.next(3) == 0 { add("axis", ["axe-1"], bad: ["Axe 1"]) }
        if draw.next(3) == 0 { add("content_type", ["application/json", "text/plain"], bad: [""]) }
        switch draw.next(8) {
        case 0, 1:
            let id = "item-\(ids.count)"
            ids.append(id)
            fields.append("\"id\":\"\(id)\"")
        case 2 where !ids.isEmpty, 3 where !ids.isEmpty:
            // A retry, by whoever sends this one.
            fields.append("\"id\":\"\(draw.pick(ids))\"")
        case 4:
            fields.append("\"id\":\"bad~id\"")
        default:
            break
        }
        switch clean ? 99 : draw.next(14) {
        case 0: fields.append("\"v\":1")
        case 1: fields.append("\"x-note\":\"aside\"")
        case 2: fields.append("\"tags\":[\"a\"]")
        case 3: fields.append("\"v\":2")
        case 4: fields.append("\"title2\":\"typo\"")
        case 5: fields.append("\"received\":\"2020-01-01T00:00:00Z\"")
        default: break
        }
        // Any order; some space here and there; now and then an escape or a broken end.
        for n in stride(from: fields.count - 1, to: 0, by: -1) {
            fields.swapAt(n, draw.next(n + 1))
        }
        let separator = draw.pick([",", ",", ", ", " ,\n"])
        var text = "{" + fields.joined(separator: separator) + "}"
        switch clean ? 99 : draw.next(20) {
        case 0: text = text.replacingOccurrences(of: "Plant", with: "Pl\\u0061nt")
        case 1: text.removeLast()
        case 2: text = " " + text + "\n"
        default: break
        }
        return Array(text.utf8)
    }

    @Test func plainPath_givesWhatTheGeneralPathGives_forEveryOutcome() throws {
        let folder = try TemporaryDirectory()
        let general = try Self.makeBus(journalRoot: folder.file("general"))
        let mixed = try Self.makeBus(journalRoot: folder.file("mixed"))
        // Ids drawn from the millisecond alone, so that both buses make the same ones.
        general.ids = ItemIDGenerator { ms in (UInt16(truncatingIfNeeded: ms), UInt64(bitPattern: ms) &* 0x9E37_79B9) }
        let registry = Registry(configuration: Self.configuration)
        let senders = ["cci-doubs", "lab-besancon", "gip-auto", "crps-bfc", "operator", "cci-lyon"]
            .compactMap { registry.member($0) }
        try #require(senders.count == 6)
        var draw = Draw(state: 0x9E37_79B9_7F4A_7C15)
        var ids: [String] = []
        // From the present on: a rate quota's bucket starts full at the time the bus is made.
        var now = Timestamp(milliseconds: Timestamp.now().milliseconds + 1000)
        var taken = 0, handedBack = 0
        var outcomes: [String: Int] = [:]

        // Items sent with an id of their own, to be sent again as a publisher retries.
        var sentWithID: [(Member, [UInt8], [UInt8])] = []
        for n in 0..<4000 {
            var sender = draw.pick(senders)
            var header = Self.header(&draw, ids: &ids)
            var body = (0..<draw.pick([0, 5, 100, 100, 100, 120, 200])).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
            if draw.next(10) == 0, !sentWithID.isEmpty {
                (sender, header, body) = draw.pick(sentWithID)
            } else if String(decoding: header, as: UTF8.self).contains("\"item-") {
                sentWithID.append((sender, header, body))
            }
            // Several items in one millisecond, and a quiet spell now and then (rate quota).
            now = Timestamp(milliseconds: now.milliseconds + Int64(draw.pick([0, 0, 1, 3, 40])))
            // Both buses make the same id for an item that names none.
            mixed.ids = general.ids
            // Every other item as the api endpoint publishes it, asking for the ACK.
            let acknowledged = n % 2 == 1
            let expected = Self.general(general, sender, header, body, now, acknowledged: acknowledged)

            let run = MessageRun(capacity: 64)
            let before = mixed.ids
            let got: Outcome
            let sent = { run.entries.map {
                Sent(topic: Array(run.frame(0, of: $0)), header: Array(run.frame(1, of: $0)),
                     body: Array(run.frame(2, of: $0)), tier: $0.tier!)
            } }
            switch mixed.publishPlain(sender: sender, header: header, body: body, now: now, into: run, tenant: 0,
                                      acknowledge: acknowledged) {
            case .published:
                taken += 1
                #expect(!acknowledged)
                got = .accepted(sent())
            case .acknowledged(let ack, let id, let position):
                taken += 1
                #expect(acknowledged)
                got = .accepted(sent(), ack: Array(run.bytes(ack)), position: position)
                // The id named for a refusal is the one the ACK gives, and every delivery
                // waits for the item's position.
                #expect(Array(run.bytes(ack)).starts(with: Array("{\"id\":\"".utf8) + Array(run.bytes(id))))
                #expect(run.entries.allSatisfy { $0.position == position })
            case .refused(let rejection):
                got = .refused(rejection.code, rejection.message)
            case .notTaken:
                handedBack += 1
                #expect(run.count == 0 && run.byteCount == 0, "item \(n) handed back with something held")
                // Handing back may have used an id; the general path makes it again.
                mixed.ids = before
                got = Self.general(mixed, sender, header, body, now, acknowledged: acknowledged)
            }
            #expect(got == expected, "item \(n): \(String(decoding: header, as: UTF8.self)) by \(sender.id)")
            switch expected {
            case .accepted: outcomes["accepted", default: 0] += 1
            case .duplicate: outcomes["duplicate", default: 0] += 1
            case .refused(let code, _): outcomes[code.word, default: 0] += 1
            }
        }

        // The draw reaches the plain path often, and hands it much it must give back.
        #expect(taken > 600, "the plain path took \(taken) of 4000; \(outcomes)")
        #expect(handedBack > 1000)
        #expect((outcomes["accepted"] ?? 0) > taken && (outcomes["duplicate"] ?? 0) > 20)
        #expect(outcomes.count > 8, "outcomes: \(outcomes)")
        for tenant in ["bfc", "ara"] {
            let mine = try #require(general.journal(of: tenant)).read(prefix: tenant + "/", limit: 100_000)
            let theirs = try #require(mixed.journal(of: tenant)).read(prefix: tenant + "/", limit: 100_000)
            #expect(mine.records.count > 50)
            #expect(mine.records == theirs.records, "tenant \(tenant): the journals differ")
            for id in ids {
                #expect(general.ack(for: id, tenant: tenant) == mixed.ack(for: id, tenant: tenant), "ACK of \(id)")
            }
        }
    }

    /// An item the first of its topic goes the general way (the topic quota counts it); the
    /// next ones the plain way, with the same numbering and the header the general path writes,
    /// checked here against the fields written out by hand.
    @Test func plainPath_takesTheNextItemsOfATopic_withTheHeaderSpelledOut() throws {
        let folder = try TemporaryDirectory()
        let bus = try Self.makeBus(journalRoot: folder.file("j"))
        let sender = try #require(bus.registry.member("cci-doubs"))
        // Severity and urgency given, certainty left out, the default content type named: the
        // stamped header writes the first two and leaves out the rest of the defaults but TLP.
        let header = Array((#"{"kind":"alert","theme":"t1","title":"Plant closes","severity":"Severe","#
                            + #""urgency":"Immediate","content_type":"text/plain","id":"a-1"}"#).utf8)
        let now = Timestamp(milliseconds: 1_796_401_800_123)
        let run = MessageRun()

        let first = bus.publishPlain(sender: sender, header: header, body: [1], now: now, into: run, tenant: 0)
        _ = try bus.publish(sender: sender, header: header, body: [1], now: now)
        let second = bus.publishPlain(sender: sender, header: Array(String(decoding: header, as: UTF8.self)
                                          .replacingOccurrences(of: "a-1", with: "a-2").utf8),
                                      body: [2, 3], now: now, into: run, tenant: 0)

        #expect(first == .notTaken)
        #expect(second == .published)
        let stamp = "\"tenant\":\"bfc\",\"sender\":\"cci-doubs\",\"received\":\"2026-12-04T16:30:00.123Z\""
        let common = "{\"v\":1,\"id\":\"a-2\",\"kind\":\"alert\",\"theme\":\"t1\",\"title\":\"Plant closes\","
            + "\"severity\":\"Severe\",\"urgency\":\"Immediate\",\"tlp\":\"amber\"," + stamp
        let reason = "severity Severe at or above the theme's threshold Moderate"
        #expect(run.entries.map { String(decoding: run.frame(0, of: $0), as: UTF8.self) }
            == ["bfc/t1/gip/alert", "bfc/t1/crps/alert"])
        #expect(run.entries.map { String(decoding: run.frame(1, of: $0), as: UTF8.self) } == [
            common + ",\"tier\":\"gip\",\"seq\":2,\"origin\":\"bfc\"}",
            common + ",\"tier\":\"crps\",\"seq\":2,\"reason\":\"\(reason)\",\"origin\":\"bfc\"}",
        ])
        #expect(run.entries.map { Array(run.frame(2, of: $0)) } == [[2, 3], [2, 3]])
        #expect(bus.lastSequence(of: Topic(tenant: "bfc", theme: "t1", tier: .crps, kind: .alert)) == 2)
        let records = try #require(bus.journal(of: "bfc")).read(prefix: "bfc/", limit: 10).records
        #expect(records.map(\.id) == ["a-1", "a-1", "a-2", "a-2"])
        #expect(records.map(\.position) == [1, 2, 3, 4])
        #expect(records.suffix(2).map(\.header) == run.entries.map { Array(run.frame(1, of: $0)) })
        #expect(bus.ack(for: "a-2", tenant: "bfc")?.deliveries.map(\.seq) == [2, 2])
    }

    /// A route found again must follow the rules of the moment: once the registry takes a
    /// theme from the sender, or the router takes rules of its own, the plain path hands the
    /// item back and the general path decides.
    @Test func plainPath_forgetsItsRoutes_whenTheRegistryOrTheRouterChanges() throws {
        let folder = try TemporaryDirectory()
        let bus = try Self.makeBus(journalRoot: folder.file("j"))
        let header = Array(#"{"kind":"signal","theme":"t1","title":"Plant closes"}"#.utf8)
        let now = Timestamp(milliseconds: Timestamp.now().milliseconds + 1000)
        let run = MessageRun()
        func plain(_ sender: String) throws -> PlainOutcome {
            let member = try #require(bus.registry.member(sender))
            return bus.publishPlain(sender: member, header: header, body: [], now: now, into: run, tenant: 0)
        }
        _ = try bus.publish(senderID: "cci-doubs", header: header, body: [], now: now)
        let before = try plain("cci-doubs")

        var configuration = Self.configuration
        configuration.tenants[0].members[0] = Member(id: "cci-doubs", tenant: "bfc", stratum: .capteur,
                                                     themes: ["t2"])
        bus.registry = Registry(configuration: configuration)
        let afterRights = try plain("cci-doubs")
        let refused = Self.general(bus, try #require(bus.registry.member("cci-doubs")), header, [], now)
        let other = try plain("gip-auto")
        bus.router = Router(rules: [KindRoute()])
        let afterRouter = try plain("gip-auto")

        #expect(before == .published)
        #expect(afterRights == .notTaken)
        #expect(refused == .refused(.forbidden, "member 'cci-doubs' does not work on theme 't1'"))
        #expect(other == .published)
        #expect(afterRouter == .notTaken)
    }

    /// A journal that cannot store the item: the plain path refuses it as the general path
    /// does, with nothing numbered, remembered or held.
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func plainPath_onAFullDisk_refusesWithNothingStored() throws {
        let folder = try TemporaryDirectory()
        let state = folder.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mount = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", state])
        try #require(mount.status == 0, "cannot mount a tmpfs: \(mount.stderr)")
        defer { _ = try? runCommand("/bin/umount", ["-l", state]) }
        let bus = try Self.makeBus(journalRoot: state)
        let sender = try #require(bus.registry.member("gip-auto"))
        let header = Array(#"{"kind":"signal","theme":"t1","title":"Plant closes"}"#.utf8)
        let body = [UInt8](repeating: 0x41, count: 140)
        let now = Timestamp(milliseconds: 1_796_401_800_123)
        _ = try bus.publish(sender: sender, header: header, body: body, now: now)
        let run = MessageRun()

        var outcome = PlainOutcome.published
        var published = 0
        while outcome == .published && published < 10_000 {
            run.removeAll()
            outcome = bus.publishPlain(sender: sender, header: header, body: body, now: now, into: run, tenant: 0)
            if outcome == .published { published += 1 }
        }
        let journal = try #require(bus.journal(of: "bfc"))
        let next = journal.nextPosition
        let topic = Topic(tenant: "bfc", theme: "t1", tier: .gip, kind: .signal)

        guard case .refused(let rejection) = outcome else {
            Issue.record("never refused: \(outcome) after \(published)")
            return
        }
        #expect(rejection.code == .storageFull)
        #expect(rejection.id == nil)
        #expect(run.count == 0 && run.byteCount == 0)
        #expect(bus.lastSequence(of: topic) == UInt64(published) + 1)
        #expect(journal.nextPosition == next && next == UInt64(published) + 2)
        // The general path gives the same answer for the same item.
        #expect(throws: Rejection.self) { try bus.publish(sender: sender, header: header, body: body, now: now) }
        #expect(try journal.read(prefix: "bfc/", limit: 100_000).records.count == published + 1)
    }
}
