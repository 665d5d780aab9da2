// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl keygen`: makes a CURVE key pair as two certificate files.
enum KeygenCommand: Command {
    static let name = "keygen"
    static let summary = "make a CURVE key pair: PATH (public, to give the operator) and PATH_secret"
    static let usage = """
    Usage: orisctl keygen PATH [--member NAME]

    Writes PATH (the public certificate, mode 0644) and PATH_secret (both keys, mode 0600) in
    the text format of czmq's zcert, which pyzmq's zmq.auth.load_certificate also reads, and
    prints the public key. Existing files are never replaced.

      --member NAME      record the member's name in the certificate's metadata
    """

    /// Takes no common option: it works on files alone, and never talks to a daemon.
    static func run(_ arguments: inout ArgumentReader) throws -> Int32 {
        let member = try arguments.option("--member")
        let words = try arguments.positionals()
        guard words.count == 1, let path = words.first, !path.isEmpty else {
            throw UsageError("give exactly one PATH")
        }
        let keys = try CurveKeyPair.generate()
        var metadata = [CurveCertificate.Pair]()
        if let member { metadata.append(.init("member", member)) }
        metadata.append(.init("created", Timestamp.now().description))
        let certificate = CurveCertificate(publicKey: keys.publicKey, secretKey: keys.secretKey, metadata: metadata)
        do {
            try certificate.write(path: path)
        } catch {
            throw CommandFailure.cannotCreate(error.description)
        }
        Output.line(keys.publicKey)
        Output.error("wrote \(path) (public) and \(path)_secret (secret, mode 0600)")
        return ExitCode.success
    }
}
