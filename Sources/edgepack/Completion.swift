import ArgumentParser

struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
        bash:  source <(edgepack completion bash)          (add it to ~/.bashrc)
        zsh:   edgepack completion zsh > "${fpath[1]}/_edgepack"
        fish:  edgepack completion fish > ~/.config/fish/completions/edgepack.fish
        """
    )

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        guard let completionShell = CompletionShell(rawValue: shell.rawValue) else { throw ValidationError("unknown shell \(shell.rawValue)") }
        print(EdgepackCommand.completionScript(for: completionShell))
    }
}
