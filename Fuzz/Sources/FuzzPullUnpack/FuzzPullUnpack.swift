import FuzzDriver
import Foundation
import OCIKit

/// Each input is a layer as `pull` gets it (a tar, or a compressed tar: libarchive detects the filter), unpacked
/// by `TarExtractor` into `scratch/out/in` with a limit. Afterwards, whether the unpack succeeded or not, nothing
/// may have appeared or changed outside that folder, and nothing in it may be other than a regular file, a
/// folder or a symlink; when it succeeded, files are 0644 or 0755 and owned by this user, folders 0755, and
/// every symlink resolves inside the folder (or nowhere). Any breach is a crash, which libFuzzer saves.
let scratch = NSTemporaryDirectory() + "edgepack-fuzz-unpack-\(getpid())"
let layer = scratch + "/layer.tar", outside = scratch + "/outside", root = scratch + "/out/in"
let victim = outside + "/victim", victimText = "the user's file"
let limit = UnpackLimit(bytes: 8 << 20, reason: "the fuzz limit")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPullUnpack(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try? FileManager.default.removeItem(atPath: scratch + "/out")
    do {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: victim) { try victimText.write(toFile: victim, atomically: false, encoding: .utf8) }
        try Data(bytes: data, count: size).write(to: URL(fileURLWithPath: layer))
    } catch {
        fatalError("cannot set up \(scratch): \(error)")
    }
    let succeeded = (try? TarExtractor.extract(layer, into: root, label: "fuzz", limit: limit)) != nil
    checkNothingOutside()
    checkEntries(of: root, strict: succeeded)
    return 0
}

func checkNothingOutside() {
    let top = (try? FileManager.default.contentsOfDirectory(atPath: scratch).sorted()) ?? []
    guard top == ["layer.tar", "out", "outside"], (try? FileManager.default.contentsOfDirectory(atPath: scratch + "/out")) == ["in"],
          (try? FileManager.default.contentsOfDirectory(atPath: outside)) == ["victim"],
          (try? String(contentsOfFile: victim, encoding: .utf8)) == victimText, lstatus(root).map({ $0.st_mode & S_IFMT == S_IFDIR }) == true
    else { fatalError("the unpack wrote outside its folder: \(top)") }
}

func checkEntries(of directory: String, strict: Bool) {
    guard let names = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { fatalError("cannot list \(directory)") }
    let realRoot = realPath(root) ?? root
    for name in names {
        let path = directory + "/" + name
        guard let info = lstatus(path) else { continue }
        let type = info.st_mode & S_IFMT, mode = info.st_mode & 0o7777
        switch type {
        case S_IFREG:
            if strict, !(mode == 0o644 || mode == 0o755) || info.st_uid != getuid() { fatalError("\(name): mode \(String(mode, radix: 8)), owner \(info.st_uid)") }
        case S_IFDIR:
            if strict, mode != 0o755 || info.st_uid != getuid() { fatalError("\(name): folder mode \(String(mode, radix: 8))") }
        case S_IFLNK:
            if strict, let resolved = realPath(path), resolved != realRoot, !resolved.hasPrefix(realRoot + "/") {
                fatalError("\(name) resolves outside the folder, to \(resolved)")
            }
        default:
            fatalError("\(name) has file type \(String(type, radix: 8))")
        }
    }
}

func lstatus(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

@_cdecl("FuzzPullUnpack_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    edgepack_fuzz_main(argc, argv)
}
