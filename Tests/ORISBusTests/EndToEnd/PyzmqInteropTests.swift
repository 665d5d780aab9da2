// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// A client nobody on the team wrote against the Swift layer: Python with pyzmq, from
/// docs/PROTOCOL.md alone (`make test` installs pyzmq).
@Suite("pyzmq interop", .serialized)
struct PyzmqInteropTests {
    @Test func pyzmqClient_publishesOverREQDealerAndPUB_andReceivesOverSUB() throws {
        let daemon = try RunningDaemon()
        let script = Binaries.packageRoot + "/Tests/interop/pyzmq_client.py"

        let run = try runCommand("/usr/bin/env", ["python3", script, daemon.api, daemon.feed, daemon.ingest],
                                 seconds: 60)

        #expect(run.status == 0, "python failed: \(run.stderr)")
        let result = try #require(try JSONParser.parse(run.stdout).objectValue)
        let req = result["req"]?.arrayValue
        #expect(req?[0] == .string("ACK"))
        #expect(req?[1].objectValue?["id"] == .string("py-req-1"))
        #expect(req?[1].objectValue?["tiers"] == .array([.string("gip"), .string("crps")]))
        let dealer = result["dealer"]?.arrayValue ?? []
        #expect(dealer.compactMap { $0.arrayValue?[1].objectValue?["id"]?.stringValue }
                == ["py-dealer-0", "py-dealer-1", "py-dealer-2"])
        #expect(dealer.compactMap { $0.arrayValue?[1].objectValue?["seq"]?.intValue } == [1, 2, 3])
        #expect(result["dealer_bad"]?.arrayValue?[1].objectValue?["code"] == .string("bad-json"))

        let received = result["received"]?.arrayValue?.compactMap(\.objectValue) ?? []
        // The alert (gip seq 1 of kind alert), three signals (seq 1..3), then the PUB's signal (seq 4).
        #expect(received.map { $0["id"]?.stringValue } == ["py-req-1", "py-dealer-0", "py-dealer-1", "py-dealer-2",
                                                         "py-pub-1"])
        #expect(received.map { $0["topic"]?.stringValue } == ["bfc/machine-speciale/gip/alert"]
                + Array(repeating: "bfc/machine-speciale/gip/signal", count: 4))
        #expect(received.map { $0["seq"]?.intValue } == [1, 1, 2, 3, 4])
        #expect(received.allSatisfy { $0["sender"] == .string("cci-belfort") })
        #expect(received.first?["body"] == .string("corps en UTF-8 : é"))
    }
}
