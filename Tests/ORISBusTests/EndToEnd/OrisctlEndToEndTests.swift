// SPDX-License-Identifier: Apache-2.0
import Foundation
import ORISBus
import Testing

/// orisctl as a user runs it: publish, subscribe, hello, stats, help and exit codes.
@Suite("orisctl end to end", .serialized)
struct OrisctlEndToEndTests {
    @Test func publishAndSubscribe_showTheItemLiveAndTheACK() throws {
        let daemon = try RunningDaemon()
        let session = try Session(daemon)
        defer { session.close() }
        let before = try session.stats()["subscriptions"]?.intValue ?? 0

        // A subscriber in the background, as an analyst would leave it open.
        let folder = TemporaryFolder()
        let outPath = folder.path + "/sub.out"
        let subscriber = Process()
        subscriber.executableURL = URL(fileURLWithPath: Binaries.orisctl)
        subscriber.arguments = ["subscribe", "--api", daemon.api, "--as", "operator", "--json", "--count", "2"]
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        subscriber.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        subscriber.standardError = FileHandle.nullDevice
        try subscriber.run()
        defer { if subscriber.isRunning { subscriber.terminate() } }
        try session.waitForSubscriptions(before + 1)

        let published = try runCommand(Binaries.orisctl, [
            "publish", "--api", daemon.api, "--theme", "auto-rang3", "--kind", "alert", "--severity", "Moderate",
            "--title", "Perte d'un client majeur", "--tag", "rang3", "--body", "détails",
        ], environment: ["ORIS_MEMBER": "cci-doubs"])
        let deadline = Date().addingTimeInterval(10)
        while subscriber.isRunning && Date() < deadline { usleep(10_000) }

        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.hasPrefix("ACK id="))
        #expect(published.stdout.contains("tiers=gip,crps"))
        #expect(!subscriber.isRunning && subscriber.terminationStatus == 0)
        let lines = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.count == 2)
        let objects = lines.compactMap { (try? JSONParser.parse(String($0)))?.objectValue }
        #expect(objects.map { $0["topic"]?.stringValue } == ["bfc/auto-rang3/gip/alert", "bfc/auto-rang3/crps/alert"])
        #expect(objects.first?["body"] == .string("détails"))
        #expect(objects.first?["header"]?.objectValue?["tags"] == .array([.string("rang3")]))
    }

    @Test func publish_whenDaemonRefuses_printsNAKCodeAndExits65() throws {
        let daemon = try RunningDaemon()

        let result = try runCommand(Binaries.orisctl, [
            "publish", "--api", daemon.api, "--as", "cci-belfort", "--theme", "machine-speciale",
            "--title", "t", "--severity", "Enormous",
        ])

        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("NAK bad-severity:"))
    }

    @Test func publish_whenNoDaemonAnswers_saysSoAndExits69() throws {
        let folder = TemporaryFolder()

        let result = try runCommand(Binaries.orisctl, [
            "publish", "--api", "ipc://\(folder.path)/nobody.sock", "--as", "cci-belfort", "--timeout", "300",
            "--theme", "machine-speciale", "--title", "t",
        ], seconds: 10)

        #expect(result.status == 69)
        #expect(result.stderr.contains("no answer from the daemon"))
    }

    @Test func importTable_whenNoMemberGetsAnAnswer_namesThemAndExits69() throws {
        let folder = TemporaryFolder()
        let table = try #require(RealData.files("events/bodacc", endings: [".csv"]).first)
        let mapping = folder.write("mapping.json", """
            {"default_theme": "services", "csv": {"region": "region_code", "title": "{libelle_naf}"},
             "regions": {"27": {"tenant": "bfc", "member": "greffe-bfc"},
                         "84": {"tenant": "ara", "member": "greffe-ara"}}}
            """)

        let result = try runCommand(Binaries.orisctl, [
            "import", "--csv", table, "--map", mapping, "--api", "ipc://\(folder.path)/nobody.sock", "--timeout", "300",
        ], seconds: 20)

        #expect(result.status == 69)
        #expect(result.stderr.contains("is orisd running there, and does it know 'greffe-ara', 'greffe-bfc'?"))
        #expect(result.stderr.contains("rows whose member got no answer, by region: 27: "))
        #expect(!result.stderr.contains("no tenant of this daemon takes"))
    }

    @Test func usageErrors_exit64AndQuoteTheWord() throws {
        let unknownCommand = try runCommand(Binaries.orisctl, ["pubish"])
        let unknownOption = try runCommand(Binaries.orisctl, ["publish", "--titel", "x"])
        let noMember = try runCommand(Binaries.orisctl, ["publish", "--theme", "a", "--title", "x"])
        let badTier = try runCommand(Binaries.orisctl, ["subscribe", "--as", "x", "--tier", "gipp"])
        let helloNobody = try runCommand(Binaries.orisctl, ["hello", "--timeout", "200"])
        let emptyMember = try runCommand(Binaries.orisctl, ["hello", "--as", ""])

        #expect(unknownCommand.status == 64)
        #expect(unknownCommand.stderr.contains("'pubish'") && unknownCommand.stderr.contains("'publish'"))
        #expect(unknownOption.status == 64)
        #expect(unknownOption.stderr.contains("'--titel'") && unknownOption.stderr.contains("'--title'"))
        #expect(noMember.status == 64)
        #expect(noMember.stderr.contains("--as MEMBER"))
        #expect(badTier.status == 64)
        #expect(badTier.stderr.contains("'gipp'") && badTier.stderr.contains("did you mean 'gip'"))
        #expect(helloNobody.status == 64)
        #expect(helloNobody.stderr.contains("--as MEMBER"))
        #expect(emptyMember.status == 64)
        #expect(!noMember.stderr.contains("--help) (see"))
    }

    @Test(arguments: ["127.0.0.1:7400", "tcp://127.0.0.1", "foo://bar"])
    func malformedEndpoint_isAUsageErrorSayingWhatAnEndpointLooksLike(endpoint: String) throws {
        let api = try runCommand(Binaries.orisctl, ["hello", "--api", endpoint, "--as", "gip-auto"])
        let fromEnvironment = try runCommand(Binaries.orisctl, ["hello", "--as", "gip-auto"],
                                             environment: ["ORIS_API": endpoint])
        let feed = try runCommand(Binaries.orisctl, ["subscribe", "--feed", endpoint, "--as", "gip-auto"])

        for result in [api, fromEnvironment, feed] {
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("'\(endpoint)'"))
            #expect(result.stderr.contains("tcp://HOST:PORT or ipc://PATH"))
            #expect(!result.stderr.contains("errno"))
        }
    }

    // The exit-code table: 77, "the member may not do this (a subscription beyond what it may read)".
    @Test func subscribe_toAThemeTheMemberDoesNotWorkOn_exits77WithTheThemesItHas() throws {
        let daemon = try RunningDaemon()

        let result = try runCommand(Binaries.orisctl, ["subscribe", "--api", daemon.api, "--as", "gip-auto",
                                                       "--theme", "auto-rang4"])

        #expect(result.status == 77)
        #expect(result.stderr.contains("did you mean 'auto-rang3'"))
        #expect(!result.stderr.contains("--help"))
    }

    @Test func subscribe_toATierTheMemberDoesNotRead_exits77() throws {
        let daemon = try RunningDaemon()

        let result = try runCommand(Binaries.orisctl, ["subscribe", "--api", daemon.api, "--as", "gip-auto",
                                                       "--tier", "crps"])

        #expect(result.status == 77)
        #expect(result.stderr.contains("'crps'"))
    }

    @Test func keygen_writesCertificatesThatPyzmqReads_andNeverReplacesThem() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/cci-doubs"

        let made = try runCommand(Binaries.orisctl, ["keygen", path, "--member", "cci-doubs"])
        let again = try runCommand(Binaries.orisctl, ["keygen", path])
        let script = """
            import sys, zmq.auth
            pub, _ = zmq.auth.load_certificate(sys.argv[1])
            pub2, sec = zmq.auth.load_certificate(sys.argv[1] + "_secret")
            print(pub.decode(), pub2.decode(), len(sec))
            """
        let python = try runCommand("/usr/bin/env", ["python3", "-c", script, path])

        #expect(made.status == 0, "\(made.stderr)")
        let publicKey = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(publicKey.count == 40)
        #expect(again.status == 73)
        #expect(again.stderr.contains("already exists"))
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(publicKey) \(publicKey) 40")
    }

    @Test(arguments: ["publish", "feed", "import", "escalate", "subscribe", "replay", "explain", "trace", "hello",
                      "stats", "audit", "member", "keygen"])
    func help_onEverySubcommand_printsUsageAndExits0(command: String) throws {
        let result = try runCommand(Binaries.orisctl, [command, "--help"])

        #expect(result.status == 0)
        #expect(result.stdout.contains("Usage: orisctl \(command)"))
        #expect(result.stdout.contains("Exit codes"))
    }

    @Test func hello_andStats_answerTheirMembers() throws {
        let daemon = try RunningDaemon()

        let hello = try runCommand(Binaries.orisctl, ["hello", "--api", daemon.api, "--as", "gip-auto", "--json"])
        let stats = try runCommand(Binaries.orisctl, ["stats", "--api", daemon.api, "--as", "operator"])
        let refused = try runCommand(Binaries.orisctl, ["stats", "--api", daemon.api, "--as", "gip-auto"])

        #expect(hello.status == 0)
        let welcome = try JSONParser.parse(hello.stdout).objectValue
        #expect(welcome?["tenant"] == .string("bfc"))
        #expect(stats.status == 0)
        #expect((try JSONParser.parse(stats.stdout)).objectValue?["accepted"] != nil)
        #expect(refused.status == 65)
        #expect(refused.stderr.hasPrefix("NAK forbidden:"))
    }
}

