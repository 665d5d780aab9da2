// SPDX-License-Identifier: Apache-2.0

/// The endpoints a command line connects to, checked before libzmq sees them.
///
/// libzmq refuses a malformed endpoint at `zmq_connect` with `EINVAL` or `EPROTONOSUPPORT` and
/// no word on what it expected; a user who typed `127.0.0.1:7400` deserves a usage error that
/// shows the form instead.
package enum ClientEndpoint {
    /// What an endpoint looks like, as messages and help texts say it.
    package static let forms = "tcp://HOST:PORT or ipc://PATH"

    /// Checks the syntax of `endpoint`, given by `source` (an option such as `--api`, or an
    /// environment variable).
    ///
    /// Accepted: `tcp://HOST:PORT` with a host and a port from 1 to 65535, and `ipc://PATH`.
    /// Whether anything listens there is not checked.
    ///
    /// - Parameters:
    ///   - endpoint: the text as given.
    ///   - source: where it came from, named in the message.
    /// - Returns: `endpoint`, unchanged.
    /// - Throws: ``UsageError`` quoting the endpoint and showing the accepted forms, with the
    ///   corrected endpoint when a missing `tcp://` or `ipc://` is all that is wrong.
    @discardableResult
    package static func check(_ endpoint: String, from source: String) throws(UsageError) -> String {
        if let path = self.remainder(of: endpoint, after: "ipc://") {
            guard !path.isEmpty else {
                throw UsageError("\(source) '\(endpoint)' has no path: give \(self.forms)")
            }
            return endpoint
        }
        if let address = self.remainder(of: endpoint, after: "tcp://") {
            guard self.isHostAndPort(address) else {
                throw UsageError("\(source) '\(endpoint)' is not tcp://HOST:PORT (a host, then a port from 1 "
                                 + "to 65535): give \(self.forms)")
            }
            return endpoint
        }
        if let separator = endpoint.range(of: "://") {
            let transport = endpoint[..<separator.lowerBound]
            throw UsageError("\(source) '\(endpoint)' names transport '\(transport)': give \(self.forms)")
        }
        var hint = ""
        if self.isHostAndPort(Substring(endpoint)) {
            hint = "; did you mean 'tcp://\(endpoint)'?"
        } else if endpoint.hasPrefix("/") {
            hint = "; did you mean 'ipc://\(endpoint)'?"
        }
        throw UsageError("\(source) '\(endpoint)' is not an endpoint: give \(self.forms)\(hint)")
    }

    /// The text after `scheme`, or nil when `endpoint` does not start with it.
    private static func remainder(of endpoint: String, after scheme: String) -> Substring? {
        endpoint.hasPrefix(scheme) ? endpoint.dropFirst(scheme.count) : nil
    }

    /// Whether `address` is `HOST:PORT`: a host without spaces and a port from 1 to 65535.
    private static func isHostAndPort(_ address: Substring) -> Bool {
        guard let colon = address.lastIndex(of: ":") else { return false }
        let host = address[..<colon]
        let port = address[address.index(after: colon)...]
        guard !host.isEmpty, !host.contains(" "), !host.contains("/") else { return false }
        return port.allSatisfy { ("0"..."9").contains($0) } && UInt16(port).map { $0 > 0 } == true
    }
}
