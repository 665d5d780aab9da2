// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Starting, stopping, and refusing to start.
@Suite("daemon lifecycle", .serialized)
struct LifecycleEndToEndTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func stop_onSignal_exitsZeroWithinASecondAndRemovesNothingHalfWritten(signal: Int32) throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        let ack = try session.client(as: "cci-belfort").request(.publish(
            header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                            ("title", .string("avant l'arrêt"))]),
            body: []))
        #expect(ack.word == "ACK")
        session.close()

        let (status, seconds) = daemon.stop(signal: signal)

        #expect(status == 0)
        #expect(seconds < 1.0)
        #expect(daemon.stderr.wait(for: "msg=stopped", seconds: 1) != nil)
    }

    @Test func serve_whenStandardErrorIsClosed_keepsServingAndStopsCleanly() throws {
        let daemon = try RunningDaemon()
        try daemon.closeStandardError()
        let session = try Session(daemon)

        // Each of these makes the daemon write a debug line into the closed pipe.
        for n in 0..<3 {
            let reply = try session.client(as: "cci-belfort").request(.publish(
                header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                                ("title", .string("ligne \(n)"))]),
                body: []))
            #expect(reply.word == "ACK")
        }
        session.close()

        #expect(daemon.stop().status == 0)
    }

    @Test func start_logsLogfmtLinesWithEndpointsAndStateAndNoPayloads() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        _ = try session.client(as: "cci-belfort").request(.publish(
            header: header([("kind", .string("signal")), ("theme", .string("machine-speciale")),
                            ("title", .string("secret-title-words"))]),
            body: Array("secret-body-words".utf8)))
        session.close()
        daemon.stop()

        let lines = daemon.stderr.lines
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.hasPrefix("ts=2"), "\(line)")
            #expect(line.contains(" level="), "\(line)")
            #expect(line.contains(" msg="), "\(line)")
            #expect(!line.contains("secret-title-words") && !line.contains("secret-body-words"), "\(line)")
        }
        let ready = daemon.readyLine
        #expect(RunningDaemon.field("state", in: ready) == daemon.folder.path + "/state")
        #expect(daemon.api.hasPrefix("tcp://127.0.0.1:") && !daemon.api.hasSuffix(":*"))
        #expect(daemon.apiIPC == "ipc://" + daemon.folder.path + "/state/api.sock")
        // The first lines say where it listens, before it is ready.
        let readyIndex = try #require(lines.firstIndex { $0.contains("msg=ready") })
        // api, feed and ingest on tcp and ipc each, then the control socket.
        #expect(lines[..<readyIndex].filter { $0.contains("msg=listening") }.count == 7)
        let control = "ipc://" + daemon.folder.path + "/state/control/orisd.sock"
        #expect(RunningDaemon.field("control", in: ready) == control)
    }

    @Test func start_whenConfigurationIsInvalid_exits78WithOneLineNamingFileAndField() throws {
        let folder = TemporaryFolder()
        let text = TestConfiguration.text(state: folder.path + "/state")
            .replacingOccurrences(of: #""crps_severity": "Moderate""#, with: #""crps_severity": "Huge""#)
        let path = folder.write("bad.json", text)

        let result = try runCommand(Binaries.orisd, ["--config", path])

        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains(path))
        #expect(result.stderr.contains("tenants[0].themes[1].crps_severity"))
        #expect(result.stderr.contains("Huge"))
        // Nothing was bound or made: the state folder does not exist.
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/state"))
    }

    @Test func start_whenEndpointIsBeyondLoopbackWithoutSecurity_exits78() throws {
        let folder = TemporaryFolder()
        let text = TestConfiguration.text(state: folder.path + "/state")
            .replacingOccurrences(of: #""feed": ["tcp://127.0.0.1:*""#, with: #""feed": ["tcp://0.0.0.0:7401""#)
        let path = folder.write("open.json", text)

        let result = try runCommand(Binaries.orisd, ["--config", path])

        #expect(result.status == 78)
        #expect(result.stderr.contains("endpoints.feed[0]"))
        #expect(result.stderr.contains("loopback"))
    }

    @Test(arguments: [
        (#""feed": ["tcp://127.0.0.1:*", "ipc://feed.sock"]"#, #""feed": ["tcp://127.0.0.1:*", "ipc://api.sock"]"#,
         "endpoints.feed[1]"),
        (#""feed": ["tcp://127.0.0.1:*", "ipc://feed.sock"]"#, #""feed": ["tcp://127.0.0.1:*", "ipc://orisd.lock"]"#,
         "endpoints.feed[1]"),
        (#""feed": ["tcp://127.0.0.1:*", "ipc://feed.sock"]"#, #""feed": ["tcp://127.0.0.1:*", "ipc://../x.sock"]"#,
         "endpoints.feed[1]"),
    ])
    func start_whenIPCEndpointsCollideOrLeaveTheStateFolder_exits78(
        original: String, replacement: String, field: String
    ) throws {
        let folder = TemporaryFolder()
        let text = TestConfiguration.text(state: folder.path + "/state")
            .replacingOccurrences(of: original, with: replacement)
        #expect(text.contains(replacement))

        let result = try runCommand(Binaries.orisd, ["--config", folder.write("c.json", text)])

        #expect(result.status == 78)
        #expect(result.stderr.contains(field), "\(result.stderr)")
    }

    @Test func stop_removesTheIPCSocketFilesItBound() throws {
        let daemon = try RunningDaemon()
        let socketFile = daemon.folder.path + "/state/api.sock"
        #expect(FileManager.default.fileExists(atPath: socketFile))

        #expect(daemon.stop().status == 0)

        #expect(!FileManager.default.fileExists(atPath: socketFile))
    }

    @Test func start_whenConfigurationFileIsMissingOrNotJSON_exits78() throws {
        let folder = TemporaryFolder()
        let missing = try runCommand(Binaries.orisd, ["--config", folder.path + "/none.json"])
        let garbage = try runCommand(Binaries.orisd, ["--config", folder.write("g.json", "{\n  \"tenants\": [,]\n}")])

        #expect(missing.status == 78)
        #expect(missing.stderr.contains("cannot read"))
        #expect(garbage.status == 78)
        #expect(garbage.stderr.contains("line 2"))
    }

    @Test func start_withUnknownOption_exits64WithSuggestion() throws {
        let result = try runCommand(Binaries.orisd, ["--confg", "x.json"])

        #expect(result.status == 64)
        #expect(result.stderr.contains("--confg"))
        #expect(result.stderr.contains("--config"))
    }

    @Test func start_whenAnotherDaemonHoldsTheStateFolder_exits1NamingIt() throws {
        let first = try RunningDaemon()
        let config = first.folder.path + "/orisd.json"

        let second = try runCommand(Binaries.orisd, ["--config", config])

        #expect(second.status == 1)
        #expect(second.stderr.contains("in use by another orisd"))
        #expect(second.stderr.contains("pid \(first.process.processIdentifier)"))
        // The first one still serves.
        let session = try Session(first)
        defer { session.close() }
        #expect(try session.client(as: "operator").request(.hello).word == "WELCOME")
    }

    @Test func help_printsUsageAndExitCodes() throws {
        let result = try runCommand(Binaries.orisd, ["--help"])

        #expect(result.status == 0)
        #expect(result.stdout.contains("Usage: orisd"))
        #expect(result.stdout.contains("78"))
    }

    @Test func checkConfig_onTheShippedExample_succeeds() throws {
        let example = Binaries.packageRoot + "/config/orisd.example.json"

        let result = try runCommand(Binaries.orisd, ["--config", example, "--check-config"])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("tenant bfc: 3 themes"))
    }

    @Test func checkConfig_onAnInvalidFile_saysTheConfigurationIsInvalid_andExits78() throws {
        let folder = TemporaryFolder()
        let invalid = folder.write("bad.json", #"{"bogus": 1}"#)

        let result = try runCommand(Binaries.orisd, ["--check-config", "--config", invalid])
        let positional = try runCommand(Binaries.orisd, ["--check-config", invalid])

        #expect(result.status == 78)
        #expect(result.stderr.contains("msg=\"configuration invalid\""), "\(result.stderr)")
        #expect(!result.stderr.contains("cannot start"))
        #expect(result.stderr.contains("'bogus'"))
        #expect(positional.status == 64)
        #expect(!positional.stderr.contains("cannot start"))
        #expect(positional.stderr.contains("did you mean '--config \(invalid)'?"), "\(positional.stderr)")
    }

    /// Options are all checked before any is acted on: an unknown one is refused, even beside
    /// --version or --print-default-config.
    @Test(arguments: ["--version", "--print-default-config"])
    func versionOrDefault_besideAnUnknownOption_exits64(option: String) throws {
        let result = try runCommand(Binaries.orisd, [option, "--bogus"])

        #expect(result.status == 64)
        #expect(result.stderr.contains("'--bogus'"))
        #expect(result.stdout.isEmpty)
    }
}
