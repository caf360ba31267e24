import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Foundation's file errors (a `CocoaError` from FileManager or Data, a POSIX `NSError`) worded as edgepack words
/// its own: `cannot write OUT: permission denied`, never `Error Domain=NSCocoaErrorDomain Code=513 "(null)" …`.
enum FoundationErrorText {
    /// The error's file path, what was being done to it, and why; nil for errors that are not Foundation's.
    static func parts(_ error: any Error) -> (action: String, path: String?, reason: String, errno: Int32?)? {
        let error = error as NSError
        guard error.domain == NSCocoaErrorDomain || error.domain == NSPOSIXErrorDomain else { return nil }
        let path = error.userInfo[NSFilePathErrorKey] as? String ?? (error.userInfo[NSURLErrorKey] as? URL)?.path
        let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError
        let code = error.domain == NSPOSIXErrorDomain ? Int32(error.code)
            : underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
        // CocoaError numbers read failures 256-511 and write failures 512-1023; below, a code says neither.
        let kind = error.domain == NSCocoaErrorDomain ? error.code : 0
        let action = (512...1023).contains(kind) ? "write" : (256...511).contains(kind) ? "read" : "access"
        let reason = code.map(SystemErrorText.describe) ?? cocoaReason(error.code)
        return (action, path, reason, code)
    }

    private static func cocoaReason(_ code: Int) -> String {
        switch CocoaError.Code(rawValue: code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: SystemErrorText.describe(ENOENT)
        case .fileReadNoPermission, .fileWriteNoPermission: SystemErrorText.describe(EACCES)
        case .fileWriteFileExists: SystemErrorText.describe(EEXIST)
        case .fileWriteOutOfSpace: SystemErrorText.describe(ENOSPC)
        case .fileWriteVolumeReadOnly: SystemErrorText.describe(EROFS)
        case .fileReadTooLarge: SystemErrorText.describe(EFBIG)
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: "its content cannot be read as expected"
        default: "file error \(code)"
        }
    }
}

extension OCIError {
    /// A Foundation file error as one OCIError line naming the path; nil for any other error.
    public init?(foundation error: any Error) {
        guard let (action, path, reason, code) = FoundationErrorText.parts(error) else { return nil }
        let note = code == ENOSPC || code == EDQUOT ? path.map(DiskSpace.fullDiskNote) ?? "" : ""
        let (said, place) = path.map { TemporaryFiles.described(action, $0) } ?? (action, "a file")
        self.init(.io, "cannot \(said) \(place): \(reason)\(note)")
    }
}
