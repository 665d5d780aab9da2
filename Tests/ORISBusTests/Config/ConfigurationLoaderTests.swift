// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// Reading `orisd`'s configuration: the embedded default, comments, and errors that name the
/// file, the field's path and the problem.
@Suite struct ConfigurationLoaderTests {
    private static let file = "test.json"

    private static let bfc = """
        {"id": "bfc", "name": "Bourgogne-Franche-Comté",
         "themes": [{"id": "auto-rang3", "crps_severity": "Moderate"}, {"id": "machine-speciale"}],
         "members": [{"id": "cci-doubs", "stratum": "capteur", "themes": ["auto-rang3"]},
                     {"id": "crps-bfc", "stratum": "crps"}]}
        """

    private static let ara = """
        {"id": "ara", "themes": [{"id": "textile"}],
         "members": [{"id": "cci-lyon", "stratum": "capteur", "themes": ["textile"]}]}
        """

    /// A whole document; each argument is raw JSON text.
    private static func document(
        stateDirectory: String = "\"/tmp/oris-config-test\"",
        api: String = "[\"ipc://api.sock\"]",
        feed: String = "[\"ipc://feed.sock\"]",
        tenants: [String] = [bfc],
        extra: String = ""
    ) -> String {
        """
        {
          "state_dir": \(stateDirectory),
          "security": "none",\(extra)
          "endpoints": {"api": \(api), "feed": \(feed)},
          "tenants": [\(tenants.joined(separator: ",\n"))]
        }
        """
    }

