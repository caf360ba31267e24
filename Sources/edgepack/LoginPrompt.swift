import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks for a username and password on the terminal, as `docker login` does: the password is not echoed.
enum LoginPrompt {
    /// Whether there is a person to ask (standard input is a terminal).
    static var isAvailable: Bool { isatty(STDIN_FILENO) == 1 }

    static func username(for host: String) throws -> String {
        let answer = try ask("Username for \(host): ", echo: true)
        guard !answer.isEmpty else { throw CommandError("no username given") }
        return answer
    }

    static func password(for host: String) throws -> String {
        let answer = try ask("Password for \(host): ", echo: false)
        guard !answer.isEmpty else { throw CommandError("no password given") }
        return answer
    }

    /// The terminal's settings while echo is off, to put back if the user interrupts.
    nonisolated(unsafe) private static var saved = termios()

    private static func ask(_ prompt: String, echo: Bool) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        if !echo {
            guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CommandError("cannot turn off echo on this terminal") }
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            signal(SIGINT) { _ in
                tcsetattr(STDIN_FILENO, TCSANOW, &LoginPrompt.saved)
                _ = write(STDERR_FILENO, "\n", 1)
                _exit(130)
            }
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        let line = readLine(strippingNewline: true)
        if !echo {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            signal(SIGINT, SIG_DFL)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line else { throw CommandError("no answer (end of input)") }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
