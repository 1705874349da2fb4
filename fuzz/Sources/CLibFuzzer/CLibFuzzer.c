// Header-only module: LLVMFuzzerRunDriver comes from libclang_rt.fuzzer (linked by -sanitize=fuzzer).
