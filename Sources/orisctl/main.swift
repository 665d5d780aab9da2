// SPDX-License-Identifier: Apache-2.0
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

/// Every subcommand, in the order `--help` lists them.
enum Commands {
    static let all: [any Command.Type] = [
        PublishCommand.self, FeedCommand.self, ImportCommand.self, EscalateCommand.self, SubscribeCommand.self,
        ReplayCommand.self, ExplainCommand.self, TraceCommand.self, HelloCommand.self, StatsCommand.self,
        AuditCommand.self, MemberCommand.self, ThemeCommand.self, KeygenCommand.self,
    ]
}
let commands = Commands.all

let exitCodes = """
    Exit codes:
      0   success
      1   another failure
      64  usage error
      65  the daemon refused the request (NAK; its code is printed)
      66  an input file cannot be read or is not what its option takes (a table, a mapping, a
          header, body, theme, key or feed state file; the message gives the parser's position);
          in a batch of CAP, feed, MISP or STIX files such a file is a rejection, exit 65
      69  the daemon did not answer within the timeout, or refused the member's handshake (for
          subscribe, on the feed endpoint too)
      73  an output file cannot be created
      77  the member may not do this (a subscription beyond what it may read: a PREFIX, --theme
          or --tier)
    """

func overview() -> String {
    let commands = Commands.all
    let width = commands.map { $0.name.count }.max() ?? 0
    let list = commands.map { "  \($0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\($0.summary)" }
    return """
        orisctl — the ORIS Bus command line: publish, subscribe and inspect a daemon.

        Usage: orisctl COMMAND [options]    (orisctl COMMAND --help, or orisctl help COMMAND, for each)
               orisctl --version

        Commands:
        \(list.joined(separator: "\n"))

        Common options (every command but keygen):
        \(CommonOptions.help)

        \(exitCodes)
        """
}

/// `orisctl COMMAND --help`: what the command does, its options, the common options when it
/// takes them, and the exit codes.
func help(for command: any Command.Type) -> String {
    var text = "orisctl \(command.name) — \(command.summary)\n\n\(command.usage)\n\n"
    if command is any DaemonCommand.Type {
        text += "Common options:\n\(CommonOptions.help)\n\n"
    }
    return text + exitCodes
}

/// The subcommand `word` names; an unknown word ends the program as a usage error (exit 64)
/// with the closest command name.
func commandNamed(_ word: String) -> any Command.Type {
    if let found = commands.first(where: { $0.name == word }) {
        return found
    }
    let hint = Suggestion.closest(to: word, among: commands.map { $0.name }).map { "; did you mean '\($0)'?" } ?? ""
    Output.error("orisctl: unknown command '\(word)'\(hint) (see orisctl --help)")
    exit(ExitCode.usage)
}

var words = Array(CommandLine.arguments.dropFirst())
guard let first = words.first else {
    Output.line(overview())
    exit(ExitCode.usage)
}
words.removeFirst()
switch first {
case "--help", "-h":
    Output.line(overview())
    exit(ExitCode.success)
case "--version":
    guard words.isEmpty else {
        Output.error("orisctl: --version takes nothing more, not '\(words[0])' (see orisctl --help)")
        exit(ExitCode.usage)
    }
    Output.line("orisctl \(Daemon.version) (libzmq \(Context.libraryVersion))")
    exit(ExitCode.success)
case "help":
    guard words.count <= 1 else {
        Output.error("orisctl: help takes one COMMAND, not '\(words.joined(separator: " "))' (see orisctl --help)")
        exit(ExitCode.usage)
    }
    Output.line(words.first.map { help(for: commandNamed($0)) } ?? overview())
    exit(ExitCode.success)
default:
    break
}
let command = commandNamed(first)

var arguments = ArgumentReader(words)
if arguments.wantsHelp() {
    Output.line(help(for: command))
    exit(ExitCode.success)
}

do {
    exit(try command.run(&arguments))
} catch let error as UsageError {
    Output.error("orisctl \(command.name): \(error) (see orisctl \(command.name) --help)")
    exit(ExitCode.usage)
} catch let error as ClientError {
    Output.error("orisctl \(command.name): \(error)")
    switch error {
    case .timeout, .feedUnreachable, .handshakeRefused: exit(ExitCode.unavailable)
    case .badReply, .zmq: exit(ExitCode.failure)
    }
} catch CommandFailure.refused(let reply) {
    let code = reply.body["code"]?.stringValue ?? reply.word
    let message = reply.body["message"]?.stringValue ?? ""
    Output.error("NAK \(code): \(message)")
    exit(ExitCode.refused)
} catch CommandFailure.noInput(let text) {
    Output.error("orisctl \(command.name): \(text)")
    exit(ExitCode.noInput)
} catch CommandFailure.cannotCreate(let text) {
    Output.error("orisctl \(command.name): \(text)")
    exit(ExitCode.cannotCreate)
} catch CommandFailure.notPermitted(let text) {
    Output.error("orisctl \(command.name): \(text)")
    exit(ExitCode.notPermitted)
} catch {
    Output.error("orisctl \(command.name): \(error)")
    exit(ExitCode.failure)
}