    private static func parse(_ text: String) throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.parse(Array(text.utf8), file: file)
    }

    /// The error a document is refused with, or nil when it loads.
    private static func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    private static var workingDirectory: String { FileManager.default.currentDirectoryPath }

    // MARK: - The embedded default

    @Test func embeddedDefault_parsesIntoTheDemoRegion() throws {
        let configuration = try ConfigurationLoader.embeddedDefault()

        #expect(configuration.security == .none)
        #expect(configuration.logLevel == .info)
        #expect(configuration.feedHighWaterMark == 10_000)
        #expect(configuration.limits == ItemLimits())
        #expect(configuration.tenants.map(\.id) == ["bfc"])
        let bfc = try #require(configuration.tenants.first)
        #expect(bfc.themes.map(\.id) == ["machine-speciale", "micromeca-medical", "auto-rang3"])
        #expect(bfc.themes.map(\.crpsSeverity) == [.severe, .severe, .moderate])
        #expect(bfc.themes.map(\.isTransRegional) == [false, true, false])
        #expect(bfc.members.count == 8)
        #expect(Set(bfc.members.map(\.stratum)) == Set(Stratum.allCases.filter { $0 != .national }))
    }

    @Test func embeddedDefault_resolvesItsStateFolderAndIPCPathsAgainstTheWorkingFolder() throws {
        let configuration = try ConfigurationLoader.embeddedDefault()
        let state = Self.workingDirectory + "/oris-state"

        #expect(configuration.stateDirectory == state)
        #expect(configuration.endpoints.api.contains("ipc://\(state)/api.sock"))
        #expect(configuration.endpoints.feed.contains("ipc://\(state)/feed.sock"))
        #expect(configuration.endpoints.ingest.contains("ipc://\(state)/ingest.sock"))
    }

    @Test func embeddedDefault_bindsOnlyLoopbackOrIPC() throws {
        let configuration = try ConfigurationLoader.embeddedDefault()
        let endpoints = configuration.endpoints.api + configuration.endpoints.feed + configuration.endpoints.ingest

        #expect(endpoints.allSatisfy { $0.hasPrefix("tcp://127.0.0.1:") || $0.hasPrefix("ipc:///") })
    }

    /// The repository's example configuration, found from this file's path.
    private static let examplePath: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("config/orisd.example.json").path
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: examplePath),
                   "config/orisd.example.json is not in this checkout"))
    func defaultText_isTheExampleFileWordForWord() throws {
        let example = try String(contentsOfFile: Self.examplePath, encoding: .utf8)

        #expect(ConfigurationLoader.defaultText == example
                || ConfigurationLoader.defaultText + "\n" == example)
    }

    // MARK: - Comments and paths

    @Test func parse_whenDocumentHasComments_ignoresThemButNotTextInsideStrings() throws {
        let text = """
            // a line comment
            {
              /* a block comment
                 over two lines */
              "state_dir": "/tmp/oris-config-test", // trailing comment
              "security": "none",
              "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["ipc://feed.sock"]},
              "tenants": [{"id": "bfc", "themes": [
                {"id": "t1", "title": "keeps // and /* this */ and \\" quote"}
              ]}]
            }
            """

        let configuration = try Self.parse(text)

        #expect(configuration.endpoints.api == ["tcp://127.0.0.1:*"])
        #expect(configuration.tenants.first?.themes.first?.title == "keeps // and /* this */ and \" quote")
    }

    @Test func parse_whenStateFolderIsRelative_makesItAbsoluteAgainstTheWorkingFolder() throws {
        let configuration = try Self.parse(Self.document(stateDirectory: "\"./rel/state\""))

        #expect(configuration.stateDirectory == Self.workingDirectory + "/rel/state")
        #expect(configuration.endpoints.api == ["ipc://" + Self.workingDirectory + "/rel/state/api.sock"])
    }

    @Test func parse_whenStateFolderIsAbsolute_keepsItAndPlacesRelativeIPCPathsInside() throws {
        let configuration = try Self.parse(Self.document())

        #expect(configuration.stateDirectory == "/tmp/oris-config-test")
        #expect(configuration.endpoints.api == ["ipc:///tmp/oris-config-test/api.sock"])
        #expect(configuration.endpoints.feed == ["ipc:///tmp/oris-config-test/feed.sock"])
        #expect(configuration.endpoints.ingest.isEmpty)
    }

    @Test func parse_whenOptionalFieldsAreAbsent_usesTheDefaults() throws {
        let configuration = try Self.parse(Self.document())

        #expect(configuration.logLevel == .info)
        #expect(configuration.feedHighWaterMark == 10_000)
        #expect(configuration.limits == ItemLimits())
        #expect(configuration.tenants.first?.themes.last?.crpsSeverity == .severe)
        #expect(configuration.tenants.first?.themes.first?.crpsSeverity == .moderate)
    }

    // MARK: - Errors name the file, the field and the problem

    @Test func parse_whenRootHasAMistypedField_namesItAndSuggestsTheKnownOne() throws {
        let text = Self.document(extra: "\n  \"endpoint\": {},")

        let error = try #require(Self.error(text))

        #expect(error.file == Self.file)
        #expect(error.field == "endpoint")
        #expect(error.problem.contains("unknown field"))
        #expect(error.problem.contains("did you mean 'endpoints'"))
    }

    @Test func parse_whenANestedFieldIsMistyped_namesItsFullPath() throws {
        let tenant = """
            {"id": "bfc", "themes": [{"id": "t1"}, {"id": "t2", "crps_severty": "Minor"}]}
            """

        let error = try #require(Self.error(Self.document(tenants: [tenant])))

        #expect(error.field == "tenants[0].themes[1].crps_severty")
        #expect(error.problem.contains("did you mean 'crps_severity'"))
    }

    @Test func parse_whenANumberIsAString_namesTheFieldAndTheWrongType() throws {
        let error = try #require(Self.error(Self.document(extra: "\n  \"feed_high_water_mark\": \"lots\",")))

        #expect(error.file == Self.file)
        #expect(error.field == "feed_high_water_mark")
        #expect(error.problem.contains("expected a whole number"))
        #expect(error.problem.contains("a string"))
    }

    @Test func parse_whenAFlagIsNotABoolean_namesItsPath() throws {
        let tenant = "{\"id\": \"bfc\", \"themes\": [{\"id\": \"t1\", \"trans_regional\": \"yes\"}]}"

        let error = try #require(Self.error(Self.document(tenants: [tenant])))

        #expect(error.field == "tenants[0].themes[0].trans_regional")
        #expect(error.problem.contains("expected true or false"))
    }

    @Test func parse_whenEndpointsAreNotAnArray_namesTheField() throws {
        let error = try #require(Self.error(Self.document(api: "\"ipc://api.sock\"")))

        #expect(error.field == "endpoints.api")
        #expect(error.problem.contains("expected an array"))
    }

    @Test func parse_whenANumberIsOutOfRange_namesTheField() throws {
        let text = Self.document(extra: "\n  \"limits\": {\"max_header_bytes\": 10},")

        let error = try #require(Self.error(text))

        #expect(error.field == "limits.max_header_bytes")
    }

    @Test func parse_whenLogLevelIsUnknown_namesTheField() throws {
        let error = try #require(Self.error(Self.document(extra: "\n  \"log_level\": \"loud\",")))

        #expect(error.field == "log_level")
    }

    @Test func parse_whenATenantIsDefinedTwice_namesTheSecondID() throws {
        let error = try #require(Self.error(Self.document(tenants: [Self.bfc, "{\"id\": \"bfc\"}"])))

        #expect(error.file == Self.file)
        #expect(error.field == "tenants[1].id")
        #expect(error.problem.contains("bfc"))
        #expect(error.problem.contains("twice"))
    }

    @Test func parse_whenAThemeIsDefinedTwice_namesTheSecondID() throws {
        let tenant = "{\"id\": \"bfc\", \"themes\": [{\"id\": \"t1\"}, {\"id\": \"t2\"}, {\"id\": \"t1\"}]}"

        let error = try #require(Self.error(Self.document(tenants: [tenant])))

        #expect(error.field == "tenants[0].themes[2].id")
        #expect(error.problem.contains("twice"))
    }

    @Test func parse_whenAMemberNameIsReusedInAnotherTenant_namesTheSecondMember() throws {
        let copycat = """
            {"id": "ara", "themes": [{"id": "textile"}],
             "members": [{"id": "cci-doubs", "stratum": "capteur"}]}
            """

        let error = try #require(Self.error(Self.document(tenants: [Self.bfc, copycat])))

        #expect(error.field == "tenants[1].members[0].id")
        #expect(error.problem.contains("cci-doubs"))
        #expect(error.problem.contains("twice"))
    }

    @Test func parse_whenAMemberNamesAThemeOfAnotherTenant_namesThatEntry() throws {
        let stray = """
            {"id": "ara", "themes": [{"id": "textile"}],
             "members": [{"id": "cci-lyon", "stratum": "capteur", "themes": ["textile", "auto-rang3"]}]}
            """

        let error = try #require(Self.error(Self.document(tenants: [Self.bfc, stray])))

        #expect(error.field == "tenants[1].members[0].themes[1]")
        #expect(error.problem.contains("auto-rang3"))
    }

    @Test func parse_whenTCPEndpointIsBeyondLoopbackWithoutSecurity_refusesIt() throws {
        let error = try #require(Self.error(Self.document(api: "[\"ipc://api.sock\", \"tcp://0.0.0.0:*\"]")))

        #expect(error.file == Self.file)
        #expect(error.field == "endpoints.api[1]")
        #expect(error.problem.contains("tcp://0.0.0.0:*"))
        #expect(error.problem.contains("loopback"))
    }

    @Test func parse_whenIPCPathIsOver107Bytes_refusesIt() throws {
        // "/tmp/" and 103 more bytes: 108, one past the kernel's limit.
        let tooLong = "/tmp/" + String(repeating: "s", count: 103)
        let justRight = "/tmp/" + String(repeating: "s", count: 102)

        let error = try #require(Self.error(Self.document(feed: "[\"ipc://\(tooLong)\"]")))
        let accepted = Self.error(Self.document(feed: "[\"ipc://\(justRight)\"]"))

        #expect(error.field == "endpoints.feed[0]")
        #expect(error.problem.contains("107"))
        #expect(accepted == nil)
    }

    @Test func parse_whenStateFolderMakesARelativeIPCPathTooLong_refusesIt() throws {
        let deep = "\"/tmp/" + String(repeating: "d", count: 100) + "\""

        let error = try #require(Self.error(Self.document(stateDirectory: deep)))

        #expect(error.field == "endpoints.api[0]")
    }

    @Test func parse_whenABlockCommentIsNeverClosed_namesTheFileAndTheLine() throws {
        let text = "{\n  \"state_dir\": \"/tmp/x\",\n  /* never closed\n  \"security\": \"none\"\n}\n"

        let error = try #require(Self.error(text))

        #expect(error.file == Self.file)
        #expect(error.field == "")
        #expect(error.problem.contains("line 3"))
    }

    @Test func parse_whenJSONIsBroken_namesTheLineAndColumnCountingCommentLines() throws {
        // Line 4 is `{"state_dir": ,}`: the comma stands in column 15.
        let text = "// one\n/* two\n   three */\n{\"state_dir\": ,}\n"

        let error = try #require(Self.error(text))

        #expect(error.file == Self.file)
        #expect(error.field == "")
        #expect(error.problem.contains("line 4, column 15"))
    }

    @Test func parse_whenRequiredSectionsAreMissing_namesThem() throws {
        let noEndpoints = "{\"tenants\": [{\"id\": \"bfc\"}]}"
        let noTenants = "{\"endpoints\": {\"api\": [\"ipc://a\"], \"feed\": [\"ipc://f\"]}}"
        let emptyTenants = "{\"endpoints\": {\"api\": [\"ipc://a\"], \"feed\": [\"ipc://f\"]}, \"tenants\": []}"

        #expect(Self.error(noEndpoints)?.field == "endpoints")
        #expect(Self.error(noTenants)?.field == "tenants")
        #expect(Self.error(emptyTenants)?.field == "tenants")
    }

    @Test func parse_whenANameIsNotAnIdentifier_namesTheField() throws {
        let error = try #require(Self.error(Self.document(tenants: ["{\"id\": \"Bourgogne\"}"])))

        #expect(error.field == "tenants[0].id")
    }

    // MARK: - Files

    @Test func load_whenFileDoesNotExist_namesTheFile() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("absent.json")

        do {
            _ = try ConfigurationLoader.load(path: path)
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.file == path)
            #expect(error.field == "")
        }
    }

    @Test func load_whenFileHasAnError_namesThatFile() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("orisd.json")
        try Self.document(extra: "\n  \"securty\": \"none\",").write(toFile: path, atomically: true, encoding: .utf8)

        do {
            _ = try ConfigurationLoader.load(path: path)
            Issue.record("a broken file loaded")
        } catch {
            #expect(error.file == path)
            #expect(error.field == "securty")
            #expect(error.problem.contains("did you mean 'security'"))
        }
    }

    @Test func load_whenFileIsValid_givesTheSameConfigurationAsParsing() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("orisd.json")
        try Self.document().write(toFile: path, atomically: true, encoding: .utf8)

        let loaded = try ConfigurationLoader.load(path: path)

        #expect(loaded == (try Self.parse(Self.document())))
    }
}

