// SPDX-License-Identifier: Apache-2.0
import CZMQ

/// A CurveZMQ key pair (ZeroMQ RFC 26), each key 32 bytes, written in Z85 (40 characters).
package struct CurveKeyPair: Sendable, Equatable {
    /// The public key, Z85.
    package var publicKey: String
    /// The secret key, Z85.
    package var secretKey: String

    package init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A new random key pair (`zmq_curve_keypair`).
    ///
    /// - Throws: ``ZMQError`` with `ENOTSUP` when libzmq was built without CURVE.
    package static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        _ = try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return CurveKeyPair(publicKey: Z85.string(publicKey), secretKey: Z85.string(secretKey))
    }

    /// Whether this libzmq can do CURVE at all (`zmq_has("curve")`).
    package static var isAvailable: Bool { zmq_has("curve") == 1 }
}

/// Z85 (ZeroMQ RFC 32): 4 bytes become 5 printable characters.
package enum Z85 {
    /// The Z85 text of `bytes`, whose count must be a multiple of 4 (`zmq_z85_encode`); nil
    /// otherwise.
    package static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&out, bytes, bytes.count) != nil else { return nil }
        return self.string(out)
    }

    /// The bytes of a Z85 text, whose length must be a multiple of 5 and whose characters must
    /// be of the Z85 alphabet (`zmq_z85_decode`); nil otherwise.
    package static func decode(_ text: String) -> [UInt8]? {
        let count = text.utf8.count
        guard count % 5 == 0, text.utf8.allSatisfy({ alphabet.contains($0) }) else { return nil }
        var out = [UInt8](repeating: 0, count: count * 4 / 5)
        guard zmq_z85_decode(&out, text) != nil else { return nil }
        return out
    }

    private static let alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8
    )

    static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
