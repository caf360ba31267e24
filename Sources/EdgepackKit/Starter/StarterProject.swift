import Foundation
import OCIKit

/// What `edgepack init` writes: a commented `edgepack.yaml` naming every key the docs list, two small ONNX models,
/// and an engine read from a local image layout (`engine/`, made offline by the project's stand-in engine
/// script), so that validate, build, export, publish and pull work on a machine with no internet.
public enum StarterProject {
    public static let definitionFile = "edgepack.yaml"
    public static let engineFolder = "engine"

    /// The files, relative to the project folder, with their bytes.
    public static func files(name: String, registry: String) -> [(path: String, bytes: [UInt8])] {
        [
            (definitionFile, Array(definition(name: name, registry: registry).utf8)),
            ("models/classifier.onnx", TinyONNX.model(graph: "classifier", op: "Sigmoid", width: 4)),
            ("models/classifier-next.onnx", TinyONNX.model(graph: "classifier-next", op: "Relu", width: 4)),
            (".gitignore", Array("# edgepack's outputs; the engine image is made by scripts/make-standin-engine\n/engine/\n/out/\n*.tar\n".utf8)),
        ]
    }

    /// Writes the project into `directory` (created if needed). Refuses to overwrite any file already there,
    /// before writing anything.
    public static func write(into directory: String, name: String, registry: String) throws -> [String] {
        let files = files(name: name, registry: registry)
        for file in files where FileStatus.exists(directory + "/" + file.path) {
            throw OCIError(.unsupported, "\(directory)/\(file.path) already exists; init writes only into a new or empty project folder")
        }
        for file in files {
            let path = directory + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Data(file.bytes), to: path)
        }
        return files.map(\.path)
    }

    /// The deployment architecture of this machine, which the stand-in engine is built for.
    static var machineArch: String {
        #if arch(arm64)
        "arm"
        #else
        "x86"
        #endif
    }

    static func definition(name: String, registry: String) -> String {
        """
        # A starter pipeline made by `edgepack init`. Every key is explained in docs/definition.md.
        # The name: lowercase letters and digits, separated by . _ or -
        name: \(name)
        # version: 2c5968b7-62fa-49f8-9489-aaf84cfb80aa   # optional UUID; by default derived from the content
        # Where `edgepack publish` pushes (a --registry flag wins); `edgepack registry up` runs one on localhost:5000.
        registry: \(registry)
        engine:
          # The engine image the pipeline runs on. This one is the project's stand-in engine, read from the local
          # image layout engine/ (make it offline with: scripts/make-standin-engine --out engine --tag v1).
          # For Wallaroo's engine, name it here (e.g. ghcr.io/wallaroolabs/…/engine:TAG) and drop `source`.
          image: localhost/edgepack/standin-engine:v1
          source: oci:\(engineFolder):v1
          mirror: true                  # the image travels with the pipeline: PREFIX/engine:v1, and in bundles
        deployment:                     # every key has a default
          replicas: 1
          cpus: 0.5
          memory: 512Mi
          gpus: 0
          arch: \(machineArch)                     # x86 | arm | power10 (the stand-in engine is built for this machine's)
          accel: none                   # none | cuda | jetson | openvino | qaic | rocm
        models:
          - name: classifier
            path: models/classifier.onnx        # a file, or a directory (packed as one deterministic tar)
            framework: onnx
            input_schema:  {input: "fixed_size_list<float, 4>"}
            output_schema: {output: "fixed_size_list<float, 4>"}
          - name: classifier-next
            path: models/classifier-next.onnx
            framework: onnx
            input_schema:  {input: "fixed_size_list<float, 4>"}
            output_schema: {output: "fixed_size_list<float, 4>"}
        steps:
          # The champion answers; the challenger runs beside it and is audit-logged (Wallaroo's shadow deploy).
          - shadow: {champion: classifier, challengers: [classifier-next]}

        """
    }
}
