import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// `TarExtractor` (what `pull` unpacks a directory model with) against tars written header by header: only plain
/// files, folders and links inside the folder are written, with fixed modes, up to a limit.
@Suite struct TarExtractorSafetyTests {
    /// Unpacks `tar` into `DIR/out` and returns DIR (with `outside/`, where an escaping entry would land).
    func unpack(_ tar: [UInt8], limit: UnpackLimit? = nil) throws -> (dir: TemporaryDirectory, error: OCIError?) {
        let dir = try TemporaryDirectory()
        let path = try dir.write("layer.tar", Data(tar))
        try FileManager.default.createDirectory(atPath: dir.file("out/in"), withIntermediateDirectories: true)
        do {
            try TarExtractor.extract(path, into: dir.file("out/in"), label: "models/m/1/dir", limit: limit)
            return (dir, nil)
        } catch let error as OCIError {
            return (dir, error)
        }
    }

    @Test(arguments: [
        (CraftedTar.Entry("sda", type: "4"), "'sda', a block device"),
        (CraftedTar.Entry("tty", type: "3"), "'tty', a character device"),
        (CraftedTar.Entry("pipe", type: "6"), "'pipe', a FIFO"),
        (.symlink("etc", to: "/etc"), "'etc', a symlink to '/etc', outside the folder"),
        (.symlink("sub/shadow", to: "../../etc/shadow"), "'sub/shadow', a symlink to '../../etc/shadow', outside the folder"),
        (.hardlink("passwd", to: "/etc/passwd"), "'passwd', a hard link to '/etc/passwd', which is not a file unpacked before it in the folder"),
        (.hardlink("up", to: "../../layer.tar"), "'up', a hard link to '../../layer.tar', which is not a file unpacked before it in the folder"),
        (.hardlink("later", to: "not-yet"), "'later', a hard link to 'not-yet', which is not a file unpacked before it in the folder"),
        (.file("../escape"), "'../escape', a path outside the folder"),
        (.file("/tmp/absolute"), "'/tmp/absolute', an absolute path"),
    ])
    func refusesAnEntryThatIsNotAPlainFileFolderOrInsideLinkBeforeWritingIt(entry: CraftedTar.Entry, message: String) throws {
        let tar = CraftedTar([.directory("sub"), .file("sub/weights.bin"), entry, .file("zz-after")])
        let (dir, refusal) = try unpack(tar.bytes)
        let error = try #require(refusal)
        #expect(error.code == .unsafePath)
        #expect(error.description == "models/m/1/dir holds \(message); refusing it (only files, folders and links inside the folder are unpacked)")
        // Nothing of the entry, nor anything after it, is written; nothing lands outside the folder.
        #expect(try FileManager.default.subpathsOfDirectory(atPath: dir.file("out")).sorted() == ["in", "in/sub", "in/sub/weights.bin"])
        #expect(!FileManager.default.fileExists(atPath: dir.file("escape")))
    }

    /// `s -> .` and `t -> s/..` each stay inside as written; together `t` is the folder's parent.
    @Test func refusesALinkThatLeavesThroughAnotherLink() throws {
        let (dir, error) = try unpack(CraftedTar([.symlink("t", to: "s/.."), .symlink("s", to: ".")]).bytes)
        #expect(error?.description.hasPrefix("models/m/1/dir holds 't', a symlink that leads outside the folder through other links") == true, "\(String(describing: error))")
        #expect(DirectoryTarWriter.staysInside(linkName: "t", target: "s/.."))  // as written, it looked inside
        #expect(!SymlinkContainment.staysInside(root: dir.file("out/in"), linkName: "t"))
        #expect(SymlinkContainment.staysInside(root: dir.file("out/in"), linkName: "s"))
    }

    @Test func writesPlainModesOwnedByTheUserAndWorkingInsideLinks() throws {
        let tar = CraftedTar([
            .directory("shared", mode: 0o1777), .file("shared/suid", "#!/bin/sh\n", mode: 0o4755), .file("sgid", mode: 0o2644),
            .file("open", mode: 0o666), .file("private", mode: 0o600), .file("run.sh", mode: 0o700),
            // A pax hard link may carry data and a mode (the "x" header makes the tar pax for libarchive).
            .symlink("latest", to: "shared/suid"), CraftedTar.Entry("PaxHeaders/copy", type: "x", data: Array("13 path=copy\n".utf8)),
            CraftedTar.Entry("copy", type: "1", mode: 0o4777, link: "open", data: Array("written through".utf8)),
        ])
        let (dir, error) = try unpack(tar.bytes)
        #expect(error == nil, "\(String(describing: error))")
        let root = dir.file("out/in")
        let expected: [String: UInt32] = ["shared": 0o755, "shared/suid": 0o755, "sgid": 0o644, "open": 0o644, "private": 0o644, "run.sh": 0o755, "copy": 0o644]
        for (name, mode) in expected {
            let status = try FileStatus(path: root + "/" + name, followLinks: false)
            #expect(status.mode & 0o7777 == mode, "\(name): \(String(status.mode & 0o7777, radix: 8))")
            var info = stat()
            #expect(lstat(root + "/" + name, &info) == 0 && info.st_uid == getuid() && info.st_gid == getgid(), "\(name)")
        }
        #expect(try String(contentsOfFile: root + "/latest", encoding: .utf8) == "#!/bin/sh\n")
        #expect(try FileStatus(path: root + "/copy").inode == FileStatus(path: root + "/open").inode)
        #expect(try String(contentsOfFile: root + "/open", encoding: .utf8) == "data")  // a hard link's data and mode go nowhere
    }

