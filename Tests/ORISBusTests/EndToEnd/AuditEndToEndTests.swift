// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// The registry survives restarts and every change to it is in the audit trail.
@Suite("audit end to end", .serialized)
struct AuditEndToEndTests {
    static func audit(_ daemon: RunningDaemon, _ extra: [String] = []) throws -> [JSONObject] {
        let result = try runCommand(Binaries.orisctl, ["audit", "--api", daemon.api, "--as", "operator", "--json"]
                                    + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { (try? JSONParser.parse(String($0)))?.objectValue }
    }

    @Test func configurationChanges_areAuditedOnceEachAcrossRestarts() throws {
        let folder = TemporaryFolder()
        let first = try RunningDaemon(folder: folder)
        let initial = try Self.audit(first)
        first.stop()

        // The test configuration holds 2 tenants: bfc (2 themes, 6 members), ara (1 theme, 2 members).
        #expect(initial.count == 13)
        #expect(initial.filter { $0["action"] == .string("tenant.add") }.count == 2)
        #expect(initial.filter { $0["action"] == .string("theme.add") }.count == 3)
        #expect(initial.filter { $0["action"] == .string("member.add") }.count == 8)
        #expect(initial.allSatisfy { $0["actor"] == .string("config:" + folder.path + "/orisd.json") })
        #expect(initial.compactMap { $0["n"]?.intValue } == (1...13).map { Int64($0) })

        // Same configuration: nothing new.
        let same = try RunningDaemon(folder: folder)
        #expect(try Self.audit(same).count == 13)
        same.stop()

        // Remove a member, change a threshold, add a member.
        let changed = TestConfiguration.text(state: folder.path + "/state")
            .replacingOccurrences(
                of: #"{"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3", "machine-speciale"]},"#,
                with: "")
            .replacingOccurrences(of: #"{"id": "auto-rang3", "crps_severity": "Moderate"}"#,
                                  with: #"{"id": "auto-rang3", "crps_severity": "Extreme"}"#)
            .replacingOccurrences(of: #"{"id": "ara-gip", "stratum": "gip"}"#,
                                  with: #"{"id": "ara-gip", "stratum": "gip"}, {"id": "ara-crps", "stratum": "crps"}"#)
        let third = try RunningDaemon(configText: changed, folder: folder)
        let after = try Self.audit(third)
        let bfcOnly = try Self.audit(third, ["--tenant", "bfc"])
        let refused = try runCommand(Binaries.orisctl, ["audit", "--api", third.api, "--as", "gip-auto"])

        let fresh = after.dropFirst(13)
        #expect(fresh.count == 3)
        let summary = Set(fresh.map { "\($0["action"]?.stringValue ?? "") \($0["tenant"]?.stringValue ?? "")/"
                                      + "\($0["subject"]?.stringValue ?? "")" })
        #expect(summary == ["member.remove bfc/cci-doubs", "theme.change bfc/auto-rang3", "member.add ara/ara-crps"])
        let change = try #require(fresh.first { $0["action"] == .string("theme.change") })
        #expect(change["detail"]?.objectValue?["crps_severity"] == .string("Extreme"))
        #expect(bfcOnly.allSatisfy { $0["tenant"] == .string("bfc") })
        #expect(bfcOnly.count == 1 + 2 + 6 + 2)
        #expect(refused.status == 65)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/state/registry.json"))
    }
}
