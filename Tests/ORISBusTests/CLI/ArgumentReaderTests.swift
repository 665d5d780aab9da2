// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The command-line reader both executables use.
@Suite struct ArgumentReaderTests {
    // MARK: - Options

    @Test func option_whenValueFollowsAfterASpace_takesIt() throws {
        var reader = ArgumentReader(["--title", "Plant closes", "extra"])

        let title = try reader.option("--title")

        #expect(title == "Plant closes")
        #expect(try reader.positionals() == ["extra"])
    }

    @Test func option_whenValueFollowsAnEqualsSign_takesIt() throws {
        var reader = ArgumentReader(["--title=Plant closes", "--endpoint=tcp://127.0.0.1:5555", "--x=a=b"])

        #expect(try reader.option("--title") == "Plant closes")
        #expect(try reader.option("--endpoint") == "tcp://127.0.0.1:5555")
        #expect(try reader.option("--x") == "a=b")
        #expect(try reader.positionals().isEmpty)
    }

    @Test func option_whenEqualsSignHasNothingAfterIt_takesAnEmptyValue() throws {
        var reader = ArgumentReader(["--title="])

        #expect(try reader.option("--title") == "")
    }

    @Test func option_whenAbsent_isNil() throws {
        var reader = ArgumentReader(["word"])

        #expect(try reader.option("--title") == nil)
        #expect(try reader.positionals() == ["word"])
    }

    @Test func option_whenNameIsOnlyAPrefixOfAWord_doesNotTakeIt() throws {
        var reader = ArgumentReader(["--titles", "x"])

        #expect(try reader.option("--title") == nil)
    }

    @Test func option_whenGivenTwice_takesTheLastValue() throws {
        var reader = ArgumentReader(["--severity", "Minor", "--severity=Severe"])

        #expect(try reader.option("--severity") == "Severe")
    }

    @Test func options_whenRepeated_takesEveryValueInOrder() throws {
        var reader = ArgumentReader(["--tag", "a", "pos", "--tag=b", "--tag", "c"])

        let tags = try reader.options("--tag")

        #expect(tags == ["a", "b", "c"])
        #expect(try reader.positionals() == ["pos"])
    }

    @Test func option_whenValueStartsWithASingleDash_takesIt() throws {
        var reader = ArgumentReader(["--offset", "-5"])

        #expect(try reader.option("--offset") == "-5")
    }

