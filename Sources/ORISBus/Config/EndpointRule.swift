// SPDX-License-Identifier: Apache-2.0

/// Checks an endpoint string and resolves relative ipc paths into the state folder.
package enum EndpointRule {
    /// Why an endpoint was refused.
    package struct Problem: Error, CustomStringConvertible {
        package let description: String
    }

    /// The longest ipc path the kernel takes (`sun_path` is 108 bytes with its NUL).
    package static let maximumIPCPathBytes = 107

    /// Checks `endpoint` and returns it with a relative ipc path placed in `stateDirectory`.
    ///
    /// Accepted: `tcp://HOST:PORT` (PORT may be `*` for any free port) and `ipc://PATH`. With
    /// security `none`, HOST must be loopback (`127.x.y.z`, `localhost`, `[::1]`).
    package static func resolve(
        _ endpoint: String,
        stateDirectory: String,
        security: SecurityMode
    ) throws(Problem) -> String {
        if endpoint.hasPrefix("ipc://") {
            var path = String(endpoint.dropFirst("ipc://".count))
            guard !path.isEmpty else { throw Problem(description: "'\(endpoint)' has no path") }
            if !path.hasPrefix("/") && !path.hasPrefix("@") {
                guard !path.split(separator: "/").contains("..") else {
                    throw Problem(description: "ipc path '\(path)' leaves the state folder ('..')")
                }
                let reserved = ["orisd.lock", "journal"]
                if let first = path.split(separator: "/").first, reserved.contains(String(first)) {
                    throw Problem(description: "ipc path '\(path)' would take the place of the state "
                                  + "folder's own '\(first)'")
                }
                path = stateDirectory.hasSuffix("/") ? stateDirectory + path : stateDirectory + "/" + path
            }
            guard path.utf8.count <= maximumIPCPathBytes else {
                throw Problem(description: "ipc path '\(path)' is \(path.utf8.count) bytes, over the "
                              + "kernel's limit of \(maximumIPCPathBytes)")
            }
            return "ipc://" + path
        }
        guard endpoint.hasPrefix("tcp://") else {
            throw Problem(description: "'\(endpoint)' is neither tcp://HOST:PORT nor ipc://PATH")
        }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":") else {
            throw Problem(description: "'\(endpoint)' has no port")
        }
        let host = String(rest[..<colon])
        let port = String(rest[rest.index(after: colon)...])
        guard port == "*" || (UInt16(port).map { $0 > 0 } ?? false) else {
            throw Problem(description: "'\(endpoint)' has port '\(port)', not 1 to 65535 or *")
        }
        guard !host.isEmpty else { throw Problem(description: "'\(endpoint)' has no host") }
        if security == .none && !self.isLoopback(host) {
            throw Problem(description: "'\(endpoint)' is beyond loopback and security is 'none' "
                          + "(development only): bind to 127.0.0.1, [::1] or an ipc:// path")
        }
        return endpoint
    }

    /// Whether `host` names the loopback interface.
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { UInt8($0) != nil }
    }
}
