// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A CURVE key pair on disk in the text certificate format of czmq's `zcert` (ZPL, ZeroMQ
/// RFC 4), so that existing ZeroMQ tooling (czmq, pyzmq's `zmq.auth.load_certificate`) reads
/// our keys and we read theirs.
///
/// ```text
/// metadata
///     member = "cci-doubs"
/// curve
///     public-key = "<40 Z85 characters>"
///     secret-key = "<40 Z85 characters>"      (only in the secret file)
/// ```
///
/// A certificate is two files: `PATH` holds the public key (shareable), `PATH_secret` both keys
/// (mode 0600).
package struct CurveCertificate: Sendable, Equatable {
    package var publicKey: String
    package var secretKey: String?
    /// Name–value pairs of the `metadata` section, in order.
    package var metadata: [Pair]

    package struct Pair: Sendable, Equatable {
        package var name: String
        package var value: String

        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    package init(publicKey: String, secretKey: String?, metadata: [Pair] = []) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.metadata = metadata
    }

    /// The file text; with `includingSecret` the secret key too.
    package func text(includingSecret: Bool) -> String {
        var lines = [
            includingSecret
                ? "#   ORIS Bus CURVE secret certificate: keep this file to yourself (mode 0600)."
                : "#   ORIS Bus CURVE public certificate: give this file to the operator who enrols you.",
            "#   Text certificate format of czmq's zcert (ZPL, ZeroMQ RFC 4).",
            "",
            "metadata",
        ]
        for pair in self.metadata {
            lines.append("    \(pair.name) = \"\(pair.value)\"")
        }
        lines.append("curve")
        lines.append("    public-key = \"\(self.publicKey)\"")
        if includingSecret, let secretKey {
            lines.append("    secret-key = \"\(secretKey)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a certificate file (public or secret).
    ///
    /// - Throws: ``CertificateError`` naming the file and the line.
    package static func read(path: String) throws(CertificateError) -> CurveCertificate {
        guard let bytes = FileBytes.read(path: path) else {
            throw CertificateError(path: path, problem: "cannot read the file: \(FileBytes.lastErrorText())")
        }
        var section = ""
        var publicKey: String?
        var secretKey: String?
        var metadata = [Pair]()
        // "\r\n" is one Character in Swift, so both line ends are named.
        let lines = String(decoding: bytes, as: UTF8.self)
            .split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (n, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if !line.hasPrefix(" ") && !line.hasPrefix("\t") {
                section = String(line)
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw CertificateError(path: path, problem: "line \(n + 1) is not 'name = value'")
            }
            let name = trimmed[..<equals].trimmingCharacters()
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters()
            if value.count >= 2 && (value.hasPrefix("\"") && value.hasSuffix("\"")
                                    || value.hasPrefix("'") && value.hasSuffix("'")) {
                value = String(value.dropFirst().dropLast())
            }
            switch (section, name) {
            case ("curve", "public-key"): publicKey = value
            case ("curve", "secret-key"): secretKey = value
            case ("metadata", _): metadata.append(Pair(name, value))
            default: break
            }
        }
        guard let publicKey else {
            throw CertificateError(path: path, problem: "no 'public-key' in a 'curve' section")
        }
        for (label, key) in [("public-key", publicKey), ("secret-key", secretKey)] {
            if let key, Z85.decode(key)?.count != 32 {
                throw CertificateError(path: path, problem: "'\(label)' is not a 40-character Z85 key")
            }
        }
        return CurveCertificate(publicKey: publicKey, secretKey: secretKey, metadata: metadata)
    }

    /// Writes `path` (the public certificate, mode 0644) and `path_secret` (mode 0600),
    /// refusing to replace existing files.
    ///
    /// - Throws: ``CertificateError``.
    package func write(path: String) throws(CertificateError) {
        try Self.create(path: path + "_secret", text: self.text(includingSecret: true), mode: 0o600)
        try Self.create(path: path, text: self.text(includingSecret: false), mode: 0o644)
    }

    private static func create(path: String, text: String, mode: mode_t) throws(CertificateError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists (remove it first)" : FileBytes.lastErrorText()
            throw CertificateError(path: path, problem: "cannot create the file: \(reason)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            throw CertificateError(path: path, problem: "cannot write the file: \(FileBytes.lastErrorText())")
        }
    }
}

/// Why a certificate file could not be read or written.
package struct CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var problem: String

    package var description: String { "certificate '\(self.path)': \(self.problem)" }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
