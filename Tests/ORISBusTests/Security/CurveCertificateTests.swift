// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// Certificates in czmq's zcert text format.
@Suite struct CurveCertificateTests {
    @Test func write_thenRead_roundTripsWithTheRightModes() throws {
        let dir = try TemporaryDirectory()
        let keys = try CurveKeyPair.generate()
        let certificate = CurveCertificate(publicKey: keys.publicKey, secretKey: keys.secretKey,
                                           metadata: [.init("member", "cci-doubs")])

        try certificate.write(path: dir.file("cci"))
        let secret = try CurveCertificate.read(path: dir.file("cci_secret"))
        let shared = try CurveCertificate.read(path: dir.file("cci"))

        #expect(secret == certificate)
        #expect(shared.publicKey == keys.publicKey)
        #expect(shared.secretKey == nil)
        #expect(shared.metadata == [.init("member", "cci-doubs")])
        let publicMode = try FileManager.default.attributesOfItem(atPath: dir.file("cci"))[.posixPermissions] as? Int
        let secretMode = try FileManager.default.attributesOfItem(atPath: dir.file("cci_secret"))[.posixPermissions]
            as? Int
        #expect(publicMode == 0o644)
        #expect(secretMode == 0o600)
    }

    @Test func write_whenTheFileExists_refusesAndKeepsIt() throws {
        let dir = try TemporaryDirectory()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir.file("x_secret")))
        let keys = try CurveKeyPair.generate()

        #expect(throws: CertificateError.self) {
            try CurveCertificate(publicKey: keys.publicKey, secretKey: keys.secretKey).write(path: dir.file("x"))
        }
        #expect(try String(contentsOfFile: dir.file("x_secret"), encoding: .utf8) == "keep")
    }

    @Test func read_acceptsAHandWrittenZcertFile() throws {
        let dir = try TemporaryDirectory()
        // As czmq writes them: comments, sections at column 0, 4-space indented properties;
        // here also with CRLF line ends and single quotes.
        let text = "#   a comment\r\n\r\nmetadata\r\n    name = 'gip-auto'\r\ncurve\r\n"
            + "    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\r\n"
            + "    secret-key = \"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\"\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("hand")))

        let certificate = try CurveCertificate.read(path: dir.file("hand"))

        // The key pair of ZeroMQ's own CURVE test vectors (zmq_curve man page).
        #expect(certificate.publicKey == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
        #expect(certificate.secretKey == "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
        #expect(certificate.metadata == [.init("name", "gip-auto")])
    }

    @Test func read_whenAKeyIsNotZ85_namesTheFileAndTheKey() throws {
        let dir = try TemporaryDirectory()
        try Data("curve\n    public-key = \"tooshort\"\n".utf8).write(to: URL(fileURLWithPath: dir.file("bad")))

        let expected = CertificateError(path: dir.file("bad"), problem: "'public-key' is not a 40-character Z85 key")
        #expect(throws: expected) {
            _ = try CurveCertificate.read(path: dir.file("bad"))
        }
    }
}
