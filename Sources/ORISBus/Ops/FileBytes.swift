// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers over POSIX calls, for code that must not depend on Foundation's file API.
package enum FileBytes {
    /// The whole file at `path`, or nil when it cannot be read (see ``lastErrorText()``).
    package static func read(path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// `strerror` of the current errno.
    package static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }

    /// Makes a folder and its parents (mode 0700 for the ones it creates).
    ///
    /// - Returns: nil on success, otherwise the reason.
    package static func makeDirectory(_ path: String) -> String? {
        var current = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                return "cannot create '\(current)': \(lastErrorText())"
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            return "'\(path)' is not a folder"
        }
        return nil
    }
}
