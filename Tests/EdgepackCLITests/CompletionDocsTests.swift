import Foundation
import Testing
import TestSupport

/// The README's completion lines, run as written in a fresh home folder, in each shell that is installed.
@Suite struct CompletionDocsTests {
    /// The README's completion block, a line per command (comments dropped).
    static func readmeLines() throws -> [String] {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let begin = try #require(readme.range(of: "<!-- completion:begin -->\n```sh\n"))
        let end = try #require(readme.range(of: "```\n<!-- completion:end -->"))
        return readme[begin.upperBound..<end.lowerBound].split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    static func environment(_ home: TemporaryDirectory) -> [String: String] {
        ["HOME": home.path, "PATH": (edgepackBinary as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    @Test func bashCompletesFromTheReadmeLine() throws {
        let line = try #require(try Self.readmeLines().first { $0.contains("completion bash") })
        let home = try TemporaryDirectory()
        let result = try run("bash", ["-c", "\(line) && COMP_WORDS=(edgepack pu) COMP_CWORD=1 COMP_LINE='edgepack pu' COMP_POINT=11 && _edgepack && echo \"${COMPREPLY[@]}\""],
                             environment: Self.environment(home))
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let offered = Set(result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(offered.isSuperset(of: ["publish", "publishes", "pull", "push", "registry", "init"]), "\(result.stdout)")
    }

    @Test(.enabled(if: isInstalled("zsh"))) func zshCompletesFromTheReadmeLines() throws {
        let line = try #require(try Self.readmeLines().first { $0.contains("completion zsh") })
        let home = try TemporaryDirectory()
        let written = try run("bash", ["-c", line], environment: Self.environment(home))
        #expect(written.status == 0, "on a fresh home folder: \(written.stderr)")
        // What the README says to put in ~/.zshrc, then ask zsh which function completes edgepack.
        let zsh = try run("zsh", ["-f", "-c", "fpath=(~/.zfunc $fpath); autoload -Uz compinit && compinit -u -d ~/.zcompdump; print -r -- ${_comps[edgepack]}"],
                          environment: Self.environment(home))
        #expect(zsh.status == 0 && zsh.stdout == "_edgepack\n", "\(zsh.stdout)\(zsh.stderr)")
    }

    @Test(.enabled(if: isInstalled("fish"))) func fishCompletesFromTheReadmeLine() throws {
        let line = try #require(try Self.readmeLines().first { $0.contains("completion fish") })
        let home = try TemporaryDirectory()
        let written = try run("bash", ["-c", line], environment: Self.environment(home))
        #expect(written.status == 0, "on a fresh home folder: \(written.stderr)")
        let fish = try run("fish", ["-c", "complete -C 'edgepack pu'"],
                           environment: Self.environment(home))
        let offered = fish.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }.sorted()
        #expect(fish.status == 0 && offered == ["publish", "publishes", "pull", "push"], "\(fish.stdout)\(fish.stderr)")
    }
}
