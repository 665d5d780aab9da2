// SPDX-License-Identifier: Apache-2.0
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

// Signals are blocked before anything else starts a thread, so none is lost (SignalWatcher).
let signals = SignalWatcher()

let help = """
    orisd — the ORIS Bus daemon: routes alerts and weak signals of regional intelligence
    networks over ZeroMQ.

    Usage: orisd [--config FILE] [--log-level LEVEL] [--check-config] [--print-default-config] [--version]

    Options:
      --config FILE            JSON configuration (comments allowed); without it, the embedded
                               default: one demo region on loopback and ipc only.
      --log-level LEVEL        trace, debug, info, notice, warning or error (overrides the file).
      --check-config           check the configuration, print a summary and exit.
      --print-default-config   print the embedded default configuration and exit.
      --version                print the version and exit.
      -h, --help               this text.

    Signals: SIGTERM and SIGINT stop the daemon cleanly; SIGHUP is logged and ignored.
    Logs: logfmt lines on standard error, one event a line; 'msg=ready' when it serves.

    Exit codes:
      0   stopped cleanly
      1   a runtime failure (an endpoint cannot be bound, the state folder is in use)
      64  a usage error
      78  the configuration is invalid (one line names the file, the field and the problem)
    """

/// Logs why orisd stops before serving, as `msg` with the reason in `err`, and exits.
func fail(_ code: Int32, _ message: String, phrase: StaticString = "cannot start") -> Never {
    Logger.standardError().error(phrase, [("err", message)])
    exit(code)
}

var arguments = ArgumentReader(Array(CommandLine.arguments.dropFirst()))
if arguments.wantsHelp() {
    print(help)
    exit(ExitCode.success)
}
// Every option is read, and anything unknown refused, before any of them is acted on.
let showVersion = arguments.flag("--version")
let printDefault = arguments.flag("--print-default-config")
let checkOnly = arguments.flag("--check-config")
let configPath: String?
let levelOverride: LogLevel?
do {
    configPath = try arguments.option("--config")
    if let word = try arguments.option("--log-level") {
        guard let level = LogLevel(word: word) else {
            throw UsageError("option '--log-level' takes trace, debug, info, notice, warning or error, not '\(word)'")
        }
        levelOverride = level
    } else {
        levelOverride = nil
    }
    if let extra = try arguments.positionals().first {
        let hint = configPath == nil && extra.hasSuffix(".json") ? "; did you mean '--config \(extra)'?" : ""
        throw UsageError("unexpected argument '\(extra)'\(hint)")
    }
} catch {
    let phrase: StaticString = checkOnly ? "cannot check the configuration" : "cannot start"
    fail(ExitCode.usage, "\(error) (see orisd --help)", phrase: phrase)
}
if showVersion {
    print("orisd \(Daemon.version) (libzmq \(Context.libraryVersion))")
    exit(ExitCode.success)
}
if printDefault {
    print(ConfigurationLoader.defaultText)
    exit(ExitCode.success)
}

var configuration: Configuration
do {
    configuration = try configPath.map { path throws(ConfigurationError) in try ConfigurationLoader.load(path: path) }
        ?? ConfigurationLoader.embeddedDefault()
} catch {
    fail(ExitCode.config, "\(error)", phrase: checkOnly ? "configuration invalid" : "cannot start")
}
if let levelOverride {
    configuration.logLevel = levelOverride
}
if checkOnly {
    print(ConfigurationLoader.summary(of: configuration, file: configPath ?? ConfigurationLoader.embeddedName))
    exit(ExitCode.success)
}

let logger = Logger.standardError(level: configuration.logLevel)
logger.info("starting", [("config", configPath ?? ConfigurationLoader.embeddedName), ("pid", String(getpid()))])
do {
    let source = configPath.map(ConfigurationLoader.absolute) ?? ConfigurationLoader.embeddedName
    try Daemon(configuration: configuration, logger: logger, source: source).run(signals: signals)
} catch {
    logger.error("cannot run", [("err", error.description)])
    exit(ExitCode.failure)
}
exit(ExitCode.success)