extension OrisctlEndToEndTests {
    @Test(arguments: [["publish", "--cap"], ["feed"], ["import", "--misp"]])
    func importOfAFolderWithNothingToImport_saysSoAndExits66(command: [String]) throws {
        let empty = TemporaryFolder()
        _ = empty.write(".cache", "hidden files are not read")

        let result = try runCommand(Binaries.orisctl, command + [empty.path, "--as", "cci-doubs",
                                                                  "--api", "ipc:///nonexistent/api.sock"])

        #expect(result.status == 66)
        #expect(result.stderr.contains("to import in \(empty.path)"))
    }
}

extension OrisctlEndToEndTests {
    /// An analyst leaves `orisctl subscribe` open all day: a daemon restart must not end it, and
    /// what was published around the restart reaches it once, in order.
    @Test func subscribe_ridesOutADaemonRestart() throws {
        let folder = TemporaryFolder()
        let text = TestConfiguration.text(state: folder.path + "/state")
        var daemon = try RunningDaemon(configText: text, folder: folder)
        let subscriber = try BackgroundProcess(Binaries.orisctl, [
            "subscribe", "--api", daemon.apiIPC, "--feed", daemon.feedIPC, "--as", "gip-machine", "--json",
            "--timeout", "1000",
        ], folder: folder, name: "sub")
        func publish(_ title: String) throws {
            let result = try runCommand(Binaries.orisctl, ["publish", "--api", daemon.apiIPC, "--as", "cci-belfort",
                                                           "--theme", "machine-speciale", "--title", title])
            #expect(result.status == 0)
        }
        var session = try Session(daemon)
        try session.waitForSubscriptions(1)
        session.close()
        try publish("avant")
        #expect(subscriber.waitForLines(1, seconds: 10))

        daemon.stop()
        usleep(4_500_000)  // past its two-second feed wait and a one-second timeout
        #expect(subscriber.process.isRunning)
        daemon = try RunningDaemon(configText: text, folder: folder)
        session = try Session(daemon)
        defer { session.close() }
        try publish("après 1")
        try publish("après 2")

        #expect(subscriber.waitForLines(3, seconds: 15))
        #expect(subscriber.process.isRunning)
        let titles = subscriber.lines.compactMap {
            (try? JSONParser.parse($0))?.objectValue?["header"]?.objectValue?["title"]?.stringValue
        }
        #expect(titles == ["avant", "après 1", "après 2"])
        // "answers again" is written once the step that printed an item returns: wait for it.
        var errors = ""
        for _ in 0..<100 {
            errors = String(decoding: FileManager.default.contents(atPath: folder.path + "/sub.err") ?? Data(),
                            as: UTF8.self)
            if errors.contains("answers again") { break }
            usleep(50_000)
        }
        #expect(errors.contains("does not answer") && errors.contains("answers again"))
    }
}

