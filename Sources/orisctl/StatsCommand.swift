// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl stats`: the daemon's counters (operators only).
enum StatsCommand: DaemonCommand {
    static let name = "stats"
    static let summary = "show the daemon's counters: accepted, delivered, rejected by cause (operator)"
    static let usage = """
    Usage: orisctl stats [common options]

    Prints the counters as one JSON object. Only a member of stratum operator may read them.
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        try arguments.finish()
        let connection = try common.connect()
        defer { connection.close() }
        let client = connection.client
        let reply = try client.request(.stats)
        guard reply.word == "STATS" else {
            throw CommandFailure.refused(reply)
        }
        Output.line(JSONWriter.string(.object(reply.body)))
        return ExitCode.success
    }
}
