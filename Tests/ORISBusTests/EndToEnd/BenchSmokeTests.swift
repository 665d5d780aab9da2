// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The benchmark driver runs its quick pass and prints its table, so bench/run.sh cannot rot.
/// Nothing here judges a figure: timing belongs to bench/, not to tests.
@Suite("bench smoke", .serialized)
struct BenchSmokeTests {
    @Test func quickPass_printsEveryRowOfTheTable() throws {
        let folder = TemporaryFolder()

        let result = try runCommand(Binaries.directory + "/oris-bench", [Binaries.orisd, folder.path, "--quick"],
                                    seconds: 120)

        #expect(result.status == 0, "\(result.stderr)")
        for row in ["disk: write 128 B + fdatasync", "acknowledged publish, fsync always",
                    "acknowledged publish, fsync batch", "acknowledged publish, fsync never",
                    "start-up with recovery of", "replay of 5000 items"] {
            #expect(result.stdout.contains(row), "missing row: \(row)")
        }
    }
}
