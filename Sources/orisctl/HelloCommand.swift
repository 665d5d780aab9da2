// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl hello`: checks that the daemon answers and says who you are to it.
enum HelloCommand: DaemonCommand {
    static let name = "hello"
    static let summary = "check that the daemon answers, and show your member, tenant and themes"
    static let usage = """
    Usage: orisctl hello [--json] [common options]

      --json             print the daemon's WELCOME object as JSON
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let json = arguments.flag("--json")
        try arguments.finish()
        // Without a member the daemon's ZAP handler refuses the connection, which would look
        // like a daemon that is down.
        let connection = try common.connect()
        defer { connection.close() }
        let client = connection.client
        let welcome = try common.hello(client)
        if json {
            Output.line(JSONWriter.string(.object(welcome)))
            return ExitCode.success
        }
        func text(_ key: String) -> String { welcome[key]?.stringValue ?? "-" }
        Output.line("daemon \(text("version")) at \(common.api), protocol \(text("protocol"))")
        if welcome["member"] != nil {
            let themes = welcome["themes"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
            Output.line("member \(text("member")) (\(text("stratum"))) of tenant \(text("tenant"))")
            Output.line("themes: \(themes)")
            let animates = welcome["animates"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let roles = (welcome["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []).map {
                $0 == "animateur" && !animates.isEmpty ? "animateur of \(animates.joined(separator: ", "))" : $0
            }
            if !roles.isEmpty { Output.line("roles: \(roles.joined(separator: ", "))") }
            let readable = welcome["readable"]?.arrayValue?.compactMap(\.stringValue) ?? []
            Output.line("reads: \(readable.map { $0.isEmpty ? "(every topic)" : $0 }.joined(separator: " "))")
        } else {
            Output.line("not connected as a member (use --as MEMBER)")
        }
        let feed = welcome["feed"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? ""
        Output.line("feed: \(feed)")
        return ExitCode.success
    }
}
