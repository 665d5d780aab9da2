// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ORISBus

/// The check a command makes before a run whose end replaces a state file.
@Suite struct ReplaceableFileTests {
    @Test func problem_whenTheFolderIsWritable_isNil_andLeavesNoTemporaryFile() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/state.json"

        #expect(ReplaceableFile.problem(replacing: path) == nil)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func problem_whenATemporaryFileWasLeftBehind_keepsIt() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/state.json"
        #expect(FileManager.default.createFile(atPath: path + ".tmp", contents: Data("left".utf8)))

        #expect(ReplaceableFile.problem(replacing: path) == nil)
        #expect(FileManager.default.contents(atPath: path + ".tmp") == Data("left".utf8))
    }

    @Test func problem_whenTheFolderDoesNotExist_namesTheTemporaryFileAndTheCause() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/missing/state.json"

        #expect(ReplaceableFile.problem(replacing: path)
                == "cannot create '\(path).tmp': No such file or directory")
    }

    @Test func problem_whenThePathIsAFolder_saysSo() throws {
        let folder = try TemporaryDirectory()

        #expect(ReplaceableFile.problem(replacing: folder.path) == "'\(folder.path)' is a folder")
    }
}
