import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The password or token `--password-stdin` reads: at most 64 KiB (a token is a few KiB; more is a mistake,
/// such as a file or device redirected in), and a stop signal ends the wait for it.
enum PasswordInput {
    static let limit = 64 << 10

    static func read(from descriptor: Int32 = STDIN_FILENO) throws -> [UInt8] {
        try Interruption.exitingAtOnce {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while bytes.count <= limit {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw CommandError("cannot read the password from standard input: \(String(cString: strerror(errno)))") }
                if count == 0 { return bytes }
                bytes += buffer[..<count]
            }
            throw CommandError("the password on standard input is longer than 64 KiB; pass only the password or token")
        }
    }
}
