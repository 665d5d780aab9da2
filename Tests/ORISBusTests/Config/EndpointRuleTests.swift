// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Which endpoints the daemon may bind, and where relative ipc paths go.
@Suite struct EndpointRuleTests {
    private static let state = "/tmp/oris-state"

    private static func resolve(_ endpoint: String, state: String = state) -> String? {
        try? EndpointRule.resolve(endpoint, stateDirectory: state, security: .none)
    }

    static let loopbackEndpoints: [String] = [
        "tcp://127.0.0.1:*",
        "tcp://127.0.0.1:5555",
        "tcp://127.1.2.3:1",
        "tcp://127.0.0.1:65535",
        "tcp://localhost:5555",
        "tcp://[::1]:5555",
        "tcp://[::1]:*",
    ]

    @Test(arguments: loopbackEndpoints)
    func resolve_whenTCPIsOnLoopback_keepsTheEndpoint(endpoint: String) {
        #expect(Self.resolve(endpoint) == endpoint)
    }

    static let refusedEndpoints: [String] = [
        "tcp://0.0.0.0:5555",
        "tcp://*:5555",
        "tcp://10.0.0.1:5555",
        "tcp://192.0.2.1:*",
        "tcp://128.0.0.1:5555",
        "tcp://127.0.0.256:5555",
        "tcp://127.0.0:5555",
        "tcp://127.0.0.1.example.org:5555",
        "tcp://example.org:5555",
        "tcp://[::]:5555",
        "tcp://127.0.0.1",
        "tcp://127.0.0.1:",
        "tcp://127.0.0.1:0",
        "tcp://127.0.0.1:65536",
        "tcp://127.0.0.1:http",
        "tcp://:5555",
        "ipc://",
        "inproc://bus",
        "udp://127.0.0.1:5555",
        "127.0.0.1:5555",
        "",
    ]

    @Test(arguments: refusedEndpoints)
    func resolve_whenEndpointIsNotAllowedWithoutSecurity_refusesIt(endpoint: String) {
        #expect(Self.resolve(endpoint) == nil)
    }

    @Test func resolve_whenIPCPathIsRelative_placesItInTheStateFolder() {
        #expect(Self.resolve("ipc://api.sock") == "ipc:///tmp/oris-state/api.sock")
        #expect(Self.resolve("ipc://sub/api.sock", state: "/tmp/oris-state/") == "ipc:///tmp/oris-state/sub/api.sock")
    }

    @Test func resolve_whenIPCPathIsAbsoluteOrAbstract_keepsIt() {
        #expect(Self.resolve("ipc:///run/oris/api.sock") == "ipc:///run/oris/api.sock")
        #expect(Self.resolve("ipc://@oris-api") == "ipc://@oris-api")
    }

    @Test func resolve_whenIPCPathIsAtTheKernelLimit_acceptsItAndOneMoreByteIsRefused() {
        let atLimit = "/" + String(repeating: "p", count: 106)
        let overLimit = "/" + String(repeating: "p", count: 107)

        #expect(Self.resolve("ipc://" + atLimit) == "ipc://" + atLimit)
        #expect(Self.resolve("ipc://" + overLimit) == nil)
    }

    @Test func resolve_whenRelativeIPCPathOverflowsOnceResolved_refusesIt() {
        // 100 + 1 + 7 = 108 bytes once placed in the state folder.
        let deepState = "/" + String(repeating: "s", count: 99)

        #expect(Self.resolve("ipc://a.sock", state: deepState) == "ipc://\(deepState)/a.sock")
        #expect(Self.resolve("ipc://ab.sock", state: deepState) == nil)
    }

    @Test func resolve_whenRefusingBeyondLoopback_saysWhy() {
        do {
            _ = try EndpointRule.resolve("tcp://0.0.0.0:5555", stateDirectory: Self.state, security: .none)
            Issue.record("a wildcard bind was accepted without security")
        } catch {
            #expect(error.description.contains("tcp://0.0.0.0:5555"))
            #expect(error.description.contains("loopback"))
        }
    }

    @Test func isLoopback_recognisesTheLoopbackNamesAndNothingElse() {
        #expect(EndpointRule.isLoopback("127.0.0.1"))
        #expect(EndpointRule.isLoopback("127.255.255.254"))
        #expect(EndpointRule.isLoopback("localhost"))
        #expect(EndpointRule.isLoopback("::1"))
        #expect(EndpointRule.isLoopback("[::1]"))
        #expect(EndpointRule.isLoopback("0.0.0.0") == false)
        #expect(EndpointRule.isLoopback("127.0.0") == false)
        #expect(EndpointRule.isLoopback("127.0.0.1.") == false)
        #expect(EndpointRule.isLoopback("localhost.example.org") == false)
        #expect(EndpointRule.isLoopback("") == false)
    }
}