extension OrisctlEndToEndTests {
    /// The feed authenticates members; the control socket is no member, so subscribe says so.
    @Test func subscribe_throughTheControlSocket_isAUsageError() throws {
        let result = try runCommand(Binaries.orisctl, ["subscribe", "--control", "/nonexistent/orisd.sock"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("subscribe --as operator"))
    }
}

extension OrisctlEndToEndTests {
    /// A retried id is answered with the first ACK; the human line says it stored nothing new.
    @Test func publish_sameIDTwice_saysTheSecondIsADuplicate() throws {
        let daemon = try RunningDaemon()
        let words = ["publish", "--api", daemon.api, "--as", "cci-belfort", "--theme", "machine-speciale",
                     "--title", "une fois", "--id", "belfort-0001"]
        let first = try runCommand(Binaries.orisctl, words)
        let second = try runCommand(Binaries.orisctl, words)

        #expect(first.status == 0 && !first.stdout.contains("duplicate"))
        #expect(second.status == 0 && second.stdout.contains("ACK id=belfort-0001 seq=1 tiers=gip duplicate"))
    }
}

extension OrisctlEndToEndTests {
    /// The exit-code table: 66 for an input file that cannot be read or is not what its option
    /// takes, with the parser's position when it is not even JSON.
    @Test func inputFilesThatAreNotWhatTheirOptionTakes_exit66WithThePosition() throws {
        let folder = TemporaryFolder()
        let broken = folder.write("broken.json", "{\"kind\": \"signal\",\n \"theme\": }")
        let array = folder.write("array.json", "[1, 2]")
        let table = folder.write("table.csv", "a,b\n1,2\n")
        let mapping = folder.write("mapping.json", #"{"csv": {"region": "region", "title": "title"}}"#)
        let away = ["--as", "cci-doubs", "--api", "ipc://\(folder.path)/nobody.sock", "--timeout", "300"]

        let header = try runCommand(Binaries.orisctl, ["publish", "--header-file", broken] + away)
        let headerArray = try runCommand(Binaries.orisctl, ["publish", "--header-file", array] + away)
        let map = try runCommand(Binaries.orisctl, ["import", "--csv", table, "--map", broken] + away)
        let columns = try runCommand(Binaries.orisctl, ["import", "--csv", table, "--map", mapping] + away)
        let theme = try runCommand(Binaries.orisctl, ["theme", "update", "--file", broken] + away)
        let state = try runCommand(Binaries.orisctl, ["feed", folder.path, "--state", broken] + away)
        _ = try runCommand(Binaries.orisctl, ["keygen", folder.path + "/mine"])
        let publicAsSecret = try runCommand(Binaries.orisctl, [
            "hello", "--key", folder.path + "/mine", "--server-key", folder.path + "/mine",
            "--api", "ipc://\(folder.path)/nobody.sock", "--timeout", "300",
        ])

        for result in [header, headerArray, map, columns, theme, state, publicAsSecret] {
            #expect(result.status == 66, "\(result.stderr)")
            #expect(!result.stderr.contains("--help"))
        }
        // 29 bytes ('{"kind": "signal",', a newline, ' "theme": ') come before the '}' where a value
        // was due: the parser counts from 0, so it is at byte 29.
        for result in [header, map, theme, state] {
            #expect(result.stderr.contains("'\(broken)'") && result.stderr.contains("at byte 29"), "\(result.stderr)")
        }
        #expect(headerArray.stderr.contains("not an object"))
        #expect(columns.stderr.contains("no column 'region'"))
        #expect(publicAsSecret.stderr.contains("holds no secret key"))
    }
}

extension OrisctlEndToEndTests {
    /// The control socket acts for no tenant: a command that needs one asks for --tenant, as
    /// theme does, instead of sending a request the daemon can only answer with 'tenant ""'.
    @Test func tenantCommandsThroughTheControlSocketWithoutTenant_areUsageErrorsAskingForIt() throws {
        let daemon = try RunningDaemon()
        let control = daemon.folder.path + "/state/control/orisd.sock"

        let trace = try runCommand(Binaries.orisctl, ["trace", "01M90YGB093HERN440WV2W3ZBS", "--control", control])
        let add = try runCommand(Binaries.orisctl, ["member", "add", "cci-dole", "--stratum", "capteur",
                                                    "--control", control])
        let list = try runCommand(Binaries.orisctl, ["member", "list", "--control", control])
        let escalate = try runCommand(Binaries.orisctl, ["escalate", "01M90YGB093HERN440WV2W3ZBS", "--note", "n",
                                                         "--control", control])
        let traced = try runCommand(Binaries.orisctl, ["trace", "01M90YGB093HERN440WV2W3ZBS", "--tenant", "bfc",
                                                       "--control", control])

        for result in [trace, add, list] {
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("name one with --tenant"))
        }
        #expect(escalate.status == 64, "\(escalate.stderr)")
        #expect(escalate.stderr.contains("--as MEMBER"))
        // With the tenant named, the daemon is asked, and it knows no such item in 'bfc'.
        #expect(traced.status == 65)
        #expect(traced.stderr.hasPrefix("NAK not-found:") && traced.stderr.contains("'bfc'"))
    }
}

extension OrisctlEndToEndTests {
    /// keygen works on files alone: the options for talking to a daemon are not its own.
    @Test func keygen_refusesTheCommonOptions_andItsHelpDoesNotListThem() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/cci-dole"

