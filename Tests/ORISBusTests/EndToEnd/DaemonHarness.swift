// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the built executables are: beside the test runner, or where ORIS_BIN_DIR says.
enum Binaries {
    static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["ORIS_BIN_DIR"] { return dir }
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let exe = link ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    static var orisd: String { directory + "/orisd" }
    static var orisctl: String { directory + "/orisctl" }

    /// The package's root folder, found from this file's path.
    static var packageRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder: @unchecked Sendable {
    // Sound: `path` never changes after init.
    let path: String

    init() {
        var template = Array("/tmp/oris-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        self.path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func write(_ name: String, _ text: String) -> String {
        let file = self.path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

/// Lines collected from a child's standard error, readable while it runs.
final class LineCollector: @unchecked Sendable {
    // Sound: every access to `text` goes through `lock`.
    private let lock = NSLock()
    private var text = ""

    func append(_ data: Data) {
        self.lock.lock()
        self.text += String(decoding: data, as: UTF8.self)
        self.lock.unlock()
    }

    var lines: [String] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.text.split(separator: "\n").map(String.init)
    }

    /// Waits until a line contains `needle`; returns it, or nil at the deadline.
    func wait(for needle: String, seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = self.lines.first(where: { $0.contains(needle) }) { return line }
            usleep(10_000)
        }
        return nil
    }
}

/// A test configuration: tenants and members for end-to-end tests, loopback wildcard ports and
/// ipc in the test's own folder.
enum TestConfiguration {
    static func text(
        state: String,
        maxBody: Int = 4096,
        extraTenant: Bool = true,
        journal: String = #"{"fsync": "always"}"#,
        feedHighWaterMark: Int = 10000,
        logLevel: String = "debug"
    ) -> String {
        let second = extraTenant ? """
            ,{
              "id": "ara", "name": "Auvergne-Rhône-Alpes",
              "themes": [{"id": "auto-rang3", "crps_severity": "Severe"}],
              "members": [
                {"id": "ara-capteur", "stratum": "capteur"},
                {"id": "ara-gip", "stratum": "gip"}
              ]
            }
            """ : ""
        return """
        // end-to-end test configuration
        {
          "state_dir": "\(state)",
          "security": "none",
          "log_level": "\(logLevel)",
          "endpoints": {
            "api": ["tcp://127.0.0.1:*", "ipc://api.sock"],
            "feed": ["tcp://127.0.0.1:*", "ipc://feed.sock"],
            "ingest": ["tcp://127.0.0.1:*", "ipc://ingest.sock"]
          },
          "limits": {"max_body_bytes": \(maxBody), "max_header_bytes": 4096, "max_title_length": 200},
          "journal": \(journal),
          "feed_high_water_mark": \(feedHighWaterMark),
          "tenants": [
            {
              "id": "bfc",
              "themes": [
                {"id": "machine-speciale", "crps_severity": "Severe"},
                {"id": "auto-rang3", "crps_severity": "Moderate"}
              ],
              "members": [
                {"id": "cci-belfort", "stratum": "capteur", "themes": ["machine-speciale"]},
                {"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3", "machine-speciale"]},
                {"id": "gip-machine", "stratum": "gip", "themes": ["machine-speciale"]},
                {"id": "gip-auto", "stratum": "gip", "themes": ["auto-rang3"]},
                {"id": "crps-bfc", "stratum": "crps"},
                {"id": "operator", "stratum": "operator"}
              ]
            }\(second)
          ]
        }
        """
    }
}

/// The real orisd binary, started in a temporary folder and stopped at the end.
final class RunningDaemon {
    let folder: TemporaryFolder
    let process = Process()
    let stderr = LineCollector()
    private let stderrPipe = Pipe()
    private(set) var api = ""
    private(set) var apiIPC = ""
    private(set) var feed = ""
    private(set) var feedIPC = ""
    private(set) var ingest = ""
    private(set) var readyLine = ""

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts orisd with the test configuration (or `configText`) and waits for `msg=ready`.
    /// The daemon's own pid, read from its `starting` line (differs from the process's when a
    /// wrapper such as strace runs it).
    private(set) var daemonPID: Int32 = 0

    init(
        configText: String? = nil,
        maxBody: Int = 4096,
        folder: TemporaryFolder = TemporaryFolder(),
        wrapper: [String] = []
    ) throws {
        self.folder = folder
        let text = configText ?? TestConfiguration.text(state: folder.path + "/state", maxBody: maxBody)
        let config = folder.write("orisd.json", text)
        if let tool = wrapper.first {
            self.process.executableURL = URL(fileURLWithPath: tool)
            self.process.arguments = Array(wrapper.dropFirst()) + [Binaries.orisd, "--config", config]
        } else {
            self.process.executableURL = URL(fileURLWithPath: Binaries.orisd)
            self.process.arguments = ["--config", config]
        }
        self.process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        let pipe = self.stderrPipe
        self.process.standardError = pipe
        self.process.standardOutput = FileHandle.nullDevice
        let collector = self.stderr
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { collector.append(data) }
        }
        try self.process.run()
        guard let ready = self.stderr.wait(for: "msg=ready", seconds: 20) else {
            self.kill()
            let log = self.stderr.lines.joined(separator: " | ")
            throw StartFailure(description: "orisd did not report ready; stderr: \(log)")
        }
        self.readyLine = ready
        let starting = self.stderr.lines.first { $0.contains("msg=starting") } ?? ""
        self.daemonPID = Int32(Self.field("pid", in: starting)) ?? self.process.processIdentifier
        let api = Self.field("api", in: ready).split(separator: " ").map(String.init)
        let feed = Self.field("feed", in: ready).split(separator: " ").map(String.init)
        self.api = api.first { $0.hasPrefix("tcp://") } ?? ""
        self.apiIPC = api.first { $0.hasPrefix("ipc://") } ?? ""
        self.feed = feed.first { $0.hasPrefix("tcp://") } ?? ""
        self.feedIPC = feed.first { $0.hasPrefix("ipc://") } ?? ""
        self.ingest = Self.field("ingest", in: ready).split(separator: " ").map(String.init)
            .first { $0.hasPrefix("tcp://") } ?? ""
    }

    /// Closes the reading end of the daemon's standard error, as a log reader that went away.
    func closeStandardError() throws {
        self.stderrPipe.fileHandleForReading.readabilityHandler = nil
        try self.stderrPipe.fileHandleForReading.close()
    }

    /// The value of a logfmt field in a line (quoted or bare).
    static func field(_ name: String, in line: String) -> String {
        guard let range = line.range(of: " \(name)=") else { return "" }
        let rest = line[range.upperBound...]
        if rest.hasPrefix("\"") {
            let body = rest.dropFirst()
            return String(body.prefix { $0 != "\"" })
        }
        return String(rest.prefix { $0 != " " })
    }

    /// Sends a signal and waits for the exit; returns the exit status and the seconds it took.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> (status: Int32, seconds: Double) {
        guard self.process.isRunning else { return (self.process.terminationStatus, 0) }
        let start = Date()
        Glibc.kill(self.daemonPID > 0 ? self.daemonPID : self.process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(10)
        while self.process.isRunning && Date() < deadline { usleep(5_000) }
        let seconds = Date().timeIntervalSince(start)
        if self.process.isRunning { self.kill() }
        self.process.waitUntilExit()
        return (self.process.terminationStatus, seconds)
    }

    func kill() {
        if self.process.isRunning {
            Glibc.kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    deinit {
        self.kill()
        // The pipe closes its descriptor when it is released: the read source watching it must
        // be cancelled first, or libdispatch traps on a source whose descriptor vanished (it
        // did once in CI: signal 4 in _dispatch_source_refs_finalize_unregistration).
        self.stderrPipe.fileHandleForReading.readabilityHandler = nil
    }
}

/// One process run to its end: exit status and what it printed.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs an executable with arguments and environment additions, waiting at most `seconds`.
func runCommand(
    _ path: String,
    _ arguments: [String],
    environment: [String: String] = [:],
    stdin: String? = nil,
    seconds: Double = 30
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["ORIS_MEMBER"] = nil
    env["ORIS_API"] = nil
    env["ORIS_FEED"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    let outCollector = LineCollector()
    let errCollector = LineCollector()
    out.fileHandleForReading.readabilityHandler = { h in
        let d = h.availableData
        if !d.isEmpty { outCollector.append(d) }
    }
    err.fileHandleForReading.readabilityHandler = { h in
        let d = h.availableData
        if !d.isEmpty { errCollector.append(d) }
    }
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
        Glibc.kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    usleep(20_000)  // let the readability handlers take the last bytes
    out.fileHandleForReading.readabilityHandler = nil
    err.fileHandleForReading.readabilityHandler = nil
    outCollector.append(out.fileHandleForReading.readDataToEndOfFile())
    errCollector.append(err.fileHandleForReading.readDataToEndOfFile())
    return CommandResult(status: process.terminationStatus,
                         stdout: outCollector.lines.joined(separator: "\n"),
                         stderr: errCollector.lines.joined(separator: "\n"))
}

/// A client session against a running daemon: a context and helpers to publish, subscribe and
/// read counters.
final class Session {
    let context: Context
    let daemon: RunningDaemon
    private var closers: [() -> Void] = []

    init(_ daemon: RunningDaemon) throws {
        self.daemon = daemon
        self.context = try Context()
    }

    func client(as member: String?, endpoint: String? = nil, timeout: Int = 5000) throws -> APIClient {
        let client = try APIClient(context: self.context, endpoint: endpoint ?? self.daemon.api, member: member,
                                   timeoutMilliseconds: timeout)
        self.closers.append { client.close() }
        return client
    }

    func subscriber(as member: String, _ prefixes: [String], endpoint: String? = nil) throws -> FeedSubscriber {
        let subscriber = try FeedSubscriber(context: self.context, endpoint: endpoint ?? self.daemon.feed,
                                            member: member, prefixes: prefixes)
        self.closers.append { subscriber.close() }
        return subscriber
    }

    func socket(_ type: SocketType, as member: String?, connect endpoint: String) throws -> Socket {
        let socket = try Socket(context: self.context, type: type)
        try socket.set(.linger(milliseconds: 0))
        if let member { try socket.set(.plainUsername(member)) }
        try socket.connect(endpoint)
        self.closers.append { socket.close() }
        return socket
    }

    private var operatorClient: APIClient?

    /// The daemon's counters, read as the operator.
    func stats() throws -> JSONObject {
        if self.operatorClient == nil {
            self.operatorClient = try self.client(as: "operator")
        }
        let reply = try self.operatorClient!.request(.stats)
        guard reply.word == "STATS" else { throw RunningDaemon.StartFailure(description: "STATS refused: \(reply)") }
        return reply.body
    }

    /// Waits until the feed has seen `count` subscription messages in all, so that what is
    /// published next reaches the subscribers (a SUB's subscription travels asynchronously).
    func waitForSubscriptions(_ count: Int64, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try self.stats()["subscriptions"]?.intValue ?? 0) >= count { return }
            usleep(20_000)
        }
        throw RunningDaemon.StartFailure(description: "subscriptions did not reach \(count)")
    }

    func close() {
        for closer in self.closers.reversed() { closer() }
        self.closers = []
        self.operatorClient = nil
        self.context.terminate()
    }

    deinit {
        self.close()
    }
}

/// A publish header as JSON bytes.
func header(_ fields: [(String, JSONValue)]) -> [UInt8] {
    JSONWriter.encode(.object(JSONObject(fields)))
}
