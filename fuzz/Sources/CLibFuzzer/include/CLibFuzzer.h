#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, FuzzerDriver.cpp): parses libFuzzer's flags from argc/argv and runs
/// `callback` on each input. Used instead of libFuzzer's own `main`, because SwiftPM links each
/// executable with `main` pointing at `<module>_main` (see FuzzSupport/Driver.swift).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
