// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl escalate`: a GIP member sends an item on to the CRPS, with a note.
enum EscalateCommand: DaemonCommand {
    static let name = "escalate"
    static let summary = "send an item on to the CRPS with a note (GIP members of its theme)"
    static let usage = """
    Usage: orisctl escalate ID --note TEXT [--json] [common options]

    The item ID (on your theme's GIP tier) is delivered to the CRPS as a new item ID~crps that
    references it, sent by you, with your note as its reason. Escalating an item again is
    answered with the first escalation's ACK; an item that already reached the CRPS, or is
    TLP red, is refused. The control socket, which acts for no tenant, cannot escalate.

      --note TEXT        why the CRPS should see it (required)
      --json             print the ACK object as JSON instead of one line
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        guard let note = try arguments.option("--note") else { throw UsageError("--note is required") }
        let json = arguments.flag("--json")
        let words = try arguments.positionals()
        guard words.count == 1 else { throw UsageError("give one item ID") }
        if common.control != nil {
            // ESCALATE names no tenant: the caller's own is the item's.
            throw UsageError("the control socket acts for no tenant, and escalate names none: escalate as a GIP "
                             + "member of the item's theme or an operator of its tenant (--as MEMBER)")
        }
        let request = JSONObject([("id", .string(words[0])), ("note", .string(note))])
        let connection = try common.connect()
        defer { connection.close() }
        let reply = try connection.client.request(.escalate(arguments: JSONWriter.encode(.object(request))))
        guard reply.word == "ACK" else { throw CommandFailure.refused(reply) }
        Output.line(json ? JSONWriter.string(.object(reply.body)) : PublishCommand.ackLine(reply.body))
        return ExitCode.success
    }
}
