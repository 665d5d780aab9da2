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

func fail(_ code: Int32, _ message: String) -> Never {
    Logger.standardError().error("cannot start", [("err", message)])
    exit(code)
}

var arguments = ArgumentReader(Array(CommandLine.arguments.dropFirst()))
if arguments.wantsHelp() {
    print(help)
    exit(ExitCode.success)
}
let configPath: String?
let levelOverride: LogLevel?
let checkOnly: Bool
do {
    if arguments.flag("--version") {
        print("orisd \(Daemon.version) (libzmq \(Context.libraryVersion))")
        exit(ExitCode.success)
    }
    if arguments.flag("--print-default-config") {
        print(ConfigurationLoader.defaultText)
        exit(ExitCode.success)
    }
    configPath = try arguments.option("--config")
    if let word = try arguments.option("--log-level") {
        guard let level = LogLevel(word: word) else {
            throw UsageError("option '--log-level' takes trace, debug, info, notice, warning or error, not '\(word)'")
        }
        levelOverride = level
    } else {
        levelOverride = nil
    }
    checkOnly = arguments.flag("--check-config")
    try arguments.finish()
} catch {
    fail(ExitCode.usage, "\(error) (see orisd --help)")
}

var configuration: Configuration
do {
    configuration = try configPath.map { path throws(ConfigurationError) in try ConfigurationLoader.load(path: path) }
        ?? ConfigurationLoader.embeddedDefault()
} catch {
    fail(ExitCode.config, "\(error)")
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
