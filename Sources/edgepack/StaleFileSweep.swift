import ArgumentParser
import Foundation
import EdgepackKit
import OCIKit

/// A command that writes files: the folders where its temporary files (`….edgepack-PID-N`) appear.
protocol WritesFiles {
    var temporaryFileFolders: [String] { get }
}

/// A command that makes no scratch files, upload sessions, partial downloads or cached blobs: its run does not
/// list those folders (`$TMPDIR` and a large blob cache cost more to list than a cached digest takes).
protocol MakesNoSharedScratch {}

/// Every run first removes the temporary files of killed runs (their process gone) from the digest cache's folder
/// and the folders the command writes into, and, unless it makes none there, from `$TMPDIR` and the cache's
/// upload-session, partial-download and image-blob folders.
func removeStaleTemporaryFiles(for command: ParsableCommand) {
    let environment = EdgepackEnvironment.current
    var folders = [parentFolder(environment.digestCacheLocation)]
    if !(command is MakesNoSharedScratch) {
        folders += [NSTemporaryDirectory(), environment.uploadSessionsDirectory, environment.partialDownloadsDirectory,
                    environment.blobCacheDirectory, environment.blobCacheDirectory + "/sha256"]
    }
    if let writer = command as? WritesFiles { folders += writer.temporaryFileFolders }
    TemporaryFiles.removeStale(in: folders)
}

func parentFolder(_ path: String) -> String {
    let parent = (path as NSString).deletingLastPathComponent
    return parent.isEmpty ? "." : parent
}

extension Export: WritesFiles {
    var temporaryFileFolders: [String] { [parentFolder(output)] }
}

extension Build: WritesFiles {
    var temporaryFileFolders: [String] { [parentFolder(output), output, output + "/blobs/sha256"] }
}

extension Render: WritesFiles {
    var temporaryFileFolders: [String] { [output, output + "/chart"] }
}

extension Pull: WritesFiles {
    var temporaryFileFolders: [String] { [parentFolder(output)] }
}

extension Digest: MakesNoSharedScratch {}
extension Validate: MakesNoSharedScratch {}
extension Completion: MakesNoSharedScratch {}
extension Login: MakesNoSharedScratch {}
extension Logout: MakesNoSharedScratch {}
