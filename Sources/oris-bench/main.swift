// SPDX-License-Identifier: Apache-2.0
// oris-bench: the durability benchmark of bench/run.sh. It starts the real orisd (its path is
// the first argument) on loopback with a configuration written for the run and prints one
// table, every figure beside the disk's own fdatasync baseline measured in the same run.
import Foundation
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

var arguments = ArgumentReader(Array(CommandLine.arguments.dropFirst()))
let quick = arguments.flag("--quick")
let runs = (try? arguments.integer("--runs", in: 1...20)) ?? nil ?? (quick ? 1 : 3)
let items = (try? arguments.integer("--items", in: 100...10_000_000)) ?? nil ?? (quick ? 2_000 : 100_000)
let recoveryItems = (try? arguments.integer("--recovery-items", in: 100...10_000_000)) ?? nil
    ?? (quick ? 5_000 : 1_000_000)
let words = (try? arguments.positionals()) ?? []
guard let orisd = words.first else {
    FileHandle.standardError.write(Data("usage: oris-bench ORISD [--quick] [--runs N] [--items N]\n".utf8))
    exit(64)
}
let scratch = words.count > 1 ? words[1] : NSTemporaryDirectory()

// MARK: - Helpers

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

func makeFolder(_ name: String) -> String {
    let path = scratch + "/oris-bench-" + name + "-" + String(getpid())
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A running orisd for one measurement.
final class Daemon {
    let process = Process()
    var api = ""
    var readySeconds = 0.0

    init(binary: String, folder: String, fsync: String) throws {
        let config = """
        {"state_dir": "\(folder)/state", "security": "none", "log_level": "warning",
         "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"]},
         "journal": {"fsync": "\(fsync)", "batch_ms": 5},
         "tenants": [{"id": "bench", "themes": [{"id": "load"}],
                      "members": [{"id": "pub", "stratum": "capteur"}, {"id": "op", "stratum": "operator"}]}]}
        """
        try config.write(toFile: folder + "/orisd.json", atomically: true, encoding: .utf8)
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = ["--config", folder + "/orisd.json", "--log-level", "info"]
        let pipe = Pipe()
        self.process.standardError = pipe
        let start = now()
        try self.process.run()
        var text = ""
        while !text.contains("msg=ready") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { throw CocoaError(.fileReadUnknown) }
            text += String(decoding: data, as: UTF8.self)
        }
        self.readySeconds = now() - start
        let line = text.split(separator: "\n").first { $0.contains("msg=ready") } ?? ""
        if let range = line.range(of: "api=") {
            self.api = String(line[range.upperBound...].prefix { $0 != " " }).replacingOccurrences(of: "\"", with: "")
        }
        // Keep draining stderr so the daemon never blocks on a full pipe.
        pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    func stop() {
        kill(self.process.processIdentifier, SIGTERM)
        self.process.waitUntilExit()
    }
}

/// Publishes `count` items through one pipelining DEALER (window 256); returns throughput and
/// the latency of every ACK (send to ACK).
func publish(api: String, count: Int, window: Int = 256) throws -> (rate: Double, latencies: [Double]) {
    let context = try Context()
    defer { context.terminate() }
    let client = try APIClient(context: context, endpoint: api, member: "pub", timeoutMilliseconds: 10_000)
    defer { client.close() }
    let body = [UInt8](repeating: 0x61, count: 100)
    var sentAt = [Double](repeating: 0, count: count)
    var latencies = [Double]()
    latencies.reserveCapacity(count)
    var sent = 0
    let start = now()
    while latencies.count < count {
        while sent < count && sent - latencies.count < window {
            let header = Array(#"{"kind":"signal","theme":"load","title":"bench"}"#.utf8)
            sentAt[sent] = now()
            try client.send(.publish(header: header, body: body))
            sent += 1
        }
        let reply = try client.receive()
        guard reply.word == "ACK" else { throw CocoaError(.featureUnsupported) }
        latencies.append(now() - sentAt[latencies.count])
    }
    return (Double(count) / (now() - start), latencies)
}

/// Replays every stored item; returns items per second.
func replayAll(api: String) throws -> (rate: Double, count: Int) {
    let context = try Context()
    defer { context.terminate() }
    let client = try APIClient(context: context, endpoint: api, member: "op", timeoutMilliseconds: 30_000)
    defer { client.close() }
    var request = ReplayRequest(prefix: "bench/")
    request.limit = ReplayRequest.maximumLimit
    var count = 0
    let start = now()
    while true {
        let page = try client.replay(request)
        count += page.items.count
        guard page.more else { break }
        request.after = page.cursor
    }
    return (Double(count) / (now() - start), count)
}

/// The disk's own rate: append 128 bytes and fdatasync, one after another.
func fsyncBaseline(folder: String, count: Int) -> (rate: Double, p50: Double, p99: Double) {
    let path = folder + "/fsync.bin"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    defer { close(fd); unlink(path) }
    let record = [UInt8](repeating: 0x42, count: 128)
    var latencies = [Double]()
    let start = now()
    for _ in 0..<count {
        let t = now()
        _ = record.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fdatasync(fd)
        latencies.append(now() - t)
    }
    return (Double(count) / (now() - start), percentile(latencies, 0.5), percentile(latencies, 0.99))
}

// MARK: - Measurements

struct Row {
    let name: String
    let values: [Double]
    let unit: String
    let ratio: String
}

var rows = [Row]()
func summary(_ values: [Double], scale: Double = 1, digits: Int = 0) -> String {
    let m = median(values) * scale
    let lo = (values.min() ?? 0) * scale
    let hi = (values.max() ?? 0) * scale
    let format = "%.\(digits)f"
    return String(format: format, m) + " (" + String(format: format, lo) + "–" + String(format: format, hi) + ")"
}

let base = makeFolder("base")
var fsyncRates = [Double]()
var fsyncP50 = [Double]()
var fsyncP99 = [Double]()
for _ in 0..<runs {
    let b = fsyncBaseline(folder: base, count: quick ? 200 : 2000)
    fsyncRates.append(b.rate)
    fsyncP50.append(b.p50)
    fsyncP99.append(b.p99)
}
print("ORIS Bus durability benchmark — \(runs) run(s), \(items) acknowledged items per run, median (min–max)")
print("")
print("| measure | value | ratio to the disk baseline |")
print("|---|---|---|")
print("| disk: write 128 B + fdatasync, one at a time | \(summary(fsyncRates)) syncs/s | 1.00 |")
let syncLatency = "\(summary(fsyncP50, scale: 1e6)) / \(summary(fsyncP99, scale: 1e6))"
print("| disk: fdatasync latency p50 / p99 | \(syncLatency) µs | – |")

for policy in ["always", "batch", "never"] {
    var rates = [Double]()
    var p50s = [Double]()
    var p99s = [Double]()
    for run in 0..<runs {
        let folder = makeFolder("\(policy)-\(run)")
        let daemon = try Daemon(binary: orisd, folder: folder, fsync: policy)
        let result = try publish(api: daemon.api, count: items)
        daemon.stop()
        rates.append(result.rate)
        p50s.append(percentile(result.latencies, 0.5))
        p99s.append(percentile(result.latencies, 0.99))
        try? FileManager.default.removeItem(atPath: folder)
    }
    let ratio = String(format: "%.2f", median(rates) / median(fsyncRates))
    print("| acknowledged publish, fsync \(policy) (DEALER, 256 in flight) | \(summary(rates)) items/s | \(ratio) |")
    let p99Ratio = String(format: "%.2f", median(p99s) / median(fsyncP99))
    print("| ACK latency p50 / p99, fsync \(policy) | \(summary(p50s, scale: 1e6)) / \(summary(p99s, scale: 1e6)) µs "
          + "| p99 = \(p99Ratio) × disk p99 |")
}

// Recovery and replay on a journal of `recoveryItems`, written under fsync never.
let big = makeFolder("recovery")
do {
    let daemon = try Daemon(binary: orisd, folder: big, fsync: "never")
    _ = try publish(api: daemon.api, count: recoveryItems, window: 1024)
    daemon.stop()
}
var recoveries = [Double]()
var replays = [Double]()
var replayed = 0
for _ in 0..<runs {
    let daemon = try Daemon(binary: orisd, folder: big, fsync: "never")
    recoveries.append(daemon.readySeconds)
    let r = try replayAll(api: daemon.api)
    replays.append(r.rate)
    replayed = r.count
    daemon.stop()
}
try? FileManager.default.removeItem(atPath: big)
try? FileManager.default.removeItem(atPath: base)
print("| start-up with recovery of \(recoveryItems) stored items | \(summary(recoveries, digits: 2)) s | – |")
print("| replay of \(replayed) items (pages of 1000) | \(summary(replays)) items/s | – |")
