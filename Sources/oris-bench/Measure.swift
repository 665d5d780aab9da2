// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock.
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

/// "median (min–max)" of the runs, scaled and rounded to `digits`.
func summary(_ values: [Double], scale: Double = 1, digits: Int = 0) -> String {
    guard !values.isEmpty else { return "n/a" }
    let format = "%.\(digits)f"
    let parts = [median(values), values.min() ?? 0, values.max() ?? 0].map { String(format: format, $0 * scale) }
    return values.count == 1 ? parts[0] : parts[0] + " (" + parts[1] + "–" + parts[2] + ")"
}

/// A ratio of two medians, or "n/a" when either is missing.
func ratio(_ a: [Double], _ b: [Double]) -> String {
    guard !a.isEmpty, !b.isEmpty, median(b) > 0 else { return "n/a" }
    return String(format: "%.2f", median(a) / median(b))
}

/// A process's resident memory in KiB: `VmRSS` now, or `VmHWM` (its peak so far).
func residentKiB(_ pid: Int32, peak: Bool = false) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    let key = peak ? "VmHWM:" : "VmRSS:"
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        let number = line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
        return Double(number ?? "") ?? 0
    }
    return 0
}

/// A fresh folder of this run inside the scratch folder.
func makeFolder(_ scratch: String, _ name: String) -> String {
    let path = scratch + "/oris-bench-" + name + "-" + String(getpid())
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The figures of every run of one measure, by name.
struct Samples {
    private var values: [String: [Double]] = [:]

    mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else { return }
        self.values[key, default: []].append(value)
    }

    subscript(_ key: String) -> [Double] { self.values[key] ?? [] }
}
