// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on the state folder, so that two daemons never share one: libzmq replaces
/// an existing ipc socket file on bind, and two writers would corrupt state.
package final class StateLock {
    private var descriptor: Int32

    /// Takes the lock file `orisd.lock` inside `directory`, creating it.
    ///
    /// - Throws: a sentence naming the folder and, when another daemon holds the lock, its pid.
    package init(directory: String) throws(StateLockError) {
        let path = directory.hasSuffix("/") ? directory + "orisd.lock" : directory + "/orisd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StateLockError(description: "cannot open '\(path)': \(FileBytes.lastErrorText())")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = FileBytes.read(path: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            let pid = holder.trimmingWhitespace()
            throw StateLockError(description: "state folder '\(directory)' is in use by another orisd"
                                 + (pid.isEmpty ? "" : " (pid \(pid))"))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.descriptor = fd
    }

    /// Releases the lock.
    package func release() {
        guard self.descriptor >= 0 else { return }
        close(self.descriptor)
        self.descriptor = -1
    }

    deinit {
        self.release()
    }
}

/// Why the state folder could not be locked.
package struct StateLockError: Error, Sendable, CustomStringConvertible {
    package let description: String
}
