// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A broker started for one measurement: orisd, or the reference proxy. Both are started here,
/// on loopback wildcard ports, and stopped by their own pid.
final class Broker {
    let process = Process()
    /// Where publishers connect (orisd's ingest, the proxy's XSUB).
    var ingest = ""
    /// Where subscribers connect (orisd's feed, the proxy's XPUB).
    var feed = ""
    /// orisd's api endpoint (empty for the proxy).
    var api = ""
    /// Seconds from start to the ready line.
    var readySeconds = 0.0

    var pid: Int32 { self.process.processIdentifier }

    /// The member names of the bench tenant.
    static let publisher = "pub"
    static let subscriber = "gip"
    static let operatorName = "op"

    /// The bytes orisd's journal takes for one item of the pub/sub workloads: 4,998,918 bytes
    /// for 10,000 items of the latency workload (at 7fd3c55). A neighbour that loads the disk
    /// as the journal does writes this much per item.
    static let journalBytesPerItem = 500

    /// Starts orisd on a configuration written for the run: tenant `bench` with themes
    /// t000… (`themes` of them), a capteur, a GIP member and an operator; under fsync `batch`
    /// the journal syncs every `batchMilliseconds`.
    static func orisd(
        binary: String, folder: String, fsync: String, batchMilliseconds: Int = 10, themes: Int = 100
    ) throws -> Broker {
        let names = (0..<themes).map { #"{"id": "t\#(String(format: "%03d", $0))"}"# }
        let config = """
        {"state_dir": "\(folder)/state", "security": "none", "log_level": "warning",
         "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"],
                       "ingest": ["tcp://127.0.0.1:*"]},
         "journal": {"fsync": "\(fsync)", "batch_ms": \(batchMilliseconds)},
         "tenants": [{"id": "bench", "themes": [\(names.joined(separator: ", "))],
                      "members": [{"id": "\(publisher)", "stratum": "capteur"},
                                  {"id": "\(subscriber)", "stratum": "gip"},
                                  {"id": "\(operatorName)", "stratum": "operator"}]}]}
        """
        try config.write(toFile: folder + "/orisd.json", atomically: true, encoding: .utf8)
        let broker = Broker()
        let fields = try broker.start(binary, ["--config", folder + "/orisd.json", "--log-level", "info"],
                                      readyWord: "msg=ready", stream: .standardError)
        broker.api = fields["api"] ?? ""
        broker.feed = fields["feed"] ?? ""
        broker.ingest = fields["ingest"] ?? ""
        return broker
    }

    /// Starts `orisload forward`, the ceiling of orisd's protocol: orisd's ingest frames in,
    /// deliveries of `bytes` bytes out, nothing done between; with `journal`, a sequence number
    /// stamped and the journal file written and synced every so many milliseconds.
    static func forwarder(load: String, bytes: Int, journal: (path: String, milliseconds: Int)?) throws -> Broker {
        let broker = Broker()
        var arguments = ["forward", "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                         "--hwm", "10000", "--pad-to", String(bytes)]
        if let journal { arguments += ["--journal", journal.path, "--batch-ms", String(journal.milliseconds)] }
        let fields = try broker.start(load, arguments, readyWord: "READY", stream: .standardOutput)
        broker.ingest = fields["front"] ?? ""
        broker.feed = fields["back"] ?? ""
        return broker
    }

    /// Starts `orisload ackforward`, the ceiling of orisd's protocol under fsync `always`: each
    /// request appended to `file`, ACKed once a group-commit fdatasync covers it, and delivered
    /// as 336 bytes (orisd's W1 delivery; no subscriber is connected in the acknowledged runs).
    static func ackForwarder(load: String, file: String) throws -> Broker {
        let broker = Broker()
        let fields = try broker.start(load, ["ackforward", "--front", "tcp://127.0.0.1:*", "--back",
                                             "tcp://127.0.0.1:*", "--file", file, "--pad-to", "336"],
                                      readyWord: "READY", stream: .standardOutput)
        broker.api = fields["front"] ?? ""
        broker.feed = fields["back"] ?? ""
        return broker
    }

    /// Starts the reference: a libzmq XSUB/XPUB proxy whose feed keeps as many messages per
    /// subscriber as orisd's default feed high-water mark.
    static func proxy(load: String) throws -> Broker {
        let broker = Broker()
        let fields = try broker.start(load, ["proxy", "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                                             "--hwm", "10000"],
                                      readyWord: "READY", stream: .standardOutput)
        broker.ingest = fields["front"] ?? ""
        broker.feed = fields["back"] ?? ""
        return broker
    }

    private enum Stream { case standardOutput, standardError }

    /// The pipe the broker writes its log to, drained until it stops.
    private var output: Pipe?

    /// Runs the binary and reads its output until the ready line; returns that line's
    /// `key=value` fields.
    private func start(_ binary: String, _ arguments: [String], readyWord: String,
                       stream: Stream) throws -> [String: String] {
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = arguments
        let pipe = Pipe()
        self.output = pipe
        switch stream {
        case .standardOutput: self.process.standardOutput = pipe
        case .standardError: self.process.standardError = pipe
        }
        let start = now()
        try self.process.run()
        var text = ""
        while !text.contains(readyWord) || !text[text.range(of: readyWord)!.lowerBound...].contains("\n") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { throw BenchError("\(binary) ended before it was ready:\n\(text)") }
            text += String(decoding: data, as: UTF8.self)
        }
        self.readySeconds = now() - start
        // Keep draining, so the broker never blocks on a full pipe.
        pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        let line = text.split(separator: "\n").first { $0.contains(readyWord) } ?? ""
        var fields: [String: String] = [:]
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            let value = word[word.index(after: equals)...].replacingOccurrences(of: "\"", with: "")
            fields[String(word[..<equals])] = value
        }
        return fields
    }

    /// Stops the broker (SIGTERM, its own pid) and waits for it.
    func stop() {
        kill(self.pid, SIGTERM)
        self.process.waitUntilExit()
        // The read source goes before the pipe's descriptor does: libdispatch traps on a source
        // whose descriptor vanished.
        self.output?.fileHandleForReading.readabilityHandler = nil
    }
}

/// What went wrong in a measurement; the bench stops with it.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
