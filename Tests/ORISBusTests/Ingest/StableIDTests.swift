// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// SHA-256 against the FIPS 180-4 examples, and ids that follow their source.
@Suite struct StableIDTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func hash_ofKnownMessages_matchesTheStandard(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test func hash_ofAMillionAs_matchesTheStandard() {
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func cap_sameAlert_givesTheSameValidID_andAnotherSentAnother() {
        let id = StableID.cap(sender: "cap@ec.gc.ca", identifier: "2.49.0.1", sent: "2012-05-02T21:45:05-00:00")

        #expect(id == StableID.cap(sender: "cap@ec.gc.ca", identifier: "2.49.0.1", sent: "2012-05-02T21:45:05-00:00"))
        #expect(id != StableID.cap(sender: "cap@ec.gc.ca", identifier: "2.49.0.1", sent: "2012-05-02T21:45:06-00:00"))
        #expect(id.count == 26 && Identifier.isValidItemID(id))
    }

    @Test func make_idsSortByTheSourcesTime() {
        let early = StableID.make(["z"], time: Timestamp(rfc3339: "2020-01-01T00:00:00Z"))
        let late = StableID.make(["a"], time: Timestamp(rfc3339: "2024-01-01T00:00:00Z"))

        #expect(early < late)
    }
}