    /// 1 MiB of zeros gzips to about 1 KiB: unpacking stops at the limit before the file is written.
    @Test func unpackingStopsAtTheLimit() throws {
        let bomb = try CraftedTar([.file("a", "small"), CraftedTar.Entry("zeros", data: [UInt8](repeating: 0, count: 1 << 20))]).gzipped()
        #expect(bomb.count < 4096)
        let limit = UnpackLimit(bytes: Int64(bomb.count), reason: "the layer's own size")
        let (dir, error) = try unpack(bomb, limit: limit)
        #expect(error?.description == "models/m/1/dir unpacks to more than \(DiskSpace.format(Int64(bomb.count))), the layer's own size; refusing it", "\(String(describing: error))")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: dir.file("out/in")) == ["a"])
        // The same tar within a limit that fits it unpacks.
        let (fits, none) = try unpack(bomb, limit: UnpackLimit(bytes: 3 * 512 + (1 << 20) + 5, reason: "enough"))
        #expect(none == nil, "\(String(describing: none))")
        #expect(try FileStatus(path: fits.file("out/in/zeros")).size == 1 << 20)
    }

    /// What edgepack's own writer makes never unpacks to more than the tar's size (the limit `pull` sets).
    @Test func aTarTheWriterMadeUnpacksWithinItsOwnSize() throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/a.bin", Data(repeating: 1, count: 1000))
        try dir.write("model/sub/b.txt", "b")
        try FileManager.default.createDirectory(atPath: dir.file("model/empty"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("model/sub/link"), withDestinationPath: "../a.bin")
        let sink = MemorySink()
        try DirectoryTarWriter(options: TarOptions(mtime: 0)).write(directory: dir.file("model"), to: sink)
        let (out, error) = try unpack(sink.bytes, limit: UnpackLimit(bytes: Int64(sink.bytes.count), reason: "its size"))
        #expect(error == nil, "\(String(describing: error))")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: out.file("out/in")).sorted() == ["a.bin", "empty", "sub", "sub/b.txt", "sub/link"])
    }

    /// `validate` and `export` refuse in a model directory what `pull` would refuse; a setuid bit is dropped in
    /// the tar instead (the writer stores 0644 or 0755 only, so the bytes do not depend on it).
    @Test func theWriterRefusesDevicesSocketsAndLinksLeavingThroughLinksAndDropsSetuid() throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/a.bin", "a")
        let check = DirectoryTarWriter(options: TarOptions(mtime: 0))
        #expect(chmod(dir.file("model/a.bin"), 0o4755) == 0)
        let sink = MemorySink()
        try check.write(directory: dir.file("model"), to: sink)
        let tar = try dir.write("setuid.tar", Data(sink.bytes))
        #expect(try run("bsdtar", ["-tvf", tar]).stdout.hasPrefix("-rwxr-xr-x "))

        let node = dir.file("model/sda")
        #expect(try run("mknod", [node, "b", "8", "0"]).succeeded)
        #expect(throws: OCIError.self) { try check.check(directory: dir.file("model")) }
        unlink(node)
        #expect(try run("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", dir.file("model/sock")]).succeeded)
        let socketError = #expect(throws: OCIError.self) { try check.check(directory: dir.file("model")) }
        #expect(socketError?.message == "\(dir.file("model/sock")) is not a regular file, directory or symlink; remove it from the model directory")
        unlink(dir.file("model/sock"))

        try FileManager.default.createSymbolicLink(atPath: dir.file("model/s"), withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: dir.file("model/t"), withDestinationPath: "s/..")
        let linkError = #expect(throws: OCIError.self) { try check.check(directory: dir.file("model")) }
        #expect(linkError?.message.contains("model/t is a symlink to 's/..', outside the model directory") == true, "\(String(describing: linkError))")
        #expect(throws: OCIError.self) { try check.write(directory: dir.file("model"), to: MemorySink()) }
    }
}
