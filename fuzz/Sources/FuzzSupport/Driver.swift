import CLibFuzzer

/// Runs libFuzzer on `callback` with the process's arguments.
///
/// SwiftPM links every executable target with `--defsym main=<module>_main` (so that tests can link
/// executable modules), which hides libFuzzer's own `main`. Each fuzz target therefore defines
/// `<module>_main` (e.g. `fuzz_sse_main`) and calls this, which hands over to libFuzzer's driver.
public func runLibFuzzer(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}

/// Calls `body` with `data`, or with a valid pointer when libFuzzer passes `nil` for an empty input.
public func withInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (UnsafePointer<UInt8>, Int) -> CInt) -> CInt {
    if let data { return body(data, size) }
    let zero: UInt8 = 0
    return withUnsafePointer(to: zero) { body($0, 0) }
}
