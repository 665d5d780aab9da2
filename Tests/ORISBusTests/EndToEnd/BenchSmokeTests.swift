// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The benchmark driver runs its quick pass and prints its table, so bench/run.sh cannot rot.
/// Nothing here judges a figure: timing belongs to bench/, not to tests.
@Suite("bench smoke", .serialized)
struct BenchSmokeTests {
    @Test func quickPass_printsEveryRowOfTheTable() throws {
        let folder = TemporaryFolder()
        let load = folder.path + "/orisload"
        let compiled = try runCommand("/usr/bin/env", ["cc", "-O2", "-o", load,
                                                      Binaries.packageRoot + "/bench/orisload.c", "-lzmq", "-lpthread"])
        #expect(compiled.status == 0, "\(compiled.stderr)")

        let result = try runCommand(Binaries.directory + "/oris-bench",
                                    [Binaries.orisd, folder.path, "--load", load, "--quick"], seconds: 120)

        #expect(result.status == 0, "\(result.stderr)")
        for row in ["W1 1→1", "W1 latency p50", "W1 latency p99", "P beside a neighbour syncing the disk",
                    "orisd with fsync never (journal on) vs P", "W2 1→10", "W3 100 topics",
                    "memory per subscriber connection", "memory per idle topic", "disk: write 128 B + fdatasync",
                    "disk: group commit", "acked publish, fsync always", "acked publish, fsync batch",
                    "acked publish, fsync never", "ACK latency p50 / p99, fsync always, 10,000 items/s",
                    "start-up with recovery of", "replay of 5000 items",
                    "W3 bytes of a delivered message", "W3 rate, orisd (as above) vs P carrying messages as large",
                    "W1 rate, a C forwarder with orisd's frames and bytes",
                    "W1 rate, orisd (as above) vs that forwarder",
                    "W1 rate, the same forwarder also stamping a sequence number and syncing a journal",
                    "acked publish, fsync always, the protocol's ceiling",
                    "W1 latency p50, a C forwarder", "W1 latency p50, orisd (as above) vs that forwarder"] {
            #expect(result.stdout.contains(row), "missing row: \(row)")
        }
        // P forwards what orisload publishes: the topic `bench/t000/gip/signal`, the header
        // `{"kind":"signal","theme":"t000","title":"bench"}` and a body of 100 bytes.
        let pBytes = "bench/t000/gip/signal".utf8.count
            + #"{"kind":"signal","theme":"t000","title":"bench"}"#.utf8.count + 100
        let bytesRow = result.stdout.split(separator: "\n").first { $0.hasPrefix("| W1 bytes of a delivered") }
        // One run in the quick pass: the median alone, no range.
        #expect(bytesRow?.contains("| \(pBytes) B |") == true, "\(bytesRow ?? "")")
        // The forwarder delivered, and as many bytes as orisd (the driver stops otherwise): its
        // rate is a figure, not "n/a".
        let forwarderRow = result.stdout.split(separator: "\n").first { $0.hasPrefix("| W1 rate, a C forwarder") }
        let forwarderRate = forwarderRow?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(forwarderRate.map { $0.count > 2 && $0[2].hasSuffix(" /s") && !$0[2].hasPrefix("n/a") } == true,
                "\(forwarderRow ?? "")")
    }
}
