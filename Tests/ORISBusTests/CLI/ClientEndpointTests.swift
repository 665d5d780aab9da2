// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The endpoint syntax orisctl checks before connecting.
@Suite struct ClientEndpointTests {
    @Test(arguments: ["tcp://127.0.0.1:7400", "tcp://localhost:1", "tcp://[::1]:65535", "ipc:///tmp/api.sock",
                      "ipc://@abstract"])
    func check_whenTCPWithHostAndPortOrIPCWithPath_acceptsItUnchanged(endpoint: String) throws {
        #expect(try ClientEndpoint.check(endpoint, from: "--api") == endpoint)
    }

    @Test(arguments: ["tcp://127.0.0.1", "tcp://:7400", "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536",
                      "tcp://127.0.0.1:*", "tcp://127.0.0.1:+74", "ipc://", "foo://bar", "127.0.0.1", ""])
    func check_whenMalformed_throwsAUsageErrorShowingBothForms(endpoint: String) {
        #expect {
            try ClientEndpoint.check(endpoint, from: "--api")
        } throws: { error in
            let text = (error as? UsageError)?.description ?? ""
            return text.hasPrefix("--api '\(endpoint)'") && text.contains("tcp://HOST:PORT or ipc://PATH")
        }
    }

    @Test func check_whenTheTransportIsMissing_suggestsTheEndpointWithIt() {
        #expect(throws: UsageError("ORIS_API '127.0.0.1:7400' is not an endpoint: give tcp://HOST:PORT or "
                                   + "ipc://PATH; did you mean 'tcp://127.0.0.1:7400'?")) {
            try ClientEndpoint.check("127.0.0.1:7400", from: "ORIS_API")
        }
        #expect(throws: UsageError("--feed '/run/oris/feed.sock' is not an endpoint: give tcp://HOST:PORT or "
                                   + "ipc://PATH; did you mean 'ipc:///run/oris/feed.sock'?")) {
            try ClientEndpoint.check("/run/oris/feed.sock", from: "--feed")
        }
    }

    @Test func check_whenTheTransportIsUnknown_namesIt() {
        #expect(throws: UsageError("--api 'foo://bar' names transport 'foo': give tcp://HOST:PORT or ipc://PATH")) {
            try ClientEndpoint.check("foo://bar", from: "--api")
        }
    }
}
