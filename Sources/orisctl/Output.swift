// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Lines to standard output and standard error, written at once (no buffering), so that a
/// subscriber piped into another program shows each item as it arrives.
enum Output {
    static func line(_ text: String) {
        self.write(text + "\n", to: 1)
    }

    static func error(_ text: String) {
        self.write(text + "\n", to: 2)
    }

    private static func write(_ text: String, to fd: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
