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
        self.errorText(errno)
    }

    /// `strerror` of an errno value.
    package static func errorText(_ number: Int32) -> String {
        String(cString: strerror(number))
    }

    /// Flushes a folder's entries to the disk, so that a file created in it survives a crash.
    ///
    /// - Returns: nil on success, otherwise the errno.
    package static func syncDirectory(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : errno
    }

    /// The names in a folder, or nil when it cannot be read.
    package static func list(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
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
