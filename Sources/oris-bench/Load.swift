// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The figures one `orisload` run printed on its `RESULT` line.
struct LoadResult {
    var fields: [String: Double] = [:]

    subscript(_ key: String) -> Double? { self.fields[key] }

    init(output: String) throws {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw BenchError("orisload printed no RESULT line:\n\(output)")
        }
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            if let value = Double(word[word.index(after: equals)...]) {
                self.fields[String(word[..<equals])] = value
            }
        }
    }
}

/// Runs the C load generator `orisload` (bench/orisload.c).
struct Load {
    let binary: String
    let folder: String

    /// Runs to completion and returns its standard output.
    func run(_ arguments: [String]) throws -> String {
        let process = try self.start(arguments)
        return try process.finish()
    }

    func start(_ arguments: [String]) throws -> RunningLoad {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.binary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        return RunningLoad(process: process, collected: collected, pipe: out)
    }

    /// One pub/sub workload: subscribers connect and subscribe, then one publisher sends `count`
    /// items over `topics` topics (at `rate` a second, 0 for as fast as it can; to P, `padTo`
    /// bytes a message when given). Returns the subscribers' result and the broker's memory:
    /// before, with subscribers, and its peak.
    func pubSub(
        broker: Broker, raw: Bool, count: Int, topics: Int = 1, connections: Int = 1, mixed: Bool = false,
        rate: Int = 0, padTo: Int? = nil, label: String
    ) throws -> (result: LoadResult, idleKiB: Double, subscribedKiB: Double, peakKiB: Double) {
        let ready = self.folder + "/ready-" + label
        unlink(ready)
        let idle = residentKiB(broker.pid)
        var subArguments = ["sub", "--connect", broker.feed, "--conns", String(connections), "--n", String(count),
                            "--topics", String(topics), "--ready", ready, "--label", label]
        if mixed { subArguments.append("--mixed") }
        if !raw { subArguments += ["--as", Broker.subscriber] }
        let subscriber = try self.start(subArguments)
        let deadline = now() + 120
        while access(ready, F_OK) != 0 {
            guard now() < deadline, subscriber.process.isRunning else {
                throw BenchError("the subscribers of \(label) did not get ready")
            }
            usleep(20_000)
        }
        usleep(200_000)
        let subscribed = residentKiB(broker.pid)
        var pubArguments = ["pub", "--connect", broker.ingest, "--n", String(count), "--topics", String(topics),
                            "--rate", String(rate)]
        pubArguments += raw ? ["--raw"] : ["--as", Broker.publisher]
        if let padTo { pubArguments += ["--pad-to", String(padTo)] }
        _ = try self.run(pubArguments)
        let output = try subscriber.finish()
        return (try LoadResult(output: output), idle, subscribed, residentKiB(broker.pid, peak: true))
    }

    /// Acknowledged publish through one DEALER with `window` requests in flight, on topics
    /// `firstTopic` to `firstTopic + topics - 1` in turn; `rate` requests a second when not 0.
    func acknowledged(
        broker: Broker, count: Int, window: Int = 256, topics: Int = 1, firstTopic: Int = 0, rate: Int = 0
    ) throws -> LoadResult {
        let output = try self.run(["apub", "--connect", broker.api, "--as", Broker.publisher, "--n", String(count),
                                   "--window", String(window), "--topics", String(topics),
                                   "--first-topic", String(firstTopic), "--rate", String(rate)])
        return try LoadResult(output: output)
    }

    /// Starts a neighbour on the disk of `folder`, as a journal under fsync batch loads it:
    /// `bytesPerMillisecond` bytes a millisecond in records of `recordBytes`, one write each, and
    /// an fdatasync every `intervalMilliseconds`. Returns once it runs; `RunningLoad.terminate()`
    /// stops it and returns its RESULT (the syncs' count and p50/p99).
    func startSyncer(
        folder: String, intervalMilliseconds: Int, bytesPerMillisecond: Int, recordBytes: Int
    ) throws -> RunningLoad {
        let neighbour = try self.start(["syncer", "--dir", folder, "--interval-ms", String(intervalMilliseconds),
                                        "--bytes-per-ms", String(bytesPerMillisecond),
                                        "--record", String(recordBytes)])
        let deadline = now() + 10
        while !neighbour.collected.text.contains("READY") {
            guard now() < deadline, neighbour.process.isRunning else {
                neighbour.kill()
                throw BenchError("orisload syncer did not start:\n\(neighbour.collected.text)")
            }
            usleep(10_000)
        }
        return neighbour
    }

    /// The disk's own rates: one fdatasync at a time, and back-to-back group commit.
    func disk(count: Int, seconds: Double) throws -> (single: LoadResult, group: LoadResult) {
        let output = try self.run(["disk", "--file", self.folder + "/disk.bin", "--n", String(count),
                                   "--secs", String(seconds)])
        let lines = output.split(separator: "\n")
        let single = lines.filter { $0.contains("label=disk-single") }.joined(separator: "\n")
        let group = lines.filter { $0.contains("label=disk-group") }.joined(separator: "\n")
        return (try LoadResult(output: single), try LoadResult(output: group))
    }
}

/// An `orisload` process whose standard output is being collected.
struct RunningLoad {
    let process: Process
    let collected: Collected
    let pipe: Pipe

    func finish() throws -> String {
        self.process.waitUntilExit()
        self.pipe.fileHandleForReading.readabilityHandler = nil
        self.collected.append(self.pipe.fileHandleForReading.readDataToEndOfFile())
        let text = self.collected.text
        guard self.process.terminationStatus == 0 else {
            throw BenchError("orisload \(self.process.arguments?.first ?? "") exited "
                             + "\(self.process.terminationStatus):\n\(text)")
        }
        return text
    }

    /// Asks the process to stop (SIGTERM, its own pid), waits for it and returns its RESULT.
    func terminate() throws -> LoadResult {
        Glibc.kill(self.process.processIdentifier, SIGTERM)
        return try LoadResult(output: try self.finish())
    }

    /// Stops the process (SIGTERM, its own pid) if it still runs, ignoring what it printed: for
    /// a path that gave up.
    func kill() {
        guard self.process.isRunning else { return }
        Glibc.kill(self.process.processIdentifier, SIGTERM)
        self.process.waitUntilExit()
        self.pipe.fileHandleForReading.readabilityHandler = nil
    }
}

/// Output gathered by a pipe's handler thread.
final class Collected: @unchecked Sendable {
    // Sound: every access to `data` holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) {
        self.lock.lock()
        self.data.append(more)
        self.lock.unlock()
    }

    var text: String {
        self.lock.lock()
        defer { self.lock.unlock() }
        return String(decoding: self.data, as: UTF8.self)
    }
}
