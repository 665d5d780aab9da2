// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl publish`: publishes one item and prints the daemon's ACK.
enum PublishCommand: DaemonCommand {
    static let name = "publish"
    static let summary = "publish a weak signal, an alert or another item and print its ACK"
    /// Bodies larger than this are held to the daemon's `max_body_bytes` (from WELCOME) before
    /// they are sent; smaller ones cost no extra round trip.
    static let bodyCheckedFirst = 65536
    static let usage = """
    Usage: orisctl publish --theme THEME --title TEXT [options] [common options]
           orisctl publish --cap FILE|FOLDER... [--map FILE] [--theme THEME]   (CAP alerts; see below)

    Header (checked by the daemon; a refusal prints its NAK code and exits 65):
      --kind KIND          signal (default), alert, diagnostic, decision, tasking
      --theme THEME        the key theme, for example auto-rang3
      --title TEXT         one line saying what it is
      --severity WORD      CAP severity: Extreme, Severe, Moderate, Minor, Unknown (default)
      --urgency WORD       CAP urgency: Immediate, Expected, Future, Past, Unknown (default)
      --certainty WORD     CAP certainty: Observed, Likely, Possible, Unlikely, Unknown (default)
      --tlp LABEL          red, amber+strict, amber (default), green, clear
      --posture WORD       prospective, proactive, reactive
      --tag TAG            a tag (repeatable)
      --axis AXIS          the research axis
      --ref ID             the id of an item this one refers to (repeatable)
      --id ID              your own id: publishing the same id again (after a timeout, a
                           restart) is a safe retry, answered with the first ACK
      --sent TIME          when you sent it, RFC 3339
      --content-type TYPE  the body's media type (default text/plain)
      --header-file FILE   start from this JSON header; the options above override its fields

    Body (empty by default):
      --body TEXT          the body as text
      --body-file FILE     the body from a file, or - for standard input (a body over the
                           daemon's max_body_bytes is refused before it is sent)

    Output:
      --json               print the ACK object as JSON instead of one line

    \(capUsage)
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        if arguments.flag("--cap") {
            return try self.runCAP(&arguments, common: common)
        }
        var header = JSONObject()
        if let path = try arguments.option("--header-file") {
            header = try InputFiles.jsonObject(path, what: "header file")
        }
        let single: [(String, String)] = [
            ("--kind", "kind"), ("--theme", "theme"), ("--title", "title"), ("--severity", "severity"),
            ("--urgency", "urgency"), ("--certainty", "certainty"), ("--tlp", "tlp"), ("--posture", "posture"),
            ("--axis", "axis"), ("--id", "id"), ("--sent", "sent"), ("--content-type", "content_type"),
        ]
        for (option, field) in single {
            if let value = try arguments.option(option) {
                header[field] = .string(value)
            }
        }
        let tags = try arguments.options("--tag")
        if !tags.isEmpty { header["tags"] = .array(tags.map { .string($0) }) }
        let refs = try arguments.options("--ref")
        if !refs.isEmpty { header["references"] = .array(refs.map { .string($0) }) }
        if header["kind"] == nil { header["kind"] = .string("signal") }

        let bodyText = try arguments.option("--body")
        let bodyFile = try arguments.option("--body-file")
        let json = arguments.flag("--json")
        try arguments.finish()
        guard header["theme"] != nil else { throw UsageError("--theme is required") }
        guard header["title"] != nil else { throw UsageError("--title is required") }
        if bodyText != nil && bodyFile != nil {
            throw UsageError("give the body with --body or --body-file, not both")
        }
        var body = bodyText.map { Array($0.utf8) } ?? []
        if let bodyFile {
            guard let bytes = FileBytes.read(path: bodyFile == "-" ? "/dev/stdin" : bodyFile) else {
                throw CommandFailure.noInput("cannot read body file '\(bodyFile)': \(FileBytes.lastErrorText())")
            }
            body = bytes
        }

        let connection = try common.connect()
        defer { connection.close() }
        let client = connection.client
        // Far over the daemon's limit a body is dropped with its connection, unanswered (PROTOCOL.md
        // section 8): a large one is held to WELCOME's limit first, and refused here, unsent.
        if body.count > PublishCommand.bodyCheckedFirst,
           let limit = try common.hello(client)["limits"]?.objectValue?["max_body_bytes"]?.intValue,
           body.count > Int(limit) {
            throw CommandFailure.refused(Reply(word: "NAK", body: JSONObject([
                ("code", .string("body-too-large")),
                ("message", .string(ImportPublisher.bodyTooLarge(body.count, limit: Int(limit)))),
            ])))
        }
        let reply = try client.request(.publish(header: JSONWriter.encode(.object(header)), body: body))
        guard reply.word == "ACK" else {
            throw CommandFailure.refused(reply)
        }
        if json {
            Output.line(JSONWriter.string(.object(reply.body)))
        } else {
            Output.line(self.ackLine(reply.body))
        }
        return ExitCode.success
    }

    /// `ACK id=… seq=… tiers=gip,crps`, then each delivery's topic and sequence.
    static func ackLine(_ ack: JSONObject) -> String {
        let id = ack["id"]?.stringValue ?? "?"
        let seq = ack["seq"]?.intValue.map(String.init) ?? "-"
        let tiers = ack["tiers"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
        var line = "ACK id=\(id) seq=\(seq) tiers=\(tiers)"
        if ack["duplicate"]?.boolValue == true {
            // A retry, or an id used before: the first ACK, and this item's content was not kept.
            line += " duplicate (already stored: nothing new was stored or delivered)"
        }
        for delivery in ack["deliveries"]?.arrayValue ?? [] {
            let topic = delivery.objectValue?["topic"]?.stringValue ?? "?"
            let seq = delivery.objectValue?["seq"]?.intValue.map(String.init) ?? "?"
            line += "\n  \(topic) #\(seq)"
        }
        return line
    }
}
