// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a small file so that a crash leaves either the old contents or the new, never a mix.
enum AtomicFile {
    /// Writes `bytes` to `path.tmp` (mode 0600), syncs it, renames it over `path`, and syncs the
    /// folder so the rename itself survives a crash.
    ///
    /// - Throws: ``JournalError``: `diskFull` when the disk has no room (the old file is kept).
    static func replace(_ path: String, with bytes: [UInt8]) throws(JournalError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw errno == ENOSPC ? .diskFull(path: temporary) : .io(call: "open", path: temporary, errno: errno)
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let writeErrno = errno
        let synced = written == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced else {
            unlink(temporary)
            throw written < bytes.count && (written >= 0 || writeErrno == ENOSPC)
                ? .diskFull(path: temporary) : .io(call: "write", path: temporary, errno: writeErrno)
        }
        guard rename(temporary, path) == 0 else {
            throw .io(call: "rename", path: path, errno: errno)
        }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if let number = FileBytes.syncDirectory(folder.isEmpty ? "/" : folder) {
            throw .io(call: "fsync", path: folder, errno: number)
        }
    }
}
