import Testing
@testable import EdgepackKit

@Suite struct ArrowTypeTests {
    @Test(arguments: [
        "int64", "float", "double", "string", "bool", "large_string", "uint8",
        "list<float>", "list<item: float>", "large_list<item: string>",
        "fixed_size_list<int64, 3>", "fixed_size_list<item: int32>[100]",
        "fixed_size_list<fixed_size_list<fixed_size_list<int64, 3>, 32>, 32>",
        "struct<a: int32, b: list<string>>", "struct<>", "map<string, double>",
        "timestamp[ms]", "timestamp[us, tz=UTC]", "time32[s]", "duration[ns]", "date32[day]",
        "decimal128(10, 2)", "fixed_size_binary[16]",
    ])
    func acceptsValidTypes(type: String) {
        #expect(ArrowType.problem(in: type) == nil)
    }

    @Test(arguments: [
        ("", "expected a type"), ("int65", "unknown Arrow type 'int65'"), ("list<int64", "expected '>'"),
        ("list<>", "expected a type name"), ("fixed_size_list<int64>", "expected '['"),
        ("fixed_size_list<int64, 0>", "at least 1"), ("timestamp[hours]", "unknown unit 'hours'"),
        ("time32[ns]", "unknown unit 'ns'"), ("map<string>", "expected ','"), ("int64 extra", "unexpected 'extra'"),
        ("struct<a int32>", "expected ':'"), ("decimal128(10)", "expected ','"),
    ])
    func rejectsInvalidTypes(type: String, problem: String) {
        let found = ArrowType.problem(in: type)
        #expect(found?.contains(problem) == true, "got \(String(describing: found))")
    }
}