extension ConfigurationLoaderTests {
    @Test func parse_tenantDefaults_applyToThemesWithoutTheirOwnRule_andAThemeOverridesThem() throws {
        let tenant = """
            {"id": "bfc",
             "defaults": {"crps_severity": "Extreme", "crps_urgency": "Expected",
                          "corroboration": {"sources": 4, "window_seconds": 3600, "match": "axis"}},
             "themes": [{"id": "plain"},
                        {"id": "own", "crps_severity": "Minor", "crps_certainty": "Likely", "corroboration": null}],
             "members": []}
            """
        let configuration = try Self.parse(Self.document(tenants: [tenant]))
        let themes = configuration.tenants[0].themes

        #expect(themes.map(\.id) == ["plain", "own"])
        #expect(themes[0].crpsSeverity == .extreme && themes[0].crpsUrgency == .expected)
        #expect(themes[0].crpsCertainty == nil)
        #expect(themes[0].corroboration == CorroborationRule(sources: 4, windowSeconds: 3600, match: .axis))
        #expect(themes[1].crpsSeverity == .minor && themes[1].crpsUrgency == .expected)
        #expect(themes[1].crpsCertainty == .likely)
        #expect(themes[1].corroboration == nil)
    }

    @Test func parse_corroborationWithOneSource_namesTheField() throws {
        let tenant = #"{"id": "bfc", "themes": [{"id": "t", "corroboration": {"sources": 1}}], "members": []}"#

        let error = try #require(Self.error(Self.document(tenants: [tenant])))

        #expect(error.field == "tenants[0].themes[0].corroboration.sources")
        #expect(error.problem == "1 is outside 2...1000")
    }
}

extension ConfigurationLoaderTests {
    /// Axes and their collectors live in the theme's dashboard alone; an animateur is a CRPS or
    /// GIP member.
    @Test func parse_memberAxes_pointToTheDashboard_capteurAnimateurRefused() throws {
        let axes = #"{"id": "bfc", "themes": [{"id": "t"}], "members": [{"id": "m", "stratum": "capteur", "#
            + #""axes": ["a-1"]}]}"#
        let animateur = #"{"id": "bfc", "themes": [{"id": "t"}], "members": [{"id": "m", "stratum": "capteur", "#
            + #""animates": ["t"]}]}"#

        let error = Self.error(Self.document(tenants: [axes]))
        #expect(error?.field == "tenants[0].members[0].axes")
        #expect(error?.problem.contains("collectors") == true)
        #expect(Self.error(Self.document(tenants: [animateur]))?.field == "tenants[0].members[0].animates")
    }
}
