// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl stats`: the daemon's counters (operators only).
enum StatsCommand: Command {
    static let name = "stats"
    static let summary = "show the daemon's counters: accepted, delivered, refused by cause (operator)"
    static let usage = """
    Usage: orisctl stats [common options]

    Prints the counters as one JSON object. Only a member of stratum operator may read them.
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        try arguments.finish()
        _ = try common.requireMember()
        let context = try Context()
        defer { context.terminate() }
        let client = try APIClient(context: context, endpoint: common.api, member: common.member,
                                   timeoutMilliseconds: common.timeoutMilliseconds)
        defer { client.close() }
        let reply = try client.request(.stats)
        guard reply.word == "STATS" else {
            throw CommandFailure.refused(reply)
        }
        Output.line(JSONWriter.string(.object(reply.body)))
        return ExitCode.success
    }
}
