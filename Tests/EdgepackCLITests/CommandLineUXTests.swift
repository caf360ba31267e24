import Foundation
import Testing
import TestSupport

/// What a docker, helm or oras user expects of a command line: suggestions, focused help, completion, notes.
@Suite struct CommandLineUXTests {
    @Test func aMistypedCommandGetsTheNearestOne() throws {
        let typo = try edgepack(["publsh", "fixtures/x/edgepack.yaml", "--registry", "r"])
        #expect(typo.status == 64)
        #expect(typo.stderr == "edgepack: error: unknown command 'publsh': did you mean 'publish'? ('edgepack --help' lists the commands)\n")
        #expect(try edgepack(["inpsect", "b.tar"]).stderr.contains("did you mean 'inspect'?"))
        #expect(try edgepack(["pul"]).stderr.contains("did you mean 'pull'?"))
        let far = try edgepack(["frobnicate"])
        #expect(far.status == 64 && far.stderr == "edgepack: error: unknown command 'frobnicate' ('edgepack --help' lists the commands)\n")
        #expect(try edgepack(["help", "publish"]).succeeded)
    }

    @Test func eachCommandsHelpShowsOnlyTheOptionsItUses() throws {
        for command in ["pull", "publishes", "login", "inspect"] {
            let help = try edgepack([command, "--help"]).stdout
            #expect(help.contains("--username"), "\(command)")
            #expect(!help.contains("--concurrency") && !help.contains("--chunk-size"), "\(command) lists upload options:\n\(help)")
        }
        for command in ["publish", "push"] {
            let help = try edgepack([command, "--help"]).stdout
            #expect(help.contains("--concurrency") && help.contains("--chunk-size"), "\(command)")
        }
    }

    @Test func publishHelpSaysWhereCredentialsComeFromAndTheExitCodes() throws {
        let help = try edgepack(["publish", "--help"]).stdout
        for expected in ["--username NAME --password-stdin", "EDGEPACK_USERNAME/EDGEPACK_PASSWORD, then OCI_USERNAME/OCI_PASSWORD",
                         "docker's config.json ($DOCKER_CONFIG/config.json", "credHelpers, credsStore: docker-credential-*",
                         "Exit codes:", "  0   done", "  1   an error, explained in one line on stderr", "  64  a mistake in the command line"] {
            #expect(help.contains(expected), "publish --help lacks '\(expected)':\n\(help)")
        }
    }

    @Test func completionScriptsLoad() throws {
        let directory = (edgepackBinary as NSString).deletingLastPathComponent
        let bash = try run("bash", ["-c", "source <(edgepack completion bash) && complete -p edgepack && COMP_WORDS=(edgepack pu) COMP_CWORD=1 COMP_LINE='edgepack pu' COMP_POINT=11 && _edgepack && echo \"${COMPREPLY[@]}\""],
                           environment: ["PATH": directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
        #expect(bash.succeeded && bash.stderr.isEmpty, "\(bash.stderr)")
        #expect(bash.stdout.hasPrefix("complete -o filenames -F _edgepack edgepack\n"), "\(bash.stdout)")
        #expect(bash.stdout.contains("publish") && bash.stdout.contains("pull"), "\(bash.stdout)")
        #expect(try edgepack(["completion", "zsh"]).stdout.hasPrefix("#compdef edgepack\n"))
        #expect(try edgepack(["completion", "fish"]).stdout.contains("complete -c 'edgepack' -f\n"))
        let unknown = try edgepack(["completion", "tcsh"])
        #expect(unknown.status == 64 && unknown.stderr.contains("Please provide one of 'bash', 'zsh' or 'fish'"))
    }

    @Test func buildAndExportWithoutARegistrySayOnceThatTheyUseAPlaceholder() throws {
        let dir = try TemporaryDirectory()
        let definition = fixture("vgg16-clustering/edgepack.yaml")
        // The fixture turns mirroring off; that is said once, first.
        let unmirrored = "note: images not mirrored (engine.mirror: false or --no-mirror): the site must reach "
            + "ghcr.io/wallaroolabs/doc-samples/engine:v2023.3.0-main-3731 itself\n"
        let export = try edgepack(["export", definition, "-o", dir.file("b.tar")])
        #expect(export.succeeded)
        #expect(export.stderr == unmirrored + "note: no registry given, so the chart and compose.yaml name registry.invalid/set-registry-prefix; "
            + "pass --registry PREFIX (or set 'registry' in the definition); 'edgepack push \(dir.file("b.tar")) --registry PREFIX' renders them again for the registry it uploads to\n")
        let build = try edgepack(["build", definition, "-o", dir.file("layout")])
        #expect(build.succeeded)
        #expect(build.stderr == unmirrored + "note: no registry given, so the chart and compose.yaml name registry.invalid/set-registry-prefix; "
            + "pass --registry PREFIX (or set 'registry' in the definition), or export a bundle, which 'edgepack push BUNDLE --registry PREFIX' renders again for the registry it uploads to\n")
        #expect(!build.stdout.contains("note:") && !export.stdout.contains("note:"))
        let named = try edgepack(["export", definition, "-o", dir.file("c.tar"), "--registry", "ghcr.io/acme/edge"])
        #expect(named.succeeded && named.stderr == unmirrored, "\(named.stderr)")
    }
}