        let result = try runCommand(Binaries.orisctl, ["keygen", path, "--as", "x", "--api", "bogus"])
        let help = try runCommand(Binaries.orisctl, ["keygen", "--help"])

        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown option '--as'"))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: orisctl keygen PATH"))
        #expect(!help.stdout.contains("--api") && !help.stdout.contains("--as MEMBER"))
    }

    @Test func helpCommand_printsThatCommandsHelp_andAnUnknownOneIsAUsageError() throws {
        let publish = try runCommand(Binaries.orisctl, ["help", "publish"])
        let typo = try runCommand(Binaries.orisctl, ["help", "pubish"])
        let overview = try runCommand(Binaries.orisctl, ["help"])

        #expect(publish.status == 0)
        #expect(publish.stdout.hasPrefix("orisctl publish — "))
        #expect(publish.stdout.contains("Usage: orisctl publish --theme THEME --title TEXT"))
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("did you mean 'publish'"))
        #expect(overview.status == 0)
        #expect(overview.stdout.contains("Commands:"))
    }

    /// As orisd's: `NAME VERSION (libzmq X.Y.Z)`.
    @Test func version_printsTheVersionAndLibzmqAsOrisdDoes() throws {
        let orisctl = try runCommand(Binaries.orisctl, ["--version"])
        let orisd = try runCommand(Binaries.orisd, ["--version"])

        #expect(orisctl.status == 0)
        #expect(orisctl.stdout.hasPrefix("orisctl ") && orisctl.stdout.contains(" (libzmq "))
        #expect(orisctl.stdout.dropFirst("orisctl".count) == orisd.stdout.dropFirst("orisd".count))
    }
}

