#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer on the harness's LLVMFuzzerTestOneInput. SwiftPM names an executable's entry point
/// MODULE_main, which libFuzzer's own main() cannot stand in for, so each harness calls this from it.
int edgepack_fuzz_main(int argc, char **argv);
