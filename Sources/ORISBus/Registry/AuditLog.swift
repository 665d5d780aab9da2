// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// One change to the registry: who, when, what.
package struct AuditEntry: Sendable, Equatable {
    /// The entry's number, from 1.
    package var number: UInt64
    package var time: Timestamp
    /// Who made the change: a member, or `config:<file>` for a change read from the configuration.
    package var actor: String
    /// What was done, such as `member.add`, `theme.change`, `tenant.remove`.
    package var action: String
    package var tenant: String
    /// What it was done to: a member, a theme, the tenant itself.
    package var subject: String
    /// The new value, or the old one for a removal, as JSON.
    package var detail: JSONValue

    package var jsonObject: JSONObject {
        JSONObject([
            ("n", .int(Int64(self.number))), ("time", .string(self.time.description)), ("actor", .string(self.actor)),
            ("action", .string(self.action)), ("tenant", .string(self.tenant)), ("subject", .string(self.subject)),
            ("detail", self.detail),
        ])
    }

    package init(number: UInt64, time: Timestamp, actor: String, action: String, tenant: String, subject: String,
                 detail: JSONValue) {
        self.number = number
        self.time = time
        self.actor = actor
        self.action = action
        self.tenant = tenant
        self.subject = subject
        self.detail = detail
    }

    init?(_ object: JSONObject) {
        guard let n = object["n"]?.intValue, let time = object["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let actor = object["actor"]?.stringValue, let action = object["action"]?.stringValue,
              let tenant = object["tenant"]?.stringValue, let subject = object["subject"]?.stringValue
        else { return nil }
        self.init(number: UInt64(n), time: time, actor: actor, action: action, tenant: tenant, subject: subject,
                  detail: object["detail"] ?? .null)
    }
}

/// The audit trail: one JSON object a line in `audit.jsonl`, appended and synced, never rewritten.
package final class AuditLog {
    /// A change to record: who, what, on which tenant and subject, with its detail.
    package typealias Change = (actor: String, action: String, tenant: String, subject: String, detail: JSONValue)

    package let path: String
    package private(set) var entries: [AuditEntry] = []

    /// Opens (creating) the log and reads what it holds; a torn last line is ignored.
    package init(path: String) throws(JournalError) {
        self.path = path
        guard let bytes = FileBytes.read(path: path) else {
            guard errno == ENOENT else { throw .io(call: "open", path: path, errno: errno) }
            return
        }
        // A last line without its newline was torn by a crash or a full disk: it was never
        // promised, so it is cut, and the next entry starts on a line of its own.
        if let last = bytes.last, last != 0x0A {
            let keep = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
            guard truncate(path, off_t(keep)) == 0 else { throw .io(call: "truncate", path: path, errno: errno) }
        }
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) where line.last != nil {
            if let object = (try? JSONParser.parse(Array(line)))?.objectValue, let entry = AuditEntry(object) {
                self.entries.append(entry)
            }
        }
    }

    /// Appends entries and syncs them to the disk.
    package func append(_ changes: [Change], at time: Timestamp = .now()) throws(JournalError) {
        guard !changes.isEmpty else { return }
        var bytes = [UInt8]()
        var added = [AuditEntry]()
        var number = self.entries.last?.number ?? 0
        for change in changes {
            number += 1
            let entry = AuditEntry(number: number, time: time, actor: change.actor, action: change.action,
                                   tenant: change.tenant, subject: change.subject, detail: change.detail)
            bytes += JSONWriter.encode(.object(entry.jsonObject)) + [0x0A]
            added.append(entry)
        }
        let fd = open(self.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(call: "open", path: self.path, errno: errno) }
        defer { Glibc.close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let number = written < 0 ? errno : ENOSPC
            throw number == ENOSPC ? .diskFull(path: self.path) : .io(call: "write", path: self.path, errno: number)
        }
        guard fsync(fd) == 0 else { throw .io(call: "fsync", path: self.path, errno: errno) }
        self.entries += added
    }
}
