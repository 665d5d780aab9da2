// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A process started in the background with its standard output in a file, for subscribers
/// and publishers that run while a test acts.
final class BackgroundProcess {
    let process = Process()
    let outputPath: String

    init(_ path: String, _ arguments: [String], folder: TemporaryFolder, name: String) throws {
        self.outputPath = folder.path + "/" + name + ".out"
        _ = FileManager.default.createFile(atPath: self.outputPath, contents: nil)
        self.process.executableURL = URL(fileURLWithPath: path)
        self.process.arguments = arguments
        self.process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: self.outputPath))
        let errorPath = folder.path + "/" + name + ".err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        self.process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try self.process.run()
    }

    var lines: [String] {
        let text = String(decoding: FileManager.default.contents(atPath: self.outputPath) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    /// Waits until the output has `count` lines; false at the deadline.
    func waitForLines(_ count: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if self.lines.count >= count { return true }
            usleep(20_000)
        }
        return false
    }

    /// Waits for the exit; false at the deadline.
    func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while self.process.isRunning && Date() < deadline { usleep(10_000) }
        return !self.process.isRunning
    }

    func signal(_ number: Int32) {
        if self.process.isRunning { Glibc.kill(self.process.processIdentifier, number) }
    }

    deinit {
        if self.process.isRunning {
            Glibc.kill(self.process.processIdentifier, SIGCONT)
            Glibc.kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }
}

extension Session {
    /// Publishes `count` signals on a theme through one pipelining client; returns the ACKs.
    func publishMany(
        _ count: Int,
        as member: String = "cci-belfort",
        theme: String = "machine-speciale",
        idPrefix: String? = nil,
        padding: Int = 0
    ) throws -> [Reply] {
        let client = try self.client(as: member)
        var replies = [Reply]()
        var sent = 0
        while replies.count < count {
            while sent < count && sent - replies.count < 100 {
                var fields: [(String, JSONValue)] = [("kind", .string("signal")), ("theme", .string(theme)),
                                                     ("title", .string("élément \(sent)"))]
                if let idPrefix { fields.append(("id", .string("\(idPrefix)-\(sent)"))) }
                let body = Array("corps \(sent)".utf8) + [UInt8](repeating: 0x2E, count: padding)
                try client.send(.publish(header: header(fields), body: body))
                sent += 1
            }
            replies.append(try client.receive())
        }
        return replies
    }

    /// Every stored item of a prefix, page by page.
    func replayAll(_ prefix: String, as member: String = "operator", fromSeq: UInt64 = 0) throws -> [ReceivedItem] {
        let client = try self.client(as: member)
        var request = ReplayRequest(prefix: prefix)
        request.fromSeq = fromSeq
        request.limit = ReplayRequest.maximumLimit
        var items = [ReceivedItem]()
        while true {
            let page = try client.replay(request)
            items += page.items
            guard page.more else { return items }
            request.after = page.cursor
        }
    }
}

/// The sequence numbers of JSON lines printed by `orisctl subscribe --json`.
func sequences(ofJSONLines lines: [String]) -> [Int64] {
    lines.compactMap { line in
        (try? JSONParser.parse(line))?.objectValue?["header"]?.objectValue?["seq"]?.intValue
    }
}

/// The journal segment files of a tenant in a daemon's state folder, in order.
func segmentFiles(_ daemon: RunningDaemon, tenant: String = "bfc") -> [String] {
    let folder = daemon.folder.path + "/state/journal/" + tenant
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".seg") }.sorted().map { folder + "/" + $0 }
}
