// SPDX-License-Identifier: Apache-2.0
// oris-bench: the benchmark of bench/run.sh. It runs each workload of issue 7 on the reference P
// (a raw libzmq XSUB/XPUB proxy) and on the real orisd, both started here on loopback, driven by
// the same C load generator (bench/orisload.c), and prints one table: median of the runs with
// min–max, and each figure's ratio to P measured in the same run.
import Foundation
import ORISBus

#if canImport(Glibc)
import Glibc
#endif

// `oris-bench window-bytes [N]`: the id window's heap bytes per entry, without any daemon.
if CommandLine.arguments.count >= 2, CommandLine.arguments[1] == "window-bytes" {
    let entries = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 200_000 : 200_000
    let bytes = windowBytesPerEntry(entries: entries)
    print("id window, \(entries) entries: \(Int(bytes)) B resident per entry")
    exit(0)
}

let usage = "usage: oris-bench ORISD SCRATCH --load ORISLOAD [--quick] [--runs N] [--w3-runs N] [--items N] "
    + "[--recovery-items N] [--batch-ms N] [--only LIST]\n"
var arguments = ArgumentReader(Array(CommandLine.arguments.dropFirst()))
let quick = arguments.flag("--quick")
let runs = (try? arguments.integer("--runs", in: 1...20)) ?? nil ?? (quick ? 1 : 3)
let w3Runs = (try? arguments.integer("--w3-runs", in: 1...20)) ?? nil ?? (quick ? 1 : 5)
let items = (try? arguments.integer("--items", in: 100...10_000_000)) ?? nil ?? (quick ? 2_000 : 100_000)
let recoveryItems = (try? arguments.integer("--recovery-items", in: 100...10_000_000)) ?? nil
    ?? (quick ? 5_000 : 1_000_000)
// orisd's sync interval under fsync batch: the daemon's default, 10 ms, so that the bench
// measures what ships (5 ms, used before 2026-12-05, added its own syncs to the latency's tail:
// bench/RESULTS.md, "Latency and the disk's syncs"); the neighbour of "P beside a syncing
// neighbour" syncs as often.
let batchMilliseconds = (try? arguments.integer("--batch-ms", in: 1...1_000)) ?? nil ?? 10
let loadBinary = (try? arguments.option("--load")) ?? nil
// A comma-separated subset of w1,w2,w3,memory,acked,replay (all by default), for quick looks;
// w1 includes the latency rows, which `latency` selects alone.
let only = Set(((try? arguments.option("--only")) ?? nil ?? "w1,w2,w3,memory,acked,replay").split(separator: ","))
let latencyRows = only.contains("w1") || only.contains("latency")
let words = (try? arguments.positionals()) ?? []
guard words.count == 2, let loadBinary else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
let orisd = words[0]
let scratch = words[1]
let load = Load(binary: loadBinary, folder: makeFolder(scratch, "load"))

/// Item counts of each workload (issue 7), or a few thousand for the smoke pass.
enum Counts {
    static let w1 = quick ? 5_000 : 1_000_000
    static let latency = quick ? 3_000 : 40_000
    static let w2 = quick ? 2_000 : 200_000
    static let w3 = quick ? 1_000 : 100_000
    static let w3Connections = quick ? 50 : 1_000
    static let idleTopics = quick ? 200 : 20_000
    static let warmTopics = quick ? 20 : 1_000
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

// MARK: - Workloads on P and orisd

var p = Samples()
var o = Samples()

/// What one pub/sub measurement runs on.
enum Subject {
    /// P, the raw proxy: alone (`nil`), or beside a neighbour process that loads the same disk
    /// as orisd's journal would and calls fdatasync every so many milliseconds.
    case proxy(besideSyncsEvery: Int?)
    /// P alone, its publisher's messages padded to so many bytes: those orisd delivered in the
    /// same workload, stamped header included. It tells the cost of the bytes from the rest.
    case paddedProxy(bytes: Int)
    /// orisd with its journal on, under the fsync policy named (`batch`: every `batchMilliseconds`).
    case orisd(fsync: String)
    /// The ceiling of orisd's protocol (`orisload forward`): orisd's ingest frames in, PLAIN on
    /// both sides, deliveries of so many bytes out (orisd's, measured in the same workload), and
    /// none of orisd's work between; with `journal`, the work issue 7 says orisd cannot avoid
    /// (a sequence number stamped, a journal synced every `batchMilliseconds`). Driven as orisd
    /// is; recorded with P's figures.
    case forwarder(bytes: Int, journal: Bool)

