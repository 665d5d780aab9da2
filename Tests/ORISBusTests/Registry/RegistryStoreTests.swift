// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The registry on disk and its audit trail.
@Suite struct RegistryStoreTests {
    static let tenant = TenantConfiguration(
        id: "bfc", name: "BFC",
        themes: [ThemeConfiguration(id: "t", title: "T")],
        members: [Member(id: "m", tenant: "bfc", stratum: .capteur)]
    )

    static func registry(_ tenants: [TenantConfiguration]) -> Registry {
        Registry(configuration: Configuration(
            stateDirectory: "/nonexistent", security: .none, endpoints: Endpoints(api: [], feed: [], ingest: []),
            limits: ItemLimits(), feedHighWaterMark: 1, logLevel: .info, tenants: tenants))
    }

    @Test func record_firstTime_auditsEveryTenantThemeAndMember() throws {
        let dir = try TemporaryDirectory()
        let store = try RegistryStore(stateDirectory: dir.path)

        let count = try store.record(Self.registry([Self.tenant]), actor: "config:x", now: Timestamp(milliseconds: 5))

        #expect(count == 3)
        #expect(store.audit.entries.map(\.action) == ["tenant.add", "theme.add", "member.add"])
        #expect(store.audit.entries.map(\.number) == [1, 2, 3])
        #expect(store.audit.entries.allSatisfy { $0.actor == "config:x" && $0.tenant == "bfc" })
    }

    @Test func record_again_auditsOnlyWhatChangedAndSurvivesReopening() throws {
        let dir = try TemporaryDirectory()
        try RegistryStore(stateDirectory: dir.path).record(Self.registry([Self.tenant]), actor: "config:x")
        var changed = Self.tenant
        changed.members = [Member(id: "m", tenant: "bfc", stratum: .gip),
                           Member(id: "n", tenant: "bfc", stratum: .crps)]
        changed.themes = []

        let store = try RegistryStore(stateDirectory: dir.path)
        let unchanged = try RegistryStore(stateDirectory: dir.path)
            .record(Self.registry([Self.tenant]), actor: "config:y")
        let count = try store.record(Self.registry([changed]), actor: "config:z")
        let reopened = try RegistryStore(stateDirectory: dir.path)

        #expect(unchanged == 0)
        #expect(count == 3)
        let fresh = reopened.audit.entries.dropFirst(3).map { "\($0.action) \($0.subject)" }
        #expect(Set(fresh) == ["member.change m", "member.add n", "theme.remove t"])
        #expect(reopened.audit.entries.count == 6)
    }
}

extension RegistryStoreTests {
    @Test func record_memberAddedAtRunTime_isAuditedWithItsActorAndItsKey() throws {
        let dir = try TemporaryDirectory()
        let store = try RegistryStore(stateDirectory: dir.path)
        var registry = Self.registry([Self.tenant])
        try store.record(registry, actor: "config:x")
        var added = Member(id: "new-one", tenant: "bfc", stratum: .gip, themes: ["t"])
        added.publicKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
        registry.insert(added)

        let count = try store.record(registry, actor: "admin-bfc")
        registry.remove("m")
        let removed = try store.record(registry, actor: "operator")

        #expect(count == 1 && removed == 1)
        let last = store.audit.entries.suffix(2)
        #expect(last.map(\.action) == ["member.add", "member.remove"])
        #expect(last.map(\.actor) == ["admin-bfc", "operator"])
        #expect(last.map(\.subject) == ["new-one", "m"])
        #expect(last.first?.detail.objectValue?["public_key"] == .string("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"))
    }
}

extension RegistryStoreTests {
    @Test func record_memberChangeOfAnotherOrigin_isAuditedWithThatActor() throws {
        let dir = try TemporaryDirectory()
        let store = try RegistryStore(stateDirectory: dir.path)
        var registry = Self.registry([Self.tenant])
        try store.record(registry, actor: "config:x")
        registry.insert(Member(id: "late", tenant: "bfc", stratum: .gip))
        var changed = registry
        changed.remove("m")

        let count = try store.record(changed, actor: "config:y", memberActors: ["late": "enrolment:e.json"])

        #expect(count == 2)
        let last = store.audit.entries.suffix(2).map { "\($0.actor) \($0.action) \($0.subject)" }
        #expect(Set(last) == ["enrolment:e.json member.add late", "config:y member.remove m"])
    }
}