    @Test func option_whenValueIsMissingAtTheEnd_throwsUsageError() {
        #expect(throws: UsageError.self) {
            var reader = ArgumentReader(["publish", "--title"])
            _ = try reader.option("--title")
        }
    }

    @Test func option_whenAnotherOptionStandsWhereTheValueBelongs_throwsUsageError() {
        #expect(throws: UsageError.self) {
            var reader = ArgumentReader(["--title", "--tag", "x"])
            _ = try reader.option("--title")
        }
    }

    @Test func missingValueError_quotesTheOption() {
        var reader = ArgumentReader(["--title"])

        do {
            _ = try reader.option("--title")
            Issue.record("a missing value was accepted")
        } catch {
            #expect(error.description.contains("'--title'"))
        }
    }

    // MARK: - Typed options

    @Test func integer_whenValueIsInRange_returnsIt() throws {
        var reader = ArgumentReader(["--count", "5"])

        #expect(try reader.integer("--count", in: 1...10) == 5)
    }

    @Test func integer_whenValueIsOutOfRangeOrNotANumber_throwsUsageError() {
        #expect(throws: UsageError.self) {
            var high = ArgumentReader(["--count", "11"])
            _ = try high.integer("--count", in: 1...10)
        }
        #expect(throws: UsageError.self) {
            var word = ArgumentReader(["--count=five"])
            _ = try word.integer("--count", in: 1...10)
        }
    }

    @Test func word_whenValueIsInTheVocabulary_returnsItWithoutRegardToCase() throws {
        var reader = ArgumentReader(["--severity", "extreme"])

        #expect(try reader.word("--severity", Severity.self) == .extreme)
    }

    @Test func word_whenValueIsNotInTheVocabulary_throwsUsageError() {
        #expect(throws: UsageError.self) {
            var reader = ArgumentReader(["--severity", "huge"])
            _ = try reader.word("--severity", Severity.self)
        }
    }

    // MARK: - Flags and help

    @Test func flag_whenPresent_isTrueAndIsTakenOnce() throws {
        var reader = ArgumentReader(["--json", "word"])

        let first = reader.flag("--json")
        let second = reader.flag("--json")

        #expect(first)
        #expect(second == false)
        #expect(try reader.positionals() == ["word"])
    }

    @Test func flag_whenAbsent_isFalse() {
        var reader = ArgumentReader(["--jsonl"])

        let json = reader.flag("--json")

        #expect(json == false)
    }

    @Test func wantsHelp_whenShortOrLongHelpIsPresent_isTrueAndTakesIt() throws {
        var short = ArgumentReader(["-h", "x"])
        var long = ArgumentReader(["x", "--help"])
        var none = ArgumentReader(["x"])

        let shortWants = short.wantsHelp()
        let longWants = long.wantsHelp()
        let noneWants = none.wantsHelp()

        #expect(shortWants)
        #expect(longWants)
        #expect(noneWants == false)
        #expect(try short.positionals() == ["x"])
        #expect(try long.positionals() == ["x"])
    }

    // MARK: - Unknown options and positionals

    @Test func positionals_whenAnUnknownOptionIsLeft_throwsQuotingItWithASuggestion() {
        var reader = ArgumentReader(["--titel", "x"])
        _ = try? reader.option("--title")

        do {
            _ = try reader.positionals()
            Issue.record("an unknown option was accepted")
        } catch {
            #expect(error.description.contains("'--titel'"))
            #expect(error.description.contains("did you mean '--title'"))
        }
    }

    @Test func positionals_whenAnUnknownOptionHasAValue_suggestsFromTheNameAlone() {
        var reader = ArgumentReader(["--severty=Minor"])
        _ = try? reader.option("--severity")

        do {
            _ = try reader.positionals()
            Issue.record("an unknown option was accepted")
        } catch {
            #expect(error.description.contains("'--severty=Minor'"))
            #expect(error.description.contains("did you mean '--severity'"))
        }
    }

    @Test func positionals_whenAnUnknownOptionIsFarFromAnyKnownOne_throwsWithoutASuggestion() {
        var reader = ArgumentReader(["--completely-different"])
        _ = reader.flag("--json")

        do {
            _ = try reader.positionals()
            Issue.record("an unknown option was accepted")
        } catch {
            #expect(error.description.contains("'--completely-different'"))
            #expect(error.description.contains("did you mean") == false)
        }
    }

    @Test func positionals_whenAnUnknownShortOptionIsLeft_throwsUsageError() {
        #expect(throws: UsageError.self) {
            var reader = ArgumentReader(["-x"])
            _ = try reader.positionals()
        }
    }

    @Test func positionals_whenASingleDashIsGiven_keepsItAsAWord() throws {
        var reader = ArgumentReader(["-", "file"])

        #expect(try reader.positionals() == ["-", "file"])
    }

    @Test func positionals_afterTheSeparator_keepsOptionLikeWordsVerbatim() throws {
        var reader = ArgumentReader(["first", "--", "--not-an-option", "-x", "--"])

        #expect(try reader.positionals() == ["first", "--not-an-option", "-x", "--"])
    }

    @Test func option_whenItsNameAppearsOnlyAfterTheSeparator_leavesItPositional() throws {
        var reader = ArgumentReader(["--", "--title", "literal"])

        let title = try reader.option("--title")

        #expect(title == nil)
        #expect(try reader.positionals() == ["--title", "literal"])
    }

    @Test func flag_whenItsNameAppearsOnlyAfterTheSeparator_isFalse() throws {
        var reader = ArgumentReader(["--", "--json"])

        let json = reader.flag("--json")

        #expect(json == false)
        #expect(try reader.positionals() == ["--json"])
    }

    @Test func wantsHelp_whenHelpAppearsOnlyAfterTheSeparator_isFalse() throws {
        var reader = ArgumentReader(["--", "-h"])

        let wants = reader.wantsHelp()

        #expect(wants == false)
        #expect(try reader.positionals() == ["-h"])
    }

    @Test func finish_whenAWordIsLeft_throwsQuotingIt() {
        var reader = ArgumentReader(["stray"])

        do {
            try reader.finish()
            Issue.record("a stray word was accepted")
        } catch {
            #expect(error.description.contains("'stray'"))
        }
    }

    @Test func finish_whenEverythingWasTaken_succeeds() throws {
        var reader = ArgumentReader(["--json", "--title", "x"])
        _ = reader.flag("--json")
        _ = try reader.option("--title")

        try reader.finish()
    }

    @Test func exitCodes_followTheSysexitsConvention() {
        #expect(ExitCode.success == 0)
        #expect(ExitCode.failure == 1)
        #expect(ExitCode.usage == 64)
        #expect(ExitCode.refused == 65)
        #expect(ExitCode.noInput == 66)
        #expect(ExitCode.unavailable == 69)
        #expect(ExitCode.config == 78)
    }
}