extension OrisctlEndToEndTests {
    /// The state file is checked first: a run that could not record what it sent publishes
    /// nothing, rather than everything and then an error about the state alone.
    @Test func feed_whenTheStateFileCannotBeWritten_publishesNothingAndExits73() throws {
        let daemon = try RunningDaemon()
        let folder = TemporaryFolder()
        let feed = folder.write("veille.atom", """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <id>urn:test:veille</id><title>Veille</title><updated>2026-12-04T09:00:00Z</updated>
              <entry><id>urn:test:1</id><title>Fermeture d'un site</title>
                <updated>2026-12-04T09:00:00Z</updated></entry>
              <entry><id>urn:test:2</id><title>Rachat d'un sous-traitant</title>
                <updated>2026-12-04T10:00:00Z</updated></entry>
            </feed>
            """)
        let state = folder.path + "/no-such-folder/state.json"

        let result = try runCommand(Binaries.orisctl, ["feed", feed, "--state", state, "--theme", "auto-rang3",
                                                       "--as", "cci-doubs", "--api", daemon.api])
        let stored = try runCommand(Binaries.orisctl, ["replay", "bfc/auto-rang3/gip/", "--as", "gip-auto",
                                                       "--api", daemon.api])

        #expect(result.status == 73)
        #expect(result.stderr.contains("'\(state)'"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was published"))
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.isEmpty)
    }
}

extension OrisctlEndToEndTests {
    @Test func replayHelp_usageLineNamesEveryOptionListedBelowIt() throws {
        let help = try runCommand(Binaries.orisctl, ["replay", "--help"])
        // The usage line, and the lines that go on with it (indented, starting with '[').
        let lines = help.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Usage: orisctl replay") })
        var usage = lines[start]
        for line in lines[(start + 1)...] {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("[") else { break }
            usage += " " + text
        }

        for option in ["--from-seq", "--to-seq", "--since", "--limit", "--json", "--quiet"] {
            #expect(usage.contains(option), "\(option) is missing from: \(usage)")
        }
    }

    /// The summary and the JSON say the same word for requests refused by cause: `rejected`.
    @Test func stats_summaryAndJSON_sayRejected() throws {
        let daemon = try RunningDaemon()

        let overview = try runCommand(Binaries.orisctl, ["--help"])
        let stats = try runCommand(Binaries.orisctl, ["stats", "--api", daemon.api, "--as", "operator"])

        let line = overview.stdout.split(separator: "\n").first { $0.hasPrefix("  stats ") } ?? ""
        #expect(line.contains("rejected by cause"), "\(line)")
        #expect(!line.contains("refused"))
        #expect((try JSONParser.parse(stats.stdout)).objectValue?["rejected"] != nil)
    }

    /// Explaining what another member receives is refused to a plain GIP member; the refusal
    /// speaks of explaining, not only of listing members.
    @Test func explain_anotherMemberWithoutTheRight_isRefusedInWordsAboutExplaining() throws {
        let daemon = try RunningDaemon()

        let result = try runCommand(Binaries.orisctl, ["explain", "crps-bfc", "bfc/auto-rang3/crps/alert",
                                                       "--as", "gip-auto", "--api", daemon.api])

        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("NAK forbidden:"))
        #expect(result.stderr.contains("explain"), "\(result.stderr)")
    }
}
