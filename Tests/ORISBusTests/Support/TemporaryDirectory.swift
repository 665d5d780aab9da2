// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A folder of its own for one test, removed with everything in it when the value goes away.
///
/// Paths stay short (under /tmp) so that ipc endpoints inside fit the kernel's 107-byte limit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/oris-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.path = String(cString: made)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String {
        "\(self.path)/\(name)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