    /// Its name in the log and in the load's labels.
    var label: String {
        switch self {
        case .orisd: "orisd"
        case .forwarder: "forwarder"
        case .proxy, .paddedProxy: "P"
        }
    }

    /// Whether its publisher sends P's frames (`orisload pub --raw`) to a broker without PLAIN.
    var isProxy: Bool {
        switch self {
        case .proxy, .paddedProxy: true
        case .orisd, .forwarder: false
        }
    }
}

/// Runs one pub/sub workload on a fresh P and a fresh orisd (journal on, fsync batch), then on
/// P again with messages as large as orisd's of this run (recorded under `NAME.padded`), and
/// with `forwarder` on the forwarder delivering as many bytes (`NAME.free`).
@MainActor
func pubSubPair(_ name: String, count: Int, topics: Int = 1, connections: Int = 1, mixed: Bool = false,
                rate: Int = 0, forwarder: Bool = false, run: Int) throws {
    for subject in [Subject.proxy(besideSyncsEvery: nil), .orisd(fsync: "batch")] {
        try pubSub(name, on: subject, count: count, topics: topics, connections: connections, mixed: mixed,
                   rate: rate, run: run)
    }
    guard let bytes = o[name + ".bytes"].last, bytes > 0 else { return }
    try pubSub(name + ".padded", on: .paddedProxy(bytes: Int(bytes.rounded())), count: count, topics: topics,
               connections: connections, mixed: mixed, rate: rate, run: run)
    if let padded = p[name + ".padded.bytes"].last, abs(padded - bytes) > 1 {
        throw BenchError("\(name): P's padded messages have \(padded) bytes, orisd's \(bytes)")
    }
    guard forwarder else { return }
    for (suffix, journal) in [(".free", false), (".seq", true)] {
        try pubSub(name + suffix, on: .forwarder(bytes: Int(bytes.rounded()), journal: journal), count: count,
                   topics: topics, connections: connections, mixed: mixed, rate: rate, run: run)
        if let delivered = p[name + suffix + ".bytes"].last, abs(delivered - bytes) > 1 {
            throw BenchError("\(name): the forwarder's messages have \(delivered) bytes, orisd's \(bytes)")
        }
    }
}

/// Runs one pub/sub workload on a fresh broker and records its figures under `name`, in `p`
/// for P and in `o` for orisd.
@MainActor
func pubSub(_ name: String, on subject: Subject, count: Int, topics: Int = 1, connections: Int = 1,
            mixed: Bool = false, rate: Int = 0, run: Int) throws {
    let raw = subject.isProxy
    let folder = makeFolder(scratch, "\(name)-\(run)")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var neighbour: RunningLoad?
    defer { neighbour?.kill() }
    if case .proxy(let interval?) = subject {
        neighbour = try load.startSyncer(folder: folder, intervalMilliseconds: interval,
                                         bytesPerMillisecond: rate * Broker.journalBytesPerItem / 1_000,
                                         recordBytes: Broker.journalBytesPerItem)
    }
    let broker: Broker
    var padTo: Int?
    switch subject {
    case .proxy: broker = try Broker.proxy(load: load.binary)
    case .paddedProxy(let bytes):
        broker = try Broker.proxy(load: load.binary)
        padTo = bytes
    case .orisd(let fsync):
        broker = try Broker.orisd(binary: orisd, folder: folder, fsync: fsync, batchMilliseconds: batchMilliseconds)
    case .forwarder(let bytes, let journal):
        broker = try Broker.forwarder(load: load.binary, bytes: bytes,
                                      journal: journal ? (folder + "/journal", batchMilliseconds) : nil)
    }
    defer { broker.stop() }
    let m = try load.pubSub(broker: broker, raw: raw, count: count, topics: topics, connections: connections,
                            mixed: mixed, rate: rate, padTo: padTo, label: subject.label + "-" + name)
    if let synced = try neighbour?.terminate() {
        p.add(name + ".syncP50", synced["sync_p50_us"])
        p.add(name + ".syncP99", synced["sync_p99_us"])
        log("\(name) run \(run + 1) neighbour: \(Int(synced["syncs"] ?? 0)) syncs, "
            + "p50 \(synced["sync_p50_us"] ?? 0) µs p99 \(synced["sync_p99_us"] ?? 0) µs")
    }
    func record(_ samples: inout Samples) {
        samples.add(name + ".rate", m.result["e2e_rate"])
        samples.add(name + ".loss", m.result["loss"])
        samples.add(name + ".p50", m.result["lat_p50_us"])
        samples.add(name + ".p99", m.result["lat_p99_us"])
        samples.add(name + ".p999", m.result["lat_p999_us"])
        samples.add(name + ".idle", m.idleKiB)
        samples.add(name + ".perConnection", (m.subscribedKiB - m.idleKiB) / Double(connections))
        samples.add(name + ".peak", m.peakKiB)
        samples.add(name + ".bytes", m.result["msg_bytes"])
    }
    if case .orisd = subject { record(&o) } else { record(&p) }
    log("\(name) run \(run + 1) \(subject.label): \(Int(m.result["e2e_rate"] ?? 0))/s "
        + "loss \(Int(m.result["loss"] ?? 0)) p50 \(m.result["lat_p50_us"] ?? 0) µs "
        + "p99 \(m.result["lat_p99_us"] ?? 0) µs")
}

for run in 0..<max(runs, w3Runs) {
    if run < runs {
        if only.contains("w1") { try pubSubPair("w1", count: Counts.w1, forwarder: true, run: run) }
        if latencyRows {
            // The asked pair (P, orisd with fsync batch), then two baselines that explain it: P
            // beside a neighbour syncing the same disk as often as orisd, and orisd without syncs.
            let subjects: [(String, Subject)] = [
                ("lat", .proxy(besideSyncsEvery: nil)), ("lat.beside", .proxy(besideSyncsEvery: batchMilliseconds)),
                ("lat", .orisd(fsync: "batch")), ("lat.never", .orisd(fsync: "never")),
            ]
            for (name, subject) in subjects {
                try pubSub(name, on: subject, count: Counts.latency, rate: 10_000, run: run)
            }
            // The ceiling of orisd's protocol, delivering as many bytes as orisd just did.
            if let bytes = o["lat.bytes"].last, bytes > 0 {
                try pubSub("lat.free", on: .forwarder(bytes: Int(bytes.rounded()), journal: false),
                           count: Counts.latency, rate: 10_000, run: run)
            }
        }
        if only.contains("w2") { try pubSubPair("w2", count: Counts.w2, connections: 10, run: run) }
    }
    if only.contains("w3") {
        try pubSubPair("w3", count: Counts.w3, topics: 100, connections: Counts.w3Connections, mixed: true, run: run)
    }
}

// MARK: - Memory of idle topics

/// The daemon's heap bytes in use (STATS `heap_bytes`), once two readings 100 ms apart agree:
/// libzmq tears a closed connection down in the background, shortly after its client ends.
func settledHeapBytes(_ client: APIClient) throws -> Double {
    func read() throws -> Int64 {
        let reply = try client.request(.stats)
        guard reply.word == "STATS", let bytes = reply.body["heap_bytes"]?.intValue else {
            throw BenchError("orisd answered STATS with \(reply.word) and no heap_bytes")
        }
        return bytes
    }
    var last = try read()
    for _ in 0..<50 {
        usleep(100_000)
        let next = try read()
        if next == last { break }
        last = next
    }
    return Double(last)
}

// What an idle topic (one that received one item) costs: orisd's heap bytes in use before and
// after one acknowledged item on each of `Counts.idleTopics` new topics, divided by their count.
// The heap counts allocations to the byte, so freed memory the allocator keeps and the page
// granularity, which move the resident size by megabytes from run to run, do not enter it.
// A first round on `Counts.warmTopics` other topics comes before the first reading, so that what
// the first items make once (the segment, buffers, the runtime's caches) is not counted either.
// The resident size's growth over the same items is kept beside it, for comparison.
for run in 0..<runs where only.contains("memory") {
    let folder = makeFolder(scratch, "topics-\(run)")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let broker = try Broker.orisd(binary: orisd, folder: folder, fsync: "never",
                                  themes: Counts.warmTopics + Counts.idleTopics)
    defer { broker.stop() }
    _ = try load.acknowledged(broker: broker, count: Counts.warmTopics, topics: Counts.warmTopics)
    let context = try Context()
    defer { context.terminate() }
    let client = try APIClient(context: context, endpoint: broker.api, member: Broker.operatorName,
                               timeoutMilliseconds: 30_000)
    defer { client.close() }
    let heapBefore = try settledHeapBytes(client)
    let residentBefore = residentKiB(broker.pid)
    _ = try load.acknowledged(broker: broker, count: Counts.idleTopics, topics: Counts.idleTopics,
                              firstTopic: Counts.warmTopics)
    let heapAfter = try settledHeapBytes(client)
    o.add("topic.bytes", (heapAfter - heapBefore) / Double(Counts.idleTopics))
    o.add("topic.resident", (residentKiB(broker.pid) - residentBefore) * 1024 / Double(Counts.idleTopics))
    log("memory run \(run + 1): \(Int(heapAfter - heapBefore)) heap bytes for \(Counts.idleTopics) topics")
}

// MARK: - The disk, and acknowledged publish under each fsync policy

var disk = Samples()
let policies = ["always", "batch", "never"]
for run in 0..<runs where only.contains("acked") {
    let d = try load.disk(count: quick ? 200 : 2_000, seconds: quick ? 0.3 : 1.5)
    disk.add("single.rate", d.single["rate"])
    disk.add("single.p50", d.single["lat_p50_us"])
    disk.add("single.p99", d.single["lat_p99_us"])
    disk.add("group.rate", d.group["rate"])
    disk.add("group.p50", d.group["lat_p50_us"])
    disk.add("group.p99", d.group["lat_p99_us"])
    for policy in policies {
        let folder = makeFolder(scratch, "\(policy)-\(run)")
        let broker = try Broker.orisd(binary: orisd, folder: folder, fsync: policy,
                                      batchMilliseconds: batchMilliseconds)
        let r = try load.acknowledged(broker: broker, count: items)
        broker.stop()
        try? FileManager.default.removeItem(atPath: folder)
        o.add(policy + ".rate", r["rate"])
        o.add(policy + ".p50", r["lat_p50_us"])
        o.add(policy + ".p99", r["lat_p99_us"])
        log("acked \(policy) run \(run + 1): \(Int(r["rate"] ?? 0))/s p99 \(r["lat_p99_us"] ?? 0) µs")
    }
    // The protocol's ceiling under `always`: requests group-committed to a file, each ACKed
    // after its sync, nothing else (`orisload ackforward`), with as many in flight.
    let ceilingFolder = makeFolder(scratch, "ceiling-\(run)")
    let ceiling = try Broker.ackForwarder(load: load.binary, file: ceilingFolder + "/journal")
    let c = try load.acknowledged(broker: ceiling, count: items)
    ceiling.stop()
    try? FileManager.default.removeItem(atPath: ceilingFolder)
    p.add("ceiling.rate", c["rate"])
    p.add("ceiling.p50", c["lat_p50_us"])
    p.add("ceiling.p99", c["lat_p99_us"])
    log("acked ceiling run \(run + 1): \(Int(c["rate"] ?? 0))/s p99 \(c["lat_p99_us"] ?? 0) µs")
    // At saturation an ACK waits behind the 255 requests ahead of it (Little's law: latency =
    // in flight / rate); at the latency workloads' 10,000 items/s it waits for its own sync only.
    let folder = makeFolder(scratch, "always-paced-\(run)")
    let broker = try Broker.orisd(binary: orisd, folder: folder, fsync: "always", batchMilliseconds: batchMilliseconds)
    let r = try load.acknowledged(broker: broker, count: Counts.latency, rate: 10_000)
    broker.stop()
    try? FileManager.default.removeItem(atPath: folder)
    o.add("paced.p50", r["lat_p50_us"])
    o.add("paced.p99", r["lat_p99_us"])
    log("acked always at 10,000/s run \(run + 1): p99 \(r["lat_p99_us"] ?? 0) µs")
}

// MARK: - Recovery and replay of a large journal

/// Replays every stored item; returns items per second and the count.
func replayAll(api: String) throws -> (rate: Double, count: Int) {
    let context = try Context()
    defer { context.terminate() }
    let client = try APIClient(context: context, endpoint: api, member: Broker.operatorName,
                               timeoutMilliseconds: 30_000)
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

var replayed = 0
if only.contains("replay") {
    let big = makeFolder(scratch, "recovery")
    do {
        let broker = try Broker.orisd(binary: orisd, folder: big, fsync: "never")
        _ = try load.acknowledged(broker: broker, count: recoveryItems, window: 500, topics: 100)
        broker.stop()
    }
    for _ in 0..<runs {
        let broker = try Broker.orisd(binary: orisd, folder: big, fsync: "never")
        o.add("recovery.seconds", broker.readySeconds)
        let r = try replayAll(api: broker.api)
        o.add("replay.rate", r.rate)
        replayed = r.count
        broker.stop()
    }
    try? FileManager.default.removeItem(atPath: big)
}
try? FileManager.default.removeItem(atPath: load.folder)

// MARK: - The table

print("ORIS Bus benchmark: P = raw libzmq XSUB/XPUB proxy (C); orisd with its journal on, fsync batch "
      + "every \(batchMilliseconds) ms;")
print("median of \(runs) run(s) (W3: \(w3Runs)), min–max in brackets; ratio = orisd / P (same run)")
print("")
print("| measure | P | orisd | ratio | issue 7 asks |")
print("|---|---|---|---|---|")
/// Prints one row: P's figures under `proxyKey` (`key` unless given), orisd's under `key`.
@MainActor
func row(_ name: String, _ key: String, proxyKey: String? = nil, unit: String, target: String, scale: Double = 1,
         digits: Int = 0) {
    let reference = p[proxyKey ?? key]
    print("| \(name) | \(summary(reference, scale: scale, digits: digits)) \(unit) | "
          + "\(summary(o[key], scale: scale, digits: digits)) \(unit) | \(ratio(o[key], reference)) | \(target) |")
}
/// Prints a row whose second broker is not orisd but a variant measured with P's figures (the
/// forwarder): P under `key`, the variant under `variantKey`, in orisd's column.
@MainActor
func variantRow(_ name: String, _ key: String, variantKey: String, unit: String, digits: Int = 0) {
    let (reference, variant) = (p[key], p[variantKey])
    print("| \(name) | \(summary(reference, digits: digits)) \(unit) | \(summary(variant, digits: digits)) \(unit) | "
          + "\(ratio(variant, reference)) | – |")
}
/// The ceiling of orisd's protocol in a workload (`orisload forward`, explanatory): its figure
/// against P's, and orisd's against it.
@MainActor
func ceilingRows(_ key: String, _ name: String, _ figure: String, unit: String, digits: Int = 0) {
    let forwarder = "a C forwarder with orisd's frames and bytes doing none of its work"
    let variantKey = key.forwarderKey
    variantRow("\(name) \(figure), \(forwarder) (in orisd's column) vs P", key, variantKey: variantKey, unit: unit,
               digits: digits)
    row("\(name) \(figure), orisd (as above) vs that forwarder", key, proxyKey: variantKey, unit: unit,
        target: "–", digits: digits)
}
extension String {
    /// The forwarder's key for a figure of orisd's: `w1.rate` → `w1.free.rate`.
    var forwarderKey: String {
        guard let dot = self.firstIndex(of: ".") else { return self + ".free" }
        return self[..<dot] + ".free" + self[dot...]
    }
}
/// The bytes of a delivered message on each broker, and the workload's rate against P carrying
/// as many (explanatory, not asked by issue 7).
@MainActor
func paddedRows(_ key: String, _ name: String) {
    row("\(name) bytes of a delivered message (topic, header, body)", key + ".bytes", unit: "B", target: "–")
    row("\(name) rate, orisd (as above) vs P carrying messages as large", key + ".rate",
        proxyKey: key + ".padded.rate", unit: "/s", target: "–")
}
if only.contains("w1") {
    row("W1 1→1, \(Counts.w1) items of 100 B", "w1.rate", unit: "msgs/s", target: "≥ 0.65")
    row("W1 items lost", "w1.loss", unit: "", target: "–")
    paddedRows("w1", "W1")
    ceilingRows("w1.rate", "W1", "rate", unit: "/s")
    variantRow("W1 rate, the same forwarder also stamping a sequence number and syncing a journal every "
               + "\(batchMilliseconds) ms (the C sequencing broker's work; in orisd's column) vs P", "w1.rate",
               variantKey: "w1.seq.rate", unit: "/s")
}
if latencyRows {
    row("W1 latency p50 at 10,000/s", "lat.p50", unit: "µs", target: "≤ 1.5", digits: 1)
    row("W1 latency p99 at 10,000/s", "lat.p99", unit: "µs", target: "≤ 2", digits: 1)
    row("W1 latency p99.9 at 10,000/s", "lat.p999", unit: "µs", target: "–", digits: 1)
    // Explanatory baselines, not asked: the disk's syncs alone, and orisd without them.
    let beside = "P beside a neighbour syncing the disk every \(batchMilliseconds) ms"
    row("latency p50, orisd (as above) vs \(beside)", "lat.p50", proxyKey: "lat.beside.p50", unit: "µs",
        target: "–", digits: 1)
    row("latency p99, orisd (as above) vs \(beside)", "lat.p99", proxyKey: "lat.beside.p99", unit: "µs",
        target: "–", digits: 1)
    row("latency p50, orisd with fsync never (journal on) vs P", "lat.never.p50", proxyKey: "lat.p50",
        unit: "µs", target: "–", digits: 1)
    row("latency p99, orisd with fsync never (journal on) vs P", "lat.never.p99", proxyKey: "lat.p99",
        unit: "µs", target: "–", digits: 1)
    ceilingRows("lat.p50", "W1", "latency p50", unit: "µs", digits: 1)
}
if only.contains("w1") {
    row("memory peak during W1", "w1.peak", unit: "MiB", target: "bounded", scale: 1 / 1024, digits: 1)
}
if only.contains("w2") {
    row("W2 1→10 subscribers, one topic", "w2.rate", unit: "deliveries/s", target: "≥ 0.65")
    row("W2 deliveries lost", "w2.loss", unit: "", target: "–")
    paddedRows("w2", "W2")
}
if only.contains("w3") {
    row("W3 100 topics, \(Counts.w3Connections) connections, mixed", "w3.rate", unit: "deliveries/s",
        target: "≥ 0.65")
    row("W3 deliveries lost", "w3.loss", unit: "", target: "–")
    paddedRows("w3", "W3")
    row("memory idle", "w3.idle", unit: "MiB", target: "–", scale: 1 / 1024, digits: 1)
    row("memory per subscriber connection", "w3.perConnection", unit: "KiB", target: "≤ 1.5", digits: 1)
    row("memory peak during W3", "w3.peak", unit: "MiB", target: "bounded", scale: 1 / 1024, digits: 1)
}
if only.contains("memory") {
    print("| memory per idle topic (one item each, \(Counts.idleTopics) topics; heap bytes) | – | "
          + "\(summary(o["topic.bytes"])) B | – | ≤ 1024 B |")
    print("| resident growth per idle topic (same items; RSS, noisy) | – | "
          + "\(summary(o["topic.resident"])) B | – | – |")
}
if only.contains("acked") {
    print("| disk: write 128 B + fdatasync, one at a time | – | \(summary(disk["single.rate"])) syncs/s "
          + "| – | – |")
    print("| disk: fdatasync p50 / p99 | – | \(summary(disk["single.p50"], digits: 1)) / "
          + "\(summary(disk["single.p99"], digits: 1)) µs | – | – |")
    print("| disk: group commit, 256 waiting | – | \(summary(disk["group.rate"])) appends/s, p99 "
          + "\(summary(disk["group.p99"], digits: 1)) µs | – | – |")
    let budget = median(p["lat.p99"]) + 2 * median(disk["group.p99"])
    for policy in policies {
        print("| acked publish, fsync \(policy) (DEALER, 256 in flight) | – | \(summary(o[policy + ".rate"])) "
              + "items/s | \(ratio(o[policy + ".rate"], disk["single.rate"])) × disk syncs/s | "
              + (policy == "always" ? "≥ 10 × Mosquitto QoS 1 (peers run)" : "–") + " |")
        let p99 = median(o[policy + ".p99"])
        let verdict = policy != "always" ? "–"
            : String(format: "p99 ≤ P p99 + 2 × group p99 = %.0f µs: %@", budget, p99 <= budget ? "met" : "not met")
        print("| ACK latency p50 / p99, fsync \(policy) | – | \(summary(o[policy + ".p50"], digits: 1)) / "
              + "\(summary(o[policy + ".p99"], digits: 1)) µs | – | \(verdict) |")
    }
    let ceilingP99 = median(p["ceiling.p99"])
    print("| acked publish, fsync always, the protocol's ceiling (`orisload ackforward`: group commit and "
          + "nothing else; 256 in flight; in orisd's column) | – | \(summary(p["ceiling.rate"])) items/s, "
          + "ACK p50 / p99 \(summary(p["ceiling.p50"], digits: 1)) / \(summary(p["ceiling.p99"], digits: 1)) µs | "
          + "\(ratio(o["always.rate"], p["ceiling.rate"])) (orisd / ceiling) | "
          + String(format: "p99 ≤ %.0f µs: %@", budget, ceilingP99 <= budget ? "met" : "not met") + " |")
    let pacedP99 = median(o["paced.p99"])
    print("| ACK latency p50 / p99, fsync always, 10,000 items/s (as P's latency) | – | "
          + "\(summary(o["paced.p50"], digits: 1)) / \(summary(o["paced.p99"], digits: 1)) µs | – | "
          + String(format: "p99 ≤ %.0f µs: %@", budget, pacedP99 <= budget ? "met" : "not met") + " |")
}
if only.contains("replay") {
    print("| start-up with recovery of \(recoveryItems) stored items | – | "
          + "\(summary(o["recovery.seconds"], digits: 2)) s | – | – |")
    print("| replay of \(replayed) items (pages of 1000) | – | \(summary(o["replay.rate"])) items/s | – | – |")
}
