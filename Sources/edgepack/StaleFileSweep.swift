import ArgumentParser
import Foundation
import OCIKit

/// A command that writes files: the folders where its temporary files (`….edgepack-PID-N`) appear.
protocol WritesFiles {
    var temporaryFileFolders: [String] { get }
}

/// Every run first removes the temporary files of killed runs (their process gone) from `$TMPDIR`, the digest
/// cache's folder, the upload-session store and the folders the command writes into.
func removeStaleTemporaryFiles(for command: ParsableCommand) {
    // The upload-session store writes its records atomically too: a run killed meanwhile leaves a temporary one.
    var folders = [NSTemporaryDirectory(), parentFolder(DigestCache.defaultLocation()), UploadSessionStore.defaultDirectory()]
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
